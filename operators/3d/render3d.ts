/**
 * Render3D: draws a scene into an RGBA16F texture, which is how 3D enters the 2D chain (Bloom,
 * Blur, … take it as any other texture).
 *
 * Inputs, by name like the 2D operators:
 *   render.input("scene")    a SceneComposer, or a single geometry operator (drawn in `color`)
 *   render.camera("camera")  a CameraOperator (without one: the default orbit camera)
 *   render.light("key")      a light operator; call once per light, up to MAX_LIGHTS (4). Without
 *                            any: one directional light travelling along `lightDir` (default
 *                            (1, 1, 1), the original's) in `lightColor`.
 *
 * Shading modes: unlit, flat (faceted), gouraud, vertexLit, toon, pbr (see shaders/3d/render3d.wgsl).
 *
 * Shadows (`shadows` on and a light with `castShadow`): all shadow maps are layers of ONE depth
 * texture array of `shadowMapResolution`² texels: a directional or spot light takes one layer, a
 * point light six (one per cube face, +X −X +Y −Y +Z −Z), at most 24 in all. The fragment shader
 * picks a point light's face itself (major axis of light → fragment) and projects with that face's
 * matrix, so light and lookup use the very same matrices; one binding serves every light type; and
 * we avoid both cube-texture orientation rules and the 3×2 atlas the original fell back to (its
 * cube arrays misbehaved in wgpu-native). Each layer is rendered by its own pass with its own
 * uniform buffer; the per-layer views, bind groups and buffers are acquired once and kept.
 *
 * What a frame creates: render passes only (one per shadow layer + one). Everything else is
 * acquired at init or when a size changes (output, shadow map, entry count growing past capacity).
 */
import { TextureOperator, defineOperator, type CookContext, type InitContext } from "../../runtime/chain/operator.ts";
import { bool, choice, color, float, int, vec3 } from "../../runtime/chain/params.ts";
import { OUTPUT_FORMAT, type BindGroupLayoutHandle, type BufferHandle, type LayoutEntry, type TextureHandle, type ViewHandle } from "../../runtime/gpu/gpu.ts";
import { loadShader } from "../../runtime/gpu/shaders.ts";
import { CameraOperator } from "./camera.ts";
import { LIGHT_TYPES, LightOperator, MAX_LIGHTS, type LightData } from "./lights.ts";
import { cubeFaceMatrix, directionalLightMatrix, multiply, normalMatrix, normalize3, spotLightMatrix } from "./math.ts";
import { ATTRIBUTE_OFFSETS, VERTEX_STRIDE } from "./mesh.ts";
import { GeometryOperator } from "./primitives.ts";
import { SceneComposer, SceneEntry } from "./scene-composer.ts";

export const SHADING_MODES = ["unlit", "flat", "gouraud", "vertexLit", "toon", "pbr"] as const;
export type ShadingMode = (typeof SHADING_MODES)[number];

/** Shadow map layers: 4 lights × 6 faces. */
export const MAX_SHADOW_LAYERS = 24;

/**
 * Byte sizes of the WGSL structs this file packs (field offsets are documented beside each packing
 * function and in the .wgsl files; tests/operators/3d/packing.test.ts checks both against WGSL's rules).
 */
export const STRUCT_BYTES = { Frame: 1904, Light: 64, Entry: 160, ShadowPass: 96 } as const;
const FRAME_BYTES = STRUCT_BYTES.Frame;
const ENTRY_BYTES = STRUCT_BYTES.Entry;
const SHADOW_PASS_BYTES = STRUCT_BYTES.ShadowPass;
const ENTRY_FLOATS = ENTRY_BYTES / 4;

const VERTEX = 0x1;
const FRAGMENT = 0x2;
const USAGE = { COPY_DST: 0x08, TEXTURE_BINDING: 0x04, RENDER_ATTACHMENT: 0x10, UNIFORM: 0x40, STORAGE: 0x80 } as const;
const DEPTH_FORMAT: GPUTextureFormat = "depth24plus";
const SHADOW_FORMAT: GPUTextureFormat = "depth32float";
/** Near plane of point and spot light frusta. */
const LIGHT_NEAR = 0.05;

