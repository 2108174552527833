/**
 * Geometry operators: Box, Sphere, Cylinder, Cone, Torus, Plane (params and ranges as the original's
 * primitives.h, which also keeps them in one file: they differ only in the builder they call).
 *
 * Output kind "geometry": a mesh in pooled GPU buffers. The CPU mesh is built, and uploaded, only
 * when the operator cooks, i.e. when one of its params changed (it has no inputs and does not depend
 * on time), so an animated scene never rebuilds a mesh. (And when another instance wrote into its
 * pooled buffers: see Operator.contentsOverwritten.)
 */
import { Operator, defineOperator, type CookContext, type InitContext, type OutputKind } from "../../runtime/chain/operator.ts";
import { float, int } from "../../runtime/chain/params.ts";
import type { BufferHandle, GpuScope } from "../../runtime/gpu/gpu.ts";
import { buildBox, buildCone, buildCylinder, buildPlane, buildSphere, buildTorus, type CpuMesh } from "./mesh.ts";

const VERTEX = 0x20;
const INDEX = 0x10;
const COPY_DST = 0x08;

/** A mesh on the GPU, as Render3D draws it. */
export interface GpuMesh {
  vertices: BufferHandle;
  indices: BufferHandle;
  indexCount: number;
  /** Line-list indices of the unique edges (wireframe). */
  edges: BufferHandle;
  edgeCount: number;
  /** Bounding sphere radius around the mesh's origin. */
  radius: number;
  /** Bumped on every rebuild. */
  version: number;
}

export abstract class GeometryOperator extends Operator {
  static override readonly outputKind: OutputKind = "geometry";
  /** Valid after the first cook. */
  mesh?: GpuMesh;
  /** The last CPU mesh (kept for tests and bounds). */
  cpuMesh?: CpuMesh;
  /** Number of CPU mesh builds so far (tests assert a mesh is not rebuilt per frame). */
  builds = 0;

  /** Builds the CPU mesh from the current params. */
  protected abstract build(): CpuMesh;

  init(_ctx: InitContext): void {}

  /** Its buffers are pooled: a build that failed after uploading its mesh into them makes it upload its own again. */
  override contentsOverwritten(): boolean {
    const mesh = this.mesh;
    return mesh !== undefined && !(this.holdsOwnWrite(mesh.vertices) && this.holdsOwnWrite(mesh.indices) && this.holdsOwnWrite(mesh.edges));
  }

  cook(ctx: CookContext): void {
    const cpu = this.build();
    this.builds++;
    this.cpuMesh = cpu;
    const scope = this.scope;
    const vertices = resize(scope, this.mesh?.vertices, "vertices", cpu.vertices.byteLength, VERTEX | COPY_DST);
    const indices = resize(scope, this.mesh?.indices, "indices", cpu.indices.byteLength, INDEX | COPY_DST);
    const edges = resize(scope, this.mesh?.edges, "edges", cpu.edges.byteLength, INDEX | COPY_DST);
    const queue = ctx.gpu.queue;
    queue.writeBuffer(vertices.buffer, 0, cpu.vertices.buffer as ArrayBuffer, cpu.vertices.byteOffset, cpu.vertices.byteLength);
    queue.writeBuffer(indices.buffer, 0, cpu.indices.buffer as ArrayBuffer, cpu.indices.byteOffset, cpu.indices.byteLength);
    queue.writeBuffer(edges.buffer, 0, cpu.edges.buffer as ArrayBuffer, cpu.edges.byteOffset, cpu.edges.byteLength);
    this.wrote(vertices);
    this.wrote(indices);
    this.wrote(edges);
    this.mesh = {
      vertices,
      indices,
      indexCount: cpu.indices.length,
      edges,
      edgeCount: cpu.edges.length,
      radius: cpu.radius,
      version: (this.mesh?.version ?? 0) + 1,
    };
  }

  override dispose(): void {
    this.mesh = undefined;
    super.dispose();
  }
}

/** The pooled buffer for `slot` at `size` bytes: the current one if it fits exactly, else a new one. */
function resize(scope: GpuScope, current: BufferHandle | undefined, slot: string, size: number, usage: number): BufferHandle {
  const aligned = Math.max(16, Math.ceil(size / 16) * 16);
  if (current && current.size === aligned) return current;
  if (current) scope.drop(current);
  return scope.buffer(slot, aligned, usage);
}

