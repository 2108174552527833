// Field order and types match ChromaticAberration's param declaration (operators/2d/chromatic-aberration.ts).
struct Params {
  amount: f32,  // @0   red/blue offset in uv units (at the corners when radial)
  angle: f32,   // @4   direction of the offset when not radial, radians
  radial: u32,  // @8   offset grows outwards from the centre
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  var dir = vec2f(cos(params.angle), sin(params.angle));
  if (params.radial != 0u) {
    dir = (uv - 0.5) * 2.0;
  }
  let offset = dir * params.amount;
  let centre = textureSampleLevel(src, linearSampler, uv, 0.0);
  let r = textureSampleLevel(src, linearSampler, uv + offset, 0.0).r;
  let b = textureSampleLevel(src, linearSampler, uv - offset, 0.0).b;
  return vec4f(r, centre.g, b, centre.a);
}
