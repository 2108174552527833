// Field order and types match BarrelDistortion's param declaration (operators/2d/barrel-distortion.ts).
struct Params {
  curvature: f32,  // @0   0 flat; larger bulges the middle and pushes the corners out of frame
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  let p = uv * 2.0 - 1.0;
  let sourceUv = (p + p.yx * p.yx * p * params.curvature) * 0.5 + 0.5;
  if (any(sourceUv < vec2f(0.0)) || any(sourceUv > vec2f(1.0))) {
    return vec4f(0.0, 0.0, 0.0, 1.0);
  }
  return textureSampleLevel(src, linearSampler, sourceUv, 0.0);
}
