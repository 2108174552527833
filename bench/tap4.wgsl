// The benchmark's filter pass: 4 texture samples around the pixel, averaged (as in
// docs/notes/performance-anchors.md). Used by the Vivid chain and by the raw loop alike.
struct Params {
  radius: f32,  // @0  in texels
  gain: f32,    // @4
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var source: texture_2d<f32>;

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  let texel = params.radius / vec2f(textureDimensions(source));
  var sum = textureSampleLevel(source, linearSampler, uv + vec2f(texel.x, 0.0), 0.0);
  sum += textureSampleLevel(source, linearSampler, uv - vec2f(texel.x, 0.0), 0.0);
  sum += textureSampleLevel(source, linearSampler, uv + vec2f(0.0, texel.y), 0.0);
  sum += textureSampleLevel(source, linearSampler, uv - vec2f(0.0, texel.y), 0.0);
  return vec4f(sum.rgb * 0.25 * params.gain, 1.0);
}
