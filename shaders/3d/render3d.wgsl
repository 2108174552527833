// Render3D: forward shading of a scene's entries with up to 4 lights and shadow maps.
// Shading modes (Frame.counts.x): 0 unlit, 1 flat (faceted, per pixel), 2 gouraud (per-vertex
// diffuse), 3 vertexLit (per-vertex diffuse + specular), 4 toon, 5 pbr (metallic-roughness,
// Cook-Torrance: GGX, Smith-Schlick, Fresnel-Schlick).
#import "3d/scene.wgsl"

const MAX_LIGHTS: u32 = 4u;
const MAX_SHADOW_LAYERS: u32 = 24u;
const PI: f32 = 3.14159265;

// Packed by Render3D.packLight, 64 bytes.
struct Light {
  position_type: vec4f,    // @0   xyz position, w type (0 directional, 1 point, 2 spot)
  direction_range: vec4f,  // @16  xyz unit direction the light travels (directional) / cone axis (spot), w range
  color_intensity: vec4f,  // @32  rgb colour, w intensity
  spot_shadow: vec4f,      // @48  x cos(spotAngle) (outer edge), y cos(spotAngle × (1 − spotBlend)) (inner), z first shadow layer (-1: none), w bias
}

// Packed by Render3D.writeFrame, 1904 bytes.
struct Frame {
  viewProj: mat4x4f,       // @0
  cameraPos: vec4f,        // @64   xyz eye
  material: vec4f,         // @80   x ambient, y metallic, z roughness, w toon levels
  counts: vec4u,           // @96   x shading mode, y light count, z shadow map size (texels), w wireframe
  lights: array<Light, MAX_LIGHTS>,                 // @112
  shadowMatrices: array<mat4x4f, MAX_SHADOW_LAYERS>, // @368
}

@group(0) @binding(0) var<uniform> frame: Frame;
@group(0) @binding(1) var<storage, read> entries: array<Entry>;
@group(0) @binding(2) var shadowMap: texture_depth_2d_array;

struct VsOut {
  @builtin(position) clip: vec4f,
  @location(0) world: vec3f,
  @location(1) normal: vec3f,
  @location(2) @interpolate(flat) entry: u32,
  // Per-vertex lighting for gouraud / vertexLit, per light: rgb diffuse, a specular.
  @location(3) vertexLight0: vec4f,
  @location(4) vertexLight1: vec4f,
  @location(5) vertexLight2: vec4f,
  @location(6) vertexLight3: vec4f,
}

struct LightSample {
  toLight: vec3f,
  radiance: vec3f,
}

// The original's light model (its flat.wgsl / pbr.wgsl): a directional light's direction is the way
// its light travels, so the surface sees it along -direction; point and spot lights fall off as 1/d²
// windowed to zero at range; a spot light is full inside its inner cone, zero outside the outer one,
// and linear in cos(angle) between them.
fn sampleLight(i: u32, world: vec3f) -> LightSample {
  let light = frame.lights[i];
  let kind = u32(light.position_type.w);
  let radiance = light.color_intensity.rgb * light.color_intensity.w;
  if (kind == 0u) {
    return LightSample(-light.direction_range.xyz, radiance);
  }
  let offset = light.position_type.xyz - world;
  let d = max(length(offset), 1e-4);
  let toLight = offset / d;
  let range = light.direction_range.w;
  var attenuation = 1.0;
  if (range > 0.0) {
    let window = clamp(1.0 - pow(d / range, 4.0), 0.0, 1.0);
    attenuation = window * window / (d * d);
  }
  if (kind == 2u) {
    let cosAngle = dot(-toLight, light.direction_range.xyz);
    let cosOuter = light.spot_shadow.x;
    let cosInner = light.spot_shadow.y;
    attenuation *= clamp((cosAngle - cosOuter) / max(cosInner - cosOuter, 1e-4), 0.0, 1.0);
  }
  return LightSample(toLight, radiance * attenuation);
}

