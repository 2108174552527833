// Field order and types match Tile's param declaration (operators/2d/tile.ts).
struct Params {
  repeat: vec2f,  // @0   copies across and down
  offset: vec2f,  // @8   shift in tiles
  mirror: u32,    // @16  flip every other tile so the edges meet seamlessly
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  let p = uv * params.repeat + params.offset;
  var sourceUv = fract(p);
  if (params.mirror != 0u) {
    let odd = (vec2i(floor(p)) & vec2i(1)) == vec2i(1);
    sourceUv = select(sourceUv, 1.0 - sourceUv, odd);
  }
  return textureSampleLevel(src, linearSampler, sourceUv, 0.0);
}
