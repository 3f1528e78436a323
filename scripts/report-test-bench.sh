#!/usr/bin/env bash
# Benchmark (not a test) of the report on the 10,000-element synthetic application:
# python3 ../shared/bench/synth.py 50 200 (pytm JSON, about 10,000 elements and 10,000 flows)
# through `stridewise report`, `export --format csv|sarif` and `check`, release build, three runs
# each; then the report is opened in headless Chromium. Prints the figures for
# docs/PERFORMANCE.md ("Report").
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared}
[ -f "$SHARED/bench/synth.py" ] || SHARED=/work/shared
OUT=target/report-bench
mkdir -p "$OUT"
cargo build --release --quiet --locked
BIN=target/release/stridewise
python3 "$SHARED/bench/synth.py" 50 200 > "$OUT/synth.pytm.json"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
run() {
  local label=$1; shift
  for i in 1 2 3; do
    /usr/bin/time -f "$label run $i: %e s wall, %U s user + %S s sys CPU, peak %M KB" "$@" >/dev/null 2>"$OUT/time.txt" || true
    grep -E "run $i|read, validate" "$OUT/time.txt" || cat "$OUT/time.txt"
  done
}
run report "$BIN" report "$OUT/synth.pytm.json" -o "$OUT/report.html" --timings
echo "report size: $(stat -c %s "$OUT/report.html") bytes"
run "export csv" "$BIN" export "$OUT/synth.pytm.json" --format csv -o "$OUT/threats.csv"
run "export sarif" "$BIN" export "$OUT/synth.pytm.json" --format sarif -o "$OUT/threats.sarif"
run "check" "$BIN" check "$OUT/synth.pytm.json" --fail-on critical
if [ -x /usr/bin/chromium ] && [ -d scripts/report-test/node_modules ]; then
  node scripts/report-test-open.mjs "$OUT/report.html"
else
  echo "browser: skipped (run scripts/report-test.sh once to install chromium and playwright-core)"
fi
