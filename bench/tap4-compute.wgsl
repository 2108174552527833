// The raw compute loop's filter pass: bench/tap4.wgsl's four linear samples, one invocation per pixel
// in 8×8 workgroups, written with textureStore.
struct Params {
  radius: f32,  // @0  in texels
  gain: f32,    // @4
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var source: texture_2d<f32>;
@group(0) @binding(3) var destination: texture_storage_2d<rgba16float, write>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let size = textureDimensions(destination);
  if (id.x >= size.x || id.y >= size.y) { return; }
  let uv = (vec2f(id.xy) + 0.5) / vec2f(size);
  let texel = params.radius / vec2f(textureDimensions(source));
  var sum = textureSampleLevel(source, linearSampler, uv + vec2f(texel.x, 0.0), 0.0);
  sum += textureSampleLevel(source, linearSampler, uv - vec2f(texel.x, 0.0), 0.0);
  sum += textureSampleLevel(source, linearSampler, uv + vec2f(0.0, texel.y), 0.0);
  sum += textureSampleLevel(source, linearSampler, uv - vec2f(0.0, texel.y), 0.0);
  textureStore(destination, id.xy, vec4f(sum.rgb * 0.25 * params.gain, 1.0));
}
