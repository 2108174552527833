/**
 * The one place GPU objects are created and released.
 *
 * Long-lived objects come from reference-counted caches, each with one named key function:
 *   shader modules   shaderKey        (WGSL content hash)
 *   bind group lay.  layoutKey        (entry descriptions)
 *   pipelines        pipelineKey      (shader hash, entry points, target formats, blend, layout)
 *   bind groups      bindGroupKey     (layout, resource identities)
 *   textures         textureKey       (owner, slot, size, format, usage)  — a pool per owner
 *   buffers          bufferKey        (owner, slot, size, usage)
 *   samplers         samplerKey       (filter, address mode)              — shared by everyone
 * A `GpuScope` (one per operator instance) remembers what it acquired and gives it all back at once.
 * Per-frame objects (command encoder, pass encoders, command buffer) live in a `Frame` and are released
 * in `Frame.submit()` / `Frame.discard()`: bun-webgpu has no finalizers, so nothing else would.
 * Every create and release is counted in the census.
 */
import { Census, type GpuKind } from "./census.ts";
import { requestDevice, type AdapterSummary } from "./device.ts";
import { RefCache } from "./ref-cache.ts";
import { locatePipelineError, locateWgslError, type PipelineErrorLocation, type ShaderSource, type WgslErrorLocation } from "./shaders.ts";
import { installMapWait } from "./map-wait.ts";
import { installWorkDone } from "./work-done.ts";
import { releaseComputePass } from "./compute-pass.ts";
import { chooseDispatch, type Dispatch } from "./dispatch.ts";

export const OUTPUT_FORMAT: GPUTextureFormat = "rgba16float";

/**
 * Dawn frees a released texture, buffer, sampler, bind group or pipeline only once a submit made after
 * the release has completed. Without frames (paused headless loop, failing reloads, tools, tests) they
 * piled up: ~1.6 KB a texture+view, ~0.9 KB a buffer, ~5 KB a bind group, ~200 KB a pipeline, and
 * ~65 000 pending bind groups crash lavapipe. So every this many releases without a submit, and in
 * idle(), an empty submit lets Dawn free them (tests/runtime/gpu/leaks.test.ts).
 */
export const FLUSH_RELEASES_EVERY = 64;

const BYTES_PER_TEXEL: Partial<Record<GPUTextureFormat, number>> = {
  r8unorm: 1,
  rg8unorm: 2,
  rgba8unorm: 4,
  bgra8unorm: 4,
  "rgba8unorm-srgb": 4,
  "bgra8unorm-srgb": 4,
  r16float: 2,
  rg16float: 4,
  rgba16float: 8,
  r32float: 4,
  rg32float: 8,
  rgba32float: 16,
  depth32float: 4,
  depth24plus: 4,
  "depth24plus-stencil8": 4,
};

/**
 * The most bytes one readback strip copies (see Gpu.readTextureStrips): 64 MiB, 1024 rows of an
 * 8192-wide RGBA16F texture, so a snapshot never holds more than one strip of staging memory.
 */
export const READBACK_STRIP_BYTES = 64 * 1024 * 1024;

/** What a readback needs of a texture (a TextureHandle, or a raw texture in tests and tools). */
export type TextureHandleLike = { texture: GPUTexture; width: number; height: number; format: GPUTextureFormat };

export function textureBytes(width: number, height: number, format: GPUTextureFormat, layers = 1): number {
  return width * height * layers * (BYTES_PER_TEXEL[format] ?? 4);
}

export interface TextureSpec {
  width: number;
  height: number;
  format: GPUTextureFormat;
  usage: number;
  /** Distinguishes several textures of one owner ("out", "ping", "pong", "history3"...). */
  slot: string;
  /** 2D array layers (cube faces, frame caches); default 1. */
  layers?: number;
}

/** A pooled texture with its one persistent view (views are never made per frame). */
export interface TextureHandle {
  readonly id: number;
  readonly texture: GPUTexture;
  readonly view: GPUTextureView;
  readonly width: number;
  readonly height: number;
  readonly format: GPUTextureFormat;
  readonly owner: string;
  readonly bytes: number;
}

export interface BufferHandle {
  readonly id: number;
  readonly buffer: GPUBuffer;
  readonly size: number;
  readonly owner: string;
}

export interface SamplerHandle {
  readonly id: number;
  readonly sampler: GPUSampler;
}

