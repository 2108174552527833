/**
 * Operator base classes.
 *
 * Operator          named node with typed params, inputs by name, dirty flag, lifecycle
 * TextureOperator   has an RGBA16F output texture; generators declare a resolution, filters match input 0
 * ShaderOperator    one full-screen pass of one .wgsl file whose `Params` struct is the param declaration
 *
 * An operator never creates GPU objects itself: it asks its `GpuScope` (runtime/gpu), which takes them
 * from the caches and gives them back when the operator is disposed.
 */
import type { BufferHandle, Frame, Gpu, GpuScope, TextureHandle } from "../gpu/gpu.ts";
import { FullscreenPass } from "../gpu/fullscreen-pass.ts";
import { OUTPUT_FORMAT } from "../gpu/gpu.ts";
import { loadShader, wgslStructFields, type ShaderSource } from "../gpu/shaders.ts";
import { isPixelShader, loadPixelShader } from "../gpu/dispatch.ts";
import { suggest } from "../reload/errors.ts";
import {
  describe,
  normalize,
  uniformLayout,
  writeField,
  WGSL_TYPES,
  type ParamDecl,
  type ParamDecls,
  type ParamInfo,
  type ParamValue,
  type UniformField,
} from "./params.ts";

/** What an operator outputs: a texture, a value, one of the 3D kinds that feed Render3D, or sound (runtime/audio). */
export type OutputKind = "texture" | "value" | "geometry" | "scene" | "camera" | "light" | "audio";

/** What an operator's `cook` gets each frame it cooks. */
export interface CookContext {
  gpu: Gpu;
  frame: Frame;
  time: number;
  dt: number;
  frameIndex: number;
}

/** What an operator's `prepare` gets, between frames. */
export interface PrepareContext {
  /** --fixed-fps (or --record): the next frame must show exactly what its time calls for, so wait for it. */
  deterministic: boolean;
  /** The next frame's time when deterministic (its frame / fps); undefined otherwise. */
  time?: number;
}

/** What an operator's `init` gets: the GPU, for its scope's caches. */
export interface InitContext {
  gpu: Gpu;
}

export interface OperatorClass<T extends Operator = Operator> {
  new (name: string): T;
  /** Declared params: name → type, default, min, max. */
  readonly params: ParamDecls;
  readonly outputKind: OutputKind;
  /** One line for `bun vivid operators`. */
  readonly description?: string;
}

const TEXTURE_USAGE = 0x04 /* TEXTURE_BINDING */ | 0x10 /* RENDER_ATTACHMENT */ | 0x01 /* COPY_SRC */;
const STORAGE_BINDING = 0x08;

export abstract class Operator {
  static readonly params: ParamDecls = {};
  static readonly outputKind: OutputKind = "texture";
  static readonly description: string = "";

  /** Input operator names by index, set with `input(name, index)`. */
  readonly inputNames: string[] = [];
  /** Where each `input()` call was made (for errors that point at the user's line). */
  readonly inputSites: Error[] = [];
  /** Resolved by the chain before init. */
  inputs: Operator[] = [];
  /** Set when `bypass` changes; the chain clears it in its next process() (see `bypass`). */
  bypassToggled = false;
  private bypassed = false;
  /** Set when a param changes; cleared after cooking. */
  dirty = true;
  /**
   * Counts param changes. An operator that keeps its params in a GPU buffer compares it with the count
   * it last uploaded: `dirty` is no guide there, as the chain clears it after any cook, including
   * one that uploads nothing (Feedback's first cook after a reload skips its pass).
   */
  protected paramsVersion = 0;
  /** Frame index at which this operator last cooked (inputs compare against it). */
  cookedAt = -1;
  /** Where `chain.add` was called. */
  addSite?: Error;
  scope!: GpuScope;
  /**
   * Where a warning about a param goes (a value clamped to its range, a bad value ignored while
   * running): the chain sets it to its own sink, which the engine sends to the stats stream. The
   * Error's stack locates the user's line.
   */
  onWarning: (warning: Error) => void = () => {};
  /** The warnings shown so far, one per kind and param ("range:scale"), so a per-frame assignment warns once. */
  private warned = new Set<string>();

