/**
 * Bounds how often the dashboard draws. A request never draws in the caller's stack (the caller is
 * the frame loop, via a hub event): it schedules one draw on a timer, at the earliest `intervalMs`
 * after the previous draw by `now`, and further requests until then join it. So drawing runs
 * between frames, at most 1000 / intervalMs times a second, however many events arrive.
 */
export class RedrawThrottle {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastDrawAt = Number.NEGATIVE_INFINITY;
  private disposed = false;
  draws = 0;

  constructor(
    private readonly draw: () => void,
    private readonly intervalMs: number,
    private readonly now: () => number,
  ) {}

  request(): void {
    if (this.timer !== null || this.disposed) return;
    const wait = Math.max(0, this.lastDrawAt + this.intervalMs - this.now());
    this.timer = setTimeout(this.fire, wait);
    // A pending redraw must not keep the process alive after the loop has stopped.
    (this.timer as { unref?: () => void }).unref?.();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private fire = (): void => {
    this.timer = null;
    if (this.disposed) return;
    this.lastDrawAt = this.now();
    this.draws++;
    this.draw();
  };
}
