// Field order and types match Vignette's param declaration (operators/2d/vignette.ts), then internals.
struct Params {
  intensity: f32,  // @0   how far the dark edge reaches in
  softness: f32,   // @4   width of the falloff
  roundness: f32,  // @8   0 rectangular, 1 circular
  aspect: f32,     // @12  width / height (internal)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  let color = textureSampleLevel(src, linearSampler, uv, 0.0);
  let p = (uv * 2.0 - 1.0) * vec2f(params.aspect, 1.0);
  let d = mix(max(abs(p.x), abs(p.y)), length(p), params.roundness);
  let soft = max(params.softness, 1e-3);
  let v = 1.0 - smoothstep(1.0 - soft, 1.0 + soft * 0.5, d * (1.0 + params.intensity));
  return vec4f(color.rgb * v, color.a);
}
