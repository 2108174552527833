/**
 * Small 3D math for the render3d operators: 4×4 matrices stored column-major in Float32Array(16)
 * (the layout of WGSL's mat4x4f, so a matrix is written to a uniform buffer as-is), vectors as
 * [x, y, z] tuples. Conventions: right-handed world, the camera looks down -Z, clip depth 0..1
 * (WebGPU's NDC, not OpenGL's -1..1).
 *
 * Functions that produce a matrix take an optional `out` so a frame loop can reuse its storage.
 * No maintained library fits: wgpu-matrix and gl-matrix are not installed, and this is ~200 lines.
 */

export type Mat4 = Float32Array;
/** Any three numbers: a tuple, a param value (readonly number[]) or a Float32Array. */
export type Vec3 = ArrayLike<number>;

export function create(): Mat4 {
  return identity(new Float32Array(16));
}

export function identity(out: Mat4 = new Float32Array(16)): Mat4 {
  out.fill(0);
  out[0] = out[5] = out[10] = out[15] = 1;
  return out;
}

export function copy(source: ArrayLike<number>, out: Mat4 = new Float32Array(16)): Mat4 {
  for (let i = 0; i < 16; i++) out[i] = source[i]!;
  return out;
}

/** out = a · b (apply b first, then a). `out` may alias a or b. */
export function multiply(a: ArrayLike<number>, b: ArrayLike<number>, out: Mat4 = new Float32Array(16)): Mat4 {
  const a00 = a[0]!, a01 = a[1]!, a02 = a[2]!, a03 = a[3]!;
  const a10 = a[4]!, a11 = a[5]!, a12 = a[6]!, a13 = a[7]!;
  const a20 = a[8]!, a21 = a[9]!, a22 = a[10]!, a23 = a[11]!;
  const a30 = a[12]!, a31 = a[13]!, a32 = a[14]!, a33 = a[15]!;
  for (let col = 0; col < 4; col++) {
    const b0 = b[col * 4]!, b1 = b[col * 4 + 1]!, b2 = b[col * 4 + 2]!, b3 = b[col * 4 + 3]!;
    out[col * 4] = a00 * b0 + a10 * b1 + a20 * b2 + a30 * b3;
    out[col * 4 + 1] = a01 * b0 + a11 * b1 + a21 * b2 + a31 * b3;
    out[col * 4 + 2] = a02 * b0 + a12 * b1 + a22 * b2 + a32 * b3;
    out[col * 4 + 3] = a03 * b0 + a13 * b1 + a23 * b2 + a33 * b3;
  }
  return out;
}

export function translation(x: number, y: number, z: number, out: Mat4 = new Float32Array(16)): Mat4 {
  identity(out);
  out[12] = x;
  out[13] = y;
  out[14] = z;
  return out;
}

export function scaling(x: number, y = x, z = x, out: Mat4 = new Float32Array(16)): Mat4 {
  identity(out);
  out[0] = x;
  out[5] = y;
  out[10] = z;
  return out;
}

/** Rotation by `angle` radians about X (right-handed: +Y turns toward +Z). */
export function rotationX(angle: number, out: Mat4 = new Float32Array(16)): Mat4 {
  const c = Math.cos(angle), s = Math.sin(angle);
  identity(out);
  out[5] = c;
  out[6] = s;
  out[9] = -s;
  out[10] = c;
  return out;
}

/** Rotation about Y (+Z turns toward +X). */
export function rotationY(angle: number, out: Mat4 = new Float32Array(16)): Mat4 {
  const c = Math.cos(angle), s = Math.sin(angle);
  identity(out);
  out[0] = c;
  out[2] = -s;
  out[8] = s;
  out[10] = c;
  return out;
}

/** Rotation about Z (+X turns toward +Y). */
export function rotationZ(angle: number, out: Mat4 = new Float32Array(16)): Mat4 {
  const c = Math.cos(angle), s = Math.sin(angle);
  identity(out);
  out[0] = c;
  out[1] = s;
  out[4] = -s;
  out[5] = c;
  return out;
}

/**
 * Translation · rotation (Euler radians, applied X then Y then Z) · scale: the usual object transform.
 */
