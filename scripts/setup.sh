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
# merge-driver tests, python3 for the benchmark generators.
packages=(build-essential pkg-config git python3 curl ca-certificates)
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