export class Box extends GeometryOperator {
  static override readonly description = "Box mesh (hard edges), centred on the origin";
  static override readonly params = {
    width: float(1, 0.01, 100),
    height: float(1, 0.01, 100),
    depth: float(1, 0.01, 100),
  };
  declare width: number;
  declare height: number;
  declare depth: number;

  /** `size(s)` for a cube, `size(w, h, d)` for a box (the original's `.size()`). */
  size(width: number, height = width, depth = width): this {
    this.width = width;
    this.height = height;
    this.depth = depth;
    return this;
  }

  protected build(): CpuMesh {
    return buildBox(this.width, this.height, this.depth);
  }
}
defineOperator(Box);

export class Sphere extends GeometryOperator {
  static override readonly description = "UV sphere mesh: segments around, segments / 2 rings";
  static override readonly params = {
    radius: float(0.5, 0.01, 100),
    segments: int(24, 4, 128),
  };
  declare radius: number;
  declare segments: number;

  protected build(): CpuMesh {
    return buildSphere(this.radius, clampInt(this.segments, 4, 128));
  }
}
defineOperator(Sphere);

export class Cylinder extends GeometryOperator {
  static override readonly description = "Capped cylinder mesh along Y, centred on the origin";
  static override readonly params = {
    radius: float(0.5, 0.01, 100),
    height: float(1, 0.01, 100),
    segments: int(24, 3, 128),
  };
  declare radius: number;
  declare height: number;
  declare segments: number;

  protected build(): CpuMesh {
    return buildCylinder(this.radius, this.height, clampInt(this.segments, 3, 128));
  }
}
defineOperator(Cylinder);

export class Cone extends GeometryOperator {
  static override readonly description = "Cone mesh along Y (apex up), centred on the origin";
  static override readonly params = {
    radius: float(0.5, 0.01, 100),
    height: float(1, 0.01, 100),
    segments: int(24, 3, 128),
  };
  declare radius: number;
  declare height: number;
  declare segments: number;

  protected build(): CpuMesh {
    return buildCone(this.radius, this.height, clampInt(this.segments, 3, 128));
  }
}
defineOperator(Cone);

export class Torus extends GeometryOperator {
  static override readonly description = "Torus mesh around Y: outerRadius to the tube's centre, innerRadius of the tube";
  static override readonly params = {
    outerRadius: float(0.5, 0.01, 100),
    innerRadius: float(0.2, 0.01, 50),
    segments: int(32, 3, 128),
    rings: int(16, 3, 128),
  };
  declare outerRadius: number;
  declare innerRadius: number;
  declare segments: number;
  declare rings: number;

  protected build(): CpuMesh {
    return buildTorus(this.outerRadius, this.innerRadius, clampInt(this.segments, 3, 128), clampInt(this.rings, 3, 128));
  }
}
defineOperator(Torus);

export class Plane extends GeometryOperator {
  static override readonly description = "Plane mesh in XZ facing +Y: width along X, height along Z";
  static override readonly params = {
    width: float(1, 0.01, 1000),
    height: float(1, 0.01, 1000),
    subdivisionsX: int(1, 1, 256),
    subdivisionsY: int(1, 1, 256),
  };
  declare width: number;
  declare height: number;
  declare subdivisionsX: number;
  declare subdivisionsY: number;

  /** The original's `.size(w, h)`. */
  size(width: number, height = width): this {
    this.width = width;
    this.height = height;
    return this;
  }

  /** The original's `.subdivisions(x, y)`. */
  subdivisions(x: number, y = x): this {
    this.subdivisionsX = x;
    this.subdivisionsY = y;
    return this;
  }

  protected build(): CpuMesh {
    return buildPlane(this.width, this.height, clampInt(this.subdivisionsX, 1, 256), clampInt(this.subdivisionsY, 1, 256));
  }
}
defineOperator(Plane);

/** Segment counts outside the declared range would make degenerate or huge meshes: clamp them. */
function clampInt(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(value)));
}
