#import "common/gaussian.wgsl"
#import "common/color.wgsl"

// Bloom (operators/2d/bloom.ts) records: threshold (input → bright), `passes` × blur horizontal
// (bright → tmp) and vertical (tmp → bright), then combine (input + bright → output). Every pass has
// its own uniform buffer holding this struct; each reads only the fields it needs. Each pass is a
// per-pixel function (runtime/gpu/dispatch.ts): the runtime appends the fragment or compute entry
// that calls it.
struct BloomPass {
  stepUv: vec2f,     // @0   blur: one texel along this pass's direction, in uv
  radius: f32,       // @8   blur: pixels
  threshold: f32,    // @12  threshold: luma where glow starts
  intensity: f32,    // @16  combine: glow multiplier
}

@group(0) @binding(0) var<uniform> params: BloomPass;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;
@group(0) @binding(3) var glow: texture_2d<f32>;

fn threshold(uv: vec2f, coord: vec2f) -> vec4f {
  let color = textureSampleLevel(src, linearSampler, uv, 0.0);
  // Luma above the threshold, rescaled so a white pixel glows fully whatever the threshold.
  let over = max(luma(color.rgb) - params.threshold, 0.0) / max(1.0 - params.threshold, 1e-3);
  return vec4f(color.rgb * over, 1.0);
}

fn blur(uv: vec2f, coord: vec2f) -> vec4f {
  return gaussianBlur(src, linearSampler, uv, params.stepUv, params.radius);
}

fn combine(uv: vec2f, coord: vec2f) -> vec4f {
  let color = textureSampleLevel(src, linearSampler, uv, 0.0);
  let bloom = textureSampleLevel(glow, linearSampler, uv, 0.0);
  return vec4f(color.rgb + bloom.rgb * params.intensity, color.a);
}
