#import "common/fullscreen.wgsl"

// Draws the chain's output into the window. Stretch: scale (1,1), offset (0,0). Fit (letterbox):
// the output keeps its aspect ratio; uv outside 0..1 is the black border.
struct Params {
  scale: vec2f,   // @0  output uv per window uv
  offset: vec2f,  // @8
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var source: texture_2d<f32>;

@fragment
fn fs(in: VsOut) -> @location(0) vec4f {
  let uv = in.uv * params.scale + params.offset;
  let color = textureSampleLevel(source, linearSampler, uv, 0.0);
  let inside = all(uv >= vec2f(0.0)) && all(uv <= vec2f(1.0));
  return select(vec4f(0.0, 0.0, 0.0, 1.0), vec4f(clamp(color.rgb, vec3f(0.0), vec3f(1.0)), 1.0), inside);
}
