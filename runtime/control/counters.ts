/** Counters of one source (a UDP port, a MIDI or serial port), as the stats stream reports them. */
export class SourceCounters {
  total = 0;
  /** Datagrams that were not OSC, unknown params, values of the wrong type. */
  errors = 0;
  /** Messages dropped because the queue was full. */
  dropped = 0;
  /** Params set by auto-mapping. */
  mapped = 0;
  /** Values clamped to their declared range. */
  clamped = 0;
  lastAddress: string | null = null;
  /** Params this source set in the current second, the last value of each ("noise.scale" → 9); bounded. */
  changes = new Map<string, unknown>();
  private secondStartTotal = 0;
  private secondStartMapped = 0;

  constructor(readonly name: string) {}

  /** Records a param this source set (the stats stream's `changes`); keeps the 16 most recent params. */
  recordChange(param: string, value: unknown): void {
    this.changes.delete(param);
    if (this.changes.size >= 16) this.changes.delete(this.changes.keys().next().value!);
    this.changes.set(param, value);
  }

  /** Messages, mapping hits and param changes since the last call, and resets that window (once a second, by the stats hub). */
  takeSecond(): { messages: number; mapped: number; changes: Record<string, unknown> } {
    const out = { messages: this.total - this.secondStartTotal, mapped: this.mapped - this.secondStartMapped, changes: Object.fromEntries(this.changes) };
    if (this.changes.size > 0) this.changes = new Map();
    this.secondStartTotal = this.total;
    this.secondStartMapped = this.mapped;
    return out;
  }
}
