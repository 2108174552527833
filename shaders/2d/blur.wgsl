#import "common/gaussian.wgsl"

// One blur pass. Blur (operators/2d/blur.ts) records two passes per iteration, horizontal then
// vertical, each with its own uniform buffer holding this struct.
struct BlurPass {
  stepUv: vec2f,  // @0   one texel along this pass's direction, in uv
  radius: f32,    // @8   pixels
}

@group(0) @binding(0) var<uniform> params: BlurPass;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  return gaussianBlur(src, linearSampler, uv, params.stepUv, params.radius);
}
