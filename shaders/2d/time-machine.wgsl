// Field order and types match TimeMachine's param declaration (operators/2d/time-machine.ts), then internals.
struct Params {
  depth: f32,     // @0   how far back the map reaches (0..1 of the cache)
  offset: f32,    // @4   constant extra age (0..1 of the cache)
  invert: u32,    // @8   1: bright = oldest
  newest: i32,    // @12  ring layer of the newest frame (internal)
  filled: i32,    // @16  layers holding a frame (internal)
  layers: i32,    // @20  ring size (internal)
  hasMap: u32,    // @24  0: use the vertical position instead of a map (internal)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var cache: texture_2d_array<f32>;
@group(0) @binding(3) var displacement: texture_2d<f32>;

fn frameAgo(pixel: vec2i, ago: i32) -> vec4f {
  let layer = (params.newest - ago + params.layers) % params.layers;
  return textureLoad(cache, pixel, layer, 0);
}

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  var brightness = 1.0 - uv.y;
  if (params.hasMap != 0u) {
    let m = textureSampleLevel(displacement, linearSampler, uv, 0.0).rgb;
    brightness = dot(m, vec3f(0.2126, 0.7152, 0.0722));
  }
  let darkness = select(1.0 - brightness, brightness, params.invert != 0u);
  let age = clamp(darkness * params.depth + params.offset, 0.0, 1.0) * f32(params.filled - 1);
  let older = i32(floor(age));
  let newer_weight = 1.0 - fract(age);
  let pixel = vec2i(coord);
  let a = frameAgo(pixel, older);
  let b = frameAgo(pixel, min(older + 1, params.filled - 1));
  return mix(b, a, newer_weight);
}