  /** The serial of this instance's last CPU write into each pooled GPU object it fills (see `wrote`). */
  private ownWrites = new WeakMap<object, number>();
  /** Current param values by name (not `values`: SerialIn has a public `values`, its CSV numbers). */
  private paramValues = new Map<string, ParamValue>();
  /** Params driven by a function each frame (`bind`, `bindDirect`); assigning the param clears its binding. */
  private bindings = new Map<string, () => unknown>();
  /** Where each binding was made: a warning about the value it gives is located there (its function is off the stack by then). */
  private bindingSites = new Map<string, Error>();

  constructor(readonly name: string) {
    for (const [param, decl] of this.paramEntries()) this.paramValues.set(param, decl.default);
  }

  /**
   * Passes input 0 through unchanged. Toggling it counts as a change of this operator's output, so
   * the operators downstream cook again even when nothing upstream moved.
   */
  get bypass(): boolean {
    return this.bypassed;
  }

  set bypass(on: boolean) {
    if (on === this.bypassed) return;
    this.bypassed = on;
    this.bypassToggled = true;
  }

  get typeName(): string {
    return this.constructor.name;
  }

  get outputKind(): OutputKind {
    return (this.constructor as OperatorClass).outputKind;
  }

  /** Connects input `index` (default 0) to the operator called `name`. */
  input(name: string, index = 0): this {
    if (typeof name !== "string") throw new TypeError(`${this.name}.input() expects an operator name (string)`);
    this.inputNames[index] = name;
    this.inputSites[index] = new Error(`input "${name}"`);
    return this;
  }

  params(): ParamInfo[] {
    return this.paramEntries().map(([name, decl]) => ({ name, ...decl }));
  }

  getParam(name: string): ParamValue {
    const value = this.paramValues.get(name);
    if (value === undefined) throw new Error(`${this.typeName} "${this.name}" has no param "${name}"${suggest(name, this.paramNames())} (has: ${this.paramNames().join(", ")})`);
    return value;
  }

  /** Sets a param (and drops its binding, as assignment does in the original). */
  setParam(name: string, value: unknown): void {
    this.bindings.delete(name);
    this.bindingSites.delete(name);
    this.writeParam(name, value);
  }

  /**
   * Drives number param `name` from `source` every frame: its 0..1 result is mapped onto min..max
   * (default: the param's declared range). The original's `noise.scale.bind(fn, min, max)`.
   */
  bind(name: string, source: () => number, min?: number, max?: number): this {
    const decl = this.declOf(name);
    if (decl.type !== "float" && decl.type !== "int") {
      throw new TypeError(`${this.name}.bind("${name}", …): maps 0..1 onto a range, so it takes number params only; use bindDirect for a ${decl.type}`);
    }
    const low = min ?? decl.min ?? 0;
    const high = max ?? decl.max ?? 1;
    this.bindings.set(name, () => low + source() * (high - low));
    this.bindingSites.set(name, new Error("bind"));
    return this;
  }

  /** Drives param `name` from `source` every frame, using its value as it is. */
  bindDirect(name: string, source: () => unknown): this {
    this.declOf(name);
    this.bindings.set(name, source);
    this.bindingSites.set(name, new Error("bindDirect"));
    return this;
  }

  /** The params driven by a binding. */
  get boundParams(): string[] {
    return [...this.bindings.keys()];
  }

  /**
   * Evaluates every binding; the chain calls it each frame before deciding whether to cook. A bound
   * param whose value did not change leaves the operator clean.
   */
  updateBindings(): void {
    if (this.bindings.size === 0) return;
    for (const [name, source] of this.bindings) {
      try {
        this.writeParam(name, source(), this.bindingSites.get(name));
      } catch (err) {
        if (err instanceof Error) err.message = `${err.message} (from its binding)`;
        throw err;
      }
    }
  }

