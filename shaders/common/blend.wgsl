// Layer blend modes (Composite, Flash). Each returns the blended colour of `layer` over `base`, the
// layer weighted by its alpha times `opacity`. Modes: 0 over, 1 add, 2 multiply, 3 screen,
// 4 overlay, 5 difference.

fn blendRgb(base: vec3f, layer: vec3f, mode: u32) -> vec3f {
  switch mode {
    case 1u: { return base + layer; }
    case 2u: { return base * layer; }
    case 3u: { return 1.0 - (1.0 - base) * (1.0 - layer); }
    case 4u: { return select(1.0 - 2.0 * (1.0 - base) * (1.0 - layer), 2.0 * base * layer, base < vec3f(0.5)); }
    case 5u: { return abs(base - layer); }
    default: { return layer; }
  }
}

fn blendLayer(base: vec4f, layer: vec4f, mode: u32, opacity: f32) -> vec4f {
  let a = clamp(layer.a * opacity, 0.0, 1.0);
  let rgb = mix(base.rgb, blendRgb(base.rgb, layer.rgb, mode), a);
  // Multiply only darkens what is there; the other modes add coverage like "over".
  let alpha = select(a + base.a * (1.0 - a), base.a, mode == 2u);
  return vec4f(rgb, alpha);
}
