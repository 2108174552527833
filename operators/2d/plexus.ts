import { TextureOperator, defineOperator, type CookContext, type InitContext } from "../../runtime/chain/operator.ts";
import { bool, color, float, int } from "../../runtime/chain/params.ts";
import { OUTPUT_FORMAT, type BufferHandle, type LayoutEntry } from "../../runtime/gpu/gpu.ts";
import { loadShader } from "../../runtime/gpu/shaders.ts";
import { ALPHA_BLEND } from "./circles.ts";
import { GrowableBuffer, Random } from "./draw-buffers.ts";

const VERTEX = 0x1;
const FRAGMENT = 0x2;
const UNIFORM = 0x40;
const COPY_DST = 0x08;

/** Lines drawn at most (n·(n−1)/2 for n nodes, capped): 8 MB of instances. */
export const MAX_PLEXUS_LINES = 1 << 18;

/** Lines add up where they cross, as in the original. */
const ADDITIVE: GPUBlendState = {
  color: { srcFactor: "src-alpha", dstFactor: "one", operation: "add" },
  alpha: { srcFactor: "one", dstFactor: "one", operation: "add" },
};

const LINE_LAYOUT: GPUVertexBufferLayout = {
  arrayStride: 32,
  stepMode: "instance",
  attributes: [
    { shaderLocation: 0, offset: 0, format: "float32x4" },
    { shaderLocation: 1, offset: 16, format: "float32x4" },
  ],
};

const NODE_LAYOUT: GPUVertexBufferLayout = {
  arrayStride: 16,
  stepMode: "instance",
  attributes: [{ shaderLocation: 0, offset: 0, format: "float32x4" }],
};

// Inter-node repulsion, as the original's constants.
const REPULSION_RADIUS = 0.15;
const REPULSION_STRENGTH = 0.12;

/** The original's value noise: sin-hash on a 57-wide lattice, smoothstep interpolation, 0..1. */
function hash(n: number): number {
  return (Math.sin(n) * 43758.5453) % 1;
}
function noise2(x: number, y: number): number {
  const i = Math.floor(x);
  const j = Math.floor(y);
  const fx = x - i;
  const fy = y - j;
  const a = hash(i + j * 57);
  const b = hash(i + 1 + j * 57);
  const c = hash(i + (j + 1) * 57);
  const d = hash(i + 1 + (j + 1) * 57);
  const ux = fx * fx * (3 - 2 * fx);
  const uy = fy * fy * (3 - 2 * fy);
  return a + (b - a) * ux + (c - a) * uy + (a - b - c + d) * ux * uy;
}

/** Node positions and velocities (x, y, z each); a reload hands them over. */
interface PlexusNodes {
  count: number;
  seed: number;
  is3D: boolean;
  position: Float32Array;
  velocity: Float32Array;
  cameraAngle: number;
  /** The time last simulated: a reload's first cook runs at the time the running chain simulated last. */
  simulatedTime: number;
}

/**
 * A plexus network: `nodeCount` nodes drift under noise turbulence, mutual repulsion, drag and a soft
 * pull to the centre; every pair closer than `connectionDistance` is joined by a line that fades with
 * distance. Lines are instanced screen-space quads (`lineWidth` in pixels), nodes instanced discs.
 * With `enable3D` the nodes fill a volume `depth` deep, seen by a camera orbiting at
 * `cameraDistance`, turning at `autoRotate` rad/s.
 *
 * Coordinates as the original's: nodes live in −spread/2..spread/2 around the centre, mapped to the
 * full output in 2D; `nodeSize` is a disc radius in clip-space units (0.004 ≈ 2 px at 1080 lines).
 * Instance buffers hold n·(n−1)/2 lines (at most MAX_PLEXUS_LINES) and grow only with nodeCount.
 */
export class Plexus extends TextureOperator {
  static override readonly description = "Drifting nodes joined by lines when close (2D or orbiting 3D)";
  static override readonly params = {
    nodeCount: int(200, 2, 4000),
    nodeSize: float(0.004, 0, 0.1),
    nodeColor: color([1, 1, 1, 0.8]),
    connectionDistance: float(0.1, 0, 1),
    lineWidth: float(1, 0.1, 20),
    lineColor: color([1, 1, 1, 0.4]),
    turbulence: float(0.1, 0, 2),
    drag: float(0.5, 0, 10),
    centerAttraction: float(0.02, 0, 1),
    spread: float(0.8, 0.01, 4),
    depth: float(0.5, 0, 4),
    enable3D: bool(false),
    cameraDistance: float(2.5, 0.5, 20),
    autoRotate: float(0.2, -5, 5),
    clearColor: color([0, 0, 0, 1]),
    seed: int(42, 0, 2147483647),
  };

