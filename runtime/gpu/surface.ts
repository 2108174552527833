/**
 * Window surface glue: a WGPUSurface made from a window's native handles, configured for the device,
 * handing out one texture + view per frame and releasing both at present.
 *
 * bun-webgpu 0.1.7 has no surface API, so this goes under it (see docs/notes/window-surface.md):
 * - the instance and the bound symbols come from the device (`device.instanceTicker.instancePtr`,
 *   `device.lib`), which are the same objects as `navigator.gpu.instancePtr` / `.lib`;
 * - `wgpuSurfaceGetCapabilities` and `wgpuDeviceGetAdapter` are exported by the library but not bound,
 *   so the same library file is dlopen'd a second time for them (same handle, same Dawn state);
 * - the per-frame surface texture is wrapped in bun-webgpu's own GPUTexture class so the rest of the
 *   runtime can `createView` and use it as a render attachment like any other texture. The wrapper does
 *   not own the handle: `present()` releases it.
 *
 * Both per-frame objects are counted in the census (owner "display"): `surfaceTexture` and
 * `textureView` are created by `acquire()` and released by `present()` (or by the next `acquire()` /
 * `destroy()` when a frame was abandoned), so after teardown both live counts are 0.
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { dlopen, FFIType, ptr, read, suffix, type Pointer } from "bun:ffi";
import type { Census } from "./census.ts";
import type { NativeHandles } from "../window/window.ts";

export type PresentMode = "fifo" | "fifo-relaxed" | "immediate" | "mailbox";

export interface SurfaceFrame {
  /** The swap-chain image for this frame, wrapped as a GPUTexture. Never call `destroy()` on it. */
  texture: GPUTexture;
  /** A view of it, ready to be a render-pass color attachment. Released by `present()`. */
  view: GPUTextureView;
}

export interface Surface {
  /** The swap-chain format the display pass must render to (see `chooseFormat`). */
  readonly format: GPUTextureFormat;
  /** Every format the surface supports on this adapter, in the driver's order. */
  readonly supportedFormats: readonly GPUTextureFormat[];
  readonly supportedPresentModes: readonly PresentMode[];
  /** The configured size in pixels; 0×0 before `configure`. */
  readonly width: number;
  readonly height: number;
  /** The present mode in use: the requested one, or the fallback when the surface lacks it. */
  readonly presentMode: PresentMode;
  /** Texture usage of the swap-chain images: RENDER_ATTACHMENT, plus COPY_SRC where supported (screenshots). */
  readonly usage: number;
  /** How many times the surface has been (re)configured. */
  readonly configureCount: number;
  configure(width: number, height: number, presentMode?: PresentMode): void;
  /** Reconfigures when the framebuffer size differs from the configured one; true if it did. */
  resizeIfNeeded(width: number, height: number): boolean;
  /** The frame's texture and view, or null when there is nothing to draw into this frame (skip it). */
  acquire(): SurfaceFrame | null;
  /** Presents the acquired frame and releases its view and surface texture. */
  present(): void;
  /**
   * Unconfigures and releases the surface, and resolves once the driver's swap chain is gone.
   * Await it before destroying the window (see `flushSwapChainDeletion`). Idempotent.
   */
  destroy(): Promise<void>;
}

export interface SurfaceOptions {
  /** The bun-webgpu library file the device was created from, when it is not the installed package's. */
  libPath?: string;
  /** Census owner for the per-frame objects. */
  owner?: string;
}

// ---- enums (Dawn's webgpu.h) ----

const STYPE = { metalLayer: 4, windowsHWND: 5, xlibWindow: 6, waylandSurface: 7 } as const;
const WGPU_STRLEN = 0xffffffffffffffffn;
const TEXTURE_USAGE_COPY_SRC = 0x01;
const TEXTURE_USAGE_RENDER_ATTACHMENT = 0x10;

const PRESENT_MODES: Record<PresentMode, number> = { fifo: 1, "fifo-relaxed": 2, immediate: 3, mailbox: 4 };
const ALPHA_MODE = { auto: 0, opaque: 1 } as const;
const TEXTURE_STATUS = { successOptimal: 1, successSuboptimal: 2, timeout: 3, outdated: 4, lost: 5, error: 6 } as const;

