// Field order and types match Mirror's param declaration (operators/2d/mirror.ts), then internals.
struct Params {
  segments: i32,   // @0   kaleidoscope wedges
  angle: f32,      // @4   kaleidoscope rotation, radians
  center: vec2f,   // @8   mirror axis / kaleidoscope centre, uv
  mode_: u32,      // @16  0 horizontal, 1 vertical, 2 quad, 3 kaleidoscope
  aspect: f32,     // @20  width / height (internal)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;

const TAU = 6.283185307;

// Reflects x across c when it lies beyond it: the left (top) half shows on both sides.
fn fold(x: f32, c: f32) -> f32 {
  return select(x, 2.0 * c - x, x > c);
}

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  var sourceUv = uv;
  let c = params.center;
  switch params.mode_ {
    case 1u: { sourceUv.y = fold(sourceUv.y, c.y); }
    case 2u: { sourceUv = vec2f(fold(sourceUv.x, c.x), fold(sourceUv.y, c.y)); }
    case 3u: {
      // Polar fold into one wedge, mirrored within it, in aspect-corrected space so wedges stay even.
      let p = (sourceUv - c) * vec2f(params.aspect, 1.0);
      let wedge = TAU / f32(max(params.segments, 1));
      var a = atan2(p.y, p.x) + params.angle;
      a = a - wedge * floor(a / wedge);
      a = min(a, wedge - a);
      sourceUv = c + vec2f(cos(a), sin(a)) * length(p) / vec2f(params.aspect, 1.0);
    }
    default: { sourceUv.x = fold(sourceUv.x, c.x); }
  }
  return textureSampleLevel(src, linearSampler, sourceUv, 0.0);
}
