// Render3D's shadow pass: depth only, one pass per shadow-map layer (a directional or spot light,
// or one cube face of a point light). Each pass has its own uniform buffer.
#import "3d/scene.wgsl"

// Packed by Render3D.writeShadowPass, 96 bytes.
struct ShadowPass {
  viewProj: mat4x4f,   // @0
  light: vec4f,        // @64  xyz light position, w range (far plane)
  kind: vec4u,         // @80  x: 1 = store distance / range (point, spot), 0 = store clip depth (directional)
}

@group(0) @binding(0) var<uniform> pass_: ShadowPass;
@group(0) @binding(1) var<storage, read> entries: array<Entry>;

struct ShadowOut {
  @builtin(position) clip: vec4f,
  @location(0) world: vec3f,
}

@vertex
fn vs(vertex: Vertex, @builtin(instance_index) entry: u32) -> ShadowOut {
  let world = entries[entry].model * vec4f(vertex.position, 1.0);
  var out: ShadowOut;
  out.clip = pass_.viewProj * world;
  out.world = world.xyz;
  return out;
}

// Point and spot lights store the distance to the light over its range (linear, so one bias fits
// the whole map); a directional light's orthographic depth is linear already.
@fragment
fn fs(in: ShadowOut) -> @builtin(frag_depth) f32 {
  if (pass_.kind.x == 1u) {
    return clamp(length(in.world - pass_.light.xyz) / pass_.light.w, 0.0, 1.0);
  }
  return in.clip.z;
}
