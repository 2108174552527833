// 3D noise functions, each returning roughly -1..1 (worley: 0..1 distance remapped to -1..1).

fn hash3(p: vec3f) -> vec3f {
  var q = vec3f(dot(p, vec3f(127.1, 311.7, 74.7)), dot(p, vec3f(269.5, 183.3, 246.1)), dot(p, vec3f(113.5, 271.9, 124.6)));
  return fract(sin(q) * 43758.5453123);
}

fn hash1(p: vec3f) -> f32 {
  return fract(sin(dot(p, vec3f(12.9898, 78.233, 37.719))) * 43758.5453);
}

fn fade3(t: vec3f) -> vec3f {
  return t * t * t * (t * (t * 6.0 - 15.0) + 10.0);
}

// Gradient (Perlin-style) noise.
fn perlin3(p: vec3f) -> f32 {
  let i = floor(p);
  let f = fract(p);
  let u = fade3(f);
  var result = 0.0;
  let n000 = dot(hash3(i + vec3f(0, 0, 0)) * 2.0 - 1.0, f - vec3f(0, 0, 0));
  let n100 = dot(hash3(i + vec3f(1, 0, 0)) * 2.0 - 1.0, f - vec3f(1, 0, 0));
  let n010 = dot(hash3(i + vec3f(0, 1, 0)) * 2.0 - 1.0, f - vec3f(0, 1, 0));
  let n110 = dot(hash3(i + vec3f(1, 1, 0)) * 2.0 - 1.0, f - vec3f(1, 1, 0));
  let n001 = dot(hash3(i + vec3f(0, 0, 1)) * 2.0 - 1.0, f - vec3f(0, 0, 1));
  let n101 = dot(hash3(i + vec3f(1, 0, 1)) * 2.0 - 1.0, f - vec3f(1, 0, 1));
  let n011 = dot(hash3(i + vec3f(0, 1, 1)) * 2.0 - 1.0, f - vec3f(0, 1, 1));
  let n111 = dot(hash3(i + vec3f(1, 1, 1)) * 2.0 - 1.0, f - vec3f(1, 1, 1));
  let x00 = mix(n000, n100, u.x);
  let x10 = mix(n010, n110, u.x);
  let x01 = mix(n001, n101, u.x);
  let x11 = mix(n011, n111, u.x);
  return mix(mix(x00, x10, u.y), mix(x01, x11, u.y), u.z) * 1.6;
}

// Value noise: random values at lattice points, smoothly interpolated.
fn value3(p: vec3f) -> f32 {
  let i = floor(p);
  let u = fade3(fract(p));
  let a = mix(hash1(i), hash1(i + vec3f(1, 0, 0)), u.x);
  let b = mix(hash1(i + vec3f(0, 1, 0)), hash1(i + vec3f(1, 1, 0)), u.x);
  let c = mix(hash1(i + vec3f(0, 0, 1)), hash1(i + vec3f(1, 0, 1)), u.x);
  let d = mix(hash1(i + vec3f(0, 1, 1)), hash1(i + vec3f(1, 1, 1)), u.x);
  return mix(mix(a, b, u.y), mix(c, d, u.y), u.z) * 2.0 - 1.0;
}

// Simplex noise (3D, skewed tetrahedral lattice).
fn simplex3(p: vec3f) -> f32 {
  let F3 = 1.0 / 3.0;
  let G3 = 1.0 / 6.0;
  let s = floor(p + dot(p, vec3f(F3)));
  let x = p - s + dot(s, vec3f(G3));
  let e = step(vec3f(0.0), x - x.yzx);
  let i1 = e * (1.0 - e.zxy);
  let i2 = 1.0 - e.zxy * (1.0 - e);
  let x1 = x - i1 + G3;
  let x2 = x - i2 + 2.0 * G3;
  let x3 = x - 1.0 + 3.0 * G3;
  var w = max(vec4f(0.6) - vec4f(dot(x, x), dot(x1, x1), dot(x2, x2), dot(x3, x3)), vec4f(0.0));
  let d = vec4f(
    dot(hash3(s) * 2.0 - 1.0, x),
    dot(hash3(s + i1) * 2.0 - 1.0, x1),
    dot(hash3(s + i2) * 2.0 - 1.0, x2),
    dot(hash3(s + 1.0) * 2.0 - 1.0, x3));
  w = w * w;
  w = w * w;
  return dot(d, w) * 32.0;
}

// Worley (cellular) noise: distance to the nearest feature point.
fn worley3(p: vec3f) -> f32 {
  let i = floor(p);
  let f = fract(p);
  var nearest = 1.0;
  for (var z = -1; z <= 1; z++) {
    for (var y = -1; y <= 1; y++) {
      for (var x = -1; x <= 1; x++) {
        let cell = vec3f(f32(x), f32(y), f32(z));
        let point = hash3(i + cell);
        nearest = min(nearest, length(cell + point - f));
      }
    }
  }
  return nearest * 2.0 - 1.0;
}