const VERTEX_LAYOUT: GPUVertexBufferLayout = {
  arrayStride: VERTEX_STRIDE,
  attributes: [
    { shaderLocation: 0, offset: ATTRIBUTE_OFFSETS.position, format: "float32x3" },
    { shaderLocation: 1, offset: ATTRIBUTE_OFFSETS.normal, format: "float32x3" },
    { shaderLocation: 2, offset: ATTRIBUTE_OFFSETS.tangent, format: "float32x4" },
    { shaderLocation: 3, offset: ATTRIBUTE_OFFSETS.uv, format: "float32x2" },
  ],
};

const MAIN_ENTRIES: LayoutEntry[] = [
  { binding: 0, visibility: VERTEX | FRAGMENT, kind: "uniform" },
  { binding: 1, visibility: VERTEX | FRAGMENT, kind: "read-only-storage" },
  { binding: 2, visibility: FRAGMENT, kind: "texture", sampleType: "depth", viewDimension: "2d-array" },
];
const SHADOW_ENTRIES: LayoutEntry[] = [
  { binding: 0, visibility: VERTEX | FRAGMENT, kind: "uniform" },
  { binding: 1, visibility: VERTEX, kind: "read-only-storage" },
];

/** One thing to draw: an entry's data and the geometry it draws. */
interface Draw {
  entry: SceneEntry;
  geometry: GeometryOperator;
}

export class Render3D extends TextureOperator {
  static override readonly description = "Renders a scene (camera, up to 4 lights, shadows) to a texture";
  static override readonly params = {
    shadingMode: choice<ShadingMode>("flat", SHADING_MODES),
    color: color([0.8, 0.8, 0.8, 1]),
    metallic: float(0, 0, 1),
    roughness: float(0.5, 0, 1),
    ambient: float(0.1, 0, 1),
    lightDir: vec3([1, 1, 1], -1, 1),
    lightColor: vec3([1, 1, 1], 0, 2),
    clearColor: color([0.1, 0.1, 0.15, 1]),
    toonLevels: int(4, 2, 8),
    wireframe: bool(false),
    shadows: bool(false),
    shadowMapResolution: int(1024, 64, 4096),
  };
  declare shadingMode: ShadingMode;
  declare color: readonly number[];
  declare metallic: number;
  declare roughness: number;
  declare ambient: number;
  declare lightDir: readonly number[];
  declare lightColor: readonly number[];
  declare clearColor: readonly number[];
  declare toonLevels: number;
  declare wireframe: boolean;
  declare shadows: boolean;
  declare shadowMapResolution: number;

  private sceneName?: string;
  private cameraName?: string;
  private lightNames: string[] = [];
  private sites = new Map<string, Error>();

  private scene?: SceneComposer;
  private geometry?: GeometryOperator;
  private cameraOp?: CameraOperator;
  private lightOps: LightOperator[] = [];
  private readonly defaultCamera = new CameraOperator("default camera");
  private readonly soloEntry = new SceneEntry(this, "");
  private draws: Draw[] = [];

  private mainLayout!: BindGroupLayoutHandle;
  private shadowLayout!: BindGroupLayoutHandle;
  private trianglePipeline!: GPURenderPipeline;
  private wirePipeline!: GPURenderPipeline;
  private shadowPipeline!: GPURenderPipeline;
  private frameBuffer!: BufferHandle;
  private entriesBuffer?: BufferHandle;
  private depth?: TextureHandle;
  private mainGroup?: GPUBindGroup;
  private shadowMap?: TextureHandle;
  private shadowArrayView?: ViewHandle;
  private shadowLayerViews: ViewHandle[] = [];
  private shadowPassBuffers: BufferHandle[] = [];
  private shadowPassGroups: GPUBindGroup[] = [];

  // CPU staging, reused every frame.
  private frameData = new ArrayBuffer(FRAME_BYTES);
  private frameFloats = new Float32Array(this.frameData);
  private frameUints = new Uint32Array(this.frameData);
  private entryData = new Float32Array(0);
  private passData = new ArrayBuffer(SHADOW_PASS_BYTES);
  private passFloats = new Float32Array(this.passData);
  private passUints = new Uint32Array(this.passData);
  private view = new Float32Array(16);
  private projection = new Float32Array(16);
  private viewProjection = new Float32Array(16);
  private layerMatrices = Array.from({ length: MAX_SHADOW_LAYERS }, () => new Float32Array(16));
  /** Per shadow layer: the light index and cube face it renders. */
  private layers: Array<{ light: number; face: number }> = [];

