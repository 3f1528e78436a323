#!/usr/bin/env bash
# Builds the desktop app's Debian package with the Tauri bundler (npm's @tauri-apps/cli, no
# network at build time): the release build of scripts/release-build.sh, then
# `tauri bundle --bundles deb` over it. Prints the package's path on its last line.
#
# Usage: scripts/package-deb.sh [--debug]
#   --debug packages the debug build the test command already made (same features, the UI
#   embedded), so the tests check the package without a second, release, compilation.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=release
bundle_args=(--bundles deb --ci)
if [ "${1:-}" = "--debug" ]; then
  profile=debug
  bundle_args+=(--debug)
  [ -x target/debug/stridewise-app ] || { echo "no debug build: run cargo build --workspace --features stridewise-app/custom-protocol first" >&2; exit 2; }
else
  bash scripts/release-build.sh
fi
rm -rf "target/$profile/bundle/deb"
(cd src-tauri && ../ui/node_modules/.bin/tauri bundle "${bundle_args[@]}" >&2)
deb=$(ls "target/$profile/bundle/deb/"*.deb)
echo "$deb"
