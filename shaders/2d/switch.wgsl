// Field order and types match Switch's param declaration (operators/2d/switch.ts), then internals.
struct Params {
  index: i32,   // @0   selected input (clamped to the connected ones)
  blend: f32,   // @4   crossfade towards the next input (wrapping to input 0 after the last)
  count: i32,   // @8   connected inputs, 1..8 (internal)
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
  let count = clamp(params.count, 1, 8);
  let a = clamp(params.index, 0, count - 1);
  let selected = layerAt(a, uv);
  if (params.blend <= 0.0) {
    return selected;
  }
  let next = layerAt((a + 1) % count, uv);
  return mix(selected, next, clamp(params.blend, 0.0, 1.0));
}
