#!/usr/bin/env bash
# Builds the desktop app's Debian package with the Tauri bundler (npm's @tauri-apps/cli, no
# network at build time): the release build of scripts/release-build.sh, then
# `tauri bundle --bundles deb` over it. Prints the package's path on its last line.
#
# Usage: scripts/package-deb.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/release-build.sh
rm -rf target/release/bundle/deb
(cd src-tauri && ../ui/node_modules/.bin/tauri bundle --bundles deb --ci >&2)
deb=$(ls target/release/bundle/deb/*.deb)
echo "$deb"
