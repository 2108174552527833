#!/usr/bin/env bash
# Sets up a Debian/Ubuntu machine to run and test Vivid for Bun. Idempotent: every step checks
# first and says what it did and why. Needs root or sudo for the system packages.
#
#   Bun 1.4.5            the runtime (`bun vivid …`); from the npm registry when npm exists,
#                        else from bun.sh's installer
#   node_modules         `bun install --frozen-lockfile` (bun-webgpu, chokidar, ink, pngjs, vitest…)
#   libglfw3             the window (GLFW through bun:ffi)
#   xvfb, xauth, x11-apps  a virtual X display for the window tests, and xwd for their screenshots
#   ffmpeg, alsa-utils   audio: ffmpeg decodes sound files; aplay / arecord play and capture (ALSA);
#                        --record's encoder (a subprocess fed raw frames); ffprobe for the record tests
#   socat                a pseudo-terminal pair standing in for a serial, MIDI or DMX device in tests
#   chromium             the inspector page's tests and benchmark drive it headless (playwright-core
#                        downloads no browser of its own)
#   mesa-vulkan-drivers  only when Dawn finds no usable Vulkan adapter: Mesa's lavapipe (a CPU
#   + libvulkan1         Vulkan driver) >= 25. Dawn rejects bookworm's Mesa 22 and silently falls
#                        back to a "null" adapter that renders nothing, so on Debian 12 it comes
#                        from bookworm-backports.
set -euo pipefail

BUN_VERSION=1.4.5
MESA_MIN_MAJOR=25
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    say "not root and no sudo: system packages cannot be installed"; fi
fi
export DEBIAN_FRONTEND=noninteractive

APT_UPDATED=0
apt_update() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    say "apt-get update"
    $SUDO apt-get update -qq
    APT_UPDATED=1
  fi
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

apt_install() { # apt_install <why> <package>...
  local why="$1"; shift
  local missing=()
  for pkg in "$@"; do installed "$pkg" || missing+=("$pkg"); done
  if [ "${#missing[@]}" -eq 0 ]; then
    say "have $* ($why)"
    return
  fi
  apt_update
  say "installing ${missing[*]} ($why)"
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ── Bun ──
if command -v bun >/dev/null 2>&1 && [ "$(bun --version)" = "$BUN_VERSION" ]; then
  say "have bun $BUN_VERSION"
elif command -v npm >/dev/null 2>&1; then
  say "installing bun $BUN_VERSION from the npm registry (the runtime)"
  $SUDO npm install -g --silent "bun@$BUN_VERSION" >/dev/null
else
  apt_install "needed by bun's installer" curl unzip ca-certificates
  say "installing bun $BUN_VERSION with bun.sh's installer (the runtime)"
  curl -fsSL https://bun.sh/install | bash -s "bun-v$BUN_VERSION"
  export PATH="$HOME/.bun/bin:$PATH"
  say "add \$HOME/.bun/bin to your PATH"
fi

# ── packages of the project ──
say "bun install --frozen-lockfile"
bun install --frozen-lockfile --silent

# ── window and virtual display ──
apt_install "the window: GLFW through bun:ffi" libglfw3
apt_install "a virtual X display for window tests and headless machines; xwd screenshots; XTEST input" xvfb xauth x11-apps libxtst6
apt_install "the inspector page's tests and benchmark run it headless through playwright-core" chromium
apt_install "audio: ffmpeg decodes sound files (AudioFile); aplay/arecord play and capture (AudioOutput, AudioIn, vivid devices)" ffmpeg alsa-utils

# ── recording ──
apt_install "--record encodes through ffmpeg; the record tests read files back with ffprobe" ffmpeg

# ── live control tests ──
apt_install "serial, MIDI and DMX tests: a pseudo-terminal pair (socat) stands in for the device" socat

# ── a Vulkan adapter Dawn accepts ──
probe() { bun scripts/probe-gpu.ts 2>/dev/null; }
if probe >/dev/null; then
  say "GPU adapter ok: $(probe)"
else
  say "no usable Vulkan adapter ($(probe || true)): installing Mesa lavapipe >= $MESA_MIN_MAJOR"
  . /etc/os-release
  if [ "${ID:-}" = "debian" ] && [ "${VERSION_CODENAME:-}" = "bookworm" ]; then
    if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
      say "adding bookworm-backports (Mesa $MESA_MIN_MAJOR lives there for Debian 12)"
      printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null
      APT_UPDATED=0
    fi
    apt_update
    $SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
  else
    apt_update
    $SUDO apt-get install -y -qq --no-install-recommends mesa-vulkan-drivers libvulkan1 >/dev/null
  fi
  mesa=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || echo 0)
  say "mesa-vulkan-drivers $mesa installed"
  if probe >/dev/null; then
    say "GPU adapter ok: $(probe)"
  else
    say "still no usable adapter: $(probe || true)"
    say "this distribution's Mesa may be older than $MESA_MIN_MAJOR; install a newer mesa-vulkan-drivers by hand"
    exit 1
  fi
fi
say "done"
