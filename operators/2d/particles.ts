import { TextureOperator, defineOperator, type CookContext, type InitContext } from "../../runtime/chain/operator.ts";
import { bool, choice, color, float, int, vec2 } from "../../runtime/chain/params.ts";
import { CIRCLE_FLOATS, CircleRenderer } from "./circles.ts";
import { Random, hash01, hsvToRgb } from "./draw-buffers.ts";

export const EMITTER_SHAPES = ["point", "line", "ring", "disc", "rectangle"] as const;
export type EmitterShape = (typeof EMITTER_SHAPES)[number];
export const PARTICLE_COLOR_MODES = ["solid", "gradient", "rainbow", "random"] as const;
export type ParticleColorMode = (typeof PARTICLE_COLOR_MODES)[number];

const DEG = Math.PI / 180;
const TAU = Math.PI * 2;

/**
 * The simulation's JS state: structure-of-arrays sized for maxParticles, alive particles packed at
 * the front in emission order; positions and velocities in output-height units. It is what a reload hands over (`adopt`), so particles keep flying.
 */
class ParticleState {
  count = 0;
  /** Emission counter: the particle's identity for the rainbow / random colour modes. */
  nextId = 0;
  emitAccumulator = 0;
  /**
   * The time last simulated. A build's first cook runs at the time of the frame drawn last (on a
   * reload, one the adopted state has simulated already), so it adds no step; the next frame does.
   */
  simulatedTime = Number.NaN;
  px: Float32Array;
  py: Float32Array;
  vx: Float32Array;
  vy: Float32Array;
  life: Float32Array;
  maxLife: Float32Array;
  /** Per-particle size factor from sizeVariation (1 ± variation). */
  sizeFactor: Float32Array;
  id: Uint32Array;

  constructor(readonly capacity: number) {
    this.px = new Float32Array(capacity);
    this.py = new Float32Array(capacity);
    this.vx = new Float32Array(capacity);
    this.vy = new Float32Array(capacity);
    this.life = new Float32Array(capacity);
    this.maxLife = new Float32Array(capacity);
    this.sizeFactor = new Float32Array(capacity);
    this.id = new Uint32Array(capacity);
  }

  /** A copy with another capacity; the oldest particles are kept when it shrinks. */
  resized(capacity: number): ParticleState {
    const next = new ParticleState(capacity);
    const keep = Math.min(this.count, capacity);
    for (const key of ["px", "py", "vx", "vy", "life", "maxLife", "sizeFactor", "id"] as const) {
      (next[key] as Float32Array).set((this[key] as Float32Array).subarray(0, keep));
    }
    next.count = keep;
    next.nextId = this.nextId;
    next.emitAccumulator = this.emitAccumulator;
    next.simulatedTime = this.simulatedTime;
    return next;
  }
}

/**
 * A 2D particle system simulated on the CPU and drawn as instanced discs: an emitter (point, line,
 * ring, disc or rectangle) releases `emitRate` particles per second plus any `burst(n)`; each flies
 * with its initial velocity under gravity, drag, turbulence and an optional attractor, and dies after
 * `life` seconds. `position` and `attractor` are normalised (0..1 across the width and down the
 * height); every distance — emitter size, velocities, gravity, particle radii — is in units of the
 * output height, so a ring emitter is round and motion is not stretched on a wide output (the
 * original simulated in 0..1 on both axes, stretching x by the aspect ratio). A seed and fixed time
 * give the same frames every run.
 *
 * The original's setter methods (`emitRate(50)`, `size(0.02, end)`, `attractor(x, y, s)`) are params
 * here (`particles.emitRate = 50`), so they are listed and introspectable: `size(s, end)` is `size` +
 * `sizeEnd`, `attractor(x, y, s)` is `attractor` + `attractorStrength`, `emitter(EmitterShape::Disc)`
 * is `emitter = "disc"`.
 */
