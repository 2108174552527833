// One direction of the separable Gaussian blur of common/gaussian.wgsl (Blur, Bloom) as a compute
// kernel that reads each texel once per workgroup: a workgroup of 256 invocations takes a tile of
// TILE = 512 pixels of one row (`rows`) or one column (`columns`), samples the tile plus `taps` pixels
// of apron on each side into workgroup memory, waits at a barrier, then each invocation convolves two
// pixels from that memory. The per-pixel version samples the texture 2 × taps + 1 times per pixel.
//
// The pixels are those of gaussianBlur: the same taps out to ±ceil(radius) (at most MAX_TAPS here,
// Blur's and Bloom's declared maximum radius), the same weights exp(-x² / 2σ²) with σ = radius / 3
// summed in the same order, and each texel is sampled through the same clamp-to-edge linear sampler
// at the same uv (whole texel centres), so edges clamp as the fragment path's do and an input of
// another size than the output is resampled as it is there.
//
// Workgroup memory: (TILE + 2 × MAX_TAPS) vec4f = 612 × 16 B = 9 792 B, plus 51 weights (204 B):
// ~10 KB, inside the 16 KB every WebGPU device allows. vec4f rather than vec4<f16>: f16 needs the
// optional "shader-f16" feature, and the 16 KB limit leaves room without it. 512 rather than 768
// (which would still fit, 13.9 KB): a 1920-pixel row is 3.75 tiles of 512 against 2.5 of 768, and a
// 1080-pixel column 2.1 against 1.4, so less of the last tile idles; the apron's extra reads are
// 2 × 50 / 512 = 20 % at the largest radius and 4 % at radius 10.
//
// The bindings are those of a per-pixel Blur/Bloom pass (FullscreenPass), so the same uniform
// buffers and bind groups serve; the output is group 1, as pixel-compute.wgsl's.

const THREADS: u32 = 256u;
const TILE: u32 = 512u;
const MAX_TAPS: u32 = 50u;
const SPAN: u32 = 612u; // TILE + 2 * MAX_TAPS

struct GaussianPass {
  stepUv: vec2f,  // @0   one texel along this pass's direction (unused here: the entry names the axis)
  radius: f32,    // @8   pixels
}

@group(0) @binding(0) var<uniform> params: GaussianPass;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;
@group(1) @binding(0) var pixelOutput: texture_storage_2d<rgba16float, write>;

var<workgroup> texels: array<vec4f, SPAN>;
var<workgroup> weights: array<f32, 51>; // MAX_TAPS + 1

/**
 * `axis` is (1, 0) for a row, (0, 1) for a column; `tile` the tile's index along it, `line` the row
 * or column. Every invocation reaches both barriers: `taps` comes from a uniform, so the loops'
 * bounds are the same across the workgroup.
 */
fn blurTile(axis: vec2u, tile: u32, line: u32, local: u32) {
  let size = textureDimensions(pixelOutput);
  let extent = dot(size, axis);
  let across = dot(size, vec2u(1u) - axis);
  let taps = i32(min(u32(max(ceil(params.radius), 0.0)), MAX_TAPS));
  let sigma = max(params.radius / 3.0, 1e-3);
  let k = -0.5 / (sigma * sigma);
  let first = i32(tile * TILE);
  let count = i32(min(TILE, extent - tile * TILE));

  // The texel centres of this line, in uv: along the axis (j + 0.5) / length, across it the line's centre.
  let lineUv = (f32(line) + 0.5) / f32(across);
  for (var i = i32(local); i < count + 2 * taps; i += i32(THREADS)) {
    let along = (f32(first - taps + i) + 0.5) / f32(extent);
    let uv = select(vec2f(lineUv, along), vec2f(along, lineUv), axis.x == 1u);
    texels[i] = textureSampleLevel(src, linearSampler, uv, 0.0);
  }
  if (i32(local) <= taps) {
    let x = f32(local);
    weights[local] = exp(x * x * k);
  }
  workgroupBarrier();

  for (var p = i32(local); p < count; p += i32(THREADS)) {
    var sum = vec4f(0.0);
    var total = 0.0;
    for (var i = -taps; i <= taps; i++) {
      let w = weights[abs(i)];
      sum += texels[p + taps + i] * w;
      total += w;
    }
    let along = u32(first + p);
    let coord = select(vec2u(line, along), vec2u(along, line), axis.x == 1u);
    textureStore(pixelOutput, coord, sum / total);
  }
}

// Workgroups: (ceil(width / TILE), height): x the tile along the row, y the row.
@compute @workgroup_size(THREADS)
fn rows(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_index) local: u32) {
  blurTile(vec2u(1u, 0u), group.x, group.y, local);
}

// Workgroups: (ceil(height / TILE), width): x the tile down the column, y the column.
@compute @workgroup_size(THREADS)
fn columns(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_index) local: u32) {
  blurTile(vec2u(0u, 1u), group.x, group.y, local);
}
