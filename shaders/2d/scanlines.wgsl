// Field order and types match Scanlines's param declaration (operators/2d/scanlines.ts).
struct Params {
  spacing: i32,     // @0   pixels from one line to the next
  thickness: f32,   // @4   dark fraction of each period
  intensity: f32,   // @8   how dark the lines are
  vertical: u32,    // @12  columns instead of rows
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var src: texture_2d<f32>;

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  let color = textureSampleLevel(src, linearSampler, uv, 0.0);
  let spacing = max(params.spacing, 1);
  let line = i32(select(coord.y, coord.x, params.vertical != 0u));
  // Phase of this pixel row within its period, measured at the row's centre.
  let phase = (f32(line % spacing) + 0.5) / f32(spacing);
  let dark = select(1.0, 1.0 - params.intensity, phase < params.thickness);
  return vec4f(color.rgb * dark, color.a);
}
