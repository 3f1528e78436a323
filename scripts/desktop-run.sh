#!/usr/bin/env bash
# Builds the desktop app (release profile) and opens it: on the workspace given (made when missing), else on
# the last workspace opened, else on the bundled sample workspace (made on first run).
# Needs the Tauri build packages (scripts/desktop-test.sh installs them on Debian 12).
#
# Usage: scripts/desktop-run.sh [WORKSPACE]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/release-build.sh
exec ./target/release/stridewise-app "$@"
