/**
 * Adapter and device bootstrap through bun-webgpu (Dawn over bun:ffi).
 *
 * Dawn, when it finds no usable Vulkan driver (e.g. Debian bookworm's Mesa 22 lavapipe), does not fail:
 * it hands back its "null" backend, which accepts every call and renders nothing. We refuse that adapter
 * with a message that names the package to install, so a user never stares at a black window.
 */
import { installBunWebgpuFix } from "./bun-webgpu-fix.ts";

/** WGPUBackendType values from Dawn's webgpu.h. */
const BACKEND_NAMES: Record<number, string> = {
  1: "null",
  2: "WebGPU",
  3: "D3D11",
  4: "D3D12",
  5: "Metal",
  6: "Vulkan",
  7: "OpenGL",
  8: "OpenGLES",
};
const NULL_BACKEND = 1;

export interface AdapterSummary {
  /** e.g. "llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)" or "NVIDIA H100 80GB HBM3" */
  name: string;
  backend: string;
  vendor: string;
  /** Dawn's device name and architecture ("NVIDIA H100 80GB HBM3", "hopper"), where the driver gives them. */
  device: string;
  architecture: string;
  software: boolean;
  /** The optional features asked for and granted (see requestDevice). */
  features: GPUFeatureName[];
}

export class GpuUnavailableError extends Error {
  override name = "GpuUnavailableError";
}

const INSTALL_HINT =
  "No usable GPU adapter. On Debian/Ubuntu without a GPU driver install Mesa's lavapipe >= 25 " +
  "(bookworm-backports: `apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1`), " +
  "or run ./scripts/setup.sh which does it for you.";

let globalsReady: Promise<void> | undefined;

/**
 * The device, with those of `optionalFeatures` the adapter has (a benchmark asks for
 * "timestamp-query"; the runtime asks for none). `adapter.features` lists what was granted.
 */
export async function requestDevice(optionalFeatures: GPUFeatureName[] = []): Promise<{ device: GPUDevice; adapter: AdapterSummary }> {
  // Imported here, not at the top: a static import would be loaded before the fix's loader plugin
  // exists, and the library would run unfixed wherever Bun did not patch it on disk.
  installBunWebgpuFix();
  globalsReady ??= import("bun-webgpu").then(({ setupGlobals }) => setupGlobals());
  await globalsReady;
  const gpuAdapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!gpuAdapter) throw new GpuUnavailableError(INSTALL_HINT);
  const info = gpuAdapter.info as GPUAdapterInfo & { backendType?: number; adapterType?: number };
  const backendType = info.backendType ?? 0;
  if (backendType === NULL_BACKEND || /null/i.test(info.description ?? "")) {
    throw new GpuUnavailableError(`${INSTALL_HINT} (Dawn offered only its null backend: "${info.description}")`);
  }
  const requiredFeatures = optionalFeatures.filter((feature) => gpuAdapter.features.has(feature));
  const device = await gpuAdapter.requestDevice(requiredFeatures.length ? { requiredFeatures } : undefined);
  const adapter: AdapterSummary = {
    name: (info.description || info.device || info.vendor || "unknown adapter").replace(/~bpo\S+/, ""),
    backend: BACKEND_NAMES[backendType] ?? `backend ${backendType}`,
    vendor: info.vendor ?? "",
    device: info.device ?? "",
    architecture: info.architecture ?? "",
    software: info.architecture === "software" || info.adapterType === 3,
    features: requiredFeatures,
  };
  return { device, adapter };
}
