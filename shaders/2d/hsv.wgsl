#import "common/color.wgsl"

// Field order and types match HSV's param declaration (operators/2d/hsv.ts).
struct Params {
  hueShift: f32,    // @0   turns added to the hue (wraps)
  saturation: f32,  // @4   saturation multiplier
  value: f32,       // @8   value multiplier
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  let color = textureSampleLevel(src, linearSampler, uv, 0.0);
  var hsv = rgb2hsv(max(color.rgb, vec3f(0.0)));
  hsv.x = fract(hsv.x + params.hueShift);
  hsv.y = clamp(hsv.y * params.saturation, 0.0, 1.0);
  hsv.z *= params.value;
  return vec4f(hsv2rgb(hsv), color.a);
}
