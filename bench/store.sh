#!/usr/bin/env bash
# Workspace benchmark (not a test): save and load of the 10,000-element synthetic model.
#
# Generates the pytm model with synth.py (50 services x 200 elements), converts it to a native
# model with bench/pytm_to_stride.py, then runs the release build of
# crates/core/examples/store_bench.rs, which creates a workspace, saves the model, saves ROUNDS
# changed versions, loads the head ROUNDS times and reports medians and file sizes.
# Results go by hand into the "Workspace" section of docs/PERFORMANCE.md.
#
# Usage: bench/store.sh            (SYNTH=path/to/synth.py ROUNDS=10 to override)
set -euo pipefail
cd "$(dirname "$0")/.."
SYNTH=${SYNTH:-/work/shared/bench/synth.py}
ROUNDS=${ROUNDS:-10}
[ -f "$SYNTH" ] || { echo "synth.py not found at $SYNTH; set SYNTH" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 "$SYNTH" 50 200 > "$tmp/synth.pytm.json"
python3 bench/pytm_to_stride.py "$tmp/synth.pytm.json" > "$tmp/synth.stride.json"
echo "pytm JSON: $(stat -c %s "$tmp/synth.pytm.json") bytes; native JSON: $(stat -c %s "$tmp/synth.stride.json") bytes"
cargo build --release --quiet -p stridewise-core --example store_bench
# The workspace goes next to the model, on the same file system as a user's would be.
target/release/examples/store_bench "$tmp/synth.stride.json" "$tmp/bench.stridewise" "$ROUNDS"