/** The swap-chain formats we can name (bun-webgpu's WGPUTextureFormat table). */
const FORMAT_NAMES: Record<number, GPUTextureFormat> = {
  18: "rgba8unorm",
  19: "rgba8unorm-srgb",
  23: "bgra8unorm",
  24: "bgra8unorm-srgb",
  26: "rgb10a2unorm",
  34: "rgba16float",
};

/**
 * Picks the swap-chain format. The chain renders into RGBA16F holding display values already (the
 * original vivid writes them to a non-sRGB swap chain, and the offscreen PNG path stores them as is),
 * so the surface must be a *non*-sRGB 8-bit format: an `-srgb` format would encode them a second time
 * and every colour on screen would come out lighter than the offscreen render of the same frame.
 * Lavapipe lists [bgra8unorm-srgb, bgra8unorm], so taking the first entry would be exactly that bug.
 */
export function chooseFormat(supported: readonly GPUTextureFormat[]): GPUTextureFormat {
  for (const preferred of ["bgra8unorm", "rgba8unorm"] as const) if (supported.includes(preferred)) return preferred;
  const linear = supported.find((f) => !f.endsWith("-srgb"));
  if (linear) return linear;
  if (supported[0]) return supported[0];
  throw new Error("surface reports no formats this runtime can use");
}

/** The requested mode when supported; "immediate" falls back to "mailbox", everything to "fifo" (always there). */
export function choosePresentMode(requested: PresentMode, supported: readonly PresentMode[]): PresentMode {
  if (supported.includes(requested)) return requested;
  if (requested === "immediate" && supported.includes("mailbox")) return "mailbox";
  return "fifo";
}

// ---- the second dlopen of bun-webgpu's library ----

const extraSymbols = {
  wgpuSurfaceGetCapabilities: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.u32 },
  wgpuDeviceGetAdapter: { args: [FFIType.ptr], returns: FFIType.ptr },
  wgpuAdapterRelease: { args: [FFIType.ptr], returns: FFIType.void },
  // (device, WGPUDeviceLostReason, WGPUStringView message): the view's two words go in two registers.
  wgpuDeviceForceLoss: { args: [FFIType.ptr, FFIType.u32, FFIType.ptr, FFIType.u64], returns: FFIType.void },
} as const;
type ExtraSymbols = ReturnType<typeof dlopen<typeof extraSymbols>>["symbols"];
let extra: ExtraSymbols | null = null;

/** The library file bun-webgpu loads by default: `libwebgpu_wrapper` in `bun-webgpu-<platform>-<arch>`. */
export function webgpuLibraryPath(): string {
  const pkg = `bun-webgpu-${process.platform}-${process.arch}`;
  const dir = dirname(Bun.resolveSync(`${pkg}/package.json`, dirname(fileURLToPath(import.meta.url))));
  for (const name of [`libwebgpu_wrapper.${suffix}`, `webgpu_wrapper.${suffix}`]) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`no webgpu_wrapper library in ${dir}`);
}

function extraSymbolsFor(libPath?: string): ExtraSymbols {
  // Opened once and never closed: the dlopen reference count keeps the library where bun-webgpu put it.
  extra ??= dlopen(libPath ?? webgpuLibraryPath(), extraSymbols).symbols;
  return extra;
}

/**
 * Loses `device` the way a driver does (Dawn's wgpuDeviceForceLoss, reason "unknown"): its `lost`
 * promise resolves with `message`, and its objects (a surface's swap chain too) stay valid to
 * release, unlike after `destroy()`. For test hooks that stand in for a real loss.
 */
export function forceDeviceLoss(device: GPUDevice, message: string, libPath?: string): void {
  const text = new TextEncoder().encode(message);
  extraSymbolsFor(libPath).wgpuDeviceForceLoss((device as unknown as DeviceInternals).ptr, 1, text.length > 0 ? ptr(text) : null, BigInt(text.length));
}

/** bun-webgpu's internals that we reach through the device (present at runtime, not in its types). */
interface BunWebGpuLib {
  wgpuInstanceCreateSurface(instance: Pointer, descriptor: Pointer): Pointer | null;
  wgpuSurfaceConfigure(surface: Pointer, config: Pointer): void;
  wgpuSurfaceUnconfigure(surface: Pointer): void;
  wgpuSurfaceGetCurrentTexture(surface: Pointer, surfaceTexture: Pointer): void;
  wgpuSurfacePresent(surface: Pointer): void;
  wgpuSurfaceRelease(surface: Pointer): void;
  wgpuSurfaceCapabilitiesFreeMembers(capabilities: Pointer): void;
  wgpuTextureRelease(texture: Pointer): void;
  wgpuBufferRelease(buffer: Pointer): void;
}

