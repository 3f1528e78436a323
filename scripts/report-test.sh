#!/usr/bin/env bash
# Browser test of the HTML report: renders the checkout fixture, opens it in headless Debian
# Chromium with the network blocked (no request besides the file may be attempted), and saves
# a screenshot, report.png, in $STRIDEWISE_SCREENSHOTS (target/screenshots unless
# scripts/screenshots.sh names docs/screenshots). Installs what it needs: apt chromium if
# missing, npm ci.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
(cd scripts/report-test && npm ci --no-audit --no-fund --loglevel=error)
SHOTS=${STRIDEWISE_SCREENSHOTS:-target/screenshots}
mkdir -p target/report-test "$SHOTS"
# STRIDEWISE names an already built binary (scripts/test.sh passes the one it built, so that
# no second feature set is compiled); otherwise cargo builds one.
read -r -a stridewise <<< "${STRIDEWISE:-cargo run --quiet --locked --}"
SOURCE_DATE_EPOCH=1795923300 "${stridewise[@]}" report \
  tests/fixtures/report-checkout.stride.json \
  --title "Web shop: checkout threat model" --author "Team Checkout" \
  -o target/report-test/report.html
node scripts/report-browser-test.mjs target/report-test/report.html "$SHOTS/report.png"
