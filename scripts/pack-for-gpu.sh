#!/usr/bin/env bash
# Packs what a GPU machine with no network needs to run the benchmarks (scripts/bench-gpu.sh):
#   .gl/   the Vulkan loader and glvnd .debs: the NVIDIA ICD (libGLX_nvidia) needs libglvnd to load
#   .dev/  Bun's binary (xz) and the runtime's node_modules (tar.xz, dev tools left out)
#   .ff/   with FFMPEG=1 only: a static ffmpeg 4.1 (x264, x265, vpx, prores) from the npm package
#          @ffmpeg-installer/linux-x64, xz'd (16 MB), for bench/record.ts's encode rows
# All are git-ignored; name .gl and .dev in the device tool's `carry` (about 52 MB together; .ff does
# not fit beside them in one call's 64 MiB: see scripts/bench-gpu.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .gl .dev /tmp/amd64/partial
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  apt-get $o update >/dev/null
  (cd .gl && apt-get $o download libvulkan1 libglvnd0 libglx0 libegl1 libgl1 libopengl0 libgles2)
fi
xz -6 -T0 -c "$(readlink -f "$(command -v bun)")" > .dev/bun.xz
tar -cJf .dev/nm.tar.xz \
  --exclude='node_modules/typescript' --exclude='node_modules/@typescript' --exclude='node_modules/@rolldown' \
  --exclude='node_modules/rolldown' --exclude='node_modules/vitest' --exclude='node_modules/@vitest' \
  --exclude='node_modules/vite' --exclude='node_modules/lightningcss*' --exclude='node_modules/bun-types' \
  --exclude='node_modules/@types' --exclude='node_modules/@oxc-project' --exclude='node_modules/playwright-core' node_modules
if [ "${FFMPEG:-0}" = 1 ] && [ ! -f .ff/ffmpeg.xz ]; then
  mkdir -p .ff /tmp/ffmpeg-pack
  (cd /tmp/ffmpeg-pack && npm pack --silent @ffmpeg-installer/linux-x64@4.1.0 >/dev/null && tar -xzf ffmpeg-installer-linux-x64-4.1.0.tgz)
  xz -6 -T0 -c /tmp/ffmpeg-pack/package/ffmpeg > .ff/ffmpeg.xz
fi
ls -la .gl .dev $( [ -d .ff ] && echo .ff )
