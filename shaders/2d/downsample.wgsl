// Field order and types match Downsample's param declaration (operators/2d/downsample.ts).
struct Params {
  targetW: i32,   // @0   low-resolution width in pixels
  targetH: i32,   // @4   low-resolution height in pixels
  filter_: u32,   // @8   upscale filter: 0 nearest (blocky), 1 linear (smooth)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;

// The source at the centre of low-resolution cell `cell`.
fn cellColor(cell: vec2f, grid: vec2f) -> vec4f {
  let c = clamp(cell, vec2f(0.0), grid - 1.0);
  return textureSampleLevel(src, linearSampler, (c + 0.5) / grid, 0.0);
}

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  let grid = vec2f(f32(max(params.targetW, 1)), f32(max(params.targetH, 1)));
  let p = uv * grid;
  if (params.filter_ == 0u) {
    return cellColor(floor(p), grid);
  }
  // Bilinear between the four nearest cell centres.
  let q = p - 0.5;
  let base = floor(q);
  let f = q - base;
  let top = mix(cellColor(base, grid), cellColor(base + vec2f(1.0, 0.0), grid), f.x);
  let bottom = mix(cellColor(base + vec2f(0.0, 1.0), grid), cellColor(base + vec2f(1.0, 1.0), grid), f.x);
  return mix(top, bottom, f.y);
}