export function compose(position: Vec3, rotation: Vec3 = [0, 0, 0], scale: Vec3 = [1, 1, 1], out: Mat4 = new Float32Array(16)): Mat4 {
  const cx = Math.cos(rotation[0]!), sx = Math.sin(rotation[0]!), cy = Math.cos(rotation[1]!), sy = Math.sin(rotation[1]!);
  const cz = Math.cos(rotation[2]!), sz = Math.sin(rotation[2]!);
  // R = Rz · Ry · Rx, columns scaled by scale.
  const kx = scale[0], ky = scale[1], kz = scale[2];
  out[0] = cz * cy * kx!;
  out[1] = sz * cy * kx!;
  out[2] = -sy * kx!;
  out[3] = 0;
  out[4] = (cz * sy * sx - sz * cx) * ky!;
  out[5] = (sz * sy * sx + cz * cx) * ky!;
  out[6] = cy * sx * ky!;
  out[7] = 0;
  out[8] = (cz * sy * cx + sz * sx) * kz!;
  out[9] = (sz * sy * cx - cz * sx) * kz!;
  out[10] = cy * cx * kz!;
  out[11] = 0;
  out[12] = position[0]!;
  out[13] = position[1]!;
  out[14] = position[2]!;
  out[15] = 1;
  return out;
}

/**
 * Perspective projection, vertical field of view `fovY` radians, depth 0 at `near` and 1 at `far`
 * (WebGPU clip space). The camera looks down -Z.
 */
export function perspective(fovY: number, aspect: number, near: number, far: number, out: Mat4 = new Float32Array(16)): Mat4 {
  const f = 1 / Math.tan(fovY / 2);
  out.fill(0);
  out[0] = f / aspect;
  out[5] = f;
  out[10] = far / (near - far);
  out[11] = -1;
  out[14] = (near * far) / (near - far);
  return out;
}

/** Orthographic projection of the box [left,right]×[bottom,top]×[-near,-far] to clip space (depth 0..1). */
export function orthographic(left: number, right: number, bottom: number, top: number, near: number, far: number, out: Mat4 = new Float32Array(16)): Mat4 {
  out.fill(0);
  out[0] = 2 / (right - left);
  out[5] = 2 / (top - bottom);
  out[10] = 1 / (near - far);
  out[12] = -(right + left) / (right - left);
  out[13] = -(top + bottom) / (top - bottom);
  out[14] = near / (near - far);
  out[15] = 1;
  return out;
}

/**
 * View matrix of a camera at `eye` looking at `target`. When `up` is (nearly) parallel to the view
 * direction another up is used, so looking straight down still gives a valid matrix.
 */
export function lookAt(eye: Vec3, target: Vec3, up: Vec3 = [0, 1, 0], out: Mat4 = new Float32Array(16)): Mat4 {
  let fx = target[0]! - eye[0]!, fy = target[1]! - eye[1]!, fz = target[2]! - eye[2]!;
  const fl = Math.hypot(fx, fy, fz) || 1;
  fx /= fl;
  fy /= fl;
  fz /= fl;
  let ux = up[0]!, uy = up[1]!, uz = up[2]!;
  if (Math.abs(fx * ux + fy * uy + fz * uz) / (Math.hypot(ux, uy, uz) || 1) > 0.9999) {
    // up ∥ forward: pick the world axis least aligned with forward.
    [ux, uy, uz] = Math.abs(fz) < 0.9 ? [0, 0, 1] : [1, 0, 0];
  }
  // s = normalize(f × up), u = s × f
  let sx = fy * uz - fz * uy, sy = fz * ux - fx * uz, sz = fx * uy - fy * ux;
  const sl = Math.hypot(sx, sy, sz) || 1;
  sx /= sl;
  sy /= sl;
  sz /= sl;
  const vx = sy * fz - sz * fy, vy = sz * fx - sx * fz, vz = sx * fy - sy * fx;
  out[0] = sx;
  out[1] = vx;
  out[2] = -fx;
  out[3] = 0;
  out[4] = sy;
  out[5] = vy;
  out[6] = -fy;
  out[7] = 0;
  out[8] = sz;
  out[9] = vz;
  out[10] = -fz;
  out[11] = 0;
  out[12] = -(sx * eye[0]! + sy * eye[1]! + sz * eye[2]!);
  out[13] = -(vx * eye[0]! + vy * eye[1]! + vz * eye[2]!);
  out[14] = fx * eye[0]! + fy * eye[1]! + fz * eye[2]!;
  out[15] = 1;
  return out;
}