  /** Connects the scene (a SceneComposer or one geometry operator), by name. */
  override input(name: string, index = 0): this {
    if (index !== 0) throw new Error(`${this.name}.input("${name}", ${index}): Render3D has one scene input; use ${this.name}.camera(name) and ${this.name}.light(name) for the others`);
    if (typeof name !== "string") throw new TypeError(`${this.name}.input() expects an operator name (string)`);
    this.sceneName = name;
    this.sites.set(`scene`, new Error(`input "${name}"`));
    return this.syncInputs();
  }

  /** Connects a CameraOperator by name. */
  camera(name: string): this {
    if (typeof name !== "string") throw new TypeError(`${this.name}.camera() expects an operator name (string)`);
    this.cameraName = name;
    this.sites.set(`camera`, new Error(`camera "${name}"`));
    return this.syncInputs();
  }

  /** Adds a light operator by name (up to MAX_LIGHTS = 4). */
  light(name: string): this {
    if (typeof name !== "string") throw new TypeError(`${this.name}.light() expects an operator name (string)`);
    if (this.lightNames.includes(name)) return this;
    if (this.lightNames.length >= MAX_LIGHTS) {
      throw new Error(`${this.name}.light("${name}"): Render3D takes at most ${MAX_LIGHTS} lights (has ${this.lightNames.join(", ")})`);
    }
    this.lightNames.push(name);
    this.sites.set(`light ${name}`, new Error(`light "${name}"`));
    return this.syncInputs();
  }

  /** inputNames = [scene, camera?, ...lights]: dense, so the chain orders and resolves them. */
  private syncInputs(): this {
    const names: string[] = [];
    const sites: Error[] = [];
    if (this.sceneName !== undefined) {
      names.push(this.sceneName);
      sites.push(this.sites.get("scene")!);
    }
    if (this.cameraName !== undefined) {
      names.push(this.cameraName);
      sites.push(this.sites.get("camera")!);
    }
    for (const light of this.lightNames) {
      names.push(light);
      sites.push(this.sites.get(`light ${light}`)!);
    }
    this.inputNames.length = 0;
    this.inputNames.push(...names);
    this.inputSites.length = 0;
    this.inputSites.push(...sites);
    this.dirty = true;
    return this;
  }

  init(_ctx: InitContext): void {
    this.classifyInputs();
    const scope = this.scope;
    const shader = loadShader("3d/render3d.wgsl");
    const shadowShader = loadShader("3d/render3d-shadow.wgsl");
    this.mainLayout = scope.layout(MAIN_ENTRIES);
    this.shadowLayout = scope.layout(SHADOW_ENTRIES);
    const main = {
      shader,
      targets: [OUTPUT_FORMAT],
      layouts: [this.mainLayout],
      vertexBuffers: [VERTEX_LAYOUT],
      depth: { format: DEPTH_FORMAT, write: true, compare: "less" as const },
    };
    this.trianglePipeline = scope.renderPipeline({ ...main, cullMode: "back" });
    this.wirePipeline = scope.renderPipeline({ ...main, topology: "line-list" });
    this.shadowPipeline = scope.renderPipeline({
      shader: shadowShader,
      targets: [],
      layouts: [this.shadowLayout],
      vertexBuffers: [VERTEX_LAYOUT],
      depth: { format: SHADOW_FORMAT, write: true, compare: "less" },
    });
    this.frameBuffer = scope.buffer("frame", FRAME_BYTES, USAGE.UNIFORM | USAGE.COPY_DST);
    this.ensureOutput();
  }

