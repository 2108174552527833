#import "common/fullscreen.wgsl"

// Draws a premultiplied-alpha overlay (the error text) over the window, blended by the pipeline.
struct Params {
  opacity: f32,  // @0
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var source: texture_2d<f32>;

@fragment
fn fs(in: VsOut) -> @location(0) vec4f {
  return textureSampleLevel(source, linearSampler, in.uv, 0.0) * params.opacity;
}
