/**
 * The recording's progress bar where there is no dashboard: redrawn in place on a terminal (four
 * times a second), one line a second when the stream is a pipe or a file, so a log keeps a readable
 * history instead of carriage returns.
 */
import { formatRecordProgress } from "../stats/format.ts";
import type { RecordProgress } from "./recorder.ts";

export class RecordProgressLine {
  /** How often the frame loop should call show(), in ms. */
  readonly interval: number;
  private drawn = false;

  constructor(private stream: { write(text: string): unknown; isTTY?: boolean }) {
    this.interval = stream.isTTY ? 250 : 1000;
  }

  show(progress: RecordProgress): void {
    if (progress.state !== "recording") return;
    const line = formatRecordProgress(progress);
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[2K${line}`);
      this.drawn = true;
    } else this.stream.write(`${line}\n`);
  }

  /** The last state of the bar, then a new line, so the next message starts on its own line. */
  done(progress: RecordProgress): void {
    if (progress.state === "done") {
      const line = formatRecordProgress(progress);
      this.stream.write(this.stream.isTTY ? `\r\x1b[2K${line}\n` : `${line}\n`);
    } else if (this.drawn) this.stream.write("\n");
    this.drawn = false;
  }
}
