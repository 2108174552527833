struct Params {
  color: vec4f,  // @0
}

@group(0) @binding(0) var<uniform> params: Params;

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  return params.color;
}