interface DeviceInternals {
  ptr: Pointer;
  lib?: BunWebGpuLib;
  instanceTicker?: { instancePtr: Pointer };
}

type TextureClass = new (
  texturePtr: Pointer,
  lib: BunWebGpuLib,
  width: number,
  height: number,
  depthOrArrayLayers: number,
  format: GPUTextureFormat,
  dimension: GPUTextureDimension,
  mipLevelCount: number,
  sampleCount: number,
  usage: number,
) => GPUTexture;

let textureClass: TextureClass | null = null;

/**
 * bun-webgpu does not export its texture class; reach its constructor through a 1×1 texture made once
 * per process. (bun-webgpu's `destroy()` only calls wgpuTextureDestroy, so the handle is released here.)
 */
function bunTextureClass(device: GPUDevice, lib: BunWebGpuLib, census: Census, owner: string): TextureClass {
  if (textureClass) return textureClass;
  const probe = device.createTexture({ size: [1, 1], format: "rgba8unorm", usage: GPUTextureUsage.TEXTURE_BINDING, label: "surface-class-probe" });
  census.created("texture", owner, 4);
  textureClass = Object.getPrototypeOf(probe).constructor as TextureClass;
  probe.destroy();
  lib.wgpuTextureRelease(probe.ptr);
  census.released("texture", owner, 4);
  return textureClass;
}

// ---- struct packing (x86-64 / aarch64, little-endian; offsets in docs/notes/window-surface.md) ----

function setPointer(view: DataView, offset: number, value: Pointer | bigint | null): void {
  view.setBigUint64(offset, value === null ? 0n : BigInt(value), true);
}

/** The chained source struct for the platform: WGPUChainedStruct {next @0, sType u32 @8} then fields. */
function packSource(handles: NativeHandles): Uint8Array {
  switch (handles.platform) {
    case "x11": {
      // WGPUSurfaceSourceXlibWindow (32 B): chain @0, display ptr @16, window u64 @24.
      const bytes = new Uint8Array(32);
      const view = new DataView(bytes.buffer);
      view.setUint32(8, STYPE.xlibWindow, true);
      setPointer(view, 16, handles.display);
      view.setBigUint64(24, handles.window, true);
      return bytes;
    }
    case "wayland": {
      // UNTESTED. WGPUSurfaceSourceWaylandSurface (32 B): chain @0, wl_display* @16, wl_surface* @24.
      const bytes = new Uint8Array(32);
      const view = new DataView(bytes.buffer);
      view.setUint32(8, STYPE.waylandSurface, true);
      setPointer(view, 16, handles.display);
      setPointer(view, 24, handles.surface);
      return bytes;
    }
    case "win32": {
      // UNTESTED. WGPUSurfaceSourceWindowsHWND (32 B): chain @0, hinstance @16, hwnd @24.
      const bytes = new Uint8Array(32);
      const view = new DataView(bytes.buffer);
      view.setUint32(8, STYPE.windowsHWND, true);
      setPointer(view, 16, handles.hinstance ?? win32ModuleHandle());
      setPointer(view, 24, handles.hwnd);
      return bytes;
    }
    case "cocoa": {
      // UNTESTED. WGPUSurfaceSourceMetalLayer (24 B): chain @0, CAMetalLayer* @16.
      const bytes = new Uint8Array(24);
      const view = new DataView(bytes.buffer);
      view.setUint32(8, STYPE.metalLayer, true);
      setPointer(view, 16, metalLayerFor(handles.nsWindow));
      return bytes;
    }
  }
}

/** UNTESTED. GetModuleHandleW(NULL): the HINSTANCE of the running executable. */
function win32ModuleHandle(): Pointer {
  const kernel32 = dlopen("kernel32.dll", { GetModuleHandleW: { args: [FFIType.ptr], returns: FFIType.ptr } });
  const handle = kernel32.symbols.GetModuleHandleW(null) as Pointer | null;
  if (!handle) throw new Error("GetModuleHandleW(NULL) failed");
  return handle;
}

/**
 * UNTESTED. Gives the NSWindow's content view a CAMetalLayer and returns the layer, through the
 * Objective-C runtime: [view setWantsLayer:YES]; layer = [CAMetalLayer layer]; [view setLayer:layer].
 * objc_msgSend needs one FFI signature per call shape, so it is bound three times.
 */
