#!/usr/bin/env bash
# Installs the desktop app's .deb on a genuinely fresh Debian 12 and starts it (issue 17: "the
# .deb installs on a fresh Debian 12 and starts"). Not part of scripts/test.sh or CI: it
# downloads a Debian base system and the app's dependencies (about 300 MB) from the Debian
# mirror each run; see docs/packaging.md.
#
# 1. debootstrap a minimal Debian 12 (bookworm, variant minbase: no X, no GTK, no WebKit) into
#    target/deb-fresh/root, from the mirror this machine's apt uses;
# 2. in a chroot: `apt-get install --no-install-recommends ./Stridewise_*.deb`, which must pull
#    every dependency from the mirror (nothing else is installed first, recommends neither);
# 3. start the installed program in the chroot with an empty home, on an Xvfb display of this
#    machine (its socket bound into the chroot), wait for its window, and take a screenshot:
#    target/deb-fresh/first-start.png. The window must show the editor with a diagram (the
#    same check as scripts/desktop-test.sh) and the first start must make the sample workspace.
# Prints what was installed, the sizes and the times, and removes the chroot (KEEP_ROOT=1
# keeps it).
#
# Usage (as root): scripts/deb-fresh-debian.sh [PACKAGE.deb]
#   Without an argument it builds the release package with scripts/package-deb.sh.
# Needs: debootstrap (installed with apt-get when missing), Xvfb, xdotool, ImageMagick.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
[ "$(id -u)" = 0 ] || { echo "run as root: debootstrap and chroot need it" >&2; exit 2; }
for tool in Xvfb xdotool import identify convert; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install xvfb xdotool imagemagick" >&2; exit 2; }
done
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null

start=$(date +%s)
elapsed() { echo "$(( $(date +%s) - start )) s"; }
step() { echo "== $* ($(elapsed))"; }

deb=${1:-}
if [ -z "$deb" ]; then
  step "building the release package (scripts/package-deb.sh)"
  deb=$(bash scripts/package-deb.sh | tail -n 1)
fi
[ -f "$deb" ] || { echo "no package at '$deb'" >&2; exit 2; }
deb=$(realpath "$deb")

# The mirror this machine's apt uses (deb822 or one-line sources), else Debian's own.
mirror=$(sed -n 's/^URIs: *\([^ ]*debian\)\/*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 ~ /debian\/?$/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
security=${mirror%/debian}/debian-security

WORK=$PWD/target/deb-fresh
ROOT=$WORK/root
DISPLAY_NUM=${DISPLAY_NUM:-97}
mkdir -p "$WORK"
XVFB=""
APP=""
cleanup() {
  set +e
  [ -n "$APP" ] && kill -TERM "$APP" 2>/dev/null && sleep 1
  # Whatever the app left running in the chroot (WebKit's helper processes) goes too.
  if [ -d "$ROOT/proc" ]; then
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/root" 2>/dev/null)" = "$ROOT" ] && kill -KILL "${p#/proc/}" 2>/dev/null
    done
  fi
  [ -n "$XVFB" ] && kill -TERM "$XVFB" 2>/dev/null
  for m in tmp/.X11-unix dev/pts dev sys proc; do
    mountpoint -q "$ROOT/$m" && umount -l "$ROOT/$m"
  done
  if [ "${KEEP_ROOT:-0}" != 1 ] && [ -d "$ROOT" ] && ! grep -q " $ROOT/" /proc/mounts; then
    rm -rf "$ROOT"
  fi
}
trap cleanup EXIT

rm -rf "$ROOT"
step "debootstrap bookworm (minbase) from $mirror"
debootstrap --variant=minbase bookworm "$ROOT" "$mirror" > "$WORK/debootstrap.log" 2>&1 \
  || { tail -n 20 "$WORK/debootstrap.log"; exit 1; }
base_packages=$(chroot "$ROOT" dpkg-query -W -f '.\n' | wc -l)
base_size=$(du -sm "$ROOT" | cut -f1)
# The sources of a Debian 12 installation: the release, its updates and security.
cat > "$ROOT/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
EOF
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
mount -t proc proc "$ROOT/proc"
mount --rbind /sys "$ROOT/sys"
mount --bind /dev "$ROOT/dev"
mount --bind /dev/pts "$ROOT/dev/pts"
cp "$deb" "$ROOT/tmp/"
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

