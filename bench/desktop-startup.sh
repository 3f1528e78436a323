#!/usr/bin/env bash
# What a person waits for in the desktop app with the sample workspace, in the release build
# (not a test): cold start, opening a service, one edit to updated threats, the application
# view. Figures go in docs/PERFORMANCE.md, "Desktop". Needs a display or Xvfb, tauri-driver and
# WebKitWebDriver (scripts/setup.sh). The harness is compiled in the dev profile (its own speed
# is not measured); the app it drives is STRIDEWISE_APP, by default the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${STRIDEWISE_APP:-}" ]; then
  bash scripts/release-build.sh
  export STRIDEWISE_APP=$PWD/target/release/stridewise-app
fi
cargo bench --quiet --profile dev --workspace --locked --features stridewise-app/custom-protocol \
  -p stridewise-app --bench startup
uptime
