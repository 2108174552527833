import { isAbsolute } from "node:path";
import { readFileSync } from "node:fs";
import { Operator, defineOperator, type CookContext, type InitContext, type OutputKind } from "../../runtime/chain/operator.ts";
import { bool, int } from "../../runtime/chain/params.ts";
import { readMidiFile, type MidiEvent, type TimedMidiEvent } from "../../runtime/control/midi.ts";

/**
 * Plays a standard MIDI file against the chain's clock, as the original's MidiFilePlayer: each frame,
 * `events()` are the file's messages whose time fell in (last frame's position, this frame's], the
 * first frame including time 0. The position is `ctx.time` since `play()` (the first cook, unless
 * paused), so under `--fixed-fps` the same frames get the same events every run. `loop` starts again
 * at the end; `track` (-1: all) keeps one track's messages. `note()`, `velocity()` (0..1), `cc(n)`
 * (0..1) and `isNoteDown(n)` follow the file as MidiIn's follow a port. A reload keeps the position
 * (the same file, the same name).
 *
 * `load(path)` takes an absolute path, as Image does: `join(import.meta.dir, "song.mid")`.
 */
export class MidiFilePlayer extends Operator {
  static override readonly description = "A standard MIDI file's events against the chain's clock (deterministic under --fixed-fps)";
  static override readonly outputKind: OutputKind = "value";
  static override readonly params = {
    loop: bool(false),
    track: int(-1, -1, 64),
  };

  declare loop: boolean;
  declare track: number;

  private file?: string;
  private timeline: TimedMidiEvent[] = [];
  /** Seconds from the first event to the last. */
  duration = 0;
  /** Where in the file, seconds; -1 before the first cook. */
  position = -1;
  private startedAt?: number;
  private paused = false;
  private frameEvents: MidiEvent[] = [];
  private readonly ccValues = new Uint8Array(128);
  private readonly down = new Set<number>();
  private last = { note: -1, velocity: 0 };

  /** Reads and parses the file now (a broken file fails the reload at this line). */
  load(path: string): this {
    if (!isAbsolute(path)) throw new Error(`MidiFilePlayer "${this.name}": "${path}" is relative; pass an absolute path, e.g. join(import.meta.dir, "${path}")`);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch {
      throw new Error(`MidiFilePlayer "${this.name}": file not found: ${path}`);
    }
    try {
      const parsed = readMidiFile(bytes);
      this.timeline = parsed.events;
      this.duration = parsed.duration;
    } catch (error) {
      throw new Error(`MidiFilePlayer "${this.name}": ${path} is not a standard MIDI file (${error instanceof Error ? error.message : String(error)})`);
    }
    this.file = path;
    return this;
  }

  play(): void {
    this.paused = false;
  }

  pause(): void {
    this.paused = true;
  }

  /** Back to the start, paused. */
  stop(): void {
    this.paused = true;
    this.startedAt = undefined;
    this.position = -1;
    this.down.clear();
  }

  /** Jumps to `seconds` into the file. */
  seek(seconds: number): void {
    this.startedAt = undefined;
    this.position = Math.max(0, seconds) - 1e-9;
    this.seekTo = Math.max(0, seconds);
  }
  private seekTo?: number;

  override isTimeDependent(): boolean {
    return true;
  }

  init(_ctx: InitContext): void {}

  cook(ctx: CookContext): void {
    this.frameEvents = [];
    if (this.paused || this.timeline.length === 0) {
      if (this.startedAt !== undefined) this.startedAt = ctx.time - Math.max(0, this.position);
      return;
    }
    if (this.startedAt === undefined) this.startedAt = ctx.time - (this.seekTo ?? 0);
    this.seekTo = undefined;
    const previous = this.position;
    let now = ctx.time - this.startedAt;
    if (this.loop && this.duration > 0 && now > this.duration) {
      // Wrapped: the end of the file, then its start again.
      this.collect(previous, this.duration);
      this.startedAt += this.duration;
      now -= this.duration;
      this.down.clear();
      this.collect(-1, now);
    } else this.collect(previous, now);
    this.position = now;
  }

  /** The events with previous < time <= now (time 0 is in the first window, previous being -1). */
  private collect(previous: number, now: number): void {
    for (const { time, track, event } of this.timeline) {
      if (time <= previous) continue;
      if (time > now) break;
      if (this.track >= 0 && track !== this.track) continue;
      this.frameEvents.push(event);
      if (event.type === "noteOn") {
        this.down.add(event.note);
        this.last = { note: event.note, velocity: event.velocity };
      } else if (event.type === "noteOff") this.down.delete(event.note);
      else if (event.type === "cc") this.ccValues[event.controller] = event.value;
    }
  }

  /** This frame's messages from the file. */
  events(): MidiEvent[] {
    return this.frameEvents;
  }

  noteOn(): boolean {
    return this.frameEvents.some((event) => event.type === "noteOn");
  }

  note(): number {
    return this.last.note;
  }

  velocity(): number {
    return this.last.velocity / 127;
  }

  isNoteDown(note: number): boolean {
    return this.down.has(note);
  }

  cc(n: number): number {
    return (this.ccValues[n] ?? 0) / 127;
  }

  override adopt(previous: this): void {
    if (previous.file !== this.file) return;
    this.startedAt = previous.startedAt;
    this.position = previous.position;
    this.paused = previous.paused;
    this.last = previous.last;
    this.ccValues.set(previous.ccValues);
    for (const note of previous.down) this.down.add(note);
  }
}
defineOperator(MidiFilePlayer);
