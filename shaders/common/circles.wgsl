// Instanced anti-aliased discs (Particles, PointSprites). One instance = one disc; the six vertices of
// its quad come from the vertex index, so there is no quad buffer. Positions are normalised (0..1,
// y down, (0,0) top-left); a radius is a fraction of the output height, so discs stay round.

struct CircleParams {
  resolution: vec2f,  // @0  output size in pixels
  aspect: f32,        // @8  width / height
  _pad: f32,          // @12
}

@group(0) @binding(0) var<uniform> circle: CircleParams;

// Instance record, 32 bytes: center @0, radius @8, (pad @12), color @16.
struct CircleInstance {
  @location(0) center: vec2f,
  @location(1) radius: f32,
  @location(2) color: vec4f,
}

struct CircleOut {
  @builtin(position) position: vec4f,
  @location(0) local: vec2f,
  @location(1) color: vec4f,
  @location(2) radiusPx: f32,
}

@vertex
fn vs(@builtin(vertex_index) index: u32, instance: CircleInstance) -> CircleOut {
  var corners = array<vec2f, 6>(vec2f(-1.0, -1.0), vec2f(1.0, -1.0), vec2f(1.0, 1.0), vec2f(-1.0, -1.0), vec2f(1.0, 1.0), vec2f(-1.0, 1.0));
  // Half a pixel of margin around the disc so its anti-aliased edge is never cut by the quad.
  let radiusPx = instance.radius * circle.resolution.y;
  let grow = (radiusPx + 0.75) / max(radiusPx, 1e-4);
  let local = corners[index] * grow;
  var p = local * instance.radius;
  p.x /= circle.aspect;
  p += instance.center;
  var out: CircleOut;
  out.position = vec4f(p.x * 2.0 - 1.0, 1.0 - p.y * 2.0, 0.0, 1.0);
  out.local = local;
  out.color = instance.color;
  out.radiusPx = radiusPx;
  return out;
}

@fragment
fn fs(in: CircleOut) -> @location(0) vec4f {
  // Distance to the rim in pixels: a one-pixel soft edge at any size.
  let rim = (1.0 - length(in.local)) * in.radiusPx;
  let coverage = clamp(rim + 0.5, 0.0, 1.0);
  return vec4f(in.color.rgb, in.color.a * coverage);
}