  /**
   * Normalises and stores a value. Before the operator is built (in setup) a bad value throws, so the
   * reload fails at the user's line. Once it is built (in update, in a binding) a bad value is ignored,
   * the param keeps its previous value and the frame goes on; the message is shown once.
   */
  private writeParam(name: string, value: unknown, bindingSite?: Error): void {
    const decl = this.declOf(name);
    const previous = this.paramValues.get(name)!;
    const warn = (key: string, message: string) => this.warnOnce(key, bindingSite ? `${message} (from its binding)` : message, bindingSite);
    let normalized: ParamValue;
    try {
      normalized = normalize(this.name, name, decl, value, (message) => warn(`range:${name}`, message));
    } catch (err) {
      if (this.scope === undefined || !(err instanceof TypeError)) throw err;
      warn(`value:${name}`, `${err.message}: ignored, ${name} stays ${describe(previous)}`);
      return;
    }
    if (sameValue(previous, normalized)) return;
    this.paramValues.set(name, normalized);
    this.dirty = true;
    this.paramsVersion++;
  }

  /** Says `message` once per `key`; located at `site` (a binding's) when given, else where it is called from. */
  protected warnOnce(key: string, message: string, site?: Error): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    const warning = new Error(message);
    if (site?.stack) warning.stack = `Error: ${message}\n${site.stack.split("\n").slice(1).join("\n")}`;
    this.onWarning(warning);
  }

  /** True when the operator must cook every frame (animated by time, streaming, simulating). */
  isTimeDependent(): boolean {
    return false;
  }

  /**
   * True when another instance has written into a GPU object that this one filled from the CPU and
   * keeps (a mesh, an image) since it did: the chain cooks it again, so it writes its own contents
   * back. Such objects are pooled by name and type, and such a write reaches the GPU at once, even
   * from a frame that is then discarded: a build that fails in its first cook leaves its writes in
   * the running chain's objects.
   */
  contentsOverwritten(): boolean {
    return false;
  }

  /** Records that this instance has just written `handle` from the CPU (queue.writeBuffer / writeTexture). */
  protected wrote(handle: BufferHandle | TextureHandle): void {
    const serial = ++writeSerial;
    lastWrite.set(handle, serial);
    this.ownWrites.set(handle, serial);
  }

  /** Whether `handle` still holds this instance's last write into it: no other instance wrote since. */
  protected holdsOwnWrite(handle: BufferHandle | TextureHandle): boolean {
    const serial = this.ownWrites.get(handle);
    return serial !== undefined && lastWrite.get(handle) === serial;
  }

  /** For `adopt`: `previous`'s last write into `handle` (which the pool hands over) counts as this instance's. */
  protected adoptWrite(handle: BufferHandle | TextureHandle, previous: Operator): void {
    const serial = previous.ownWrites.get(handle);
    if (serial !== undefined) this.ownWrites.set(handle, serial);
  }

  /**
   * Between frames, before the next one (Engine.prepareFrame): an operator that streams from outside
   * (a video) gets what the next frame needs ready off the frame; deterministic, it waits for it.
   * Never throws: a failure is kept and thrown by the next cook, which reports it.
   */
  prepare?(ctx: PrepareContext): Promise<void>;

  /** Creates GPU resources through `this.scope`. Runs once per chain build. */
  abstract init(ctx: InitContext): void;

  /**
   * Work that must finish before the first cook but must not block the frame thread: an audio file
   * decoded by a subprocess. The engine awaits it after `init`, between frames; a rejection fails the
   * build like a throw in `init` (the running chain keeps running).
   */
  preload(): Promise<void> | void {}

  /** Records this frame's GPU work into `ctx.frame`. Runs only when needed (see Chain.process). */
  abstract cook(ctx: CookContext): void;

  /**
   * Takes over JS-side state from the operator of the same name and type in the chain being replaced
   * (phases, counters, which ping-pong texture is current). GPU resources come over by themselves:
   * the texture and buffer pools are keyed by operator name and type.
   */
  adopt(_previous: this): void {}

  /** Gives every GPU object back to the caches. */
  dispose(): void {
    this.scope?.release();
  }

  protected paramEntries(): [string, ParamDecl][] {
    return Object.entries((this.constructor as OperatorClass).params);
  }

  private paramNames(): string[] {
    return this.paramEntries().map(([name]) => name);
  }

  private declOf(name: string): ParamDecl {
    const decl = (this.constructor as OperatorClass).params[name];
    if (!decl) throw new Error(`${this.typeName} "${this.name}" has no param "${name}"${suggest(name, this.paramNames())} (has: ${this.paramNames().join(", ")})`);
    return decl;
  }
}

