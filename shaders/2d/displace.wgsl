// Field order and types match Displace's param declaration (operators/2d/displace.ts).
struct Params {
  strength: f32,   // @0   overall displacement, uv units at full map contrast
  strengthX: f32,  // @4   multiplier for the map's red channel (x)
  strengthY: f32,  // @8   multiplier for the map's green channel (y)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;
@group(0) @binding(3) var map: texture_2d<f32>;

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  // Map values 0..1 displace by -1..1 times the strengths; 0.5 leaves the pixel where it is.
  let m = textureSampleLevel(map, linearSampler, uv, 0.0).rg;
  let offset = (m - 0.5) * 2.0 * params.strength * vec2f(params.strengthX, params.strengthY);
  return textureSampleLevel(src, linearSampler, uv + offset, 0.0);
}
