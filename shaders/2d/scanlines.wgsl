#import "common/fullscreen.wgsl"

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

@fragment
fn fs(in: VsOut) -> @location(0) vec4f {
  let color = textureSampleLevel(src, linearSampler, in.uv, 0.0);
  let spacing = max(params.spacing, 1);
  let coord = i32(select(in.position.y, in.position.x, params.vertical != 0u));
  // Phase of this pixel row within its period, measured at the row's centre.
  let phase = (f32(coord % spacing) + 0.5) / f32(spacing);
  let dark = select(1.0, 1.0 - params.intensity, phase < params.thickness);
  return vec4f(color.rgb * dark, color.a);
}
