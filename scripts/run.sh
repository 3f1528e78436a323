#!/usr/bin/env bash
# The main job: set up, build, and run Stridewise on the bundled mission-critical sample.
#
# It makes a sample workspace from the mission-critical services (models/mc-*.stride.json),
# analyses it (threats with their triage state), consolidates the services into the
# application model, and writes the HTML report. With a display, it then opens the desktop app
# on the sample workspace; without one (a server, CI) it says where the report is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$HOME/.cargo/bin:$PATH"

echo "== building Stridewise (the CLI and the desktop app, release profile)"
bash scripts/release-build.sh
bin=target/release/stridewise
out=target/sample
ws=$out/mission-critical.stridewise
mkdir -p "$out"

echo "== validating the sample models"
"$bin" validate models/*.stride.json

echo "== the sample workspace: $ws"
[ -f "$ws" ] || "$bin" workspace init "$ws"
"$bin" workspace add "$ws" --app mission-critical models/mc-*.stride.json -m "sample models"

echo "== threats of every service, with their triage state"
"$bin" analyze --workspace "$ws" --app mission-critical | head -n 60
echo "   (the full list: $bin analyze --workspace $ws)"

echo "== the application-level model"
"$bin" consolidate --workspace "$ws" --app mission-critical -o "$out/mission-critical.app.stride.json" | head -n 40

echo "== the HTML report"
"$bin" report --workspace "$ws" --app mission-critical --title "Mission-critical online application" -o "$out/report.html"
echo "   open $out/report.html in a browser"

if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  echo "== opening the desktop app on the sample workspace"
  exec target/release/stridewise-app "$ws"
fi
echo "== no display: the desktop app is built (target/release/stridewise-app) but not opened"
echo "   with a display: target/release/stridewise-app $ws"
