// Field order and types match Quantize's param declaration (operators/2d/quantize.ts).
struct Params {
  levels: i32,  // @0   levels per channel (2 = black or full)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  // The output is input 0's size: read this pixel's own texel exactly. A filtered sample at an
  // interpolated uv can mix in a neighbour by a rounding error, and a level boundary turns that into
  // a whole step (the fragment and compute paths interpolate uv differently in the last bit).
  let color = textureLoad(src, vec2i(coord), 0);
  let steps = f32(max(params.levels, 2) - 1);
  return vec4f(floor(clamp(color.rgb, vec3f(0.0), vec3f(1.0)) * steps + 0.5) / steps, color.a);
}
