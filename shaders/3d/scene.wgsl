// Shared by render3d.wgsl and render3d-shadow.wgsl: one scene entry (a draw) and the mesh vertex.
// The entries live in one storage buffer; a draw's first-instance number is its entry index, so no
// draw needs its own bind group.

// Packed by Render3D.writeEntries (operators/3d/render3d.ts), 160 bytes per entry.
struct Entry {
  model: mat4x4f,          // @0
  normalMatrix: mat4x4f,   // @64   inverse transpose of model
  color: vec4f,            // @128
  material: vec4f,         // @144  x metallic, y roughness (negative: Render3D's), z receiveShadow (0/1), w unlit (0/1)
}

// Interleaved vertex, 48 bytes (operators/3d/mesh.ts VERTEX_STRIDE).
struct Vertex {
  @location(0) position: vec3f,  // @0
  @location(1) normal: vec3f,    // @12
  @location(2) tangent: vec4f,   // @24  xyz tangent, w handedness
  @location(3) uv: vec2f,        // @40
}