  /** Sorts the resolved inputs into scene, camera and lights by what they output. */
  private classifyInputs(): void {
    const [sceneInput, ...rest] = this.inputs;
    if (this.sceneName === undefined || !sceneInput) {
      throw new Error(`${this.typeName} "${this.name}" needs a scene: call ${this.name}.input("<SceneComposer or geometry name>")`);
    }
    if (sceneInput instanceof SceneComposer) this.scene = sceneInput;
    else if (sceneInput instanceof GeometryOperator) this.geometry = sceneInput;
    else throw new Error(`${this.name}.input("${sceneInput.name}"): a ${sceneInput.typeName} is not a scene (SceneComposer) or a geometry (Box, Sphere, …)`);
    this.lightOps = [];
    for (const op of rest) {
      if (op.name === this.cameraName) {
        if (!(op instanceof CameraOperator)) throw new Error(`${this.name}.camera("${op.name}"): a ${op.typeName} is not a CameraOperator`);
        this.cameraOp = op;
      } else if (op instanceof LightOperator) {
        this.lightOps.push(op);
      } else {
        throw new Error(`${this.name}.light("${op.name}"): a ${op.typeName} is not a light (DirectionalLight, PointLight, SpotLight)`);
      }
    }
  }

  cook(ctx: CookContext): void {
    const queue = ctx.gpu.queue;
    const target = this.ensureOutput();
    const depth = this.ensureDepth(target.width, target.height);
    this.collectDraws();
    this.ensureEntries(this.draws.length);
    this.writeEntries(queue);

    const lights = this.collectLights();
    this.assignShadowLayers(lights);
    this.ensureShadowMap();
    this.ensureBindGroups();
    this.writeFrame(queue, lights, target.width / target.height);

    for (let layer = 0; layer < this.layers.length; layer++) this.drawShadowLayer(ctx, layer, lights);

    const clear = this.clearColor;
    const pass = ctx.frame.renderPass(this.name, {
      colorAttachments: [{ view: target.view, loadOp: "clear", storeOp: "store", clearValue: [clear[0]!, clear[1]!, clear[2]!, clear[3]!] }],
      depthStencilAttachment: { view: depth.view, depthClearValue: 1, depthLoadOp: "clear", depthStoreOp: "store" },
    });
    const wire = this.wireframe;
    pass.setPipeline(wire ? this.wirePipeline : this.trianglePipeline);
    pass.setBindGroup(0, this.mainGroup!);
    for (let i = 0; i < this.draws.length; i++) {
      const { entry, geometry } = this.draws[i]!;
      const mesh = geometry.mesh;
      if (!mesh || !entry.visible) continue;
      pass.setVertexBuffer(0, mesh.vertices.buffer);
      pass.setIndexBuffer(wire ? mesh.edges.buffer : mesh.indices.buffer, "uint32");
      pass.drawIndexed(wire ? mesh.edgeCount : mesh.indexCount, 1, 0, 0, i);
    }
    pass.end();
  }

  /** The scene's entries (or the single geometry) as draws; reuses the array. */
  private collectDraws(): void {
    this.draws.length = 0;
    if (this.scene) {
      for (const entry of this.scene.entries) this.draws.push({ entry, geometry: this.scene.geometryOf(entry) });
    } else if (this.geometry) {
      const c = this.color;
      this.soloEntry.color[0] = c[0]!;
      this.soloEntry.color[1] = c[1]!;
      this.soloEntry.color[2] = c[2]!;
      this.soloEntry.color[3] = c[3]!;
      this.draws.push({ entry: this.soloEntry, geometry: this.geometry });
    }
  }

  /** Up to 4 lights from the inputs, or the `lightDir` / `lightColor` light when none is connected. */
  private collectLights(): LightData[] {
    if (this.lightOps.length > 0) return this.lightOps.map((op) => op.light());
    return [
      {
        type: "directional",
        position: [0, 0, 0],
        direction: normalize3(this.lightDir),
        color: this.lightColor,
        intensity: 1,
        range: 0,
        spotAngle: 0,
        spotBlend: 0,
        castShadow: false,
        shadowBias: 0.001,
      },
    ];
  }

  /** Layer ranges in the shadow map: 6 per shadowed point light, 1 per shadowed directional / spot light. */
  private assignShadowLayers(lights: LightData[]): void {
    this.layers.length = 0;
    if (!this.shadows) return;
    lights.forEach((light, index) => {
      if (!light.castShadow) return;
      const faces = light.type === "point" ? 6 : 1;
      for (let face = 0; face < faces; face++) this.layers.push({ light: index, face });
    });
  }

