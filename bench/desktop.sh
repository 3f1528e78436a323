#!/usr/bin/env bash
# The desktop app's per-edit and per-autosave work on a 200-element service (not a test);
# figures go in docs/PERFORMANCE.md, "Desktop". The model is bench/synth_services.py 1 200.
# The IPC part needs a display or Xvfb, tauri-driver and WebKitWebDriver (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 bench/synth_services.py 1 200 "$WORK"
MODEL=$(ls "$WORK"/*.stride.json | head -n 1)
echo "== the core's work per edit and per autosave (release build)"
STRIDEWISE_BENCH_MODEL=$MODEL cargo bench --quiet -p stridewise-core --bench desktop
echo "== the same analysis through IPC in the real app (debug build, as scripts/run.sh builds it)"
(cd ui && npm run build --silent)
STRIDEWISE_BENCH_MODEL=$MODEL cargo bench --quiet --profile dev --workspace --locked \
  --features stridewise-app/custom-protocol -p stridewise-app --bench ipc
uptime
