// Field order and types match Flash's param declaration (operators/2d/flash.ts), then internals.
struct Params {
  decay: f32,     // @0   fraction left after each 1/60 s (used on the CPU side)
  color: vec4f,   // @16  (12 bytes padding: vec4 aligns to 16) flash colour
  mode_: u32,     // @32  0 additive, 1 screen, 2 replace
  level: f32,     // @36  current flash level, 0..1 (internal)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  let color = textureSampleLevel(src, linearSampler, uv, 0.0);
  let flash = params.color.rgb * params.level;
  var rgb: vec3f;
  switch params.mode_ {
    case 1u: { rgb = 1.0 - (1.0 - color.rgb) * (1.0 - flash); }
    case 2u: { rgb = mix(color.rgb, params.color.rgb, params.level); }
    default: { rgb = color.rgb + flash; }
  }
  return vec4f(rgb, color.a);
}
