#!/usr/bin/env bash
# Packs what a GPU machine with no network needs to run the benchmarks (scripts/bench-gpu.sh):
#   .gl/   the Vulkan loader and glvnd .debs: the NVIDIA ICD (libGLX_nvidia) needs libglvnd to load
#   .dev/  Bun's binary (xz) and the runtime's node_modules (tar.xz, dev tools left out)
# Both folders are git-ignored; name them in the device tool's `carry` (about 48 MB together).
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
ls -la .gl .dev
