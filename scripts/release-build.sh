#!/usr/bin/env bash
# The release build of the CLI and the desktop app (target/release/{stridewise,stridewise-app}),
# with the UI embedded. One cargo call with one feature set, shared by scripts/run.sh (which runs
# it), scripts/package-deb.sh (which packages it) and scripts/desktop-test.sh (whose end-to-end
# tests drive it), so the release profile is compiled once per change.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$HOME/.cargo/bin:$PATH"
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules ]; then
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi
(cd ui && npm run build --silent >/dev/null)
cargo build --release --workspace --locked --quiet --features stridewise-app/custom-protocol --bins