/**
 * Installs `op.scale` style accessors for every declared param. Called once per class by `defineOperator`.
 */
export function defineOperator<T extends OperatorClass>(Type: T): T {
  for (const name of Object.keys(Type.params)) {
    if (Object.prototype.hasOwnProperty.call(Type.prototype, name)) continue;
    Object.defineProperty(Type.prototype, name, {
      get(this: Operator) {
        return this.getParam(name);
      },
      set(this: Operator, value: unknown) {
        this.setParam(name, value);
      },
      enumerable: true,
      configurable: true,
    });
  }
  return Type;
}

/**
 * Operators are sealed once `chain.add` has made them (see `sealOperator`), so a misspelt param
 * (`c.colour = 1`) is not silently a new field. Sealing alone throws "object is not extensible",
 * naming nothing; so the last prototype of every operator is this guard, which an assignment to a
 * property found nowhere on the object reaches, and which names the property and the closest param.
 */
const unknownPropertyGuard = new Proxy(Object.prototype, {
  set(target, property, value, receiver) {
    if (receiver instanceof Operator && !Object.isExtensible(receiver) && typeof property === "string") {
      throw new TypeError(unknownPropertyMessage(receiver, property));
    }
    return Reflect.set(target, property, value, receiver);
  },
});
Object.setPrototypeOf(Operator.prototype, unknownPropertyGuard);

function unknownPropertyMessage(op: Operator, property: string): string {
  const params = op.params().map((p) => p.name);
  const hint = suggest(property, params) || suggest(property, publicProperties(op));
  return `${op.typeName} "${op.name}" has no param "${property}"${hint} (params: ${params.join(", ") || "none"}; operators are sealed after chain.add, so a misspelt name is an error; an operator class of your own declares its fields in the class)`;
}

/** The names `op` has setters for besides its params (bypass, an operator's own accessors). */
function publicProperties(op: Operator): string[] {
  const names = new Set<string>(["bypass"]);
  for (let proto = Object.getPrototypeOf(op); proto && proto !== Operator.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) if (Object.getOwnPropertyDescriptor(proto, name)?.set) names.add(name);
  }
  return [...names];
}

/** Seals an operator the chain has just made: from now on assigning a name it does not have throws. */
export function sealOperator(op: Operator): void {
  Object.seal(op);
}

/**
 * The serial of the last CPU write into each pooled GPU object, by any operator instance. An instance
 * compares it with the serial of its own last write (`holdsOwnWrite`): the pools hand one object to
 * every instance of the same name and type (the running one, its replacement, a build that failed).
 */
const lastWrite = new WeakMap<object, number>();
let writeSerial = 0;

function sameValue(a: ParamValue, b: ParamValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}

/**
 * An operator whose output is a number, `value`, computed on the CPU when it cooks (LFO, Math, Logic).
 * It holds no GPU objects. Others read it through a binding: `noise.bind("scale", () => lfo.value)`.
 */
export abstract class ValueOperator extends Operator {
  static override readonly outputKind: OutputKind = "value";
  /** The output; valid from the first cook on. */
  value = 0;

  init(_ctx: InitContext): void {}
}

/** An operator whose output is an RGBA16F texture. */
export abstract class TextureOperator extends Operator {
  output?: TextureHandle;
  protected declaredSize: [number, number] = [1280, 720];

