// Field order and types match FilmGrain's param declaration (operators/2d/film-grain.ts), then internals.
struct Params {
  intensity: f32,  // @0   grain amplitude
  size: f32,       // @4   grain size in pixels
  speed: f32,      // @8   new grain patterns per second
  colored: f32,    // @12  0 the same grain in every channel, 1 independent per channel
  time: f32,       // @16  seconds (internal)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;

// PCG-style integer hash: the same bits on every GPU (a sin() hash is not), so goldens hold.
fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

fn rand(cell: vec2u, frame: u32, channel: u32) -> f32 {
  let h = pcg(cell.x ^ pcg(cell.y ^ pcg(frame * 4u + channel)));
  return f32(h) / 4294967295.0;
}

// Roughly Gaussian grain in -1..1: the mean of two uniform draws, centred.
fn grain(cell: vec2u, frame: u32, channel: u32) -> f32 {
  return rand(cell, frame, channel) + rand(cell, frame, channel + 8u) - 1.0;
}

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  let color = textureSampleLevel(src, linearSampler, uv, 0.0);
  let cell = vec2u(coord / max(params.size, 0.5));
  let frame = u32(floor(max(params.time * params.speed, 0.0)));
  let mono = grain(cell, frame, 0u);
  let rgb = vec3f(mono, grain(cell, frame, 1u), grain(cell, frame, 2u));
  let n = mix(vec3f(mono), rgb, params.colored);
  return vec4f(color.rgb + n * params.intensity * 0.5, color.a);
}