  // ── GPU resources: acquired on first use or when a size changes, then kept ─────────────────────

  private ensureDepth(width: number, height: number): TextureHandle {
    if (this.depth && this.depth.width === width && this.depth.height === height) return this.depth;
    if (this.depth) this.scope.drop(this.depth);
    this.depth = this.scope.texture({ slot: "depth", width, height, format: DEPTH_FORMAT, usage: USAGE.RENDER_ATTACHMENT });
    return this.depth;
  }

  /** The entry storage buffer grows in powers of two; bind groups that name it are re-made. */
  private ensureEntries(count: number): void {
    const capacity = Math.max(8, 2 ** Math.ceil(Math.log2(Math.max(1, count))));
    if (this.entriesBuffer && this.entriesBuffer.size >= capacity * ENTRY_BYTES) return;
    this.dropEntryBindGroups();
    if (this.entriesBuffer) this.scope.drop(this.entriesBuffer);
    this.entriesBuffer = this.scope.buffer("entries", capacity * ENTRY_BYTES, USAGE.STORAGE | USAGE.COPY_DST);
    this.entryData = new Float32Array(capacity * ENTRY_FLOATS);
  }

  /**
   * The shadow map: `shadowMapResolution`² × layers, or 1×1×1 when no light casts a shadow (the
   * shader still needs something bound). Per-layer views for rendering, one array view for sampling.
   */
  private ensureShadowMap(): void {
    const layers = Math.max(1, this.layers.length);
    const size = this.layers.length > 0 ? this.shadowMapResolution : 1;
    const current = this.shadowMap;
    if (current && current.width === size && this.shadowLayerViews.length === layers) return;
    const scope = this.scope;
    this.dropMainBindGroup();
    for (const view of this.shadowLayerViews) scope.drop(view);
    if (this.shadowArrayView) scope.drop(this.shadowArrayView);
    if (current) scope.drop(current);
    const map = scope.texture({ slot: "shadow", width: size, height: size, format: SHADOW_FORMAT, usage: USAGE.RENDER_ATTACHMENT | USAGE.TEXTURE_BINDING, layers });
    this.shadowMap = map;
    this.shadowArrayView = scope.view(map, { dimension: "2d-array", baseArrayLayer: 0, arrayLayerCount: layers });
    this.shadowLayerViews = Array.from({ length: layers }, (_, layer) => scope.view(map, { dimension: "2d", baseArrayLayer: layer, arrayLayerCount: 1 }));
  }

  private ensureBindGroups(): void {
    const scope = this.scope;
    this.mainGroup ??= scope.bindGroup(this.mainLayout, MAIN_ENTRIES, [this.frameBuffer, this.entriesBuffer!, this.shadowArrayView!]);
    for (let layer = this.shadowPassBuffers.length; layer < this.layers.length; layer++) {
      this.shadowPassBuffers.push(scope.buffer(`shadow-pass-${layer}`, SHADOW_PASS_BYTES, USAGE.UNIFORM | USAGE.COPY_DST));
    }
    for (let layer = this.shadowPassGroups.length; layer < this.layers.length; layer++) {
      this.shadowPassGroups.push(scope.bindGroup(this.shadowLayout, SHADOW_ENTRIES, [this.shadowPassBuffers[layer]!, this.entriesBuffer!]));
    }
  }

  /** The main bind group names the entries buffer and the shadow map's array view. */
  private dropMainBindGroup(): void {
    if (this.mainGroup) this.scope.drop(this.mainGroup);
    this.mainGroup = undefined;
  }

  /** Gives back every bind group naming the entries buffer: the main one and each shadow pass's. */
  private dropEntryBindGroups(): void {
    this.dropMainBindGroup();
    for (const group of this.shadowPassGroups) this.scope.drop(group);
    this.shadowPassGroups = [];
  }

  // ── packing (byte offsets as in shaders/3d/*.wgsl) ────────────────────────────────────────────

