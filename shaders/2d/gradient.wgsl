struct Params {
  angle: f32,     // @0   radians, linear mode direction
  scale: f32,     // @4
  offset: f32,    // @8
  center: vec2f,  // @16  (vec2 aligns to 8: 4 bytes padding before)
  colorA: vec4f,  // @32
  colorB: vec4f,  // @48
  mode_: u32,     // @64  0 linear, 1 radial, 2 angular, 3 diamond
  aspect: f32,    // @68  width / height (internal)
}

@group(0) @binding(0) var<uniform> params: Params;

const TAU = 6.283185307;

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  let d = (uv - params.center) * vec2f(params.aspect, 1.0);
  var t: f32;
  switch params.mode_ {
    case 1u: { t = length(d) * 2.0; }
    case 2u: { t = fract((atan2(d.y, d.x) - params.angle) / TAU + 1.0); }
    case 3u: { t = (abs(d.x) + abs(d.y)) * 2.0; }
    default: {
      let dir = vec2f(cos(params.angle), sin(params.angle));
      t = dot(uv - 0.5, dir) + 0.5;
    }
  }
  t = clamp(t * params.scale + params.offset, 0.0, 1.0);
  return mix(params.colorA, params.colorB, t);
}
