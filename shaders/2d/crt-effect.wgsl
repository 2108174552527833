// Field order and types match CRTEffect's param declaration (operators/2d/crt-effect.ts), then internals.
struct Params {
  curvature: f32,  // @0   barrel bulge of the glass
  vignette: f32,   // @4   darkening towards the corners
  scanlines: f32,  // @8   darkening of every other pixel row
  bloom: f32,      // @12  phosphor glow: a small blur added on top
  chromatic: f32,  // @16  red/blue convergence error, in tenths of the image width
  texel: vec2f,    // @24  (4 bytes padding) one pixel in uv (internal)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;

fn tap(uv: vec2f) -> vec3f {
  return textureSampleLevel(src, linearSampler, uv, 0.0).rgb;
}

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  let p = uv * 2.0 - 1.0;
  let sourceUv = (p + p.yx * p.yx * p * params.curvature) * 0.5 + 0.5;
  if (any(sourceUv < vec2f(0.0)) || any(sourceUv > vec2f(1.0))) {
    return vec4f(0.0, 0.0, 0.0, 1.0);
  }
  let shift = vec2f(params.chromatic * 0.1, 0.0);
  var color = vec3f(tap(sourceUv + shift).r, tap(sourceUv).g, tap(sourceUv - shift).b);

  // Phosphor glow: the mean of a ring of taps two pixels out, added on top.
  let d = params.texel * 2.0;
  let glow = (tap(sourceUv + vec2f(d.x, 0.0)) + tap(sourceUv - vec2f(d.x, 0.0)) + tap(sourceUv + vec2f(0.0, d.y)) + tap(sourceUv - vec2f(0.0, d.y))) * 0.25;
  color += glow * params.bloom;

  // Scanlines: odd output rows darker. (The original's sin(2π·y) is zero at every pixel centre.)
  let odd = f32(u32(coord.y) & 1u);
  color *= 1.0 - params.scanlines * 0.5 * odd;

  let q = sourceUv * 2.0 - 1.0;
  color *= max(1.0 - dot(q, q) * params.vignette, 0.0);
  return vec4f(color, 1.0);
}
