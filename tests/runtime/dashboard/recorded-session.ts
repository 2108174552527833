/**
 * A short session as the `--stats` file recorded it (one event per line there): the loop warms up,
 * memory is sampled, a reload succeeds, the next one fails on a shader error, then a frame-time
 * error arrives. Replayed through StatsViewState it gives the view the dashboard draws.
 */
import type { CensusSnapshot } from "../../../runtime/gpu/census.ts";
import { GPU_KINDS } from "../../../runtime/gpu/census.ts";
import type { GrowthSummary, StatsEvent } from "../../../runtime/stats/events.ts";

const frames = (t: number, fps: number, cpuAvg: number, intervalP99: number): StatsEvent => ({
  type: "frames",
  t,
  fps,
  cpuMs: { avg: cpuAvg, p50: cpuAvg, p99: cpuAvg * 2, max: cpuAvg * 3 },
  intervalMs: { avg: 16.67, p99: intervalP99, max: intervalP99 + 1 },
});

const none = { shaderModules: 0, pipelines: 0, bindGroups: 0, textures: 0, buffers: 0 };

/** The leak judgement of the first 30 s: a slope, but no bounds yet, and the minutes until there are. */
function measuring(slopeMBh: number | null, moreMinutes: number): GrowthSummary {
  return { state: "inconclusive", limitMBh: 20, slopeMBh, lowerMBh: null, upperMBh: null, moreMinutes };
}

export const recordedSession: StatsEvent[] = [
  frames(1, 59.8, 1.9, 17.1),
  frames(2, 60, 1.8, 16.9),
  frames(3, 60, 2.4, 24.6),
  { type: "memory", t: 10, rssMB: 109.3, heapMB: 21.4, gpuMB: 48, last10sMB: 0, totalMB: 0, leak: measuring(null, 5), alarm: false },
  {
    type: "reload",
    t: 14.2,
    file: "examples/02-hello-noise/chain.ts",
    ok: true,
    swapMs: 0.7,
    ms: 38.4,
    created: { ...none, shaderModules: 1, pipelines: 1, bindGroups: 2 },
    released: { ...none, shaderModules: 1, pipelines: 1, bindGroups: 2 },
    rssDeltaMB: 0.2,
  },
  { type: "memory", t: 20, rssMB: 110.6, heapMB: 22, gpuMB: 48, last10sMB: 1.3, totalMB: 1.3, leak: measuring(468, 5), alarm: false },
  {
    type: "reload",
    t: 23.9,
    file: "shaders/2d/noise.wgsl",
    ok: false,
    swapMs: 0,
    ms: 12.1,
    error: { file: "shaders/2d/noise.wgsl", line: 12, column: 11, message: "unresolved identifier 'scal'", sourceLine: "  let p = scal * uv;" },
    created: none,
    released: none,
    rssDeltaMB: 0,
  },
  frames(24, 60, 1.8, 16.8),
  { type: "memory", t: 30, rssMB: 112.4, heapMB: 22.1, gpuMB: 48, last10sMB: 1.8, totalMB: 3.1, leak: measuring(558, 9), alarm: false },
];

/** A census as runtime/gpu/census.ts snapshots it. */
export function recordedCensus(): CensusSnapshot {
  const kinds = {} as CensusSnapshot["kinds"];
  for (const kind of GPU_KINDS) kinds[kind] = { created: 0, released: 0, live: 0 };
  kinds.renderPipeline = { created: 5, released: 2, live: 3 };
  kinds.shaderModule = { created: 5, released: 2, live: 3 };
  kinds.texture = { created: 4, released: 0, live: 4 };
  kinds.commandEncoder = { created: 1440, released: 1440, live: 0 };
  return {
    kinds,
    owners: {
      runtime: { live: 3, bytes: 8 * 1024 * 1024 },
      noise: { live: 2, bytes: 32 * 1024 * 1024 },
      feedback: { live: 5, bytes: 16 * 1024 * 1024 },
    },
    textureBytes: 48 * 1024 * 1024,
    bufferBytes: 4096,
  };
}
