// Plexus: connection lines as instanced screen-space quads (additive), then nodes as instanced
// anti-aliased discs (alpha blended). Both share one uniform struct and one bind group; the six
// vertices of each quad come from the vertex index, so there is no quad buffer.

struct Params {
  viewProj: mat4x4f,   // @0    2D: orthographic (x·2, −y·2); 3D: orbit camera perspective
  resolution: vec2f,   // @64   output size in pixels
  lineWidth: f32,      // @72   pixels
  aspect: f32,         // @76   width / height
  lineColor: vec4f,    // @80
  nodeColor: vec4f,    // @96
  nodeSize: f32,       // @112  disc radius in clip-space y units (the original's unit)
  _pad0: f32,          // @116
  _pad1: f32,          // @120
  _pad2: f32,          // @124  → 128 bytes
}

@group(0) @binding(0) var<uniform> params: Params;

// Quad corners: x = along (0 start, 1 end) or disc x; y = across (−1..1) or disc y.
fn quadCorner(index: u32) -> vec2f {
  var corners = array<vec2f, 6>(vec2f(0.0, -1.0), vec2f(1.0, -1.0), vec2f(1.0, 1.0), vec2f(0.0, -1.0), vec2f(1.0, 1.0), vec2f(0.0, 1.0));
  return corners[index];
}

struct LineOut {
  @builtin(position) position: vec4f,
  @location(0) acrossPx: f32,
  @location(1) alpha: f32,
}

// Line instance, 32 bytes: start.xyz (+pad) @0, end.xyz + alpha @16.
@vertex
fn vs_line(@builtin(vertex_index) index: u32, @location(0) start: vec4f, @location(1) endAlpha: vec4f) -> LineOut {
  let corner = quadCorner(index);
  let a = params.viewProj * vec4f(start.xyz, 1.0);
  let b = params.viewProj * vec4f(endAlpha.xyz, 1.0);
  let halfRes = params.resolution * 0.5;
  // Direction and normal in pixels, so the width is the same at any angle and aspect.
  let dirPx = (b.xy / b.w - a.xy / a.w) * halfRes;
  let len = length(dirPx);
  let tangent = select(vec2f(1.0, 0.0), dirPx / len, len > 1e-4);
  let normal = vec2f(-tangent.y, tangent.x);
  // One pixel beyond the half width, for the anti-aliased edge.
  let extentPx = params.lineWidth * 0.5 + 1.0;
  let clip = mix(a, b, corner.x);
  let offset = normal * corner.y * extentPx / halfRes * clip.w;
  var out: LineOut;
  out.position = vec4f(clip.xy + offset, clip.z, clip.w);
  out.acrossPx = corner.y * extentPx;
  out.alpha = endAlpha.w;
  return out;
}

@fragment
fn fs_line(in: LineOut) -> @location(0) vec4f {
  let coverage = clamp(params.lineWidth * 0.5 + 0.5 - abs(in.acrossPx), 0.0, 1.0);
  return vec4f(params.lineColor.rgb, params.lineColor.a * in.alpha * coverage);
}

struct NodeOut {
  @builtin(position) position: vec4f,
  @location(0) localPx: vec2f,
  @location(1) radiusPx: f32,
}

// Node instance, 16 bytes: position.xyz + pad.
@vertex
fn vs_node(@builtin(vertex_index) index: u32, @location(0) position: vec4f) -> NodeOut {
  let corner = quadCorner(index) * vec2f(2.0, 1.0) - vec2f(1.0, 0.0);
  let clip = params.viewProj * vec4f(position.xyz, 1.0);
  let radiusPx = params.nodeSize * params.resolution.y * 0.5;
  let extentPx = radiusPx + 1.0;
  let localPx = corner * extentPx;
  var out: NodeOut;
  out.position = vec4f(clip.xy + localPx / (params.resolution * 0.5) * clip.w, clip.z, clip.w);
  out.localPx = localPx;
  out.radiusPx = radiusPx;
  return out;
}

@fragment
fn fs_node(in: NodeOut) -> @location(0) vec4f {
  let coverage = clamp(in.radiusPx + 0.5 - length(in.localPx), 0.0, 1.0);
  return vec4f(params.nodeColor.rgb, params.nodeColor.a * coverage);
}
