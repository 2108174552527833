// Field order and types match Shape's param declaration (operators/2d/shape.ts), then internals.
struct Params {
  size: vec2f,         // @0   width, height in output heights
  position: vec2f,     // @8   centre in uv
  rotation: f32,       // @16  radians, counter-clockwise
  sides: i32,          // @20  polygon sides / star points
  cornerRadius: f32,   // @24
  thickness: f32,      // @28  ring width
  softness: f32,       // @32  (12 bytes padding: vec4 aligns to 16)
  color: vec4f,        // @48
  type_: u32,          // @64  0 circle, 1 rectangle, 2 roundedRect, 3 triangle, 4 star, 5 ring, 6 polygon
  aspect: f32,         // @68  width / height (internal)
  pixel: f32,          // @72  one pixel in output heights (internal)
}

@group(0) @binding(0) var<uniform> params: Params;

const PI = 3.141592654;

fn sdBox(p: vec2f, halfSize: vec2f, radius: f32) -> f32 {
  let d = abs(p) - halfSize + radius;
  return length(max(d, vec2f(0.0))) + min(max(d.x, d.y), 0.0) - radius;
}

// Regular n-gon of circumradius r, a vertex pointing up: fold the angle into one sector, measure the
// distance to that sector's edge.
fn sdPolygon(p: vec2f, r: f32, n: f32) -> f32 {
  let sector = 2.0 * PI / n;
  let a = atan2(p.x, p.y);
  let local = a - sector * floor(a / sector + 0.5);
  let q = length(p) * vec2f(sin(abs(local)), cos(local));
  let apothem = r * cos(PI / n);
  // Distance to the edge segment from the vertex (angle 0) to the edge midpoint (angle π/n) plus sign.
  let vertex = vec2f(0.0, r);
  let mid = vec2f(sin(PI / n), cos(PI / n)) * apothem;
  let e = mid - vertex;
  let h = clamp(dot(q - vertex, e) / dot(e, e), 0.0, 1.0);
  let dist = length(q - vertex - e * h);
  let inside = dot(q, vec2f(sin(PI / n), cos(PI / n))) < apothem;
  return select(dist, -dist, inside);
}

// Star with n points, outer radius r, inner radius r·ratio: distance to the zig-zag edge in one sector.
fn sdStar(p: vec2f, r: f32, n: f32, ratio: f32) -> f32 {
  let sector = 2.0 * PI / n;
  let a = atan2(p.x, p.y);
  let local = abs(a - sector * floor(a / sector + 0.5));
  let q = length(p) * vec2f(sin(local), cos(local));
  let tip = vec2f(0.0, r);
  let valley = vec2f(sin(PI / n), cos(PI / n)) * r * ratio;
  let e = valley - tip;
  let h = clamp(dot(q - tip, e) / dot(e, e), 0.0, 1.0);
  let dist = length(q - tip - e * h);
  // Inside when q lies on the centre's side of the tip→valley line.
  let side = (q.x - tip.x) * e.y - (q.y - tip.y) * e.x;
  return select(dist, -dist, side > 0.0);
}

fn pixel(uv: vec2f, coord: vec2f) -> vec4f {
  // Shape space: centred on position, y up, units of output height, rotated.
  var p = (uv - params.position) * vec2f(params.aspect, -1.0);
  let c = cos(params.rotation);
  let s = sin(params.rotation);
  p = vec2f(c * p.x + s * p.y, -s * p.x + c * p.y);

  let size = max(params.size, vec2f(1e-5));
  let radius = 0.5 * min(size.x, size.y);
  // Round shapes are drawn in a circle of `radius` and stretched to `size`.
  let stretch = size / (2.0 * radius);
  let ps = p / stretch;
  let n = f32(max(params.sides, 3));

  var d: f32;
  switch params.type_ {
    case 1u: { d = sdBox(p, size * 0.5, 0.0); }
    case 2u: { d = sdBox(p, size * 0.5, min(params.cornerRadius, radius)); }
    case 3u: { d = sdPolygon(ps, radius, 3.0); }
    case 4u: { d = sdStar(ps, radius, n, 0.5); }
    case 5u: { d = abs(length(ps) - radius + params.thickness * 0.5) - params.thickness * 0.5; }
    case 6u: { d = sdPolygon(ps, radius, n); }
    default: { d = length(ps) - radius; }
  }
  let edge = max(params.softness, params.pixel);
  let coverage = 1.0 - smoothstep(-0.5 * edge, 0.5 * edge, d);
  let alpha = params.color.a * coverage;
  return vec4f(params.color.rgb * alpha, alpha);
}
