/**
 * CPU meshes for the geometry operators: interleaved vertices (position, normal, tangent, uv) and
 * 32-bit triangle indices, counter-clockwise seen from outside (WebGPU's default front face). Each
 * builder writes positions, normals and uvs; tangents (for normal maps, with handedness in w) are
 * derived from the uvs by one shared function, and the wireframe's edge list and the bounding sphere
 * by two more.
 */

/** Floats per vertex: position 3, normal 3, tangent 4, uv 2. */
export const VERTEX_FLOATS = 12;
export const VERTEX_STRIDE = VERTEX_FLOATS * 4;
/** Byte offsets of the attributes inside one vertex (shader locations 0..3). */
export const ATTRIBUTE_OFFSETS = { position: 0, normal: 12, tangent: 24, uv: 40 } as const;

export interface CpuMesh {
  vertices: Float32Array;
  indices: Uint32Array;
  /** Unique triangle edges as index pairs, for wireframe drawing. */
  edges: Uint32Array;
  /** Bounding sphere around the origin of the mesh's own space. */
  radius: number;
}

/** Collects vertices and triangles; `finish` derives tangents, edges and bounds. */
class MeshBuilder {
  private data: number[] = [];
  private tris: number[] = [];

  get vertexCount(): number {
    return this.data.length / VERTEX_FLOATS;
  }

  vertex(px: number, py: number, pz: number, nx: number, ny: number, nz: number, u: number, v: number): number {
    this.data.push(px, py, pz, nx, ny, nz, 0, 0, 0, 1, u, v);
    return this.vertexCount - 1;
  }

  /** A counter-clockwise triangle (seen from where its normal points). */
  triangle(a: number, b: number, c: number): void {
    this.tris.push(a, b, c);
  }

  /** Quad a-b-c-d, counter-clockwise seen from its front. */
  quad(a: number, b: number, c: number, d: number): void {
    this.tris.push(a, b, c, a, c, d);
  }

  finish(): CpuMesh {
    const vertices = new Float32Array(this.data);
    const indices = new Uint32Array(this.tris);
    computeTangents(vertices, indices);
    return { vertices, indices, edges: uniqueEdges(indices), radius: boundingRadius(vertices) };
  }
}

/** Box centred on the origin; each face has its own four vertices (hard edges). */
export function buildBox(width: number, height: number, depth: number): CpuMesh {
  const m = new MeshBuilder();
  const hx = width / 2, hy = height / 2, hz = depth / 2;
  // Each face: normal n, and axes u (uv right) and v (uv up) with u × v = n.
  const faces: Array<[number[], number[], number[]]> = [
    [[0, 0, 1], [1, 0, 0], [0, 1, 0]],
    [[0, 0, -1], [-1, 0, 0], [0, 1, 0]],
    [[1, 0, 0], [0, 0, -1], [0, 1, 0]],
    [[-1, 0, 0], [0, 0, 1], [0, 1, 0]],
    [[0, 1, 0], [1, 0, 0], [0, 0, -1]],
    [[0, -1, 0], [1, 0, 0], [0, 0, 1]],
  ];
  const half = [hx, hy, hz];
  for (const [n, u, v] of faces) {
    const corner = (su: number, sv: number, tu: number, tv: number): number => {
      const p = [0, 1, 2].map((k) => (n[k]! + u[k]! * su + v[k]! * sv) * half[k]!);
      return m.vertex(p[0]!, p[1]!, p[2]!, n[0]!, n[1]!, n[2]!, tu, tv);
    };
    const a = corner(-1, -1, 0, 1);
    const b = corner(1, -1, 1, 1);
    const c = corner(1, 1, 1, 0);
    const d = corner(-1, 1, 0, 0);
    m.quad(a, b, c, d);
  }
  return m.finish();
}

/** UV sphere: `segments` around the Y axis, segments / 2 rings from pole to pole. */
export function buildSphere(radius: number, segments: number): CpuMesh {
  const m = new MeshBuilder();
  const rings = Math.max(2, Math.round(segments / 2));
  for (let i = 0; i <= rings; i++) {
    const theta = (i / rings) * Math.PI; // 0 at +Y
    const y = Math.cos(theta), ring = Math.sin(theta);
    for (let j = 0; j <= segments; j++) {
      const phi = (j / segments) * Math.PI * 2;
      const x = ring * Math.sin(phi), z = ring * Math.cos(phi);
      m.vertex(x * radius, y * radius, z * radius, x, y, z, j / segments, i / rings);
    }
  }
  const row = segments + 1;
  for (let i = 0; i < rings; i++) {
    for (let j = 0; j < segments; j++) {
      const a = i * row + j, b = a + row, c = b + 1, d = a + 1;
      if (i > 0) m.triangle(a, b, d);
      if (i < rings - 1) m.triangle(d, b, c);
    }
  }
  return m.finish();
}

