// Field order and types match Dither's param declaration (operators/2d/dither.ts).
struct Params {
  levels: i32,     // @0   levels per channel after dithering
  strength: f32,   // @4   mix of dithered over original
  pattern: u32,    // @8   0 Bayer 2×2, 1 Bayer 4×4, 2 Bayer 8×8
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;

// Bayer matrix entry for a 2^bits square, built bit by bit: the lowest bits of (x, y) pick the most
// significant base-4 digit, each digit being the 2×2 matrix [0 2; 3 1]. Returns a threshold in (-0.5, 0.5).
fn bayer(pixel: vec2u, bits: u32) -> f32 {
  var v = 0u;
  for (var i = 0u; i < bits; i++) {
    let x = (pixel.x >> i) & 1u;
    let y = (pixel.y >> i) & 1u;
    v = v * 4u + 2u * (x ^ y) + y;
  }
  let n = f32(1u << (2u * bits));
  return (f32(v) + 0.5) / n - 0.5;
}

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  let color = textureSampleLevel(src, linearSampler, uv, 0.0);
  let steps = f32(max(params.levels, 2) - 1);
  let t = bayer(vec2u(coord), min(params.pattern, 2u) + 1u);
  let dithered = clamp(floor((color.rgb + t / steps) * steps + 0.5) / steps, vec3f(0.0), vec3f(1.0));
  return vec4f(mix(color.rgb, dithered, params.strength), color.a);
}