export class Particles extends TextureOperator {
  static override readonly description = "CPU particle system with emitters and physics, drawn as instanced discs";
  static override readonly params = {
    emitter: choice<EmitterShape>("point", EMITTER_SHAPES),
    position: vec2([0.5, 0.5], -1, 2),
    emitterSize: float(0.1, 0, 2),
    /** Radians: the direction of a line emitter. */
    emitterAngle: float(0, -6.283, 6.283),
    emitRate: float(50, 0, 10000),
    maxParticles: int(10000, 1, 1000000),
    velocity: vec2([0, -0.2], -5, 5),
    radialVelocity: float(0, -5, 5),
    /** Degrees: the cone the initial velocity is rotated within. */
    spread: float(0, 0, 360),
    velocityVariation: float(0, 0, 1),
    gravity: float(0.1, -5, 5),
    drag: float(0, 0, 10),
    turbulence: float(0, 0, 10),
    attractor: vec2([0.5, 0.5], -1, 2),
    attractorStrength: float(0, -5, 5),
    life: float(2, 0.01, 60),
    lifeVariation: float(0.2, 0, 1),
    size: float(0.02, 0, 0.5),
    /** Radius at the end of life; -1 keeps `size` (the original's `size(s)` with no end). */
    sizeEnd: float(-1, -1, 0.5),
    sizeVariation: float(0, 0, 1),
    color: color([1, 0.5, 0.2, 1]),
    colorEnd: color([1, 0, 0, 0]),
    colorMode: choice<ParticleColorMode>("solid", PARTICLE_COLOR_MODES),
    /** Fraction of life over which a particle fades in (0 = none). */
    fadeIn: float(0, 0, 1),
    fadeOut: bool(true),
    clearColor: color([0, 0, 0, 1]),
    seed: int(42, 0, 2147483647),
  };

  declare emitter: EmitterShape;
  declare position: readonly number[];
  declare emitterSize: number;
  declare emitterAngle: number;
  declare emitRate: number;
  declare maxParticles: number;
  declare velocity: readonly number[];
  declare radialVelocity: number;
  declare spread: number;
  declare velocityVariation: number;
  declare gravity: number;
  declare drag: number;
  declare turbulence: number;
  declare attractor: readonly number[];
  declare attractorStrength: number;
  declare life: number;
  declare lifeVariation: number;
  declare size: number;
  declare sizeEnd: number;
  declare sizeVariation: number;
  declare color: readonly number[];
  declare colorEnd: readonly number[];
  declare colorMode: ParticleColorMode;
  declare fadeIn: number;
  declare fadeOut: boolean;
  declare clearColor: readonly number[];
  declare seed: number;

  private state = new ParticleState(0);
  private random = new Random(42);
  private seededWith = 42;
  private pendingBurst = 0;
  private circles?: CircleRenderer;
  private instanceData = new Float32Array(0);

  /** Releases `count` particles at once on the next frame (added to the continuous emission). */
  burst(count: number): this {
    if (!Number.isFinite(count) || count < 0) throw new RangeError(`${this.name}.burst(${count}): expects a count >= 0`);
    this.pendingBurst += Math.floor(count);
    return this;
  }

  /** Removes every particle (emission goes on). */
  clear(): this {
    this.state.count = 0;
    return this;
  }

  /** Particles alive now. */
  get particleCount(): number {
    return this.state.count;
  }

  override isTimeDependent(): boolean {
    return true;
  }

  init(_ctx: InitContext): void {
    this.circles = new CircleRenderer(this.scope, "2d/particles.wgsl");
    this.syncCapacity();
    this.ensureOutput();
  }

  /** Particles keep flying across a reload: the simulation state and random stream come over. */
  override adopt(previous: this): void {
    this.state = previous.state;
    this.syncCapacity();
    if (previous.seededWith === this.seed) {
      this.random = previous.random;
      this.seededWith = previous.seededWith;
    }
  }

