#import "common/fullscreen.wgsl"

struct Params {
  color: vec4f,  // @0
}

@group(0) @binding(0) var<uniform> params: Params;

@fragment
fn fs(in: VsOut) -> @location(0) vec4f {
  return params.color;
}
