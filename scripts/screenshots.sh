#!/usr/bin/env bash
# Refreshes the pictures in docs/screenshots/ that the README and the guides show. Testing never
# writes there (the tests keep their screenshots under target/screenshots); this is the one
# explicit command that does. It runs the desktop end-to-end tests in a real window, the web
# smoke test and the report's browser test with STRIDEWISE_SCREENSHOTS=docs/screenshots.
# Look at every picture before you commit them.
#
# Usage: scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$HOME/.cargo/bin:$PATH"
export STRIDEWISE_SCREENSHOTS="$PWD/docs/screenshots"
(cd ui && npm run build --silent)
SKIP_APT=1 bash scripts/desktop-test.sh
STRIDEWISE=target/debug/stridewise bash scripts/report-test.sh
git status --short docs/screenshots