function metalLayerFor(nsWindow: Pointer): Pointer {
  // Loading QuartzCore registers the CAMetalLayer class with the runtime.
  dlopen("/System/Library/Frameworks/QuartzCore.framework/QuartzCore", { CACurrentMediaTime: { args: [], returns: FFIType.f64 } });
  const objcPath = "/usr/lib/libobjc.A.dylib";
  const objc = dlopen(objcPath, {
    objc_getClass: { args: [FFIType.cstring], returns: FFIType.ptr },
    sel_registerName: { args: [FFIType.cstring], returns: FFIType.ptr },
  }).symbols;
  const send = dlopen(objcPath, { objc_msgSend: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.ptr } }).symbols.objc_msgSend;
  const sendPtr = dlopen(objcPath, { objc_msgSend: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.void } }).symbols.objc_msgSend;
  const sendBool = dlopen(objcPath, { objc_msgSend: { args: [FFIType.ptr, FFIType.ptr, FFIType.bool], returns: FFIType.void } }).symbols.objc_msgSend;
  const sel = (name: string) => objc.sel_registerName(Buffer.from(`${name}\0`))!;
  const contentView = send(nsWindow, sel("contentView"));
  const layerClass = objc.objc_getClass(Buffer.from("CAMetalLayer\0"));
  if (!contentView || !layerClass) throw new Error("no content view or CAMetalLayer class for the Metal surface");
  sendBool(contentView, sel("setWantsLayer:"), true);
  const layer = send(layerClass, sel("layer")) as Pointer | null;
  if (!layer) throw new Error("[CAMetalLayer layer] returned nil");
  sendPtr(contentView, sel("setLayer:"), layer);
  return layer;
}

// ---- capabilities ----

interface Capabilities {
  usages: number;
  formats: GPUTextureFormat[];
  presentModes: PresentMode[];
  alphaModes: number[];
}

/** WGPUSurfaceCapabilities (64 B): usages u64 @8, formatCount @16, formats @24, presentModeCount @32,
 *  presentModes @40, alphaModeCount @48, alphaModes @56. */
function readCapabilities(surface: Pointer, devicePtr: Pointer, lib: BunWebGpuLib, libPath?: string): Capabilities {
  const symbols = extraSymbolsFor(libPath);
  const adapter = symbols.wgpuDeviceGetAdapter(devicePtr);
  if (!adapter) throw new Error("wgpuDeviceGetAdapter returned null");
  const bytes = new Uint8Array(64);
  const view = new DataView(bytes.buffer);
  try {
    const status = symbols.wgpuSurfaceGetCapabilities(surface, adapter, ptr(bytes));
    if (status !== 1) throw new Error(`wgpuSurfaceGetCapabilities failed (status ${status}): the adapter cannot present to this window`);
    const list = (countOffset: number, arrayOffset: number): number[] => {
      const count = Number(view.getBigUint64(countOffset, true));
      const array = Number(view.getBigUint64(arrayOffset, true)) as Pointer;
      const values: number[] = [];
      for (let i = 0; i < count; i++) values.push(read.u32(array, i * 4));
      return values;
    };
    const presentModeByValue = new Map(Object.entries(PRESENT_MODES).map(([name, value]) => [value, name as PresentMode]));
    return {
      usages: Number(view.getBigUint64(8, true)),
      formats: list(16, 24).flatMap((f) => (FORMAT_NAMES[f] ? [FORMAT_NAMES[f]] : [])),
      presentModes: list(32, 40).flatMap((m) => (presentModeByValue.has(m) ? [presentModeByValue.get(m)!] : [])),
      alphaModes: list(48, 56),
    };
  } finally {
    lib.wgpuSurfaceCapabilitiesFreeMembers(ptr(bytes));
    symbols.wgpuAdapterRelease(adapter);
  }
}

// ---- the surface ----