step "apt-get install ./$(basename "$deb") in the fresh system"
in_root apt-get update -qq
install_start=$(date +%s)
in_root apt-get install -y --no-install-recommends "/tmp/$(basename "$deb")" > "$WORK/apt-install.log" 2>&1 \
  || { tail -n 30 "$WORK/apt-install.log"; exit 1; }
install_s=$(( $(date +%s) - install_start ))
package=$(dpkg-deb -f "$deb" Package)
in_root dpkg-query -W -f '${Status}\n' "$package" | grep -q "install ok installed" \
  || { echo "dpkg does not list $package as installed" >&2; exit 1; }
newly=$(sed -n 's/^\([0-9]*\) upgraded, \([0-9]*\) newly installed.*/\2/p' "$WORK/apt-install.log")
fetched=$(sed -n 's/^Need to get \([^ ]* [kMG]*B\).*/\1/p' "$WORK/apt-install.log" | head -n 1)
disk=$(sed -n 's/^After this operation, \(.*\) of additional disk space will be used\./\1/p' "$WORK/apt-install.log")
app_bin=$(in_root dpkg -L "$package" | grep -m1 '^/usr/bin/')
app_size=$(in_root dpkg-query -W -f '${Installed-Size}' "$package")
in_root dpkg-query -W -f '${Package}\n' | sort > "$WORK/packages-after.txt"

step "starting $app_bin in the chroot on Xvfb :$DISPLAY_NUM"
Xvfb ":$DISPLAY_NUM" -screen 0 1280x800x24 -nolisten tcp > "$WORK/xvfb.log" 2>&1 &
XVFB=$!
for _ in $(seq 50); do [ -S "/tmp/.X11-unix/X$DISPLAY_NUM" ] && break; sleep 0.1; done
mkdir -p "$ROOT/tmp/.X11-unix"
mount --bind /tmp/.X11-unix "$ROOT/tmp/.X11-unix"
launch=$(date +%s.%N)
chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
  DISPLAY=":$DISPLAY_NUM" "$app_bin" > "$WORK/app.log" 2>&1 &
APP=$!
export DISPLAY=":$DISPLAY_NUM"
wait_for() {
  local seconds=$1 what=$2; shift 2
  for _ in $(seq $((seconds * 2))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "timed out after ${seconds}s waiting for $what; the app's output:" >&2
  tail -n 30 "$WORK/app.log" >&2
  return 1
}
wait_for 60 "the app's window" xdotool search --name '^Stridewise$'
window_s=$(awk -v a="$launch" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
# The editor with a diagram, drawn and still (the check of scripts/desktop-test.sh).
source scripts/first-start-check.sh
wait_for 120 "the editor with a diagram, drawn and still (last screenshot: $WORK/first-start.png)" editor_drawn_and_still "$WORK/first-start.png"
drawn_s=$(awk -v a="$launch" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
ls "$ROOT"/root/.local/share/*/sample.stridewise >/dev/null 2>&1 \
  || { echo "the first start made no sample workspace under the chroot's /root/.local/share" >&2; exit 1; }

cat <<EOF
== the .deb on a fresh Debian 12: installed and started ($(elapsed) in all)
| what | value |
|---|---|
| package | $(basename "$deb"), $(( $(stat -c %s "$deb") / 1024 )) kB; installed size $app_size kB |
| fresh system | debootstrap bookworm minbase: $base_packages packages, $base_size MB |
| apt-get install ./package | $newly packages newly installed (the package and its dependencies), $fetched fetched, $disk more on disk, $install_s s |
| first start | window after $(printf %.1f "$window_s") s, editor with the sample's diagram drawn and still after $(printf %.1f "$drawn_s") s |
| screenshot | $WORK/first-start.png |
| load average | $(cut -d' ' -f1-3 /proc/loadavg) |
EOF
echo "packages in the system after the install: $WORK/packages-after.txt; apt's log: $WORK/apt-install.log"
