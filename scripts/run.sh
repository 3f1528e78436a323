#!/usr/bin/env bash
# The main job: set up, build, and run Stridewise on the bundled mission-critical sample.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$HOME/.cargo/bin:$PATH"

echo "== building stridewise"
cargo build --release --locked --quiet
bin=target/release/stridewise
out=target/sample
mkdir -p "$out"

echo "== validating the sample models"
"$bin" validate models/*.stride.json

echo "== consolidating the mission-critical services into one application model"
"$bin" consolidate models/mc-*.stride.json --name mission-critical -o "$out/mission-critical.stride.json"