  declare nodeCount: number;
  declare nodeSize: number;
  declare nodeColor: readonly number[];
  declare connectionDistance: number;
  declare lineWidth: number;
  declare lineColor: readonly number[];
  declare turbulence: number;
  declare drag: number;
  declare centerAttraction: number;
  declare spread: number;
  declare depth: number;
  declare enable3D: boolean;
  declare cameraDistance: number;
  declare autoRotate: number;
  declare clearColor: readonly number[];
  declare seed: number;

  private nodes?: PlexusNodes;
  private lines = new GrowableBuffer("lines", 32);
  private nodeBuffer = new GrowableBuffer("nodes", 16);
  private lineData = new Float32Array(0);
  private nodeData = new Float32Array(0);
  private lineCount = 0;
  private uniforms?: BufferHandle;
  private uniformData = new Float32Array(32);
  private linePipeline?: GPURenderPipeline;
  private nodePipeline?: GPURenderPipeline;
  private bindGroup?: GPUBindGroup;

  /** Lines drawn in the last frame. */
  get connectionCount(): number {
    return this.lineCount;
  }

  override isTimeDependent(): boolean {
    return true;
  }

  init(_ctx: InitContext): void {
    const shader = loadShader("2d/plexus.wgsl");
    const entries: LayoutEntry[] = [{ binding: 0, visibility: VERTEX | FRAGMENT, kind: "uniform" }];
    const layout = this.scope.layout(entries);
    const common = { shader, targets: [OUTPUT_FORMAT], layouts: [layout] };
    this.linePipeline = this.scope.renderPipeline({ ...common, vertexEntry: "vs_line", fragmentEntry: "fs_line", blend: ADDITIVE, vertexBuffers: [LINE_LAYOUT] });
    this.nodePipeline = this.scope.renderPipeline({ ...common, vertexEntry: "vs_node", fragmentEntry: "fs_node", blend: ALPHA_BLEND, vertexBuffers: [NODE_LAYOUT] });
    this.uniforms = this.scope.buffer("params", 128, UNIFORM | COPY_DST);
    this.bindGroup = this.scope.bindGroup(layout, entries, [this.uniforms]);
    this.syncCapacity();
    this.ensureOutput();
  }

  /** The network keeps drifting across a reload (same node count and seed). */
  override adopt(previous: this): void {
    if (previous.nodes) this.nodes = previous.nodes;
    this.lines.adoptCapacity(this.scope, previous.lines);
    this.nodeBuffer.adoptCapacity(this.scope, previous.nodeBuffer);
  }

  cook(ctx: CookContext): void {
    const target = this.ensureOutput();
    const nodes = this.syncNodes();
    this.syncCapacity();
    if (nodes.simulatedTime !== ctx.time) {
      this.simulate(nodes, Math.max(0, ctx.dt), ctx.time);
      nodes.simulatedTime = ctx.time;
    }
    this.findConnections(nodes);
    const queue = ctx.gpu.queue;
    this.writeUniforms(queue, target.width, target.height, nodes.cameraAngle);
    const n = nodes.count;
    for (let i = 0; i < n; i++) {
      this.nodeData[i * 4] = nodes.position[i * 3]!;
      this.nodeData[i * 4 + 1] = nodes.position[i * 3 + 1]!;
      this.nodeData[i * 4 + 2] = nodes.position[i * 3 + 2]!;
      this.nodeData[i * 4 + 3] = 0;
    }
    this.nodeBuffer.write(queue, this.nodeData, n);
    this.lines.write(queue, this.lineData, this.lineCount);

    const clear = this.clearColor;
    const pass = ctx.frame.renderPass(this.name, {
      colorAttachments: [{ view: target.view, loadOp: "clear", storeOp: "store", clearValue: [clear[0]!, clear[1]!, clear[2]!, clear[3]!] }],
    });
    pass.setBindGroup(0, this.bindGroup!);
    if (this.lineCount > 0) {
      pass.setPipeline(this.linePipeline!);
      pass.setVertexBuffer(0, this.lines.handle!.buffer, 0, this.lineCount * 32);
      pass.draw(6, this.lineCount);
    }
    if (n > 0 && this.nodeSize > 0) {
      pass.setPipeline(this.nodePipeline!);
      pass.setVertexBuffer(0, this.nodeBuffer.handle!.buffer, 0, n * 16);
      pass.draw(6, n);
    }
    pass.end();
  }

