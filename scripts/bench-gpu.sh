#!/usr/bin/env bash
# Runs the benchmark's overhead and frame-rate suites on a headless Linux machine with an NVIDIA GPU
# and no network, from what scripts/pack-for-gpu.sh packed (.gl/ and .dev/ beside this repo).
#   scripts/bench-gpu.sh [out.json]     (default: $OUT/bench-gpu.json, or bench-gpu.json)
#   SUITES=reload,overhead,fps scripts/bench-gpu.sh   (default: reload,overhead,fps,blur,gputime)
#   gputime (in the default)           bench/gpu-time.ts: GPU time per pass from timestamp queries, raw
#                                  fragment against raw compute, 1080p and 4K, into <out>-gputime.json
#   blur (in the default)              bench/blur.ts: Blur at 1080p radius 10 and 40, fragment against
#                                  compute per-pixel against compute shared-memory, into <out>-blur.json
#   SUITES=reload,overhead,fps,record …   also bench/record.ts (--record throughput at 1080p) into
#                                  <out>-record.json; its encode/record rows need ffmpeg on the
#                                  machine and say "skipped" without it (readback is measured anyway):
#                                  FFMPEG=1 scripts/pack-for-gpu.sh packs one into .ff/ (16 MB), too
#                                  much beside .dev/ for one call, so run `SUITES=record CLI_RELOAD=0`
#                                  again at once, carrying .gl and .ff, on the still-warm machine
#   SUITES=…,osc                   also bench/osc-flood.ts at 1280x720 (10 000 OSC messages a second into
#                                  a live run: its frame rate and CPU per message; prints only)
#   CLI_RELOAD=0 skips bench/cli-reload.ts (saves through `bun vivid` as a child process); CLI_SAVES=N (100)
#   BENCH_ARGS="--saves 60 --seconds 2" is passed on to bench/run.ts
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-${OUT:-.}/bench-gpu.json}"
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
export VK_DRIVER_FILES="${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}"
mkdir -p /tmp/vivid-bun
# A second call on the same (warm) machine finds Bun, node_modules and ffmpeg where the first left them.
[ -x /tmp/vivid-bun/bun ] || { xz -dc .dev/bun.xz > /tmp/vivid-bun/bun; chmod +x /tmp/vivid-bun/bun; }
if [ -f .ff/ffmpeg.xz ] && [ ! -x /tmp/vivid-bun/ffmpeg ]; then xz -dc .ff/ffmpeg.xz > /tmp/vivid-bun/ffmpeg; chmod +x /tmp/vivid-bun/ffmpeg; fi
export PATH="/tmp/vivid-bun:$PATH"
[ -d node_modules/bun-webgpu ] || tar -xJf .dev/nm.tar.xz
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
bun scripts/probe-gpu.ts
suites="${SUITES:-reload,overhead,fps,blur,gputime}"
run_suites=$(printf '%s' "$suites" | tr ',' '\n' | grep -vx -e record -e blur -e gputime -e osc | paste -sd, - || true)
[ -z "$run_suites" ] || bun bench/run.ts --suite "$run_suites" --json "$out" ${BENCH_ARGS:-}
case ",$suites," in *,gputime,*) bun bench/gpu-time.ts --json "${out%.json}-gputime.json" ;; esac
case ",$suites," in *,blur,*) bun bench/blur.ts --seconds 3 --json "${out%.json}-blur.json" ;; esac
case ",$suites," in *,osc,*) bun bench/osc-flood.ts --size 1280x720 ;; esac
case ",$suites," in *,record,*) bun bench/record.ts --codecs "${RECORD_CODECS:-h264,png}" --json "${out%.json}-record.json" ;; esac
# The reload check as a user makes it: 100 rename-saves to `bun vivid --headless`, then one save of each
# editor style; prints savedToSwapMs / savedToFrameMs p50 / p95 / max from the ledger.
if [ "${CLI_RELOAD:-1}" = 1 ]; then bun bench/cli-reload.ts "${CLI_SAVES:-100}" 200 1; fi