export type LayoutEntry =
  | { binding: number; visibility: number; kind: "uniform" | "storage" | "read-only-storage" }
  | { binding: number; visibility: number; kind: "sampler"; type?: GPUSamplerBindingType }
  | { binding: number; visibility: number; kind: "texture"; sampleType?: GPUTextureSampleType; viewDimension?: GPUTextureViewDimension }
  | { binding: number; visibility: number; kind: "storage-texture"; format: GPUTextureFormat; access?: GPUStorageTextureAccess };

export interface BindGroupLayoutHandle {
  readonly key: string;
  readonly layout: GPUBindGroupLayout;
}

/** An extra view of a pooled texture (one layer of an array, an array view of a 1-layer texture). */
export interface ViewHandle {
  readonly id: number;
  readonly view: GPUTextureView;
  readonly owner: string;
}

export type BindResource = TextureHandle | BufferHandle | SamplerHandle | ViewHandle;

export interface RenderPipelineSpec {
  shader: ShaderSource;
  vertexEntry?: string;
  fragmentEntry?: string;
  targets: GPUTextureFormat[];
  blend?: GPUBlendState;
  layouts: BindGroupLayoutHandle[];
  topology?: GPUPrimitiveTopology;
  vertexBuffers?: GPUVertexBufferLayout[];
  depth?: { format: GPUTextureFormat; write: boolean; compare: GPUCompareFunction };
  cullMode?: GPUCullMode;
}

/** A compute pipeline: one entry point of a shader, its bind group layouts in group order. */
export interface ComputePipelineSpec {
  shader: ShaderSource;
  entry: string;
  layouts: BindGroupLayoutHandle[];
}

export interface SamplerSpec {
  filter: GPUFilterMode;
  address: GPUAddressMode;
}

// ── key functions: one per cache, named, tested ──────────────────────────────────────────────────

export function shaderKey(shader: ShaderSource): string {
  return shader.hash;
}

export function layoutKey(entries: LayoutEntry[]): string {
  return entries
    .map((e) => Object.entries(e).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(","))
    .join("|");
}

export function pipelineKey(spec: RenderPipelineSpec): string {
  return [
    spec.shader.hash,
    spec.vertexEntry ?? "vs",
    spec.fragmentEntry ?? "fs",
    spec.targets.join("+"),
    spec.blend ? JSON.stringify(spec.blend) : "opaque",
    spec.layouts.map((l) => `[${l.key}]`).join(""),
    spec.topology ?? "triangle-list",
    spec.vertexBuffers ? JSON.stringify(spec.vertexBuffers) : "",
    spec.depth ? JSON.stringify(spec.depth) : "",
    spec.cullMode ?? "none",
  ].join(" ");
}

export function computePipelineKey(spec: ComputePipelineSpec): string {
  return [spec.shader.hash, spec.entry, spec.layouts.map((l) => `[${l.key}]`).join("")].join(" ");
}

export function bindGroupKey(layout: BindGroupLayoutHandle, resources: BindResource[]): string {
  return `${layout.key}#${resources.map((r) => r.id).join(",")}`;
}

export function textureKey(owner: string, spec: TextureSpec): string {
  return `${owner}/${spec.slot} ${spec.width}x${spec.height}x${spec.layers ?? 1} ${spec.format} u${spec.usage}`;
}

export function bufferKey(owner: string, slot: string, size: number, usage: number): string {
  return `${owner}/${slot} ${size}B u${usage}`;
}

