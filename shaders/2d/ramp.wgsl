// Field order and types match Ramp's param declaration (operators/2d/ramp.ts), then internals.
struct Params {
  angle: f32,       // @0   radians, linear direction
  scale: f32,       // @4
  repeat: f32,      // @8
  offset: vec2f,    // @16  (vec2 aligns to 8: 4 bytes padding before)
  hueOffset: f32,   // @24
  hueSpeed: f32,    // @28  hue turns per second
  hueRange: f32,    // @32
  saturation: f32,  // @36
  brightness: f32,  // @40
  type_: u32,       // @44  0 linear, 1 radial, 2 angular, 3 diamond
  time: f32,        // @48  seconds (internal)
  aspect: f32,      // @52  width / height (internal)
}

@group(0) @binding(0) var<uniform> params: Params;

const TAU = 6.283185307;

fn hsv2rgb(h: f32, s: f32, v: f32) -> vec3f {
  let k = fract(vec3f(h) + vec3f(0.0, 2.0 / 3.0, 1.0 / 3.0)) * 6.0;
  let rgb = clamp(abs(k - 3.0) - 1.0, vec3f(0.0), vec3f(1.0));
  return v * mix(vec3f(1.0), rgb, s);
}

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  // Centred coordinates, y up, shifted by offset: q spans -0.5..0.5 across the output (linear runs
  // edge to edge at any aspect), p is q with x scaled by the aspect (round rings).
  let q = (uv - 0.5) * vec2f(1.0, -1.0) - params.offset;
  let p = q * vec2f(params.aspect, 1.0) / params.scale;
  var t: f32;
  switch params.type_ {
    case 1u: { t = length(p) * 2.0; }
    case 2u: { t = fract((atan2(p.y, p.x) - params.angle) / TAU + 1.0); }
    case 3u: { t = (abs(p.x) + abs(p.y)) * 2.0; }
    default: {
      let dir = vec2f(cos(params.angle), sin(params.angle));
      t = dot(q / params.scale, dir) + 0.5;
    }
  }
  t = fract(t * params.repeat);
  let hue = params.hueOffset + t * params.hueRange + params.time * params.hueSpeed;
  return vec4f(hsv2rgb(hue, params.saturation, params.brightness), 1.0);
}
