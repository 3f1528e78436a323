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
# IPC_PROFILE=bench for the release build (a cold release build of the app takes minutes).
IPC_PROFILE=${IPC_PROFILE:-dev}
echo "== the same analysis through IPC in the real app (profile $IPC_PROFILE; dev is what scripts/run.sh builds)"
(cd ui && npm run build --silent)
STRIDEWISE_BENCH_MODEL=$MODEL cargo bench --quiet --profile "$IPC_PROFILE" --workspace --locked \
  --features stridewise-app/custom-protocol -p stridewise-app --bench ipc
uptime
