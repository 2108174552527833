#import "common/fullscreen.wgsl"

// Field order and types match Quantize's param declaration (operators/2d/quantize.ts).
struct Params {
  levels: i32,  // @0   levels per channel (2 = black or full)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;

@fragment
fn fs(in: VsOut) -> @location(0) vec4f {
  let color = textureSampleLevel(src, linearSampler, in.uv, 0.0);
  let steps = f32(max(params.levels, 2) - 1);
  return vec4f(floor(clamp(color.rgb, vec3f(0.0), vec3f(1.0)) * steps + 0.5) / steps, color.a);
}