  private maxLines(): number {
    const n = this.nodeCount;
    return Math.min(MAX_PLEXUS_LINES, (n * (n - 1)) / 2);
  }

  /** Staging arrays and instance buffers for the current node count (grow only). */
  private syncCapacity(): void {
    const n = this.nodeCount;
    const lines = this.maxLines();
    this.lines.grow(this.scope, lines);
    this.nodeBuffer.grow(this.scope, n);
    if (this.lineData.length < lines * 8) this.lineData = new Float32Array(this.lines.capacity * 8);
    if (this.nodeData.length < n * 4) this.nodeData = new Float32Array(this.nodeBuffer.capacity * 4);
  }

  /** Scatters the nodes again when the count, seed or 2D/3D mode changed (as the original's initNodes). */
  private syncNodes(): PlexusNodes {
    const current = this.nodes;
    if (current && current.count === this.nodeCount && current.seed === this.seed && current.is3D === this.enable3D) return current;
    const n = this.nodeCount;
    const rng = new Random(this.seed);
    const position = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) {
      position[i * 3] = (rng.next() - 0.5) * this.spread;
      position[i * 3 + 1] = (rng.next() - 0.5) * this.spread;
      position[i * 3 + 2] = this.enable3D ? (rng.next() - 0.5) * this.depth : 0;
    }
    this.nodes = { count: n, seed: this.seed, is3D: this.enable3D, position, velocity: new Float32Array(n * 3), cameraAngle: current?.cameraAngle ?? 0, simulatedTime: Number.NaN };
    return this.nodes;
  }

  private simulate(nodes: PlexusNodes, dt: number, time: number): void {
    const { position: p, velocity: v, count: n } = nodes;
    const is3D = this.enable3D;
    const turbulence = this.turbulence * dt;
    const halfSpread = this.spread * 0.5;
    const dragFactor = 1 - this.drag * dt;
    for (let i = 0; i < n; i++) {
      const x = p[i * 3]!;
      const y = p[i * 3 + 1]!;
      const z = p[i * 3 + 2]!;
      let vx = v[i * 3]! + (noise2(x * 3 + time * 0.5, y * 3) * 2 - 1) * turbulence;
      let vy = v[i * 3 + 1]! + (noise2(x * 3, y * 3 + time * 0.5) * 2 - 1) * turbulence;
      let vz = is3D ? v[i * 3 + 2]! + (noise2(y * 3 + time * 0.3, z * 3) * 2 - 1) * turbulence * 0.5 : 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const dx = x - p[j * 3]!;
        const dy = y - p[j * 3 + 1]!;
        const dz = is3D ? z - p[j * 3 + 2]! : 0;
        const d2 = dx * dx + dy * dy + dz * dz;
        if (d2 >= REPULSION_RADIUS * REPULSION_RADIUS || d2 <= 1e-6) continue;
        const d = Math.sqrt(d2);
        const force = (REPULSION_STRENGTH * (1 - d / REPULSION_RADIUS) * dt) / d;
        vx += dx * force;
        vy += dy * force;
        vz += dz * force;
      }
      // Soft pull to the centre, stronger with distance (no hard walls).
      const cz = is3D ? z : 0;
      const fromCenter = Math.sqrt(x * x + y * y + cz * cz);
      if (fromCenter > 0.001) {
        const normalized = fromCenter / halfSpread;
        const pull = (this.centerAttraction * (1 + normalized * normalized * 4) * dt) / fromCenter;
        vx -= x * pull;
        vy -= y * pull;
        vz -= cz * pull;
      }
      vx *= dragFactor;
      vy *= dragFactor;
      vz *= dragFactor;
      p[i * 3] = x + vx * dt;
      p[i * 3 + 1] = y + vy * dt;
      p[i * 3 + 2] = is3D ? z + vz * dt : 0;
      v[i * 3] = vx;
      v[i * 3 + 1] = vy;
      v[i * 3 + 2] = is3D ? vz : 0;
    }
    if (is3D) nodes.cameraAngle += this.autoRotate * dt;
  }

  /** Every pair closer than connectionDistance, with alpha 1 − d / connectionDistance. */
  private findConnections(nodes: PlexusNodes): void {
    const { position: p, count: n } = nodes;
    const maxDistance = this.connectionDistance;
    const max2 = maxDistance * maxDistance;
    const capacity = Math.min(this.lines.capacity, MAX_PLEXUS_LINES);
    const out = this.lineData;
    let count = 0;
    for (let i = 0; i < n && count < capacity; i++) {
      const x = p[i * 3]!;
      const y = p[i * 3 + 1]!;
      const z = p[i * 3 + 2]!;
      for (let j = i + 1; j < n; j++) {
        const dx = p[j * 3]! - x;
        const dy = p[j * 3 + 1]! - y;
        const dz = p[j * 3 + 2]! - z;
        const d2 = dx * dx + dy * dy + dz * dz;
        if (d2 >= max2 || d2 <= 1e-4) continue;
        const o = count * 8;
        out[o] = x;
        out[o + 1] = y;
        out[o + 2] = z;
        out[o + 3] = 0;
        out[o + 4] = p[j * 3]!;
        out[o + 5] = p[j * 3 + 1]!;
        out[o + 6] = p[j * 3 + 2]!;
        out[o + 7] = 1 - Math.sqrt(d2) / maxDistance;
        if (++count >= capacity) break;
      }
    }
    this.lineCount = count;
  }

  /** Packs `Params` (plexus.wgsl): viewProj @0, resolution @64, lineWidth @72, aspect @76, lineColor @80, nodeColor @96, nodeSize @112. */
  private writeUniforms(queue: GPUQueue, width: number, height: number, cameraAngle: number): void {
    const u = this.uniformData;
    const aspect = width / height;
    u.set(this.enable3D ? orbitViewProjection(this.cameraDistance, cameraAngle, aspect) : ORTHO_2D, 0);
    u[16] = width;
    u[17] = height;
    u[18] = this.lineWidth;
    u[19] = aspect;
    u.set(this.lineColor, 20);
    u.set(this.nodeColor, 24);
    u[28] = this.nodeSize;
    queue.writeBuffer(this.uniforms!.buffer, 0, u.buffer as ArrayBuffer, 0, 128);
  }
}
defineOperator(Plexus);

