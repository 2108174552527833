// One direction of a separable Gaussian blur (Blur, Bloom): taps at whole-texel steps out to
// ±ceil(radius) pixels, sigma = radius / 3, weights normalised. `stepUv` is one texel along the
// pass's direction, in uv units. Taps are capped at 128 each side so a huge radius cannot hang the GPU.

fn gaussianBlur(source: texture_2d<f32>, linearSampler: sampler, uv: vec2f, stepUv: vec2f, radius: f32) -> vec4f {
  let taps = min(i32(ceil(radius)), 128);
  if (taps <= 0) {
    return textureSampleLevel(source, linearSampler, uv, 0.0);
  }
  let sigma = max(radius / 3.0, 1e-3);
  let k = -0.5 / (sigma * sigma);
  var sum = vec4f(0.0);
  var total = 0.0;
  for (var i = -taps; i <= taps; i++) {
    let x = f32(i);
    let w = exp(x * x * k);
    sum += textureSampleLevel(source, linearSampler, uv + stepUv * x, 0.0) * w;
    total += w;
  }
  return sum / total;
}
