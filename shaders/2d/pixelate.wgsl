// Field order and types match Pixelate's param declaration (operators/2d/pixelate.ts), then internals.
struct Params {
  size: vec2f,        // @0   cell size in pixels
  resolution: vec2f,  // @8   output size in pixels (internal)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  // Every pixel of a cell shows the source at the cell's centre (clamped into the image).
  let cell = max(params.size, vec2f(1.0));
  let pixel = uv * params.resolution;
  let centre = min((floor(pixel / cell) + 0.5) * cell, params.resolution - 0.5);
  let c = textureLoad(src, vec2i(centre), 0);
  return c;
}
