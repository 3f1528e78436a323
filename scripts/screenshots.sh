#!/usr/bin/env bash
# Refreshes the pictures in docs/screenshots/ that the README and the guides show. Testing never
# writes there (the tests keep their screenshots under target/screenshots); this is the one
# explicit command that does. The desktop pictures (editor, application view with an attack
# path, sprint review, history, conflict resolution) come from the end-to-end tests driving the
# RELEASE build (scripts/release-build.sh) in a 1280x800 Xvfb window; then the web smoke test
# and the report's browser test write theirs.
# Look at every picture before you commit them.
#
# Usage: scripts/screenshots.sh            (DESKTOP_ONLY=1 for the desktop pictures only)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$HOME/.cargo/bin:$PATH"
export STRIDEWISE_SCREENSHOTS="$PWD/docs/screenshots"
bash scripts/release-build.sh
export STRIDEWISE_APP="$PWD/target/release/stridewise-app"

PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done' EXIT
DISPLAY_NUM=${SCREENSHOT_DISPLAY:-98}
Xvfb ":$DISPLAY_NUM" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$DISPLAY_NUM" ] && break; sleep 0.2; done
export DISPLAY=":$DISPLAY_NUM"
# The test harness in the dev profile (the same features as every other cargo call); the app it
# drives is the release build above.
cargo test --workspace --locked --features stridewise-app/custom-protocol -p stridewise-app --test e2e

if [ "${DESKTOP_ONLY:-0}" != 1 ]; then
  (cd ui && exec node_modules/.bin/vite preview --port 4173 --strictPort --host 127.0.0.1 >/dev/null 2>&1) &
  PIDS+=($!)
  for _ in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:4173/ && break; sleep 0.2; done
  (cd ui && node e2e-web/smoke.mjs http://127.0.0.1:4173/)
  cargo build --workspace --locked --features stridewise-app/custom-protocol --bin stridewise
  STRIDEWISE=target/debug/stridewise bash scripts/report-test.sh
fi
git status --short docs/screenshots
