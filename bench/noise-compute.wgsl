#import "common/noise.wgsl"

// The raw compute loop's noise pass: shaders/2d/noise.wgsl's arithmetic, one invocation per pixel in
// 8×8 workgroups, written with textureStore instead of a colour attachment. uv is the pixel centre,
// as the full-screen triangle's interpolated uv is.
struct Params {
  scale: f32,         // @0
  speed: f32,         // @4
  octaves: i32,       // @8
  lacunarity: f32,    // @12
  persistence: f32,   // @16  (12 bytes padding: vec3 aligns to 16)
  offset: vec3f,      // @32
  type_: u32,         // @44
  time: f32,          // @48
  aspect: f32,        // @52
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var destination: texture_storage_2d<rgba16float, write>;

fn basis(p: vec3f) -> f32 {
  switch params.type_ {
    case 1u: { return simplex3(p); }
    case 2u: { return worley3(p); }
    case 3u: { return value3(p); }
    default: { return perlin3(p); }
  }
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let size = textureDimensions(destination);
  if (id.x >= size.x || id.y >= size.y) { return; }
  let uv = (vec2f(id.xy) + 0.5) / vec2f(size);
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
  textureStore(destination, id.xy, vec4f(v, v, v, 1.0));
}