/** Ring of `segments` side quads from y = -h/2 to h/2 plus two capped discs. */
export function buildCylinder(radius: number, height: number, segments: number): CpuMesh {
  const m = new MeshBuilder();
  const hy = height / 2;
  for (let j = 0; j <= segments; j++) {
    const phi = (j / segments) * Math.PI * 2;
    const x = Math.sin(phi), z = Math.cos(phi);
    m.vertex(x * radius, -hy, z * radius, x, 0, z, j / segments, 1);
    m.vertex(x * radius, hy, z * radius, x, 0, z, j / segments, 0);
  }
  for (let j = 0; j < segments; j++) {
    const a = j * 2, b = a + 2;
    m.quad(a, b, b + 1, a + 1);
  }
  cap(m, radius, hy, segments, 1);
  cap(m, radius, -hy, segments, -1);
  return m.finish();
}

/** Cone: apex at y = h/2, base disc at y = -h/2. The apex is split per segment so normals stay smooth. */
export function buildCone(radius: number, height: number, segments: number): CpuMesh {
  const m = new MeshBuilder();
  const hy = height / 2;
  // Side normal: outward, tilted up by the slope (radius over height).
  const slope = Math.hypot(radius, height);
  const ny = radius / slope, nr = height / slope;
  for (let j = 0; j <= segments; j++) {
    const phi = (j / segments) * Math.PI * 2;
    const x = Math.sin(phi), z = Math.cos(phi);
    m.vertex(x * radius, -hy, z * radius, x * nr, ny, z * nr, j / segments, 1);
    const mid = ((j + 0.5) / segments) * Math.PI * 2;
    m.vertex(0, hy, 0, Math.sin(mid) * nr, ny, Math.cos(mid) * nr, (j + 0.5) / segments, 0);
  }
  for (let j = 0; j < segments; j++) {
    const a = j * 2;
    m.triangle(a, a + 2, a + 1);
  }
  cap(m, radius, -hy, segments, -1);
  return m.finish();
}

/** Disc at height y facing +Y (side 1) or -Y (side -1). */
function cap(m: MeshBuilder, radius: number, y: number, segments: number, side: 1 | -1): void {
  const center = m.vertex(0, y, 0, 0, side, 0, 0.5, 0.5);
  const first = m.vertexCount;
  for (let j = 0; j <= segments; j++) {
    const phi = (j / segments) * Math.PI * 2;
    const x = Math.sin(phi), z = Math.cos(phi);
    m.vertex(x * radius, y, z * radius, 0, side, 0, 0.5 + x * 0.5, 0.5 - z * 0.5 * side);
  }
  for (let j = 0; j < segments; j++) {
    if (side === 1) m.triangle(center, first + j, first + j + 1);
    else m.triangle(center, first + j + 1, first + j);
  }
}

/**
 * Torus around the Y axis: the tube's centre circle has radius `outerRadius`, the tube radius
 * `innerRadius`; `segments` around the ring, `rings` around the tube.
 */
export function buildTorus(outerRadius: number, innerRadius: number, segments: number, rings: number): CpuMesh {
  const m = new MeshBuilder();
  for (let i = 0; i <= segments; i++) {
    const phi = (i / segments) * Math.PI * 2;
    const cx = Math.sin(phi), cz = Math.cos(phi);
    for (let j = 0; j <= rings; j++) {
      const theta = (j / rings) * Math.PI * 2;
      const nr = Math.cos(theta), ny = Math.sin(theta);
      const nx = cx * nr, nz = cz * nr;
      m.vertex(cx * outerRadius + nx * innerRadius, ny * innerRadius, cz * outerRadius + nz * innerRadius, nx, ny, nz, i / segments, j / rings);
    }
  }
  const row = rings + 1;
  for (let i = 0; i < segments; i++) {
    for (let j = 0; j < rings; j++) {
      const a = i * row + j, b = a + row;
      m.quad(a, b, b + 1, a + 1);
    }
  }
  return m.finish();
}

/** Plane in XZ at y = 0 facing +Y: `width` along X, `height` along Z, subdivided into a grid. */
export function buildPlane(width: number, height: number, subdivisionsX: number, subdivisionsY: number): CpuMesh {
  const m = new MeshBuilder();
  for (let iy = 0; iy <= subdivisionsY; iy++) {
    for (let ix = 0; ix <= subdivisionsX; ix++) {
      const u = ix / subdivisionsX, v = iy / subdivisionsY;
      m.vertex((u - 0.5) * width, 0, (v - 0.5) * height, 0, 1, 0, u, v);
    }
  }
  const row = subdivisionsX + 1;
  for (let iy = 0; iy < subdivisionsY; iy++) {
    for (let ix = 0; ix < subdivisionsX; ix++) {
      const a = iy * row + ix, b = a + 1, c = a + row + 1, d = a + row;
      m.quad(a, d, c, b);
    }
  }
  return m.finish();
}

