/**
 * GPU device loss and GPU hangs. A device can be lost under the run (a driver reset, a GPU that hung
 * and was reset, `device.destroy()`), and a frame can stop finishing (an endless `loop {}` in a
 * project's shader). Either way the run keeps going: a new device is opened, the chain is built again
 * on it from its declarations (Engine.useGpu: setup runs again, state that lives on the CPU is adopted),
 * the host's own GPU objects (window surface, display pass, overlay) are made again by the caller, and
 * the old device is destroyed once everything on it was released through runtime/gpu, which the old
 * census then shows (`leaked` counts what was not).
 *
 * `DeviceWatch` notices a loss (Dawn resolves `device.lost`) and a hang (a frame not done on the GPU
 * within `hangMs`, see `waitForFrame`); main.ts calls `recoverDevice` at the next frame boundary.
 */
import type { Engine } from "../engine.ts";
import { Gpu } from "../gpu/gpu.ts";

/** How long a frame may take on the GPU before it counts as hung (ms). */
export const GPU_HANG_MS = 2000;

/**
 * The same on a software adapter (lavapipe): its "GPU" is the machine's CPU, so a frame's time
 * grows with everything else the machine runs — 1280×720 frames took over 2 s on the 2-core box at
 * a load average of 10, and a 2-s limit stopped healthy chains there as hung.
 */
export const SOFTWARE_GPU_HANG_MS = 30_000;

/** The default hang limit for an adapter: --gpu-timeout overrides it. */
export function defaultHangMs(adapter: { software: boolean }): number {
  return adapter.software ? SOFTWARE_GPU_HANG_MS : GPU_HANG_MS;
}

export interface DeviceTrouble {
  kind: "lost" | "hang";
  /** What to show: the reason Dawn gave, or the hung frame and its operators. */
  message: string;
}

export class DeviceWatch {
  /** Set when the device was lost or a frame hung; main.ts recovers and clears it. */
  trouble?: DeviceTrouble;
  private watched?: Gpu;
  private waitingSince = 0;
  private waitingFor = -1;
  private wake?: () => void;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly hangMs: number;
  private readonly onTrouble: () => void;
  private readonly operatorsOf: (frame: number) => string[];

  constructor(
    gpu: Gpu,
    options: {
      hangMs?: number;
      /** Called when trouble is found (to wake a sleeping loop). */
      onTrouble?: () => void;
      /** The operators that cooked in a frame, to name a hung one. */
      operatorsOf?: (frame: number) => string[];
    } = {},
  ) {
    this.hangMs = options.hangMs ?? GPU_HANG_MS;
    this.onTrouble = options.onTrouble ?? (() => {});
    this.operatorsOf = options.operatorsOf ?? (() => []);
    this.watch(gpu);
    // The hang check: a frame wait that has not ended in `hangMs` is ended here. Only time the event
    // loop was free counts: while the thread was held (a build's setup, a loop stopped at its limit)
    // nothing could have noticed the frame finish, so a late tick moves the start on by its delay.
    const period = Math.min(100, this.hangMs / 4);
    let lastTick = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      const held = now - lastTick - period;
      lastTick = now;
      if (this.waitingSince !== 0 && held > period) this.waitingSince += held;
      if (this.waitingSince === 0 || now - this.waitingSince <= this.hangMs || this.trouble) return;
      const operators = this.operatorsOf(this.waitingFor);
      this.report({
        kind: "hang",
        message: `GPU: frame ${this.waitingFor} did not finish within ${this.hangMs} ms${operators.length > 0 ? ` (its operators: ${operators.join(", ")})` : ""}; an endless loop in a shader? The device is replaced and the chain stopped until the next save`,
      });
      this.wake?.();
    }, period);
    this.timer.unref?.();
  }

  /** Watches `gpu`'s device for loss (the device of the previous call is no longer watched). */
  watch(gpu: Gpu): void {
    this.watched = gpu;
    void gpu.device.lost.then((info) => {
      // The old device of a recovery is destroyed after the watch moved on: that loss is not news.
      if (this.watched !== gpu) return;
      this.report({ kind: "lost", message: `GPU device lost (${info.reason}${info.message ? `: ${info.message.trim()}` : ""}); the chain is rebuilt on a new device` });
    });
  }

  private report(trouble: DeviceTrouble): void {
    this.trouble ??= trouble;
    this.onTrouble();
  }

  /**
   * Waits for a frame's work (`done`, from onSubmittedWorkDone) to finish on the GPU, or for `hangMs`
   * to pass (then `trouble` is a hang naming `frame` and its operators), whichever is first.
   */
  waitForFrame(done: Promise<unknown>, frame: number): Promise<void> {
    if (this.trouble) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.waitingSince = performance.now();
      this.waitingFor = frame;
      const end = () => {
        if (this.wake === end) {
          this.wake = undefined;
          this.waitingSince = 0;
        }
        resolve();
      };
      this.wake = end;
      done.then(end, end);
    });
  }

  close(): void {
    clearInterval(this.timer);
    this.watched = undefined;
    this.wake?.();
  }
}

export interface Recovery {
  gpu: Gpu;
  /** The chain rebuilt on the new device (false: it failed there too, and `error` says why). */
  ok: boolean;
  error?: string;
  /** GPU objects the old device's census still counted live after everything was released. */
  leaked: number;
}

/**
 * Moves `engine` to a new device: opens it, rebuilds the chain there (Engine.useGpu), lets the caller
 * release its own objects on the old device (`releaseHost`), destroys the old device, and lets the
 * caller make its objects again on the new one (`rebuildHost`).
 *
 * After a hang (`trouble.kind === "hang"`) the chain is not rebuilt (its shader would hang the new
 * device as well; the next save loads it again) and the old device is released but not destroyed:
 * Dawn's destroy waits for the device's queue to go idle, which a hung queue never does. On a real GPU
 * the driver resets the hung device after its own timeout (Windows' TDR, Linux's GPU reset); with a
 * software driver (lavapipe) the hung shader keeps its threads busy until the process ends.
 *
 * `stillInUse`, asked after `releaseHost`: work on the old device that goes on past the recovery (a
 * lost display's swap chains, released in the background); the old device is destroyed after it
 * settles, not under it.
 */
export async function recoverDevice(
  engine: Engine,
  releaseHost: (old: Gpu) => Promise<void> | void,
  rebuildHost: (gpu: Gpu) => void,
  trouble: DeviceTrouble = { kind: "lost", message: "" },
  stillInUse?: () => Promise<unknown> | undefined,
): Promise<Recovery> {
  const old = engine.gpu;
  // The new device runs per-pixel operators the way the old one did when --dispatch chose it.
  const gpu = await Gpu.open(old.dispatchReason === "--dispatch" ? { dispatch: old.dispatch } : {});
  const hung = trouble.kind === "hang";
  const built = await engine.useGpu(gpu, { rebuild: !hung });
  await releaseHost(old);
  const leaked = old.census.live();
  if (!hung) {
    const busy = stillInUse?.();
    if (busy) void busy.finally(() => old.destroy());
    else old.destroy();
  }
  rebuildHost(gpu);
  if (hung) return { gpu, ok: false, error: "the chain stays stopped until the next save (its shader hung the GPU)", leaked };
  if (built && !built.ok) return { gpu, ok: false, error: built.error.message, leaked };
  return { gpu, ok: true, leaked };
}