  /** Entry (160 B): model @0, normalMatrix @64, color @128, material @144 (metallic, roughness, receiveShadow, unlit). */
  private writeEntries(queue: GPUQueue): void {
    const data = this.entryData;
    for (let i = 0; i < this.draws.length; i++) {
      const { entry } = this.draws[i]!;
      const o = i * ENTRY_FLOATS;
      data.set(entry.transform, o);
      normalMatrix(entry.transform, data.subarray(o + 16, o + 32));
      data.set(entry.color, o + 32);
      data[o + 36] = entry.metallic;
      data[o + 37] = entry.roughness;
      data[o + 38] = entry.receiveShadow ? 1 : 0;
      data[o + 39] = entry.unlit ? 1 : 0;
    }
    if (this.draws.length > 0) queue.writeBuffer(this.entriesBuffer!.buffer, 0, data.buffer as ArrayBuffer, 0, this.draws.length * ENTRY_BYTES);
  }

  /**
   * Frame (1904 B): viewProj @0, cameraPos @64, material @80 (ambient, metallic, roughness, toon
   * levels), counts @96 (u32: shading mode, light count, shadow size, wireframe), lights @112
   * (4 × 64 B, see packLight), shadow matrices @368 (24 × 64 B).
   */
  private writeFrame(queue: GPUQueue, lights: LightData[], aspect: number): void {
    const f = this.frameFloats;
    const u = this.frameUints;
    const camera = this.cameraOp ?? this.defaultCamera;
    camera.viewMatrix(this.view);
    camera.projectionMatrix(aspect, this.projection);
    multiply(this.projection, this.view, this.viewProjection);
    f.set(this.viewProjection, 0);
    const eye = camera.eye();
    f[16] = eye[0];
    f[17] = eye[1];
    f[18] = eye[2];
    f[19] = 1;
    f[20] = this.ambient;
    f[21] = this.metallic;
    f[22] = this.roughness;
    f[23] = this.toonLevels;
    u[24] = SHADING_MODES.indexOf(this.shadingMode);
    u[25] = lights.length;
    u[26] = this.layers.length > 0 ? this.shadowMapResolution : 1;
    u[27] = this.wireframe ? 1 : 0;
    this.computeLayerMatrices(lights);
    for (let i = 0; i < MAX_LIGHTS; i++) this.packLight(f, 28 + i * 16, lights[i], this.firstLayerOf(i));
    for (let layer = 0; layer < this.layers.length; layer++) f.set(this.layerMatrices[layer]!, 92 + layer * 16);
    queue.writeBuffer(this.frameBuffer.buffer, 0, this.frameData);
  }

  private firstLayerOf(light: number): number {
    return this.layers.findIndex((layer) => layer.light === light);
  }

  /**
   * Light (64 B): position_type @0 (xyz, type), direction_range @16 (unit xyz, range), color_intensity
   * @32, spot_shadow @48 (cos outer half-angle, cos inner half-angle, first shadow layer or -1, bias).
   * As the original's lightDataToGPU: spotAngle is the outer half-angle, spotAngle × (1 − spotBlend)
   * the inner one.
   */
  private packLight(f: Float32Array, o: number, light: LightData | undefined, firstLayer: number): void {
    if (!light) {
      f.fill(0, o, o + 16);
      f[o + 14] = -1;
      return;
    }
    f[o] = light.position[0]!;
    f[o + 1] = light.position[1]!;
    f[o + 2] = light.position[2]!;
    f[o + 3] = LIGHT_TYPES[light.type];
    f[o + 4] = light.direction[0];
    f[o + 5] = light.direction[1];
    f[o + 6] = light.direction[2];
    f[o + 7] = light.range;
    f[o + 8] = light.color[0]!;
    f[o + 9] = light.color[1]!;
    f[o + 10] = light.color[2]!;
    f[o + 11] = light.intensity;
    const outer = (Math.min(light.spotAngle, 180) * Math.PI) / 180;
    f[o + 12] = Math.cos(outer);
    f[o + 13] = Math.cos(outer * (1 - Math.min(Math.max(light.spotBlend, 0), 1)));
    f[o + 14] = firstLayer;
    f[o + 15] = light.shadowBias;
  }

