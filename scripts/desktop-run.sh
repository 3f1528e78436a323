#!/usr/bin/env bash
# Builds the desktop app and opens it: on the workspace given (made when missing), else on
# the last workspace opened, else on the bundled sample workspace (made on first run).
# Needs the Tauri build packages (scripts/desktop-test.sh installs them on Debian 12).
#
# Usage: scripts/desktop-run.sh [WORKSPACE]
set -euo pipefail
cd "$(dirname "$0")/.."
(cd ui && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run build)
cargo build --workspace --locked --features stridewise-app/custom-protocol
exec ./target/debug/stridewise-app "$@"
