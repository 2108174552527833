#import "common/fullscreen.wgsl"

// A per-pixel operator as a fragment pass: the runtime appends this file to a shader that defines
// `fn pixel(uv: vec2f, coord: vec2f) -> vec4f` (runtime/gpu/pixel-shader.ts). uv is the pixel
// centre in 0..1 from the top-left, coord the pixel centre in pixels (x + 0.5, y + 0.5).
@fragment
fn fs(in: VsOut) -> @location(0) vec4f {
  return pixel(in.uv, in.position.xy);
}
