#import "common/noise.wgsl"

// Field order and types match Noise's param declaration (operators/2d/noise.ts), then internals.
struct Params {
  scale: f32,         // @0
  speed: f32,         // @4
  octaves: i32,       // @8
  lacunarity: f32,    // @12
  persistence: f32,   // @16  (12 bytes padding: vec3 aligns to 16)
  offset: vec3f,      // @32
  type_: u32,         // @44  0 perlin, 1 simplex, 2 worley, 3 value
  time: f32,          // @48  seconds (internal)
  aspect: f32,        // @52  width / height (internal)
}

@group(0) @binding(0) var<uniform> params: Params;

fn basis(p: vec3f) -> f32 {
  switch params.type_ {
    case 1u: { return simplex3(p); }
    case 2u: { return worley3(p); }
    case 3u: { return value3(p); }
    default: { return perlin3(p); }
  }
}

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  var p = vec3f(uv.x * params.aspect, uv.y, 0.0) * params.scale + params.offset;
  p.z += params.time * params.speed;
  var sum = 0.0;
  var amplitude = 1.0;
  var norm = 0.0;
  for (var i = 0; i < params.octaves; i++) {
    sum += basis(p) * amplitude;
    norm += amplitude;
    amplitude *= params.persistence;
    p *= params.lacunarity;
  }
  let v = clamp(sum / max(norm, 1e-5) * 0.5 + 0.5, 0.0, 1.0);
  return vec4f(v, v, v, 1.0);
}