  cook(ctx: CookContext): void {
    const target = this.ensureOutput();
    this.syncCapacity();
    if (this.seededWith !== this.seed) {
      this.random = new Random(this.seed);
      this.seededWith = this.seed;
    }
    if (this.state.simulatedTime !== ctx.time) {
      this.simulate(Math.max(0, ctx.dt));
      this.state.simulatedTime = ctx.time;
    }
    const count = this.writeInstances();
    this.circles!.draw(ctx.frame, ctx.gpu.queue, this.name, target, this.clearColor, this.instanceData, count);
  }

  /** Output width / height: x in the simulation is in height units (0..aspect). */
  private aspect(): number {
    const [width, height] = this.outputSize;
    return width / height;
  }

  /** Sizes the state, the staging array and the instance buffer for maxParticles. */
  private syncCapacity(): void {
    const max = this.maxParticles;
    if (this.state.capacity !== max) this.state = this.state.resized(max);
    if (this.instanceData.length !== max * CIRCLE_FLOATS) this.instanceData = new Float32Array(max * CIRCLE_FLOATS);
    this.circles?.reserve(max);
  }

  private simulate(dt: number): void {
    const s = this.state;
    if (this.pendingBurst > 0) {
      for (let i = 0; i < this.pendingBurst && s.count < s.capacity; i++) this.emit();
      this.pendingBurst = 0;
    }
    s.emitAccumulator += this.emitRate * dt;
    while (s.emitAccumulator >= 1) {
      if (s.count < s.capacity) this.emit();
      s.emitAccumulator -= 1;
    }
    this.step(dt);
  }

  private emit(): void {
    const s = this.state;
    const rng = this.random;
    const i = s.count++;
    const aspect = this.aspect();
    const cx = this.position[0]! * aspect;
    const cy = this.position[1]!;
    const size = this.emitterSize;
    let x = cx;
    let y = cy;
    switch (this.emitter) {
      case "line": {
        const offset = rng.signed() * size * 0.5;
        x += offset * Math.cos(this.emitterAngle);
        y += offset * Math.sin(this.emitterAngle);
        break;
      }
      case "ring": {
        const angle = rng.next() * TAU;
        x += size * Math.cos(angle);
        y += size * Math.sin(angle);
        break;
      }
      case "disc": {
        const angle = rng.next() * TAU;
        const radius = Math.sqrt(rng.next()) * size;
        x += radius * Math.cos(angle);
        y += radius * Math.sin(angle);
        break;
      }
      case "rectangle":
        x += rng.signed() * size * 0.5;
        y += rng.signed() * size * 0.5;
        break;
    }
    let [vx, vy] = this.velocity as [number, number];
    if (this.radialVelocity !== 0) {
      const dx = x - cx;
      const dy = y - cy;
      const length = Math.hypot(dx, dy);
      if (length > 0.001) {
        vx += (dx / length) * this.radialVelocity;
        vy += (dy / length) * this.radialVelocity;
      } else {
        const angle = rng.next() * TAU;
        vx += Math.cos(angle) * this.radialVelocity;
        vy += Math.sin(angle) * this.radialVelocity;
      }
    }
    if (this.spread > 0) {
      const angle = rng.signed() * this.spread * DEG * 0.5;
      const c = Math.cos(angle);
      const sn = Math.sin(angle);
      [vx, vy] = [vx * c - vy * sn, vx * sn + vy * c];
    }
    if (this.velocityVariation > 0) {
      const factor = 1 + this.velocityVariation * rng.signed();
      vx *= factor;
      vy *= factor;
    }
    const maxLife = Math.max(1e-3, this.life * (1 + this.lifeVariation * rng.signed()));
    s.px[i] = x;
    s.py[i] = y;
    s.vx[i] = vx;
    s.vy[i] = vy;
    s.life[i] = maxLife;
    s.maxLife[i] = maxLife;
    s.sizeFactor[i] = 1 + this.sizeVariation * rng.signed();
    s.id[i] = s.nextId++ >>> 0;
  }

