#!/usr/bin/env bash
# Runs the benchmark's overhead and frame-rate suites on a headless Linux machine with an NVIDIA GPU
# and no network, from what scripts/pack-for-gpu.sh packed (.gl/ and .dev/ beside this repo).
#   scripts/bench-gpu.sh [out.json]     (default: $OUT/bench-gpu.json, or bench-gpu.json)
#   SUITES=reload,overhead,fps scripts/bench-gpu.sh   (default: overhead,fps)
#   SUITES=overhead,fps,record …   also bench/record.ts (--record throughput at 1080p) into
#                                  <out>-record.json; its encode/record rows need ffmpeg on the
#                                  machine and say "skipped" without it (readback is measured anyway)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-${OUT:-.}/bench-gpu.json}"
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
export VK_DRIVER_FILES="${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}"
mkdir -p /tmp/vivid-bun
xz -dc .dev/bun.xz > /tmp/vivid-bun/bun
chmod +x /tmp/vivid-bun/bun
export PATH="/tmp/vivid-bun:$PATH"
[ -d node_modules/bun-webgpu ] || tar -xJf .dev/nm.tar.xz
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
bun scripts/probe-gpu.ts
suites="${SUITES:-overhead,fps}"
run_suites=$(printf '%s' "$suites" | tr ',' '\n' | grep -vx record | paste -sd, - || true)
[ -z "$run_suites" ] || bun bench/run.ts --suite "$run_suites" --json "$out"
case ",$suites," in *,record,*) bun bench/record.ts --codecs "${RECORD_CODECS:-h264,png}" --json "${out%.json}-record.json" ;; esac