// Major axis of d → face 0..5 (+X, -X, +Y, -Y, +Z, -Z); operators/3d/math.ts cubeFace mirrors it.
fn cubeFace(d: vec3f) -> u32 {
  let a = abs(d);
  if (a.x >= a.y && a.x >= a.z) { return select(1u, 0u, d.x >= 0.0); }
  if (a.y >= a.z) { return select(3u, 2u, d.y >= 0.0); }
  return select(5u, 4u, d.z >= 0.0);
}

// 2×2 percentage-closer filter with bilinear weights (what a comparison sampler does), by textureLoad.
fn shadowLookup(layer: u32, uv: vec2f, reference: f32) -> f32 {
  let size = i32(frame.counts.z);
  let texel = uv * f32(size) - 0.5;
  let base = floor(texel);
  let f = texel - base;
  let origin = vec2i(base);
  var taps: array<f32, 4>;
  for (var k = 0; k < 4; k++) {
    let c = clamp(origin + vec2i(k & 1, k >> 1u), vec2i(0), vec2i(size - 1));
    let stored = textureLoad(shadowMap, c, layer, 0);
    taps[k] = select(0.0, 1.0, reference <= stored);
  }
  return mix(mix(taps[0], taps[1], f.x), mix(taps[2], taps[3], f.x), f.y);
}

fn shadowFactor(i: u32, world: vec3f, normal: vec3f, toLight: vec3f) -> f32 {
  let light = frame.lights[i];
  if (light.spot_shadow.z < 0.0) { return 1.0; }
  let kind = u32(light.position_type.w);
  var layer = u32(light.spot_shadow.z);
  if (kind == 1u) { layer += cubeFace(world - light.position_type.xyz); }
  let p = frame.shadowMatrices[layer] * vec4f(world, 1.0);
  let ndc = p.xyz / p.w;
  var depth = ndc.z;
  if (kind != 0u) { depth = length(world - light.position_type.xyz) / light.direction_range.w; }
  if (p.w <= 0.0 || depth >= 1.0) { return 1.0; }
  let uv = vec2f(ndc.x * 0.5 + 0.5, 0.5 - ndc.y * 0.5);
  if (kind != 1u && (any(uv < vec2f(0.0)) || any(uv > vec2f(1.0)))) { return 1.0; }
  // Steeper surfaces need more bias; the bias grows from 1× (facing the light) to 3× (grazing).
  let facing = clamp(dot(normal, toLight), 0.0, 1.0);
  let bias = light.spot_shadow.w * (1.0 + 2.0 * (1.0 - facing));
  return shadowLookup(layer, clamp(uv, vec2f(0.0), vec2f(1.0)), depth - bias);
}

fn shininess(roughness: f32) -> f32 {
  return mix(256.0, 4.0, clamp(roughness, 0.0, 1.0));
}

