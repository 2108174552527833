import { render } from "ink";
import type { StatsHub } from "../stats/hub.ts";
import { Dashboard } from "./Dashboard.tsx";
import type { DashboardAction, DashboardInfo } from "./info.ts";
import { boundInkTextCaches } from "./ink-text-caches.ts";
import { KeyInput } from "./KeyInput.tsx";
import { RedrawThrottle } from "./throttle.ts";

export interface MountOptions {
  onKey?: (action: DashboardAction) => void;
  /** Most redraws per second. Default 4. */
  maxHz?: number;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  stderr?: NodeJS.WriteStream;
  /** Let Ink route console output above the dashboard. Default true. */
  patchConsole?: boolean;
}

export interface DashboardHandle {
  /** Changes what the header shows (resolution after a resize, paused) and redraws. */
  update(patch: Partial<DashboardInfo>): void;
  /** Asks for a redraw (throttled like the rest). */
  redraw(): void;
  /** Redraws so far; for tests and the soak's own bookkeeping. */
  readonly draws: number;
  unmount(): void;
}

/**
 * Shows the dashboard on a terminal. It subscribes to the hub and redraws from `hub.view()` at most
 * `maxHz` times a second, on a timer, so the frame loop never waits for it; between hub events it
 * does nothing. It only reads the hub; keys go out through `onKey`.
 */
export function mountDashboard(hub: StatsHub, info: DashboardInfo, options: MountOptions = {}): DashboardHandle {
  let currentInfo: DashboardInfo = { ...info };
  const onKey = (action: DashboardAction) => options.onKey?.(action);
  const stdout = options.stdout ?? process.stdout;
  // Ink would keep thousands of the dashboard's never-repeated texts; see ink-text-caches.ts.
  boundInkTextCaches();

  const tree = () => (
    <>
      <Dashboard view={hub.view()} info={currentInfo} census={currentInfo.census?.() ?? null} terminal={terminalSize(stdout)} />
      <KeyInput onKey={onKey} />
    </>
  );

  const instance = render(tree(), {
    stdout,
    stdin: options.stdin ?? process.stdin,
    stderr: options.stderr ?? process.stderr,
    exitOnCtrlC: false,
    patchConsole: options.patchConsole ?? true,
    // The caller shows the dashboard only on a terminal, so draw as on one even under CI variables.
    interactive: stdout.isTTY === true,
    // Our throttle bounds the rate; Ink's own would only delay the frame we chose to draw.
    maxFps: 1000,
  });

  const throttle = new RedrawThrottle(() => instance.rerender(tree()), 1000 / (options.maxHz ?? 4), hub.now);
  const unsubscribe = hub.subscribe(() => throttle.request());
  // A resized terminal may need the other layout (see Dashboard): redraw at once, not at the next event.
  const onResize = () => throttle.request();
  stdout.on("resize", onResize);

  return {
    update(patch) {
      currentInfo = { ...currentInfo, ...patch };
      throttle.request();
    },
    redraw() {
      throttle.request();
    },
    get draws() {
      return throttle.draws;
    },
    unmount() {
      stdout.off("resize", onResize);
      unsubscribe();
      throttle.dispose();
      instance.unmount();
    },
  };
}

/** The terminal's size, when stdout is a terminal that says it. */
function terminalSize(stdout: NodeJS.WriteStream): { columns: number; rows: number } | undefined {
  return stdout.isTTY && stdout.columns > 0 && stdout.rows > 0 ? { columns: stdout.columns, rows: stdout.rows } : undefined;
}