  /** Declares a generator's output size (filters follow their input 0 instead). */
  resolution(width: number, height: number): this {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 16384 || height > 16384) {
      throw new RangeError(`${this.name}.resolution(${width}, ${height}): expects whole numbers in 1..16384`);
    }
    if (width !== this.declaredSize[0] || height !== this.declaredSize[1]) {
      this.declaredSize = [width, height];
      this.dirty = true;
    }
    return this;
  }

  /**
   * Output size: the declared one for generators, input 0's for filters. (Not `size`: several of the
   * original's operators have a param called `size` — Pixelate, FilmGrain, Shape.)
   */
  get outputSize(): [number, number] {
    const source = this.inputs[0];
    if (!(source instanceof TextureOperator)) return this.declaredSize;
    // The input has cooked before us: its texture has the size (no walk up the whole chain per frame).
    const texture = source.outputTexture;
    return texture ? [texture.width, texture.height] : source.outputSize;
  }

  /** The texture downstream operators and the display read: input 0's when bypassed. */
  get outputTexture(): TextureHandle | undefined {
    if (this.bypass && this.inputs[0] instanceof TextureOperator) return this.inputs[0].outputTexture;
    return this.output;
  }

  /** Throws a message naming the call to make when input 0..count-1 is not a texture operator. */
  protected requireInputs(count: number): void {
    for (let i = 0; i < count; i++) {
      if (!(this.inputs[i] instanceof TextureOperator)) {
        throw new Error(`${this.typeName} "${this.name}" needs a texture on input ${i}: call ${this.name}.input("<name>"${i ? `, ${i}` : ""})`);
      }
    }
  }

  /** The textures of inputs 0..count-1 (following bypass). */
  protected inputTextures(count: number): TextureHandle[] {
    const textures: TextureHandle[] = [];
    for (let i = 0; i < count; i++) textures.push((this.inputs[i] as TextureOperator).outputTexture!);
    return textures;
  }

  /** (Re)acquires the output texture when the size changed; releases the old one. */
  protected ensureOutput(slot = "out"): TextureHandle {
    const [width, height] = this.outputSize;
    if (this.output && this.output.width === width && this.output.height === height) return this.output;
    if (this.output) this.scope.drop(this.output);
    this.output = this.scope.texture({ width, height, format: OUTPUT_FORMAT, usage: this.textureUsage, slot });
    return this.output;
  }

  /** Usage of output textures: storage too where per-pixel operators run as compute passes. */
  protected get textureUsage(): number {
    return this.scope.gpu.dispatch === "compute" ? TEXTURE_USAGE | STORAGE_BINDING : TEXTURE_USAGE;
  }
}

/**
 * One full-screen triangle, one fragment shader, one uniform buffer laid out from the param
 * declaration (plus `internals`, values the operator computes such as time), samplers and
 * `inputCount` input textures. Bindings: 0 = uniforms, 1 = sampler, 2.. = inputs.
 */
export abstract class ShaderOperator extends TextureOperator {
  /** Path under shaders/, e.g. "2d/noise.wgsl", or an absolute path (a project's own shader). */
  static readonly shader: string;
  /** Uniform fields after the params, not user-facing (e.g. time). Written by `writeInternals`. */
  static readonly internals: ParamDecls = {};
  static readonly inputCount: number = 0;
  /** View dimension of each input binding when not "2d" (e.g. "2d-array" for a frame cache). */
  static readonly inputDimensions: readonly GPUTextureViewDimension[] = [];
  /** Textures the pass reads when it is more than the chain inputs (Feedback also reads its previous output). */
  static readonly passInputs?: number;

  private pass?: FullscreenPass;
  private uniformFields: Array<{ field: UniformField; decl: ParamDecl; internal: boolean }> = [];
  /** Writes one internal uniform; made once, not per cook. */
  private readonly setInternal = (name: string, value: ParamValue): void => {
    const entry = this.uniformFields.find((f) => f.internal && f.field.name === name);
    if (!entry) throw new Error(`${this.typeName}: "${name}" is not one of its internals`);
    writeField(this.uniformData!, entry.field, value, entry.decl);
  };
  private uniformData?: DataView;
  /** The `paramsVersion` this instance last packed and uploaded; -1 before its first upload. */
  private uploadedParams = -1;
  private get hasInternals(): boolean {
    return this.uniformFields.length > 0 && this.uniformFields[this.uniformFields.length - 1]!.internal;
  }

