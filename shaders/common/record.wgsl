#import "common/fullscreen.wgsl"

// The chain's output as the recording's 8-bit RGBA: colour clamped to 0..1 and alpha 1, as the display
// pass shows it (display.wgsl), but read with textureLoad: a frame of the recording is the output's
// texels exactly, and a software GPU skips the filtering (on lavapipe at 1080p, sampling took ~100 ms
// a frame, loading a few). A recording whose size differs from the output (a resize mid-record) takes
// the nearest texel.
struct Params {
  scale: vec2f,   // @0  output texels per recording pixel
  _pad: vec2f,    // @8
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var unusedSampler: sampler;
@group(0) @binding(2) var source: texture_2d<f32>;

@fragment
fn fs(in: VsOut) -> @location(0) vec4f {
  let size = vec2i(textureDimensions(source));
  let texel = clamp(vec2i(floor(in.position.xy * params.scale)), vec2i(0), size - 1);
  let color = textureLoad(source, texel, 0);
  return vec4f(clamp(color.rgb, vec3f(0.0), vec3f(1.0)), 1.0);
}