/** Inverse of a general 4×4 matrix (cofactor expansion); identity when singular. */
export function invert(m: ArrayLike<number>, out: Mat4 = new Float32Array(16)): Mat4 {
  const a00 = m[0]!, a01 = m[1]!, a02 = m[2]!, a03 = m[3]!;
  const a10 = m[4]!, a11 = m[5]!, a12 = m[6]!, a13 = m[7]!;
  const a20 = m[8]!, a21 = m[9]!, a22 = m[10]!, a23 = m[11]!;
  const a30 = m[12]!, a31 = m[13]!, a32 = m[14]!, a33 = m[15]!;
  const b00 = a00 * a11 - a01 * a10, b01 = a00 * a12 - a02 * a10, b02 = a00 * a13 - a03 * a10;
  const b03 = a01 * a12 - a02 * a11, b04 = a01 * a13 - a03 * a11, b05 = a02 * a13 - a03 * a12;
  const b06 = a20 * a31 - a21 * a30, b07 = a20 * a32 - a22 * a30, b08 = a20 * a33 - a23 * a30;
  const b09 = a21 * a32 - a22 * a31, b10 = a21 * a33 - a23 * a31, b11 = a22 * a33 - a23 * a32;
  const det = b00 * b11 - b01 * b10 + b02 * b09 + b03 * b08 - b04 * b07 + b05 * b06;
  if (Math.abs(det) < 1e-20) return identity(out);
  const inv = 1 / det;
  out[0] = (a11 * b11 - a12 * b10 + a13 * b09) * inv;
  out[1] = (a02 * b10 - a01 * b11 - a03 * b09) * inv;
  out[2] = (a31 * b05 - a32 * b04 + a33 * b03) * inv;
  out[3] = (a22 * b04 - a21 * b05 - a23 * b03) * inv;
  out[4] = (a12 * b08 - a10 * b11 - a13 * b07) * inv;
  out[5] = (a00 * b11 - a02 * b08 + a03 * b07) * inv;
  out[6] = (a32 * b02 - a30 * b05 - a33 * b01) * inv;
  out[7] = (a20 * b05 - a22 * b02 + a23 * b01) * inv;
  out[8] = (a10 * b10 - a11 * b08 + a13 * b06) * inv;
  out[9] = (a01 * b08 - a00 * b10 - a03 * b06) * inv;
  out[10] = (a30 * b04 - a31 * b02 + a33 * b00) * inv;
  out[11] = (a21 * b02 - a20 * b04 - a23 * b00) * inv;
  out[12] = (a11 * b07 - a10 * b09 - a12 * b06) * inv;
  out[13] = (a00 * b09 - a01 * b07 + a02 * b06) * inv;
  out[14] = (a31 * b01 - a30 * b03 - a32 * b00) * inv;
  out[15] = (a20 * b03 - a21 * b01 + a22 * b00) * inv;
  return out;
}

export function transpose(m: ArrayLike<number>, out: Mat4 = new Float32Array(16)): Mat4 {
  if (out === m) {
    for (let r = 0; r < 4; r++) {
      for (let c = r + 1; c < 4; c++) {
        const t = out[c * 4 + r]!;
        out[c * 4 + r] = out[r * 4 + c]!;
        out[r * 4 + c] = t;
      }
    }
    return out;
  }
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) out[c * 4 + r] = m[r * 4 + c]!;
  return out;
}

/** Matrix for normals: the inverse transpose of the model matrix (correct under non-uniform scale). */
export function normalMatrix(model: ArrayLike<number>, out: Mat4 = new Float32Array(16)): Mat4 {
  return transpose(invert(model, out), out);
}

/** m · (x, y, z, w) as [x, y, z, w]. */
export function transform4(m: ArrayLike<number>, x: number, y: number, z: number, w = 1): [number, number, number, number] {
  return [
    m[0]! * x + m[4]! * y + m[8]! * z + m[12]! * w,
    m[1]! * x + m[5]! * y + m[9]! * z + m[13]! * w,
    m[2]! * x + m[6]! * y + m[10]! * z + m[14]! * w,
    m[3]! * x + m[7]! * y + m[11]! * z + m[15]! * w,
  ];
}

/** Transforms a point and divides by w: clip space → normalized device coordinates. */
export function projectPoint(m: ArrayLike<number>, p: Vec3): [number, number, number] {
  const [x, y, z, w] = transform4(m, p[0]!, p[1]!, p[2]!, 1);
  return [x / w, y / w, z / w];
}