/** Creates a surface for a window. Throws with Dawn's reason when the handles cannot make one. */
export function createSurface(device: GPUDevice, handles: NativeHandles, census: Census, options: SurfaceOptions = {}): Surface {
  const internals = device as unknown as DeviceInternals;
  const gpu = (globalThis.navigator as unknown as { gpu?: { instancePtr?: Pointer; lib?: BunWebGpuLib } } | undefined)?.gpu;
  const lib = internals.lib ?? gpu?.lib;
  const instance = internals.instanceTicker?.instancePtr ?? gpu?.instancePtr;
  if (!lib || !instance) throw new Error("createSurface needs a bun-webgpu device (no instance pointer or symbol table found on it)");

  const source = packSource(handles);
  const descriptor = new Uint8Array(24);
  const descriptorView = new DataView(descriptor.buffer);
  setPointer(descriptorView, 0, ptr(source)); // nextInChain
  setPointer(descriptorView, 8, null); // label.data
  descriptorView.setBigUint64(16, WGPU_STRLEN, true); // label.length = WGPU_STRLEN (null label)
  const handle = lib.wgpuInstanceCreateSurface(instance, ptr(descriptor));
  if (!handle) throw new Error(`wgpuInstanceCreateSurface failed for the ${handles.platform} window`);

  try {
    const capabilities = readCapabilities(handle, internals.ptr, lib, options.libPath);
    const owner = options.owner ?? "display";
    return new DawnSurface(device, lib, handle, capabilities, census, owner, bunTextureClass(device, lib, census, owner));
  } catch (error) {
    lib.wgpuSurfaceRelease(handle);
    throw error;
  }
}

class DawnSurface implements Surface {
  readonly format: GPUTextureFormat;
  readonly supportedFormats: readonly GPUTextureFormat[];
  readonly supportedPresentModes: readonly PresentMode[];
  readonly usage: number;
  width = 0;
  height = 0;
  presentMode: PresentMode = "fifo";
  configureCount = 0;

  private alphaMode: number;
  private configuredMode: PresentMode = "fifo";
  private needsReconfigure = false;
  private frame: { raw: Pointer; texture: GPUTexture; view: GPUTextureView } | null = null;
  private released = false;
  // Reused every frame: WGPUSurfaceTexture (24 B): next @0, texture @8, status u32 @16.
  private surfaceTexture = new Uint8Array(24);
  private surfaceTextureView = new DataView(this.surfaceTexture.buffer);

  constructor(
    private device: GPUDevice,
    private lib: BunWebGpuLib,
    private handle: Pointer,
    capabilities: Capabilities,
    private census: Census,
    private owner: string,
    private TextureWrapper: TextureClass,
  ) {
    this.supportedFormats = capabilities.formats;
    this.supportedPresentModes = capabilities.presentModes;
    this.format = chooseFormat(capabilities.formats);
    this.usage = TEXTURE_USAGE_RENDER_ATTACHMENT | (capabilities.usages & TEXTURE_USAGE_COPY_SRC);
    this.alphaMode = capabilities.alphaModes.includes(ALPHA_MODE.opaque) ? ALPHA_MODE.opaque : ALPHA_MODE.auto;
  }

  private live(): Pointer {
    if (this.released) throw new Error("surface used after destroy()");
    return this.handle;
  }

  configure(width: number, height: number, presentMode: PresentMode = this.configuredMode): void {
    const handle = this.live();
    if (width <= 0 || height <= 0) throw new Error(`surface size must be positive, got ${width}×${height}`);
    this.releaseFrame();
    const mode = choosePresentMode(presentMode, this.supportedPresentModes);
    // WGPUSurfaceConfiguration (64 B): next @0, device @8, format u32 @16, usage u64 @24, width u32 @32,
    // height u32 @36, viewFormatCount @40, viewFormats @48, alphaMode u32 @56, presentMode u32 @60.
    const config = new Uint8Array(64);
    const view = new DataView(config.buffer);
    setPointer(view, 8, (this.device as unknown as DeviceInternals).ptr);
    view.setUint32(16, formatValue(this.format), true);
    view.setBigUint64(24, BigInt(this.usage), true);
    view.setUint32(32, width, true);
    view.setUint32(36, height, true);
    view.setUint32(56, this.alphaMode, true);
    view.setUint32(60, PRESENT_MODES[mode], true);
    this.lib.wgpuSurfaceConfigure(handle, ptr(config));
    this.width = width;
    this.height = height;
    this.configuredMode = presentMode;
    this.presentMode = mode;
    this.needsReconfigure = false;
    this.configureCount++;
  }

  resizeIfNeeded(width: number, height: number): boolean {
    // A minimised window reports 0×0: keep the old configuration, acquire() still works on it.
    if (width <= 0 || height <= 0) return false;
    if (width === this.width && height === this.height && !this.needsReconfigure) return false;
    this.configure(width, height);
    return true;
  }

