// Colour helpers: luma (Rec. 709 weights) and RGB ↔ HSV, hue in 0..1.

fn luma(rgb: vec3f) -> f32 {
  return dot(rgb, vec3f(0.2126, 0.7152, 0.0722));
}

fn rgb2hsv(rgb: vec3f) -> vec3f {
  let maxC = max(max(rgb.r, rgb.g), rgb.b);
  let minC = min(min(rgb.r, rgb.g), rgb.b);
  let delta = maxC - minC;
  var h = 0.0;
  if (delta > 1e-5) {
    if (maxC == rgb.r) {
      h = (rgb.g - rgb.b) / delta;
      if (h < 0.0) { h += 6.0; }
    } else if (maxC == rgb.g) {
      h = 2.0 + (rgb.b - rgb.r) / delta;
    } else {
      h = 4.0 + (rgb.r - rgb.g) / delta;
    }
    h /= 6.0;
  }
  let s = select(0.0, delta / maxC, maxC > 1e-5);
  return vec3f(h, s, maxC);
}

fn hsv2rgb(hsv: vec3f) -> vec3f {
  // Branch-free form: each channel is a clamped triangle wave of the hue.
  let k = vec3f(5.0, 3.0, 1.0);
  let p = (k + hsv.x * 6.0) % vec3f(6.0);
  let t = clamp(min(p, 4.0 - p), vec3f(0.0), vec3f(1.0));
  return hsv.z * (1.0 - hsv.y * t);
}
