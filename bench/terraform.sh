#!/usr/bin/env bash
# Terraform import benchmark (not a test); figures go in docs/PERFORMANCE.md, "Terraform import".
#
# The release CLI imports the mission-critical reference implementation's two root modules
# (globalresources, releaseunit with its stamp module, two regions) from the shared corpus, and
# runs drift against itself; best of 5 wall-clock times with the peak memory of that run.
# STRIDEWISE_CORPUS names the corpus (default ../shared/corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${STRIDEWISE_CORPUS:-../shared/corpus}
W="$CORPUS/terraform/mission-critical-online/workload"
[ -d "$W" ] || { echo "no corpus at $W; set STRIDEWISE_CORPUS" >&2; exit 2; }
F=tests/fixtures/terraform/corpus
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cargo build --quiet --release --bin stridewise
BIN=target/release/stridewise
run() {  # label, command...
  local label=$1; shift
  local best="" line
  for _ in 1 2 3 4 5; do
    /usr/bin/time -o "$WORK/time" -f "%e %M" "$@" >/dev/null 2>&1 || true
    line=$(tail -1 "$WORK/time")
    if [ -z "$best" ] || awk -v a="${line% *}" -v b="${best% *}" 'BEGIN{exit !(a<b)}'; then best=$line; fi
  done
  printf '%-52s best %6s s, peak RSS %s KB (of 5 runs)\n' "$label" "${best% *}" "${best#* }"
}
for s in globalresources releaseunit; do
  V=(--var-file "$W/$s/variables-prod.tfvars" --var-file "$F/$s.tfvars")
  run "import $s" "$BIN" import "$W/$s" --format terraform "${V[@]}" -o "$WORK/$s.stride.json"
  "$BIN" import "$W/$s" --format terraform "${V[@]}" -o "$WORK/$s.stride.json" | head -1
  run "drift $s (import + analysis per difference)" "$BIN" drift "$WORK/$s.stride.json" --terraform "$W/$s" "${V[@]}"
done
uptime