export function viewKey(texture: TextureHandle, descriptor: GPUTextureViewDescriptor): string {
  const fields = Object.entries(descriptor).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`);
  return `${texture.id} ${fields.join(",")}`;
}

export function samplerKey(spec: SamplerSpec): string {
  return `${spec.filter}-${spec.address}`;
}

// ── the GPU ───────────────────────────────────────────────────────────────────────────────────────

export interface GpuErrorReport {
  /** The operator (or "runtime") whose object the error names, from the object's label. */
  owner: string;
  message: string;
  /** For a WGSL compile error: the .wgsl file, line and column it is in. */
  location?: WgslErrorLocation;
}

export class Gpu {
  readonly census = new Census();
  readonly queue: GPUQueue;
  private nextId = 1;
  private errorListeners = new Set<(report: GpuErrorReport) => void>();
  private destroyed = false;
  /** Releases since the last submit: Dawn frees them only after a later submit completes. */
  private releasesSinceSubmit = 0;

  readonly shaderModules: RefCache<GPUShaderModule>;
  /** The source of each live shader module (by module key): its files, and a place for its errors. */
  private shaderSources = new Map<string, ShaderSource>();
  /** While `validated` runs: the compile results of the shader modules its build creates. */
  private shaderCompiles?: Array<Promise<WgslError | undefined>>;
  readonly layouts: RefCache<BindGroupLayoutHandle>;
  readonly pipelineLayouts: RefCache<GPUPipelineLayout>;
  readonly pipelines: RefCache<GPURenderPipeline>;
  readonly computePipelines: RefCache<GPUComputePipeline>;
  /**
   * How per-pixel operators run on this GPU (runtime/gpu/dispatch.ts): set from `--dispatch` or the
   * adapter rule before a chain is built; an operator reads it when it is made.
   */
  dispatch: Dispatch = "fragment";
  readonly bindGroups: RefCache<GPUBindGroup>;
  readonly textures: RefCache<TextureHandle>;
  readonly buffers: RefCache<BufferHandle>;
  readonly samplers: RefCache<SamplerHandle>;
  readonly views: RefCache<ViewHandle>;

  private constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterSummary,
  ) {
    this.queue = device.queue;
    // bun-webgpu's own version resolves every pending wait when the oldest one's work is done.
    if (!installWorkDone(this.queue)) throw new Error("bun-webgpu's GPUQueue is not as expected: cannot install onSubmittedWorkDone (runtime/gpu/work-done.ts)");
    // And its other waits (buffer maps, error scopes) poll sparingly instead of spinning (map-wait.ts).
    installMapWait(this.queue);
    const census = this.census;
    this.shaderModules = new RefCache("shader module", (m, key) => {
      m.destroy();
      this.shaderSources.delete(key);
      census.released("shaderModule");
    });
    this.layouts = new RefCache("bind group layout", (l) => {
      l.layout.destroy();
      census.released("bindGroupLayout");
    });
    this.pipelineLayouts = new RefCache("pipeline layout", (l) => {
      l.destroy();
      census.released("pipelineLayout");
    });
    this.pipelines = new RefCache("render pipeline", (p) => {
      p.destroy();
      census.released("renderPipeline", p.label || "runtime");
      this.noteRelease();
    });
    this.computePipelines = new RefCache("compute pipeline", (p) => {
      p.destroy();
      census.released("computePipeline", p.label || "runtime");
      this.noteRelease();
    });
    this.bindGroups = new RefCache("bind group", (g) => {
      g.destroy();
      census.released("bindGroup", g.label || "runtime");
      this.noteRelease();
    });
    this.textures = new RefCache("texture", (t) => this.destroyTexture(t));
    this.buffers = new RefCache("buffer", (b) => this.destroyBuffer(b));
    this.views = new RefCache("texture view", (v) => {
      v.view.destroy();
      census.released("textureView", v.owner);
    });
    this.samplers = new RefCache("sampler", (s) => {
      s.sampler.destroy();
      census.released("sampler");
      this.noteRelease();
    });
    device.onuncapturederror = (event: GPUUncapturedErrorEvent) => {
      const message = event.error.message;
      this.report({ owner: ownerFromMessage(message), message });
    };
  }

  /** Why `dispatch` is what it is: the adapter rule's reason, or "--dispatch". */
  dispatchReason = "default";

  /**
   * Opens the device; per-pixel operators run as `dispatch` when given, else by the adapter rule.
   * `optionalFeatures` are asked for where the adapter has them (adapter.features says which).
   */
  static async open(options: { dispatch?: Dispatch; optionalFeatures?: GPUFeatureName[] } = {}): Promise<Gpu> {
    const { device, adapter } = await requestDevice(options.optionalFeatures);
    const gpu = new Gpu(device, adapter);
    const chosen = options.dispatch ? { dispatch: options.dispatch, reason: "--dispatch" } : chooseDispatch(adapter);
    gpu.dispatch = chosen.dispatch;
    gpu.dispatchReason = chosen.reason;
    return gpu;
  }

  /** Errors WebGPU reports outside an error scope, attributed to the operator named in the label. */
  onError(listener: (report: GpuErrorReport) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  private report(report: GpuErrorReport): void {
    if (this.errorListeners.size === 0) console.error(`GPU error (${report.owner}): ${report.message}`);
    for (const listener of this.errorListeners) listener(report);
  }

  /** A scope whose textures and buffers are pooled under `poolOwner` (default: the owner name). */
  scope(owner: string, poolOwner = owner): GpuScope {
    return new GpuScope(this, owner, poolOwner);
  }

  /**
   * Runs `build` inside a validation error scope and throws the first validation error it caused:
   * a WgslError (located in its .wgsl file) when a shader module it created does not compile, else
   * a GpuValidationError (a bad pipeline, a bad bind group). Used for operator init and first cook.
   */
  async validated<T>(build: () => T): Promise<T> {
    const compiles: Array<Promise<WgslError | undefined>> = [];
    const enclosing = this.shaderCompiles;
    this.shaderCompiles = compiles;
    this.device.pushErrorScope("validation");
    let result: T;
    try {
      result = build();
    } finally {
      this.shaderCompiles = enclosing;
      const error = await this.device.popErrorScope();
      // A module that failed to compile also fails every pipeline made from it; its own error says where.
      const wgsl = (await Promise.all(compiles)).find((compiled) => compiled !== undefined);
      if (wgsl) throw wgsl;
      if (error) throw new GpuValidationError(error.message, this.locateInShader(error.message));
    }
    return result;
  }

  /** A pipeline error placed in the file of the live shader module it names (the newest of that name). */
  private locateInShader(message: string): PipelineErrorLocation | undefined {
    const label = /\[ShaderModule "([^"]+)"\]/.exec(message)?.[1];
    if (!label) return undefined;
    const shader = [...this.shaderSources.values()].findLast((source) => source.name === label);
    return shader && locatePipelineError(message, shader);
  }

  idOf(): number {
    return this.nextId++;
  }

  // ── creation (called by the caches through GpuScope) ──

  /**
   * Compiles `shader` inside an error scope of its own, as Bevy's ShaderCache does with its
   * load_module: a compile error comes back here, beside the source map of the assembled code, so it
   * is located in the .wgsl file (an #imported one included) whoever uses the shader. Inside
   * `validated` the error is thrown from there; elsewhere it goes to the `onError` listeners.
   */
  createShaderModule(shader: ShaderSource, owner = "runtime"): GPUShaderModule {
    this.device.pushErrorScope("validation");
    const module = this.device.createShaderModule({ code: shader.code, label: shader.name });
    const compiled = this.device.popErrorScope().then((error) => (error ? new WgslError(owner, shader, error.message) : undefined));
    if (this.shaderCompiles) this.shaderCompiles.push(compiled);
    else void compiled.then((error) => error && this.report({ owner, message: error.message, location: error.location }));
    this.shaderSources.set(shaderKey(shader), shader);
    this.census.created("shaderModule");
    return module;
  }

  /** Whether a live shader module was assembled from `file` (a .wgsl save only matters then). */
  usesShaderFile(file: string): boolean {
    for (const shader of this.shaderSources.values()) if (shader.files.includes(file)) return true;
    return false;
  }

  createLayout(key: string, entries: LayoutEntry[]): BindGroupLayoutHandle {
    const layout = this.device.createBindGroupLayout({ entries: entries.map(toLayoutEntry) });
    this.census.created("bindGroupLayout");
    return { key, layout };
  }

  createPipelineLayout(layouts: BindGroupLayoutHandle[]): GPUPipelineLayout {
    const layout = this.device.createPipelineLayout({ bindGroupLayouts: layouts.map((l) => l.layout) });
    this.census.created("pipelineLayout");
    return layout;
  }

  createRenderPipeline(owner: string, spec: RenderPipelineSpec, module: GPUShaderModule, layout: GPUPipelineLayout): GPURenderPipeline {
    const pipeline = this.device.createRenderPipeline({
      label: owner,
      layout,
      vertex: { module, entryPoint: spec.vertexEntry ?? "vs", buffers: spec.vertexBuffers ?? [] },
      fragment: {
        module,
        entryPoint: spec.fragmentEntry ?? "fs",
        targets: spec.targets.map((format) => ({ format, blend: spec.blend })),
      },
      primitive: { topology: spec.topology ?? "triangle-list", cullMode: spec.cullMode ?? "none" },
      depthStencil: spec.depth
        ? { format: spec.depth.format, depthWriteEnabled: spec.depth.write, depthCompare: spec.depth.compare }
        : undefined,
    });
    this.census.created("renderPipeline", owner);
    return pipeline;
  }

  createComputePipeline(owner: string, spec: ComputePipelineSpec, module: GPUShaderModule, layout: GPUPipelineLayout): GPUComputePipeline {
    const pipeline = this.device.createComputePipeline({ label: owner, layout, compute: { module, entryPoint: spec.entry } });
    this.census.created("computePipeline", owner);
    return pipeline;
  }

  createBindGroup(owner: string, layout: BindGroupLayoutHandle, resources: BindResource[], entries: LayoutEntry[]): GPUBindGroup {
    const group = this.device.createBindGroup({
      label: owner,
      layout: layout.layout,
      entries: resources.map((resource, i) => ({ binding: entries[i]!.binding, resource: bindingResource(resource) })),
    });
    this.census.created("bindGroup", owner);
    return group;
  }

  createTexture(owner: string, spec: TextureSpec): TextureHandle {
    const layers = spec.layers ?? 1;
    const largest = this.device.limits.maxTextureDimension2D;
    if (spec.width > largest || spec.height > largest) {
      throw new RangeError(`${owner}: a ${spec.width}×${spec.height} texture is larger than this GPU allows (${largest}×${largest}, ${this.adapter.name})`);
    }
    const bytes = textureBytes(spec.width, spec.height, spec.format, layers);
    const texture = this.device.createTexture({
      label: `${owner}/${spec.slot}`,
      size: [spec.width, spec.height, layers],
      format: spec.format,
      usage: spec.usage,
    });
    this.census.created("texture", owner, bytes);
    const view = texture.createView(layers > 1 ? { dimension: "2d-array" } : undefined);
    this.census.created("textureView", owner);
    return { id: this.idOf(), texture, view, width: spec.width, height: spec.height, format: spec.format, owner, bytes };
  }

  createBuffer(owner: string, size: number, usage: number, label = owner): BufferHandle {
    const buffer = this.device.createBuffer({ label, size, usage });
    this.census.created("buffer", owner, size);
    return { id: this.idOf(), buffer, size, owner };
  }

  createView(texture: TextureHandle, descriptor: GPUTextureViewDescriptor): ViewHandle {
    const view = texture.texture.createView(descriptor);
    this.census.created("textureView", texture.owner);
    return { id: this.idOf(), view, owner: texture.owner };
  }

  createSampler(spec: SamplerSpec): SamplerHandle {
    const sampler = this.device.createSampler({
      magFilter: spec.filter,
      minFilter: spec.filter,
      addressModeU: spec.address,
      addressModeV: spec.address,
    });
    this.census.created("sampler");
    return { id: this.idOf(), sampler };
  }

  destroyTexture(handle: TextureHandle): void {
    handle.view.destroy();
    this.census.released("textureView", handle.owner);
    handle.texture.destroy();
    // bun-webgpu's destroy() frees the memory but never drops the handle: release it ourselves.
    releaseHandle(handle.texture, "wgpuTextureRelease");
    this.census.released("texture", handle.owner, handle.bytes);
    this.noteRelease();
  }

  destroyBuffer(handle: BufferHandle): void {
    handle.buffer.destroy();
    // As for textures: destroy() does not release the handle.
    releaseHandle(handle.buffer, "wgpuBufferRelease");
    this.census.released("buffer", handle.owner, handle.size);
    this.noteRelease();
  }

  /** Counts a release; past FLUSH_RELEASES_EVERY without a submit, submits an empty command buffer. */
  private noteRelease(): void {
    if (++this.releasesSinceSubmit >= FLUSH_RELEASES_EVERY) this.flushReleases();
  }

  private flushReleases(): void {
    if (this.destroyed || this.releasesSinceSubmit === 0) return;
    this.beginFrame("release flush").submit();
  }

  /** Frame.submit() reports each submit: it also flushes every release made before it. */
  submitted(): void {
    this.releasesSinceSubmit = 0;
  }

  // ── per frame ──

  beginFrame(label = "frame"): Frame {
    return new Frame(this, label);
  }

  /**
   * Reads a texture back in strips of whole rows, each at most `stripBytes` (and never over the
   * device's maxBufferSize: 8192×8192 RGBA16F is 512 MiB, twice Dawn's 256 MiB limit), calling
   * `onStrip` with each strip's RGBA floats (`rows` rows from `firstRow`). One staging buffer serves
   * every strip of the call; it is released at the end, so an idle runtime holds none.
   */
  async readTextureStrips(
    handle: TextureHandleLike,
    onStrip: (pixels: Float32Array, firstRow: number, rows: number) => void,
    stripBytes = READBACK_STRIP_BYTES,
  ): Promise<void> {
    const { width, height, format } = handle;
    const texel = BYTES_PER_TEXEL[format] ?? 4;
    const bytesPerRow = Math.ceil((width * texel) / 256) * 256;
    const limit = Math.min(stripBytes, this.device.limits.maxBufferSize);
    const rowsPerStrip = Math.max(1, Math.min(height, Math.floor(limit / bytesPerRow)));
    const staging = this.createBuffer("readback", bytesPerRow * rowsPerStrip, GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ);
    try {
      for (let firstRow = 0; firstRow < height; firstRow += rowsPerStrip) {
        const rows = Math.min(rowsPerStrip, height - firstRow);
        const frame = this.beginFrame("readback");
        frame.encoder.copyTextureToBuffer({ texture: handle.texture, origin: { x: 0, y: firstRow } }, { buffer: staging.buffer, bytesPerRow, rowsPerImage: rows }, [width, rows]);
        frame.submit();
        await staging.buffer.mapAsync(GPUMapMode.READ, 0, bytesPerRow * rows);
        const bytes = new Uint8Array(staging.buffer.getMappedRange(0, bytesPerRow * rows).slice(0));
        staging.buffer.unmap();
        onStrip(decodeTexels(bytes, width, rows, bytesPerRow, format), firstRow, rows);
      }
    } finally {
      this.destroyBuffer(staging);
    }
  }

  /** A texture's pixels as RGBA floats, rows from the top (rgba16float, rgba8unorm or bgra8unorm sources; read in strips). */
  async readTexture(handle: TextureHandleLike, stripBytes = READBACK_STRIP_BYTES): Promise<Float32Array> {
    const pixels = new Float32Array(handle.width * handle.height * 4);
    await this.readTextureStrips(handle, (strip, firstRow) => pixels.set(strip, firstRow * handle.width * 4), stripBytes);
    return pixels;
  }

  /** Resolves when the GPU has finished everything submitted so far, and released objects are freed. */
  async idle(): Promise<void> {
    this.flushReleases();
    await this.queue.onSubmittedWorkDone();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const cache of [this.bindGroups, this.pipelines, this.computePipelines, this.pipelineLayouts, this.layouts, this.shaderModules, this.views, this.textures, this.buffers, this.samplers]) {
      cache.clear();
    }
    this.device.destroy();
  }
}

export class GpuValidationError extends Error {
  override name = "GpuValidationError";

  constructor(
    message: string,
    /** For a pipeline that does not fit its shader: the .wgsl file (and the binding's line) at fault. */
    readonly location?: PipelineErrorLocation,
  ) {
    super(message);
  }
}

/**
 * A shader module that does not compile. `location` is the first error's place in the .wgsl file it
 * came from (mapped back through #import); `message` is Dawn's message for that error alone.
 * `owner` names the scope (operator) whose build created the module.
 */
export class WgslError extends GpuValidationError {
  override name = "WgslError";
  declare readonly location: WgslErrorLocation | undefined;

  constructor(
    readonly owner: string,
    shader: ShaderSource,
    dawnMessage: string,
  ) {
    const location = locateWgslError(dawnMessage, shader);
    super(location ? location.message : `${shader.name}: ${dawnMessage}`, location);
  }
}

/**
 * What one operator instance holds from the caches. `release()` gives everything back; objects whose
 * last holder that was are destroyed. A reload builds new scopes before releasing the old ones.
 */
export class GpuScope {
  private held: Array<[RefCache<unknown>, string]> = [];

  constructor(
    readonly gpu: Gpu,
    readonly owner: string,
    /** Pool key prefix: textures/buffers are shared only with a same-named operator of the same type. */
    readonly poolOwner = owner,
  ) {}

  private hold<V>(cache: RefCache<V>, key: string, create: () => V): V {
    const value = cache.acquire(key, create);
    this.held.push([cache as RefCache<unknown>, key]);
    return value;
  }

  shaderModule(shader: ShaderSource): GPUShaderModule {
    return this.hold(this.gpu.shaderModules, shaderKey(shader), () => this.gpu.createShaderModule(shader, this.owner));
  }

  layout(entries: LayoutEntry[]): BindGroupLayoutHandle {
    const key = layoutKey(entries);
    return this.hold(this.gpu.layouts, key, () => this.gpu.createLayout(key, entries));
  }

  /** The pipeline's module and layout are held too, so they live exactly as long as a pipeline needs them. */
  renderPipeline(spec: RenderPipelineSpec): GPURenderPipeline {
    const module = this.shaderModule(spec.shader);
    const layoutKeys = spec.layouts.map((l) => `[${l.key}]`).join("");
    const layout = this.hold(this.gpu.pipelineLayouts, layoutKeys, () => this.gpu.createPipelineLayout(spec.layouts));
    return this.hold(this.gpu.pipelines, pipelineKey(spec), () => this.gpu.createRenderPipeline(this.owner, spec, module, layout));
  }

  /** As `renderPipeline`: the module and pipeline layout are held as long as the pipeline. */
  computePipeline(spec: ComputePipelineSpec): GPUComputePipeline {
    const module = this.shaderModule(spec.shader);
    const layoutKeys = spec.layouts.map((l) => `[${l.key}]`).join("");
    const layout = this.hold(this.gpu.pipelineLayouts, layoutKeys, () => this.gpu.createPipelineLayout(spec.layouts));
    return this.hold(this.gpu.computePipelines, computePipelineKey(spec), () => this.gpu.createComputePipeline(this.owner, spec, module, layout));
  }

  bindGroup(layout: BindGroupLayoutHandle, entries: LayoutEntry[], resources: BindResource[]): GPUBindGroup {
    return this.hold(this.gpu.bindGroups, bindGroupKey(layout, resources), () =>
      this.gpu.createBindGroup(this.owner, layout, resources, entries),
    );
  }

  texture(spec: TextureSpec): TextureHandle {
    return this.hold(this.gpu.textures, textureKey(this.poolOwner, spec), () => this.gpu.createTexture(this.owner, spec));
  }

  buffer(slot: string, size: number, usage: number): BufferHandle {
    const aligned = Math.max(16, Math.ceil(size / 16) * 16);
    return this.hold(this.gpu.buffers, bufferKey(this.poolOwner, slot, aligned, usage), () =>
      this.gpu.createBuffer(this.owner, aligned, usage, `${this.owner}/${slot}`),
    );
  }

  /** An extra view of `texture` (acquire it after the texture; give it back before). */
  view(texture: TextureHandle, descriptor: GPUTextureViewDescriptor): ViewHandle {
    return this.hold(this.gpu.views, viewKey(texture, descriptor), () => this.gpu.createView(texture, descriptor));
  }

  sampler(spec: SamplerSpec = { filter: "linear", address: "clamp-to-edge" }): SamplerHandle {
    return this.hold(this.gpu.samplers, samplerKey(spec), () => this.gpu.createSampler(spec));
  }

  /** Hands back one object this scope acquired (e.g. an output texture replaced after a resize). */
  drop(value: unknown): void {
    const index = this.held.findIndex(([cache, key]) => cache.peek(key) === value);
    if (index < 0) throw new Error(`${this.owner}: drop() of an object this scope does not hold`);
    const [cache, key] = this.held[index]!;
    this.held.splice(index, 1);
    cache.release(key);
  }

  /** Hands back everything this scope acquired, newest first. */
  release(): void {
    const held = this.held;
    this.held = [];
    for (let i = held.length - 1; i >= 0; i--) {
      const [cache, key] = held[i]!;
      cache.release(key);
    }
  }

  get size(): number {
    return this.held.length;
  }
}

/**
 * One frame's command encoder and the pass encoders and command buffer made from it. All of them are
 * released in submit() or discard(), whatever happened in between.
 */
export class Frame {
  readonly encoder: GPUCommandEncoder;
  private passes: GPURenderPassEncoder[] = [];
  private computePasses: GPUComputePassEncoder[] = [];
  private open = true;

  constructor(
    private gpu: Gpu,
    label: string,
  ) {
    // No label: packing a label string is a per-frame cost, and Dawn's messages name the passes' targets.
    this.encoder = gpu.device.createCommandEncoder();
    gpu.census.created("commandEncoder");
  }

  /** Begins a render pass; `owner` names who records it (per-frame objects are counted by kind only). */
  renderPass(_owner: string, descriptor: GPURenderPassDescriptor): GPURenderPassEncoder {
    const pass = this.encoder.beginRenderPass(descriptor);
    this.gpu.census.created("renderPass");
    this.passes.push(pass);
    return pass;
  }

  /** Begins a compute pass (released with the frame, as render passes are). */
  computePass(_owner: string): GPUComputePassEncoder {
    const pass = this.encoder.beginComputePass();
    this.gpu.census.created("computePass");
    this.computePasses.push(pass);
    return pass;
  }

  /** Finishes the encoder and submits it. */
  submit(): void {
    this.finish(true);
  }

  /** Throws the recorded work away (a cook threw half-way): nothing reaches the GPU. */
  discard(): void {
    this.finish(false);
  }

  private finish(submit: boolean): void {
    if (!this.open) return;
    this.open = false;
    const census = this.gpu.census;
    try {
      const commandBuffer = this.encoder.finish(); // finish() also releases the encoder in bun-webgpu
      census.released("commandEncoder");
      census.created("commandBuffer");
      try {
        if (submit) {
          this.gpu.queue.submit([commandBuffer]);
          this.gpu.submitted();
        }
      } finally {
        commandBuffer._destroy();
        census.released("commandBuffer");
      }
    } finally {
      for (const pass of this.passes) {
        pass.destroy();
        census.released("renderPass");
      }
      this.passes.length = 0;
      for (const pass of this.computePasses) {
        releaseComputePass(pass);
        census.released("computePass");
      }
      this.computePasses.length = 0;
    }
  }
}

// ── helpers ──────────────────────────────────────────────────────────────────────────────────────

function toLayoutEntry(entry: LayoutEntry): GPUBindGroupLayoutEntry {
  const base = { binding: entry.binding, visibility: entry.visibility };
  switch (entry.kind) {
    case "uniform":
    case "storage":
    case "read-only-storage":
      return { ...base, buffer: { type: entry.kind } };
    case "sampler":
      return { ...base, sampler: { type: entry.type ?? "filtering" } };
    case "texture":
      return { ...base, texture: { sampleType: entry.sampleType ?? "float", viewDimension: entry.viewDimension ?? "2d" } };
    case "storage-texture":
      return { ...base, storageTexture: { format: entry.format, access: entry.access ?? "write-only" } };
  }
}

function bindingResource(resource: BindResource): GPUBindingResource {
  if ("view" in resource) return resource.view;
  if ("buffer" in resource) return { buffer: resource.buffer };
  return resource.sampler;
}

function releaseHandle(object: object, releaseFn: string): void {
  const native = object as unknown as { lib: Record<string, (ptr: unknown) => void>; ptr: unknown };
  native.lib[releaseFn]!(native.ptr);
}

/** Dawn names objects by label in its messages: `[RenderPipeline "noise"]`. */
function ownerFromMessage(message: string): string {
  const match = /\[\w+ "([^"/]+)/.exec(message);
  return match?.[1] ?? "runtime";
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Every half float's value, made once: a readback decodes 4 per texel (268 million for 8192×8192). */
let halfTable: Float32Array | undefined;
function halfToFloatTable(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfToFloat(h);
  }
  return halfTable;
}

function decodeTexels(bytes: Uint8Array, width: number, height: number, bytesPerRow: number, format: GPUTextureFormat): Float32Array {
  const out = new Float32Array(width * height * 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const halves = halfToFloatTable();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      if (format === "rgba16float") {
        const b = y * bytesPerRow + x * 8;
        for (let c = 0; c < 4; c++) out[o + c] = halves[view.getUint16(b + c * 2, true)]!;
      } else if (format === "rgba32float") {
        const b = y * bytesPerRow + x * 16;
        for (let c = 0; c < 4; c++) out[o + c] = view.getFloat32(b + c * 4, true);
      } else {
        const b = y * bytesPerRow + x * 4;
        const bgra = format.startsWith("bgra");
        out[o] = bytes[b + (bgra ? 2 : 0)]! / 255;
        out[o + 1] = bytes[b + 1]! / 255;
        out[o + 2] = bytes[b + (bgra ? 0 : 2)]! / 255;
        out[o + 3] = bytes[b + 3]! / 255;
      }
    }
  }
  return out;
}

export type { GpuKind };