export function normalize3(v: Vec3): [number, number, number] {
  const l = Math.hypot(v[0]!, v[1]!, v[2]!) || 1;
  return [v[0]! / l, v[1]! / l, v[2]! / l];
}

export function cross3(a: Vec3, b: Vec3): [number, number, number] {
  return [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
}

export function dot3(a: Vec3, b: Vec3): number {
  return a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
}

/**
 * Camera position of an orbit: `distance` from `center`, `azimuth` radians around +Y (0 = on +Z,
 * π/2 = on +X), `elevation` radians above the XZ plane.
 */
export function orbitPosition(center: Vec3, distance: number, azimuth: number, elevation: number): [number, number, number] {
  const ce = Math.cos(elevation);
  return [center[0]! + distance * ce * Math.sin(azimuth), center[1]! + distance * Math.sin(elevation), center[2]! + distance * ce * Math.cos(azimuth)];
}

/**
 * The six faces of a point light's shadow, in the order +X, -X, +Y, -Y, +Z, -Z (layer order in the
 * shadow map), with the up vectors of the usual cube-map convention. A face's matrix maps a
 * direction r from the light to NDC (sc, tc) / |ma| as in the cube-map face table of the GL spec.
 */
export const CUBE_FACES: ReadonlyArray<{ dir: [number, number, number]; up: [number, number, number] }> = [
  { dir: [1, 0, 0], up: [0, -1, 0] },
  { dir: [-1, 0, 0], up: [0, -1, 0] },
  { dir: [0, 1, 0], up: [0, 0, 1] },
  { dir: [0, -1, 0], up: [0, 0, -1] },
  { dir: [0, 0, 1], up: [0, -1, 0] },
  { dir: [0, 0, -1], up: [0, -1, 0] },
];

/** Which cube face a direction falls on (the major axis; ties go to X, then Y). Mirrors the WGSL. */
export function cubeFace(d: Vec3): number {
  const ax = Math.abs(d[0]!), ay = Math.abs(d[1]!), az = Math.abs(d[2]!);
  if (ax >= ay && ax >= az) return d[0]! >= 0 ? 0 : 1;
  if (ay >= az) return d[1]! >= 0 ? 2 : 3;
  return d[2]! >= 0 ? 4 : 5;
}

const scratchView = new Float32Array(16);
const scratchProjection = new Float32Array(16);

/** View-projection of one cube face of a point light at `position` (90° square frustum). */
export function cubeFaceMatrix(position: Vec3, face: number, near: number, far: number, out: Mat4 = new Float32Array(16)): Mat4 {
  const { dir, up } = CUBE_FACES[face]!;
  lookAt(position, [position[0]! + dir[0], position[1]! + dir[1], position[2]! + dir[2]], up, scratchView);
  perspective(Math.PI / 2, 1, near, far, scratchProjection);
  return multiply(scratchProjection, scratchView, out);
}

/** View-projection of a spot light: a perspective frustum along `direction`, `coneAngle` (radians, at most 170°) its full field of view. */
export function spotLightMatrix(position: Vec3, direction: Vec3, coneAngle: number, near: number, far: number, out: Mat4 = new Float32Array(16)): Mat4 {
  const target: [number, number, number] = [position[0]! + direction[0]!, position[1]! + direction[1]!, position[2]! + direction[2]!];
  lookAt(position, target, [0, 1, 0], scratchView);
  perspective(Math.min(coneAngle, (170 * Math.PI) / 180), 1, near, far, scratchProjection);
  return multiply(scratchProjection, scratchView, out);
}

/**
 * View-projection of a directional light (an orthographic box) that covers the sphere
 * (`center`, `radius`), seen from `towardLight` (the direction from the scene to the light).
 * Depth runs 0..1 across the sphere's diameter plus a margin.
 */
export function directionalLightMatrix(towardLight: Vec3, center: Vec3, radius: number, out: Mat4 = new Float32Array(16)): Mat4 {
  const l = normalize3(towardLight);
  const r = Math.max(radius, 1e-3);
  const eye: [number, number, number] = [center[0]! + l[0] * 2 * r, center[1]! + l[1] * 2 * r, center[2]! + l[2] * 2 * r];
  lookAt(eye, center, [0, 1, 0], scratchView);
  orthographic(-r, r, -r, r, r * 0.5, r * 3.5, scratchProjection);
  return multiply(scratchProjection, scratchView, out);
}
