#import "common/fullscreen.wgsl"

// A decoded video or camera frame (RGBA8, uploaded as it came from ffmpeg) copied texel for texel
// into the operator's RGBA16F output: the byte → float conversion happens here on the GPU instead of
// on the CPU for every pixel of every frame. The output has the frame's size.
struct Params {
  unused: vec4f,  // @0  (the pass's uniform block; nothing to set)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var unusedSampler: sampler;
@group(0) @binding(2) var frame: texture_2d<f32>;

@fragment
fn fs(in: VsOut) -> @location(0) vec4f {
  let size = vec2i(textureDimensions(frame));
  return textureLoad(frame, clamp(vec2i(in.position.xy), vec2i(0), size - 1), 0);
}
