/**
 * How per-pixel operators run: as full-screen-triangle fragment passes or as compute passes. An
 * operator's WGSL defines `fn pixel(uv: vec2f, coord: vec2f) -> vec4f` and no entry point; the runtime
 * appends `shaders/common/pixel-fragment.wgsl` (an `fs` that calls it) or
 * `shaders/common/pixel-compute.wgsl` (an 8×8 `cs` that calls it and stores into group 1's storage
 * texture). The same source, the same uniforms and inputs, the same pixels either way.
 *
 * The path is one per GPU, chosen by a rule on the adapter (`chooseDispatch`) unless `--dispatch`
 * names one. The rule follows what was measured (docs/performance.md, "Fragment passes against
 * compute passes"): on an H100 the same noise and four-tap passes ran 22–37× faster as compute
 * (fragment output tops out at ~2.6 Gpixel/s on these compute parts); on lavapipe compute ran at
 * 0.8× of fragment. Desktop GPUs were not measured, so they keep fragment passes: nothing that was
 * fast gets slower.
 */
import { hashText, loadShader, type ShaderSource } from "./shaders.ts";
import type { AdapterSummary } from "./device.ts";

export type Dispatch = "fragment" | "compute";
export const DISPATCHES: readonly Dispatch[] = ["fragment", "compute"];

/** Workgroup edge of `pixel-compute.wgsl`'s entry (8×8 invocations). */
export const PIXEL_WORKGROUP = 8;

/**
 * NVIDIA's data-centre compute parts (Ampere, Hopper, Blackwell): few raster units beside many SMs.
 * Matched on Dawn's device name ("NVIDIA H100 80GB HBM3"; its description, the adapter name here, is
 * the driver's "NVIDIA: 580.159.04 …" on Vulkan) or on the architecture, Hopper being data-centre only.
 */
const COMPUTE_PARTS = /\b(A100|A800|A30|H100|H800|H200|H20|GH200|B100|B200|GB200)\b/i;

/** The rule: compute on NVIDIA data-centre parts, fragment everywhere else (software GPUs included). */
export function chooseDispatch(adapter: AdapterSummary): { dispatch: Dispatch; reason: string } {
  if (adapter.software) return { dispatch: "fragment", reason: "software rasteriser: compute measured 0.8× of fragment" };
  if (COMPUTE_PARTS.test(adapter.device) || COMPUTE_PARTS.test(adapter.name) || /^hopper$/i.test(adapter.architecture)) {
    return { dispatch: "compute", reason: "NVIDIA data-centre part: compute measured 22–37× fragment on an H100" };
  }
  return { dispatch: "fragment", reason: "raster GPU (not measured with compute): fragment as before" };
}

/** Whether a shader is written as a per-pixel operator (`fn pixel(...)`) rather than with its own entry points. */
export function isPixelShader(code: string): boolean {
  return /^\s*fn\s+pixel\s*\(/m.test(code);
}

/**
 * A per-pixel operator's shader with the entry point of `dispatch` appended. `fn` names the function
 * the entry calls when it is not `pixel`: a shader of several per-pixel passes (Bloom's threshold,
 * blur and combine) defines one function per pass, each with pixel's signature.
 */
export function loadPixelShader(name: string, dispatch: Dispatch, fn = "pixel"): ShaderSource {
  const entry = dispatch === "compute" ? "common/pixel-compute.wgsl" : "common/pixel-fragment.wgsl";
  const shader = loadShader(name, undefined, [entry]);
  if (fn === "pixel") return shader;
  // Only the appended entry's lines call it by another name; line numbers stay as they were.
  const lines = shader.code.split("\n").map((line, i) => (shader.lines[i]!.file.endsWith(entry) ? line.replace(/\bpixel\(/g, `${fn}(`) : line));
  const code = lines.join("\n");
  return { ...shader, code, hash: hashText(code) };
}
