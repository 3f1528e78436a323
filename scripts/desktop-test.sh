#!/usr/bin/env bash
# Tests the desktop app on a fresh Debian 12 machine: installs what is missing (apt, npm ci,
# tauri-driver), builds the UI and the whole workspace with ONE cargo feature set, then runs
# the UI's unit tests (vitest) and lint (ESLint), the Rust tests including the end-to-end tests,
# which drive the app in a real window (tauri-driver + WebKitWebDriver under Xvfb), the web
# smoke test (Chromium via playwright-core against `vite preview`, with axe-core), builds the
# .deb from that build (scripts/package-deb.sh --debug), installs it (as root; else unpacks it) and checks that the installed app
# starts on a first run and shows the sample in its window. Leaves no process behind, and
# removes the package it installed.
#
# Usage: scripts/desktop-test.sh            (SKIP_APT=1 to skip the apt step)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export DEBIAN_FRONTEND=noninteractive CARGO_TERM_COLOR=never NO_COLOR=1
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$HOME/.cargo/bin:$PATH"
T0=$SECONDS
step() { echo "== [$((SECONDS - T0))s] $*"; }

# Runs "$@" (quietly) every 0.2 s until it succeeds, for at most $1 seconds; then fails naming $2,
# what it waited for.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "timed out after ${seconds} s waiting for $what" >&2
      return 1
    fi
    sleep 0.2
  done
}

PIDS=()
cleanup() {
  # SIGTERM only: tauri-driver and the app stop their children on SIGTERM.
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  done
  # The package this run installed goes again, even when a check failed.
  if [ -n "${installed:-}" ]; then dpkg -r "$installed" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

APT_PACKAGES=(build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev xvfb xauth webkit2gtk-driver chromium imagemagick xdotool)
if [ "${SKIP_APT:-0}" != 1 ]; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    step "apt: ${missing[*]}"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

step "frontend: npm ci, build, vitest, eslint"
(cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build && npx vitest run && npm run lint)

if ! command -v tauri-driver >/dev/null; then
  step "cargo install tauri-driver"
  cargo install tauri-driver --locked --version '^2'
fi

# One feature set for every cargo call, so nothing is rebuilt between them (ENVIRONMENT.md, gotcha 3).
CARGO_ARGS=(--workspace --locked --features stridewise-app/custom-protocol)
step "cargo build"
cargo build "${CARGO_ARGS[@]}" --all-targets

# The end-to-end tests and the package use this debug build (the same features as the release
# build of scripts/run.sh): a second, release, compilation would add a quarter of an hour to
# every CI run on two cores. Set STRIDEWISE_APP to test another build.

step "Xvfb"
DISPLAY_NUM=${DESKTOP_TEST_DISPLAY:-97}
Xvfb ":$DISPLAY_NUM" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
PIDS+=($!)
wait_for 10 "Xvfb's display :$DISPLAY_NUM" test -e "/tmp/.X11-unix/X$DISPLAY_NUM"
export DISPLAY=":$DISPLAY_NUM"

# The end-to-end tests and the web smoke test save their screenshots here: under target/ unless
# scripts/screenshots.sh names docs/screenshots, so that testing never rewrites tracked files.
export STRIDEWISE_SCREENSHOTS="${STRIDEWISE_SCREENSHOTS:-$ROOT/target/screenshots}"
mkdir -p "$STRIDEWISE_SCREENSHOTS"

step "cargo test (unit, bindings freshness, and the end-to-end tests on the real app)"
cargo test "${CARGO_ARGS[@]}"

step "web smoke test (vite preview + Chromium)"
(cd ui && exec node_modules/.bin/vite preview --port 4173 --strictPort --host 127.0.0.1 >/dev/null 2>&1) &
PREVIEW=$!
PIDS+=($PREVIEW)
wait_for 20 "vite preview on port 4173" curl -sf -o /dev/null http://127.0.0.1:4173/
(cd ui && node e2e-web/smoke.mjs http://127.0.0.1:4173/)
kill -TERM "$PREVIEW" 2>/dev/null || true

step "the .deb: build, install, and the installed app's first start in a real window"
# The bundler patches the binary in place: the apps the tests started must have exited
# (an executable still running is "text file busy").
no_tested_app_running() { ! pgrep -f "target/debug/stridewise-app" >/dev/null; }
wait_for 30 "the apps started by the tests to exit" no_tested_app_running
deb=$(bash scripts/package-deb.sh --debug | tail -n 1)
echo "package: $deb ($(du -k "$deb" | cut -f1) kB)"
SHOT_DIR=$(mktemp -d)
installed=""
if [ "$(id -u)" = 0 ]; then
  # As root (CI): the real install, with dpkg's dependency checks; removed again at the end.
  package=$(dpkg-deb -f "$deb" Package)
  dpkg -i "$deb" >/dev/null
  installed=$package
  app_bin=$(dpkg -L "$package" | grep -m1 '^/usr/bin/')
else
  dpkg-deb -x "$deb" "$SHOT_DIR/root"
  app_bin=$(find "$SHOT_DIR/root/usr/bin" -type f | head -n 1)
fi
[ -x "$app_bin" ] || { echo "the package installs no program under /usr/bin"; exit 1; }
echo "installed program: $app_bin"
# A first start with empty config and data folders: the app makes the sample workspace and
# opens it. The window must show the editor, not a blank page.
XDG_CONFIG_HOME="$SHOT_DIR/config" XDG_DATA_HOME="$SHOT_DIR/data" "$app_bin" >/dev/null 2>&1 &
APP=$!
PIDS+=($APP)
wait_for 20 "the app's window" xdotool search --name '^Stridewise$'
# The window shows the editor with a diagram, and still (scripts/first-start-check.sh).
source scripts/first-start-check.sh
wait_for 60 "the editor with a diagram, drawn and still in the window (last screenshot: $SHOT_DIR/shot.png)" editor_drawn_and_still "$SHOT_DIR/shot.png"
ls "$SHOT_DIR"/data/*/sample.stridewise >/dev/null || { echo "the first start made no sample workspace"; exit 1; }
mkdir -p target
cp "$SHOT_DIR/shot.png" target/first-start.png
kill -TERM "$APP"
for _ in $(seq 50); do kill -0 "$APP" 2>/dev/null || break; sleep 0.1; done
if [ -n "$installed" ]; then dpkg -r "$installed" >/dev/null; installed=""; fi
rm -rf "$SHOT_DIR"

step "done: $STRIDEWISE_SCREENSHOTS/{desktop-editor,desktop-app-view,desktop-review,desktop-history,web-editor,web-history}.png and target/first-start.png written"
