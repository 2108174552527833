#import "common/fullscreen.wgsl"

// Field order and types match BarrelDistortion's param declaration (operators/2d/barrel-distortion.ts).
struct Params {
  curvature: f32,  // @0   0 flat; larger bulges the middle and pushes the corners out of frame
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;

@fragment
fn fs(in: VsOut) -> @location(0) vec4f {
  let p = in.uv * 2.0 - 1.0;
  let uv = (p + p.yx * p.yx * p * params.curvature) * 0.5 + 0.5;
  if (any(uv < vec2f(0.0)) || any(uv > vec2f(1.0))) {
    return vec4f(0.0, 0.0, 0.0, 1.0);
  }
  return textureSampleLevel(src, linearSampler, uv, 0.0);
}
