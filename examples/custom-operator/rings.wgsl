// Field for field the declaration in rings.ts: params in order, then internals. Vivid checks this at
// init and names the first field that differs.
struct Params {
  frequency: f32,  // @0   rings across the height
  speed: f32,      // @4   rings per second
  center: vec2f,   // @8   0..1, y down
  colorA: vec4f,   // @16
  colorB: vec4f,   // @32
  time: f32,       // @48  seconds (internal)
  aspect: f32,     // @52  width / height (internal)
}

@group(0) @binding(0) var<uniform> params: Params;

// The colour of one pixel: uv is its centre in 0..1 from the top left, coord the same in pixels. Vivid
// runs it as a fragment or a compute pass, whichever is faster on the GPU (docs/performance.md).
fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  let p = (uv - params.center) * vec2f(params.aspect, 1.0);
  let wave = 0.5 + 0.5 * sin((length(p) * params.frequency - params.time * params.speed) * 6.2831853);
  return mix(params.colorA, params.colorB, smoothstep(0.3, 0.7, wave));
}
