// Field order and types match Transform's param declaration (operators/2d/transform.ts), then internals.
struct Params {
  scale: vec2f,      // @0
  rotation: f32,     // @8   radians
  translate: vec2f,  // @16  (4 bytes padding: vec2 aligns to 8) uv units, +y moves the image up
  pivot: vec2f,      // @24  uv of the point scaled and rotated about
  aspect: f32,       // @32  width / height (internal)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  // Inverse transform of the output pixel into the source: untranslate, then unrotate and unscale
  // about the pivot. Rotation happens in square (aspect-corrected) space so it does not shear.
  var p = uv + vec2f(-params.translate.x, params.translate.y) - params.pivot;
  p.x *= params.aspect;
  let c = cos(params.rotation);
  let s = sin(params.rotation);
  p = vec2f(p.x * c + p.y * s, -p.x * s + p.y * c);
  p.x /= params.aspect;
  let scale = select(params.scale, vec2f(1e-4), abs(params.scale) < vec2f(1e-4));
  let sourceUv = p / scale + params.pivot;
  if (any(sourceUv < vec2f(0.0)) || any(sourceUv > vec2f(1.0))) {
    return vec4f(0.0);
  }
  return textureSampleLevel(src, linearSampler, sourceUv, 0.0);
}