  acquire(): SurfaceFrame | null {
    const handle = this.live();
    if (this.width === 0) throw new Error("surface.acquire() before configure()");
    this.releaseFrame(); // a frame acquired but never presented (the render threw): don't leak it
    this.surfaceTexture.fill(0);
    this.lib.wgpuSurfaceGetCurrentTexture(handle, ptr(this.surfaceTexture));
    const raw = Number(this.surfaceTextureView.getBigUint64(8, true)) as Pointer;
    const status = this.surfaceTextureView.getUint32(16, true);
    if (status !== TEXTURE_STATUS.successOptimal && status !== TEXTURE_STATUS.successSuboptimal) {
      if (raw) this.lib.wgpuTextureRelease(raw);
      // Outdated or lost: the window changed under us; configure again before the next frame.
      if (status === TEXTURE_STATUS.outdated || status === TEXTURE_STATUS.lost) this.needsReconfigure = true;
      return null;
    }
    if (!raw) return null;
    if (status === TEXTURE_STATUS.successSuboptimal) this.needsReconfigure = true;
    const texture = new this.TextureWrapper(raw, this.lib, this.width, this.height, 1, this.format, "2d", 1, 1, this.usage);
    // The wrapper's destroy() would call wgpuTextureDestroy on a swap-chain image; forbid it.
    Object.defineProperty(texture, "destroy", {
      value: () => {
        throw new Error("a surface texture is released by surface.present(), not destroy()");
      },
    });
    this.census.created("surfaceTexture", this.owner);
    const view = texture.createView({ label: "surface view" });
    this.census.created("textureView", this.owner);
    this.frame = { raw, texture, view };
    return { texture, view };
  }

  present(): void {
    const handle = this.live();
    if (!this.frame) throw new Error("surface.present() without a successful acquire()");
    this.lib.wgpuSurfacePresent(handle);
    this.releaseFrame();
  }

  /** Releases the per-frame view and surface texture, if a frame is out. */
  private releaseFrame(): void {
    const frame = this.frame;
    if (!frame) return;
    this.frame = null;
    frame.view.destroy();
    this.census.released("textureView", this.owner);
    this.lib.wgpuTextureRelease(frame.raw);
    this.census.released("surfaceTexture", this.owner);
  }

  async destroy(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.releaseFrame();
    if (this.width > 0) this.lib.wgpuSurfaceUnconfigure(this.handle);
    this.lib.wgpuSurfaceRelease(this.handle);
    await this.flushSwapChainDeletion();
  }

  /**
   * Unconfigure does not destroy the VkSwapchainKHR: Dawn queues it for deletion at the next submit
   * serial and deletes it on a device tick after that serial completes. Until then the driver's WSI
   * may still present on its own thread (Mesa's x11 present queue does, for FIFO), using the X
   * window and the X connection; destroying the window or closing the connection (glfwTerminate)
   * before that crashed with BadDrawable on X_PutImage or a segfault. So: submit a command buffer
   * with one command in it (an empty one is not submitted, and the serial stays where it was: the
   * swap chain was then deleted at the device's destroy, after the X connection had closed, and
   * crashed in Xlib in one exit in ten), wait for it, tick, and only then may the window go.
   */
  private async flushSwapChainDeletion(): Promise<void> {
    const scratch = this.device.createBuffer({ label: "surface teardown", size: 4, usage: GPUBufferUsage.COPY_DST });
    this.census.created("buffer", this.owner, 4);
    const encoder = this.device.createCommandEncoder({ label: "surface teardown" });
    this.census.created("commandEncoder", this.owner);
    encoder.clearBuffer(scratch);
    const commands = encoder.finish(); // bun-webgpu releases the encoder in finish()
    this.census.released("commandEncoder", this.owner);
    this.census.created("commandBuffer", this.owner);
    this.device.queue.submit([commands]);
    commands._destroy();
    this.census.released("commandBuffer", this.owner);
    await this.device.queue.onSubmittedWorkDone();
    this.device.tick();
    scratch.destroy();
    // bun-webgpu's destroy() does not release the handle (as in gpu.ts).
    this.lib.wgpuBufferRelease((scratch as unknown as { ptr: Pointer }).ptr);
    this.census.released("buffer", this.owner, 4);
  }
}

function formatValue(format: GPUTextureFormat): number {
  for (const [value, name] of Object.entries(FORMAT_NAMES)) if (name === format) return Number(value);
  throw new Error(`no enum value for swap-chain format ${format}`);
}
