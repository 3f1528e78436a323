#!/usr/bin/env bash
# Benchmark (not a test): `stridewise analyze` against pytm 1.4.0 on the same synthetic pytm
# models, in one run. Writes the "Analysis" section of docs/PERFORMANCE.md.
#
#   bench/analyze.sh            # needs python3 with venv, and network access to PyPI once
#
# pytm is installed into a throwaway virtualenv under /tmp (reused when present). Each
# Stridewise figure is the median of 5 runs; pytm runs once per size (it takes seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-/work/shared}
VENV=${PYTM_VENV:-/tmp/stridewise-bench-pytm-venv}
RUNS=${RUNS:-5}
WORK=$(mktemp -d /tmp/stridewise-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import pytm' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q pytm==1.4.0
fi
cargo build --release --quiet
BIN=target/release/stridewise

# One line per run: elements flows threats analysis_ms parse_ms wall_s rss_kb analysis_cpu_ms
stride() {
  local file=$1 i
  for i in $(seq "$RUNS"); do
    /usr/bin/time -v "$BIN" analyze --format json --timings "$file" >/dev/null 2>"$WORK/err.txt"
    python3 - "$WORK/err.txt" <<'PY'
import re, sys
err = open(sys.argv[1]).read()
m = re.search(r"parse ([\d.]+) ms, analysis ([\d.]+) ms(?:, ([\d.]+) ms on CPU)? \((\d+) elements, (\d+) flows, (\d+) threats\)", err)
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", err)
rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
user = float(re.search(r"User time \(seconds\): ([\d.]+)", err).group(1))
system = float(re.search(r"System time \(seconds\): ([\d.]+)", err).group(1))
h, mi, s = wall.groups()
secs = int(h or 0) * 3600 + int(mi) * 60 + float(s)
print(m.group(4), m.group(5), m.group(6), m.group(2), m.group(1), f"{secs:.3f}", rss.group(1), m.group(3) or m.group(2), f"{user + system:.3f}")
PY
  done | sort -n -k4 | awk -v n="$RUNS" 'NR == int((n + 1) / 2)'
}

pytm_run() {
  local file=$1
  /usr/bin/time -v "$VENV/bin/python" "$SHARED/bench/pytm_time.py" "$file" >"$WORK/pytm.txt" 2>"$WORK/pytm_err.txt"
  python3 - "$WORK/pytm.txt" "$WORK/pytm_err.txt" <<'PY'
import re, sys
out = open(sys.argv[1]).read()
err = open(sys.argv[2]).read()
f = dict(kv.split("=") for kv in out.split())
rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
user = float(re.search(r"User time \(seconds\): ([\d.]+)", err).group(1))
system = float(re.search(r"System time \(seconds\): ([\d.]+)", err).group(1))
print(f["elements"], f["flows"], f["findings"], f["load_s"], f["resolve_s"], rss.group(1), f"{user + system:.3f}")
PY
}

# pytm's resolve in CPU seconds too (the same calls as pytm_time.py, timed with process_time),
# because wall time on a shared machine depends on what else runs.
pytm_cpu() {
  "$VENV/bin/python" - "$1" <<'PY'
import sys, time
from pytm import TM
from pytm.json import load
with open(sys.argv[1]) as fp:
    tm = load(fp)
c = time.process_time()
tm.resolve()
print(f"{time.process_time() - c:.3f}")
PY
}

declare -A S P C
for spec in "5 200" "50 200" "250 200"; do
  name=${spec// /x}
  python3 "$SHARED/bench/synth.py" $spec >"$WORK/$name.json"
  S[$name]=$(stride "$WORK/$name.json")
  echo "stridewise $name: ${S[$name]}" >&2
done
for name in 5x200 50x200; do
  P[$name]=$(pytm_run "$WORK/$name.json")
  echo "pytm $name: ${P[$name]}" >&2
  C[$name]=$(pytm_cpu "$WORK/$name.json")
  echo "pytm resolve CPU $name: ${C[$name]}" >&2
done

python3 - "docs/PERFORMANCE.md" "$(nproc)" "$(uname -m)" "$(git rev-parse --short HEAD)" \
  "${S[5x200]}" "${S[50x200]}" "${S[250x200]}" "${P[5x200]}" "${P[50x200]}" "${C[5x200]}" "${C[50x200]}" <<'PY'
import sys, os, re, datetime
path, cores, arch, rev = sys.argv[1:5]
s = [l.split() for l in sys.argv[5:8]]
p = [l.split() for l in sys.argv[8:10]]
c = [float(x) for x in sys.argv[10:12]]
sizes = ["5 200", "50 200", "250 200"]
lines = []
w = lines.append
w("## Analysis")
w("")
w("Measured by `bench/analyze.sh` (commit " + rev + f", {cores} cores, {arch}, release build).")
w("Models come from `synth.py SERVICES 200` (pytm JSON); Stridewise reads them with its pytm importer and runs the whole built-in catalog.")
w("Stridewise figures are the median of 5 runs (by analysis time); \"analysis\" is the wall-clock time inside `analyze()` as printed by `--timings`, \"analysis CPU\" the time the thread spent on a CPU meanwhile (`/proc/thread-self/schedstat`; it differs from wall time when other processes compete for the cores), \"wall\" is the whole process (reading, pytm import, validation, analysis and writing the JSON report to /dev/null).")
w("pytm figures are one run of `pytm_time.py` with pytm 1.4.0: `resolve` is `tm.resolve()`.")
w("")
w("| model | elements | flows | threats | analysis (ms) | analysis CPU (ms) | parse + import (ms) | wall (s) | peak RSS (MB) |")
w("|---|---|---|---|---|---|---|---|---|")
for spec, r in zip(sizes, s):
    el, fl, th, an, pa, wall, rss, cpu, _ = r
    w(f"| synth.py {spec} | {el} | {fl} | {th} | {float(an):.1f} | {float(cpu):.1f} | {float(pa):.1f} | {float(wall):.2f} | {int(rss)/1024:.0f} |")
w("")
w("| model | pytm findings | pytm load (s) | pytm resolve (s) | pytm resolve CPU (s) | pytm peak RSS (MB) | resolve / analysis (wall, same run) | resolve / analysis (CPU) | pytm process / Stridewise process (CPU) | resolve / Stridewise whole process (wall) |")
w("|---|---|---|---|---|---|---|---|---|---|")
for spec, r, q, rc in zip(sizes, s, p, c):
    el, fl, fi, load, res, rss, pcpu = q
    an, wall, acpu, scpu = float(r[3]) / 1000, float(r[5]), float(r[7]) / 1000, float(r[8])
    w(f"| synth.py {spec} | {fi} | {float(load):.2f} | {float(res):.2f} | {rc:.2f} | {int(rss)/1024:.0f} | {float(res)/an:.0f}x | {rc/acpu:.0f}x | {float(pcpu)/max(scpu, 0.001):.0f}x | {float(res)/wall:.1f}x |")
w("")
w(f"Load average while the benchmark ran (other engineers build on the same 2 cores): {os.getloadavg()[0]:.1f}.")
w("")
a1, a2, a3 = (float(r[7]) for r in s)
t1, t2, t3 = (int(r[2]) for r in s)
e1, e2, e3 = (int(r[0]) for r in s)
w(f"Growth, in analysis CPU time (wall time on a shared machine is mostly waiting): from {e1} to {e2} elements ({e2/e1:.1f}x, threats {t2/t1:.1f}x) it grows {a2/a1:.1f}x; from {e2} to {e3} ({e3/e2:.1f}x, threats {t3/t2:.1f}x) it grows {a3/a2:.1f}x.")
w("")
section = "\n".join(lines) + "\n"
text = open(path).read() if os.path.exists(path) else "# Performance\n\nEach section is written by its own benchmark script.\n\n"
m = re.search(r"^## Analysis\n.*?(?=^## |\Z)", text, flags=re.S | re.M)
text = text[: m.start()] + section + text[m.end():] if m else text.rstrip("\n") + "\n\n" + section
open(path, "w").write(text)
print(section)
PY
