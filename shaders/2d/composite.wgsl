#import "common/blend.wgsl"

// Field order and types match Composite's param declaration (operators/2d/composite.ts), then internals.
struct Params {
  opacity: f32,  // @0   weight of every layer over what is below it
  mode_: u32,    // @4   0 over, 1 add, 2 multiply, 3 screen, 4 overlay, 5 difference
  count: i32,    // @8   connected inputs, 1..8 (internal)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var linearSampler: sampler;
// Slots past `count` are bound to input 0's texture and never read.
@group(0) @binding(2) var layer0: texture_2d<f32>;
@group(0) @binding(3) var layer1: texture_2d<f32>;
@group(0) @binding(4) var layer2: texture_2d<f32>;
@group(0) @binding(5) var layer3: texture_2d<f32>;
@group(0) @binding(6) var layer4: texture_2d<f32>;
@group(0) @binding(7) var layer5: texture_2d<f32>;
@group(0) @binding(8) var layer6: texture_2d<f32>;
@group(0) @binding(9) var layer7: texture_2d<f32>;

fn layerAt(i: i32, uv: vec2f) -> vec4f {
  switch i {
    case 1: { return textureSampleLevel(layer1, linearSampler, uv, 0.0); }
    case 2: { return textureSampleLevel(layer2, linearSampler, uv, 0.0); }
    case 3: { return textureSampleLevel(layer3, linearSampler, uv, 0.0); }
    case 4: { return textureSampleLevel(layer4, linearSampler, uv, 0.0); }
    case 5: { return textureSampleLevel(layer5, linearSampler, uv, 0.0); }
    case 6: { return textureSampleLevel(layer6, linearSampler, uv, 0.0); }
    case 7: { return textureSampleLevel(layer7, linearSampler, uv, 0.0); }
    default: { return textureSampleLevel(layer0, linearSampler, uv, 0.0); }
  }
}

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  // Input 0 is the base; inputs 1.. are blended on one after another, all in this one pass.
  var result = layerAt(0, uv);
  for (var i = 1; i < min(params.count, 8); i++) {
    result = blendLayer(result, layerAt(i, uv), params.mode_, params.opacity);
  }
  return result;
}