  /** Integrates every particle by `dt` and packs the survivors (emission order is kept). */
  private step(dt: number): void {
    const s = this.state;
    const rng = this.random;
    const gravity = this.gravity;
    const dragFactor = this.drag > 0 ? 1 - this.drag * dt : 1;
    const turbulence = this.turbulence * dt;
    const ax = this.attractor[0]! * this.aspect();
    const ay = this.attractor[1]!;
    const pull = this.attractorStrength * dt;
    let alive = 0;
    for (let i = 0; i < s.count; i++) {
      let vx = s.vx[i]!;
      let vy = s.vy[i]! + gravity * dt;
      vx *= dragFactor;
      vy *= dragFactor;
      if (turbulence > 0) {
        vx += rng.signed() * turbulence;
        vy += rng.signed() * turbulence;
      }
      if (pull !== 0) {
        const dx = ax - s.px[i]!;
        const dy = ay - s.py[i]!;
        const distance = Math.hypot(dx, dy);
        if (distance > 0.01) {
          vx += (dx / distance) * (pull / distance);
          vy += (dy / distance) * (pull / distance);
        }
      }
      const life = s.life[i]! - dt;
      if (life <= 0) continue;
      s.px[alive] = s.px[i]! + vx * dt;
      s.py[alive] = s.py[i]! + vy * dt;
      s.vx[alive] = vx;
      s.vy[alive] = vy;
      s.life[alive] = life;
      s.maxLife[alive] = s.maxLife[i]!;
      s.sizeFactor[alive] = s.sizeFactor[i]!;
      s.id[alive] = s.id[i]!;
      alive++;
    }
    s.count = alive;
  }

  /** Fills the staging array with one disc per particle; returns the count. */
  private writeInstances(): number {
    const s = this.state;
    const out = this.instanceData;
    const start = this.size;
    const end = this.sizeEnd < 0 ? start : this.sizeEnd;
    const [r0, g0, b0, a0] = this.color as [number, number, number, number];
    const [r1, g1, b1, a1] = this.colorEnd as [number, number, number, number];
    const mode = this.colorMode;
    const fadeIn = this.fadeIn;
    const fadeOut = this.fadeOut;
    const toNormalized = 1 / this.aspect();
    for (let i = 0; i < s.count; i++) {
      const o = i * CIRCLE_FLOATS;
      const lifeRatio = s.life[i]! / s.maxLife[i]!;
      const age = 1 - lifeRatio;
      out[o] = s.px[i]! * toNormalized;
      out[o + 1] = s.py[i]!;
      out[o + 2] = Math.max(0, (start + (end - start) * age) * s.sizeFactor[i]!);
      out[o + 3] = 0;
      let alpha: number;
      switch (mode) {
        case "gradient":
          out[o + 4] = r0 + (r1 - r0) * age;
          out[o + 5] = g0 + (g1 - g0) * age;
          out[o + 6] = b0 + (b1 - b0) * age;
          alpha = a0 + (a1 - a0) * age;
          break;
        case "rainbow":
          hsvToRgb((s.id[i]! * 0.1) % 1, 0.8, 1, out, o + 4);
          alpha = 1;
          break;
        case "random": {
          const id = s.id[i]! * 3;
          out[o + 4] = hash01(id);
          out[o + 5] = hash01(id + 1);
          out[o + 6] = hash01(id + 2);
          alpha = 1;
          break;
        }
        default:
          out[o + 4] = r0;
          out[o + 5] = g0;
          out[o + 6] = b0;
          alpha = a0;
      }
      if (fadeIn > 0 && age < fadeIn) alpha *= age / fadeIn;
      if (fadeOut) alpha *= lifeRatio;
      out[o + 7] = alpha;
    }
    return s.count;
  }
}
defineOperator(Particles);
