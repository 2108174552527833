// A per-pixel operator as a compute pass: the runtime appends this file to a shader that defines
// `fn pixel(uv: vec2f, coord: vec2f) -> vec4f` (runtime/gpu/pixel-shader.ts). One invocation per
// pixel in 8×8 workgroups; uv and coord are the pixel centre, exactly as the fragment entry's. The
// output is group 1 so the operator's own bindings (group 0) are the same on both paths.
@group(1) @binding(0) var pixelOutput: texture_storage_2d<rgba16float, write>;

@compute @workgroup_size(8, 8)
fn cs(@builtin(global_invocation_id) id: vec3u) {
  let size = textureDimensions(pixelOutput);
  if (id.x >= size.x || id.y >= size.y) {
    return;
  }
  let coord = vec2f(id.xy) + 0.5;
  textureStore(pixelOutput, id.xy, pixel(coord / vec2f(size), coord));
}
