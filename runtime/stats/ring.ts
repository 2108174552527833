/**
 * A fixed-capacity ring of numbers over a preallocated Float64Array. Pushing past capacity
 * overwrites the oldest value, so a ring never grows: this is what keeps per-frame sampling at
 * constant memory however long the runtime runs.
 */
export class RingBuffer {
  readonly capacity: number;
  private readonly values: Float64Array;
  private next = 0;
  private count = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`RingBuffer: capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.values = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** The i-th value, oldest first. */
  at(index: number): number {
    if (index < 0 || index >= this.count) throw new RangeError(`RingBuffer: index ${index} out of ${this.count}`);
    const oldest = (this.next - this.count + this.capacity) % this.capacity;
    return this.values[(oldest + index) % this.capacity]!;
  }

  /** The newest value; NaN when empty. */
  last(): number {
    return this.count === 0 ? Number.NaN : this.at(this.count - 1);
  }

  /** Copies the values, oldest first, into `target` (which must hold `length` values); returns the filled view. */
  copyTo(target: Float64Array): Float64Array {
    for (let i = 0; i < this.count; i++) target[i] = this.at(i);
    return target.subarray(0, this.count);
  }

  clear(): void {
    this.next = 0;
    this.count = 0;
  }
}