/**
 * Per-vertex tangents from uv derivatives (accumulated per triangle, then Gram–Schmidt against the
 * normal), w = ±1 for the bitangent's handedness. Where the uvs give nothing (poles, apexes) any
 * unit vector perpendicular to the normal is used.
 */
export function computeTangents(vertices: Float32Array, indices: Uint32Array): void {
  const count = vertices.length / VERTEX_FLOATS;
  const tan = new Float64Array(count * 3);
  const bit = new Float64Array(count * 3);
  const at = (i: number, k: number): number => vertices[i * VERTEX_FLOATS + k]!;
  for (let t = 0; t < indices.length; t += 3) {
    const i0 = indices[t]!, i1 = indices[t + 1]!, i2 = indices[t + 2]!;
    const e1 = [at(i1, 0) - at(i0, 0), at(i1, 1) - at(i0, 1), at(i1, 2) - at(i0, 2)];
    const e2 = [at(i2, 0) - at(i0, 0), at(i2, 1) - at(i0, 1), at(i2, 2) - at(i0, 2)];
    const du1 = at(i1, 10) - at(i0, 10), dv1 = at(i1, 11) - at(i0, 11);
    const du2 = at(i2, 10) - at(i0, 10), dv2 = at(i2, 11) - at(i0, 11);
    const det = du1 * dv2 - du2 * dv1;
    if (Math.abs(det) < 1e-12) continue;
    const r = 1 / det;
    for (const i of [i0, i1, i2]) {
      for (let k = 0; k < 3; k++) {
        tan[i * 3 + k]! += (e1[k]! * dv2 - e2[k]! * dv1) * r;
        bit[i * 3 + k]! += (e2[k]! * du1 - e1[k]! * du2) * r;
      }
    }
  }
  for (let i = 0; i < count; i++) {
    const n = [at(i, 3), at(i, 4), at(i, 5)];
    let t = [tan[i * 3]!, tan[i * 3 + 1]!, tan[i * 3 + 2]!];
    const nt = n[0]! * t[0]! + n[1]! * t[1]! + n[2]! * t[2]!;
    t = [t[0]! - n[0]! * nt, t[1]! - n[1]! * nt, t[2]! - n[2]! * nt];
    let len = Math.hypot(t[0]!, t[1]!, t[2]!);
    if (len < 1e-8) {
      // Any perpendicular: n × (axis least aligned with n).
      const axis = Math.abs(n[0]!) < 0.9 ? [1, 0, 0] : [0, 1, 0];
      t = [n[1]! * axis[2]! - n[2]! * axis[1]!, n[2]! * axis[0]! - n[0]! * axis[2]!, n[0]! * axis[1]! - n[1]! * axis[0]!];
      len = Math.hypot(t[0]!, t[1]!, t[2]!);
    }
    const b = [bit[i * 3]!, bit[i * 3 + 1]!, bit[i * 3 + 2]!];
    // handedness: sign of (n × t) · b
    const c = [n[1]! * t[2]! - n[2]! * t[1]!, n[2]! * t[0]! - n[0]! * t[2]!, n[0]! * t[1]! - n[1]! * t[0]!];
    const w = c[0]! * b[0]! + c[1]! * b[1]! + c[2]! * b[2]! < 0 ? -1 : 1;
    const o = i * VERTEX_FLOATS + 6;
    vertices[o] = t[0]! / len;
    vertices[o + 1] = t[1]! / len;
    vertices[o + 2] = t[2]! / len;
    vertices[o + 3] = w;
  }
}

/** Every triangle edge once, as index pairs (for line-list drawing). */
export function uniqueEdges(indices: Uint32Array): Uint32Array {
  const seen = new Set<number>();
  const edges: number[] = [];
  for (let t = 0; t < indices.length; t += 3) {
    for (let k = 0; k < 3; k++) {
      const a = indices[t + k]!, b = indices[t + ((k + 1) % 3)]!;
      const lo = Math.min(a, b), hi = Math.max(a, b);
      const key = lo * 0x100000 + hi;
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push(lo, hi);
    }
  }
  return new Uint32Array(edges);
}

export function boundingRadius(vertices: Float32Array): number {
  let r = 0;
  for (let i = 0; i < vertices.length; i += VERTEX_FLOATS) r = Math.max(r, Math.hypot(vertices[i]!, vertices[i + 1]!, vertices[i + 2]!));
  return r;
}