  /** Light-space view-projection of every shadow layer. */
  private computeLayerMatrices(lights: LightData[]): void {
    let bounds: { center: [number, number, number]; radius: number } | undefined;
    for (let layer = 0; layer < this.layers.length; layer++) {
      const { light: index, face } = this.layers[layer]!;
      const light = lights[index]!;
      const out = this.layerMatrices[layer]!;
      if (light.type === "point") cubeFaceMatrix(light.position, face, LIGHT_NEAR, light.range, out);
      // The frustum spans the whole cone (twice the half-angle) and a margin for the filter's taps.
      else if (light.type === "spot") spotLightMatrix(light.position, light.direction, ((2 * light.spotAngle + 10) * Math.PI) / 180, LIGHT_NEAR, light.range, out);
      else {
        bounds ??= this.sceneBounds();
        const d = light.direction;
        directionalLightMatrix([-d[0], -d[1], -d[2]], bounds.center, bounds.radius, out);
      }
    }
  }

  /** A sphere around every visible entry (each entry's mesh sphere, moved and scaled by its transform). */
  private sceneBounds(): { center: [number, number, number]; radius: number } {
    const min = [Infinity, Infinity, Infinity];
    const max = [-Infinity, -Infinity, -Infinity];
    for (const { entry, geometry } of this.draws) {
      if (!entry.visible || !geometry.mesh) continue;
      const m = entry.transform;
      const scale = Math.max(Math.hypot(m[0]!, m[1]!, m[2]!), Math.hypot(m[4]!, m[5]!, m[6]!), Math.hypot(m[8]!, m[9]!, m[10]!));
      const r = geometry.mesh.radius * scale;
      for (let k = 0; k < 3; k++) {
        min[k] = Math.min(min[k]!, m[12 + k]! - r);
        max[k] = Math.max(max[k]!, m[12 + k]! + r);
      }
    }
    if (!Number.isFinite(min[0]!)) return { center: [0, 0, 0], radius: 1 };
    const center: [number, number, number] = [(min[0]! + max[0]!) / 2, (min[1]! + max[1]!) / 2, (min[2]! + max[2]!) / 2];
    return { center, radius: Math.hypot(max[0]! - min[0]!, max[1]! - min[1]!, max[2]! - min[2]!) / 2 };
  }

  /**
   * ShadowPass (96 B): viewProj @0, light @64 (position, range), kind @80 (u32: 1 = distance / range).
   * Each layer has its own buffer, so the six cube faces written in one frame never share uniforms.
   */
  private drawShadowLayer(ctx: CookContext, layer: number, lights: LightData[]): void {
    const { light: index } = this.layers[layer]!;
    const light = lights[index]!;
    const f = this.passFloats;
    f.set(this.layerMatrices[layer]!, 0);
    f[16] = light.position[0]!;
    f[17] = light.position[1]!;
    f[18] = light.position[2]!;
    f[19] = light.type === "directional" ? 1 : light.range;
    this.passUints[20] = light.type === "directional" ? 0 : 1;
    ctx.gpu.queue.writeBuffer(this.shadowPassBuffers[layer]!.buffer, 0, this.passData);

    const pass = ctx.frame.renderPass(this.name, {
      colorAttachments: [],
      depthStencilAttachment: { view: this.shadowLayerViews[layer]!.view, depthClearValue: 1, depthLoadOp: "clear", depthStoreOp: "store" },
    });
    pass.setPipeline(this.shadowPipeline);
    pass.setBindGroup(0, this.shadowPassGroups[layer]!);
    for (let i = 0; i < this.draws.length; i++) {
      const { entry, geometry } = this.draws[i]!;
      const mesh = geometry.mesh;
      if (!mesh || !entry.visible || !entry.castShadow) continue;
      pass.setVertexBuffer(0, mesh.vertices.buffer);
      pass.setIndexBuffer(mesh.indices.buffer, "uint32");
      pass.drawIndexed(mesh.indexCount, 1, 0, 0, i);
    }
    pass.end();
  }

  override dispose(): void {
    this.mainGroup = undefined;
    this.shadowPassGroups = [];
    this.shadowPassBuffers = [];
    this.shadowLayerViews = [];
    this.shadowArrayView = undefined;
    this.shadowMap = undefined;
    this.entriesBuffer = undefined;
    this.depth = undefined;
    super.dispose();
  }
}
defineOperator(Render3D);
