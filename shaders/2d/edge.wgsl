#import "common/color.wgsl"

// Field order and types match Edge's param declaration (operators/2d/edge.ts), then internals.
struct Params {
  strength: f32,   // @0   gradient magnitude multiplier
  threshold: f32,  // @4   magnitudes below it are cut, the rest rescaled to 0..1
  invert: u32,     // @8   dark edges on white
  texel: vec2f,    // @16  (4 bytes padding) one pixel in uv (internal)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;

fn lumaAt(uv: vec2f, dx: f32, dy: f32) -> f32 {
  return luma(textureSampleLevel(src, linearSampler, uv + vec2f(dx, dy) * params.texel, 0.0).rgb);
}

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  // Sobel on luma over the 3×3 neighbourhood.
  let tl = lumaAt(uv, -1.0, -1.0);
  let tc = lumaAt(uv, 0.0, -1.0);
  let tr = lumaAt(uv, 1.0, -1.0);
  let ml = lumaAt(uv, -1.0, 0.0);
  let mr = lumaAt(uv, 1.0, 0.0);
  let bl = lumaAt(uv, -1.0, 1.0);
  let bc = lumaAt(uv, 0.0, 1.0);
  let br = lumaAt(uv, 1.0, 1.0);
  let gx = -tl - 2.0 * ml - bl + tr + 2.0 * mr + br;
  let gy = -tl - 2.0 * tc - tr + bl + 2.0 * bc + br;
  var edge = length(vec2f(gx, gy)) * params.strength;
  edge = clamp(max(edge - params.threshold, 0.0) / max(1.0 - params.threshold, 1e-4), 0.0, 1.0);
  if (params.invert != 0u) {
    edge = 1.0 - edge;
  }
  return vec4f(vec3f(edge), 1.0);
}