  protected get Type(): typeof ShaderOperator {
    return this.constructor as typeof ShaderOperator;
  }

  init(_ctx: InitContext): void {
    const Type = this.Type;
    this.requireInputs(Type.inputCount);
    // A shader that defines `fn pixel(uv, coord)` runs by the GPU's dispatch (runtime/gpu/dispatch.ts);
    // one with its own `fs` entry (a project's shader written before) stays a fragment pass.
    const source = loadShader(Type.shader);
    const pixel = isPixelShader(source.code);
    const dispatch = pixel ? this.scope.gpu.dispatch : "fragment";
    const shader = pixel ? loadPixelShader(Type.shader, dispatch) : source;
    const fields = [...this.paramEntries(), ...Object.entries(Type.internals)];
    const layout = uniformLayout(fields);
    checkParamsStruct(this.typeName, shader, fields);
    this.uniformFields = layout.fields.map((field, i) => ({ field, decl: fields[i]![1], internal: field.name in Type.internals }));
    this.uniformData = new DataView(new ArrayBuffer(layout.size));
    this.pass = new FullscreenPass(this.scope, { shader, inputCount: Type.passInputs ?? Type.inputCount, inputDimensions: Type.inputDimensions, uniformSize: layout.size, slot: "params", dispatch });
    this.uploadedParams = -1;
    this.ensureOutput();
  }

  /** Values of the `internals` fields this frame (default: none). */
  protected writeInternals(_ctx: CookContext, _set: (name: string, value: ParamValue) => void): void {}

  cook(ctx: CookContext): void {
    const target = this.ensureOutput();
    const data = this.uniformData!;
    const pass = this.pass!;
    // Params are packed and uploaded when the buffer does not hold this instance's current ones: a
    // param changed since the last upload, or another instance wrote the buffer since (it is pooled by
    // name and type: a new instance's first pass uploads, and so does the running one's after a build
    // that failed in its first cook). Internals (time…) are uploaded every cook.
    const paramsStale = this.uploadedParams !== this.paramsVersion || !this.holdsOwnWrite(pass.uniforms);
    if (paramsStale || this.hasInternals) {
      if (paramsStale) {
        for (const { field, decl, internal } of this.uniformFields) {
          if (!internal) writeField(data, field, this.getParam(field.name), decl);
        }
        this.uploadedParams = this.paramsVersion;
      }
      this.writeInternals(ctx, this.setInternal);
      pass.writeUniforms(ctx.gpu.queue, data);
      this.wrote(pass.uniforms);
    }
    pass.write(ctx.frame, this.name, target, this.inputTextures(this.Type.passInputs ?? this.Type.inputCount));
  }
}

/** WGSL reserved words a param may be called; such a param is `<name>_` in the shader's struct. */
const WGSL_RESERVED = new Set(["type", "default", "mode", "filter", "sample", "target", "smooth", "module", "input", "output", "layout", "in", "out", "self", "new", "static", "final", "unsigned", "signed"]);

export function wgslFieldName(param: string): string {
  return WGSL_RESERVED.has(param) ? `${param}_` : param;
}

/** Throws when the shader's `struct Params` does not match the declaration field for field. */
function checkParamsStruct(typeName: string, shader: ShaderSource, fields: [string, ParamDecl][]): void {
  const struct = wgslStructFields(shader.code, "Params");
  if (!struct) throw new Error(`${shader.name}: no "struct Params { … }" found (operator ${typeName})`);
  const expected = fields.map(([name, decl]) => `${wgslFieldName(name)}: ${WGSL_TYPES[decl.type][0]}`);
  const actual = struct.map((f) => `${f.name}: ${f.type}`);
  const matches =
    struct.length === fields.length &&
    fields.every(([name, decl], i) => struct[i]!.name === wgslFieldName(name) && WGSL_TYPES[decl.type].includes(struct[i]!.type));
  if (!matches) {
    throw new Error(`${shader.name}: struct Params {${actual.join(", ")}} does not match ${typeName}'s declaration {${expected.join(", ")}}`);
  }
}
