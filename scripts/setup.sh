#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and test Stridewise. Idempotent: it
# only installs what is missing, so running it again is quick.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$HOME/.cargo/bin:$PATH"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Debian packages: the C toolchain for crates that build C (SQLite is bundled), git for the
# merge-driver tests, python3 for the benchmark generators; WebKitGTK for the desktop shell;
# Xvfb, WebKitWebDriver, Chromium and ImageMagick for the end-to-end and browser tests; Node.js
# and npm for the UI when the machine has none; PostgreSQL's server for the tests of the
# PostgreSQL workspace (scripts/pg-test-server.sh starts a throwaway cluster; the packaged
# cluster is not used).
packages=(build-essential pkg-config git python3 curl ca-certificates libssl-dev
  libwebkit2gtk-4.1-dev xvfb xauth webkit2gtk-driver chromium imagemagick xdotool postgresql)
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Rust: the stable toolchain (1.94 or later) through rustup, which the project's machines carry.
# Debian 12's own rustc is too old for edition 2024, so there is no fallback to install.
if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo not found; install Rust 1.94 or later with rustup (https://rustup.rs) and rerun" >&2
  exit 2
fi
for component in rustfmt clippy; do
  if command -v rustup >/dev/null 2>&1 && ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    rustup component add "$component" >/dev/null 2>&1 || true
  fi
done

# tauri-driver bridges WebDriver to the desktop app for the end-to-end test.
if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "== installing tauri-driver"
  cargo install tauri-driver --locked --version '^2' --quiet
fi

# The UI's npm dependencies, exactly as locked.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules ]; then
  echo "== npm ci (ui)"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi
