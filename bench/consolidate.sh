#!/usr/bin/env bash
# Benchmark: consolidation of 50 services of 200 elements each, written as separate files.
# Prints the figures; docs/PERFORMANCE.md records a run. Usage: bench/consolidate.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release --locked --quiet
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 bench/synth_services.py 50 200 "$dir"
echo "input: $(ls "$dir" | wc -l) files, $(cat "$dir"/*.json | wc -c) bytes"
for _ in $(seq "$runs"); do
  /usr/bin/time -f "peak %M KB, wall %e s" target/release/stridewise consolidate "$dir"/*.json \
    --name bench --timings -o "$dir/app.out" 2>&1 >/dev/null | tr '\n' ' '
  echo
done
