// Field order and types match Brightness's param declaration (operators/2d/brightness.ts).
struct Params {
  brightness: f32,  // @0   added to each channel
  contrast: f32,    // @4   scale around mid grey (0.5)
  gamma: f32,       // @8   output = input ^ (1 / gamma)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  let color = textureSampleLevel(src, linearSampler, uv, 0.0);
  var rgb = color.rgb + params.brightness;
  rgb = (rgb - 0.5) * params.contrast + 0.5;
  rgb = pow(max(rgb, vec3f(0.0)), vec3f(1.0 / max(params.gamma, 1e-3)));
  return vec4f(rgb, color.a);
}
