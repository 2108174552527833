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
  private secondStartTotal = 0;
  private secondStartMapped = 0;

  constructor(readonly name: string) {}

  /** Messages and mapping hits since the last call, and resets that window (once a second, by the stats hub). */
  takeSecond(): { messages: number; mapped: number } {
    const out = { messages: this.total - this.secondStartTotal, mapped: this.mapped - this.secondStartMapped };
    this.secondStartTotal = this.total;
    this.secondStartMapped = this.mapped;
    return out;
  }
}
