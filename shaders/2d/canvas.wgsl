// Canvas: every shape of a frame, tessellated on the CPU into one vertex buffer, drawn with one
// pipeline (two when the frame uses clearRect: those triangles replace instead of blend).
// Positions arrive in canvas pixels (y down) after the canvas transform; `local` is the point in the
// user space of the fill, where gradients are evaluated.

const MAX_GRADIENTS = 16u;

// One gradient, 208 bytes.
struct Gradient {
  kind: u32,                  // @0   0 linear, 1 radial, 2 conic
  count: u32,                 // @4   colour stops used (1..8)
  r0: f32,                    // @8   radial: start radius
  r1: f32,                    // @12  radial: end radius
  p0: vec2f,                  // @16  linear: start; radial / conic: centre
  p1: vec2f,                  // @24  linear: end
  angle: f32,                 // @32  conic: start angle (radians)
  _pad0: f32,                 // @36
  _pad1: f32,                 // @40
  _pad2: f32,                 // @44
  offsets: array<vec4f, 2>,   // @48  stop offsets, four per vec4
  colors: array<vec4f, 8>,    // @80  stop colours
}

struct Params {
  resolution: vec2f,          // @0   canvas size in pixels
  _pad: vec2f,                // @8
  gradients: array<Gradient, MAX_GRADIENTS>,  // @16
}

@group(0) @binding(0) var<uniform> params: Params;

struct VsIn {
  @location(0) position: vec2f,  // @0   pixels
  @location(1) color: vec4f,     // @8   solid colour, or (1,1,1,globalAlpha) for a gradient
  @location(2) local: vec2f,     // @24  user-space point (gradients)
  @location(3) paint: u32,       // @32  0 solid, k = gradient k − 1
}

struct VsOut {
  @builtin(position) position: vec4f,
  @location(0) color: vec4f,
  @location(1) local: vec2f,
  @location(2) @interpolate(flat) paint: u32,
}

@vertex
fn vs(in: VsIn) -> VsOut {
  var out: VsOut;
  let ndc = in.position / params.resolution * 2.0 - 1.0;
  out.position = vec4f(ndc.x, -ndc.y, 0.0, 1.0);
  out.color = in.color;
  out.local = in.local;
  out.paint = in.paint;
  return out;
}

fn stopOffset(g: Gradient, i: u32) -> f32 {
  return g.offsets[i / 4u][i % 4u];
}

fn sampleGradient(g: Gradient, p: vec2f) -> vec4f {
  var t = 0.0;
  if (g.kind == 0u) {
    let d = g.p1 - g.p0;
    t = dot(p - g.p0, d) / max(dot(d, d), 1e-8);
  } else if (g.kind == 1u) {
    let range = g.r1 - g.r0;
    let dist = length(p - g.p0);
    t = select(select(1.0, 0.0, dist <= g.r0), (dist - g.r0) / range, abs(range) > 1e-4);
  } else {
    let d = p - g.p0;
    t = fract((atan2(d.y, d.x) - g.angle) / 6.2831853);
  }
  t = clamp(t, 0.0, 1.0);
  var color = g.colors[0];
  for (var i = 1u; i < g.count; i++) {
    let a = stopOffset(g, i - 1u);
    let b = stopOffset(g, i);
    if (t >= b) {
      color = g.colors[i];
    } else if (t > a) {
      color = mix(g.colors[i - 1u], g.colors[i], (t - a) / max(b - a, 1e-6));
    }
  }
  return color;
}

@fragment
fn fs(in: VsOut) -> @location(0) vec4f {
  if (in.paint == 0u) {
    return in.color;
  }
  return sampleGradient(params.gradients[min(in.paint - 1u, MAX_GRADIENTS - 1u)], in.local) * in.color;
}
