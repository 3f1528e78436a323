#!/usr/bin/env bash
# Diff and merge benchmark (not a test); figures go in docs/PERFORMANCE.md, "Diff and merge".
#
# 1. The core functions alone, on a synthetic 10,000-element model built in Rust
#    (crates/core/benches/merge.rs): diff and merge, wall-clock and CPU time.
# 2. The CLI end to end (read three files, merge, write), on the model that
#    /work/shared/bench/synth.py 50 200 describes, made native by bench/merge_native.py.
set -euo pipefail
cd "$(dirname "$0")/.."
SYNTH=${SYNTH:-/work/shared/bench/synth.py}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "== core: cargo bench -p stridewise-core --bench merge"
cargo bench --quiet -p stridewise-core --bench merge

echo "== CLI end to end (release build)"
cargo build --quiet --release --bin stridewise
BIN=target/release/stridewise
python3 "$SYNTH" 50 200 > "$WORK/app.pytm.json"
python3 bench/merge_native.py "$WORK/app.pytm.json" "$WORK"
"$BIN" fmt "$WORK"/base.stride.json "$WORK"/ours.stride.json "$WORK"/theirs.stride.json >/dev/null
ls -l "$WORK"/*.stride.json | awk '{print $5, $9}'
run() {  # label, command...: best of 5 wall-clock times and the peak memory of that run
  local label=$1; shift
  local best="" line
  for _ in 1 2 3 4 5; do
    /usr/bin/time -o "$WORK/time" -f "%e %M" "$@" >/dev/null 2>&1 || true
    line=$(tail -1 "$WORK/time")
    if [ -z "$best" ] || awk -v a="${line% *}" -v b="${best% *}" 'BEGIN{exit !(a<b)}'; then best=$line; fi
  done
  printf '%-44s best %6s s, peak RSS %s KB (of 5 runs)\n' "$label" "${best% *}" "${best#* }"
}
run "stridewise validate base (load only)" "$BIN" validate "$WORK/base.stride.json"
run "stridewise diff base ours" "$BIN" diff "$WORK/base.stride.json" "$WORK/ours.stride.json"
run "stridewise merge base ours theirs -o out" "$BIN" merge "$WORK/base.stride.json" "$WORK/ours.stride.json" "$WORK/theirs.stride.json" -o "$WORK/out.stride.json"
"$BIN" merge "$WORK/base.stride.json" "$WORK/ours.stride.json" "$WORK/theirs.stride.json" -o "$WORK/out.stride.json" | head -1
"$BIN" diff "$WORK/base.stride.json" "$WORK/out.stride.json" | grep -E '^[a-z]' || true
uptime