@vertex
fn vs(vertex: Vertex, @builtin(instance_index) entryIndex: u32) -> VsOut {
  let entry = entries[entryIndex];
  let world = entry.model * vec4f(vertex.position, 1.0);
  let normal = normalize((entry.normalMatrix * vec4f(vertex.normal, 0.0)).xyz);
  var out: VsOut;
  out.clip = frame.viewProj * world;
  out.world = world.xyz;
  out.normal = normal;
  out.entry = entryIndex;
  var lit = array<vec4f, MAX_LIGHTS>(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  let mode = frame.counts.x;
  if (mode == 2u || mode == 3u) {
    let view = normalize(frame.cameraPos.xyz - world.xyz);
    let roughness = select(frame.material.z, entry.material.y, entry.material.y >= 0.0);
    for (var i = 0u; i < frame.counts.y; i++) {
      let s = sampleLight(i, world.xyz);
      let diffuse = s.radiance * max(dot(normal, s.toLight), 0.0);
      var specular = 0.0;
      if (mode == 3u && dot(normal, s.toLight) > 0.0) {
        let h = normalize(s.toLight + view);
        specular = pow(max(dot(normal, h), 0.0), shininess(roughness)) * dot(s.radiance, vec3f(0.3333));
      }
      lit[i] = vec4f(diffuse, specular);
    }
  }
  out.vertexLight0 = lit[0];
  out.vertexLight1 = lit[1];
  out.vertexLight2 = lit[2];
  out.vertexLight3 = lit[3];
  return out;
}

fn distributionGGX(nh: f32, roughness: f32) -> f32 {
  let a = roughness * roughness;
  let a2 = a * a;
  let d = nh * nh * (a2 - 1.0) + 1.0;
  return a2 / max(PI * d * d, 1e-6);
}

fn geometrySchlick(nx: f32, roughness: f32) -> f32 {
  let r = roughness + 1.0;
  let k = r * r / 8.0;
  return nx / (nx * (1.0 - k) + k);
}

fn fresnelSchlick(cosTheta: f32, f0: vec3f) -> vec3f {
  return f0 + (1.0 - f0) * pow(clamp(1.0 - cosTheta, 0.0, 1.0), 5.0);
}

fn cookTorrance(n: vec3f, v: vec3f, l: vec3f, radiance: vec3f, albedo: vec3f, metallic: f32, roughness: f32) -> vec3f {
  let h = normalize(v + l);
  let nl = max(dot(n, l), 0.0);
  let nv = max(dot(n, v), 1e-4);
  let f0 = mix(vec3f(0.04), albedo, metallic);
  let f = fresnelSchlick(max(dot(h, v), 0.0), f0);
  let specular = distributionGGX(max(dot(n, h), 0.0), roughness) * geometrySchlick(nv, roughness) * geometrySchlick(nl, roughness) * f / (4.0 * nv * nl + 1e-4);
  let diffuse = (1.0 - f) * (1.0 - metallic) * albedo / PI;
  // × π so a white Lambert surface facing a light of radiance 1 shows 1, as in the other modes.
  return (diffuse + specular) * radiance * nl * PI;
}

@fragment
fn fs(in: VsOut) -> @location(0) vec4f {
  // Derivatives first, in uniform control flow.
  let facet = cross(dpdx(in.world), dpdy(in.world));
  let entry = entries[in.entry];
  let mode = frame.counts.x;
  let albedo = entry.color.rgb;
  if (mode == 0u || entry.material.w > 0.5) { return entry.color; }

  let view = normalize(frame.cameraPos.xyz - in.world);
  var normal = normalize(in.normal);
  if (mode == 1u && frame.counts.w == 0u && length(facet) > 1e-12) {
    normal = normalize(facet);
    if (dot(normal, view) < 0.0) { normal = -normal; }
  }
  let metallic = select(frame.material.y, entry.material.x, entry.material.x >= 0.0);
  let roughness = clamp(select(frame.material.z, entry.material.y, entry.material.y >= 0.0), 0.04, 1.0);
  let receive = entry.material.z > 0.5;
  let levels = max(frame.material.w, 1.0);
  let vertexLight = array<vec4f, MAX_LIGHTS>(in.vertexLight0, in.vertexLight1, in.vertexLight2, in.vertexLight3);

  var color = albedo * frame.material.x;
  for (var i = 0u; i < frame.counts.y; i++) {
    let s = sampleLight(i, in.world);
    var shadow = 1.0;
    if (receive) { shadow = shadowFactor(i, in.world, normal, s.toLight); }
    let nl = max(dot(normal, s.toLight), 0.0);
    switch (mode) {
      case 2u, 3u: {
        color += (albedo * vertexLight[i].rgb + vec3f(vertexLight[i].a)) * shadow;
      }
      case 4u: {
        let band = floor(nl * shadow * levels + 0.5) / levels;
        color += albedo * s.radiance * band;
      }
      case 5u: {
        color += cookTorrance(normal, view, s.toLight, s.radiance, albedo, metallic, roughness) * shadow;
      }
      default: {
        color += albedo * s.radiance * nl * shadow;
      }
    }
  }
  return vec4f(color, entry.color.a);
}