/** 2D: x·2, y·−2 (column-major), so −0.5..0.5 fills the output with y down, as the original. */
const ORTHO_2D = new Float32Array([2, 0, 0, 0, 0, -2, 0, 0, 0, 0, 1, 0, 0, 0, 0.5, 1]);

/**
 * Perspective (fov 0.8 rad, WebGPU depth 0..1) × look-at from a camera orbiting the origin at
 * `distance`, raised by 0.3·distance; column-major for WGSL's mat4x4f.
 */
export function orbitViewProjection(distance: number, angle: number, aspect: number): Float32Array {
  const eye = [Math.sin(angle) * distance, distance * 0.3, Math.cos(angle) * distance];
  const f = normalize([-eye[0]!, -eye[1]!, -eye[2]!]);
  const r = normalize(cross(f, [0, 1, 0]));
  const u = cross(r, f);
  // View matrix rows: r, u, −f; translation −R·eye.
  const view = [
    [r[0]!, r[1]!, r[2]!, -dot(r, eye)],
    [u[0]!, u[1]!, u[2]!, -dot(u, eye)],
    [-f[0]!, -f[1]!, -f[2]!, dot(f, eye)],
    [0, 0, 0, 1],
  ];
  const near = 0.1;
  const far = 100;
  const focal = 1 / Math.tan(0.4);
  const proj = [
    [focal / aspect, 0, 0, 0],
    [0, focal, 0, 0],
    [0, 0, far / (near - far), (far * near) / (near - far)],
    [0, 0, -1, 0],
  ];
  const out = new Float32Array(16);
  for (let row = 0; row < 4; row++) {
    for (let col = 0; col < 4; col++) {
      let sum = 0;
      for (let k = 0; k < 4; k++) sum += proj[row]![k]! * view[k]![col]!;
      out[col * 4 + row] = sum;
    }
  }
  return out;
}

function dot(a: number[], b: number[]): number {
  return a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
}
function cross(a: number[], b: number[]): number[] {
  return [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
}
function normalize(a: number[]): number[] {
  const length = Math.hypot(a[0]!, a[1]!, a[2]!) || 1;
  return [a[0]! / length, a[1]! / length, a[2]! / length];
}
