/**
 * The error overlay: the current error (file:line:col, message, source line and caret) drawn as text
 * over the window's output. It is a Canvas operator owned by the runtime, redrawn only when the error
 * changes; the display pass blends it over the chain's output. The chain keeps running underneath.
 */
import { relative } from "node:path";
import { Canvas } from "../operators/2d/canvas.ts";
import type { CookContext } from "./chain/operator.ts";
import type { Gpu, TextureHandle } from "./gpu/gpu.ts";
import type { ChainError } from "./reload/errors.ts";

const FONT_PX = 16;
const MARGIN = 16;

/** The lines the overlay shows for an error. */
export function overlayLines(error: ChainError, cwd = process.cwd()): string[] {
  const shown = error.file && relative(cwd, error.file);
  const file = shown && !shown.startsWith("..") ? shown : error.file;
  const where = file ? `${file}${error.line ? `:${error.line}:${error.column ?? 1}` : ""}` : "";
  const lines = [`${where ? `${where}: ` : ""}error`, ...error.message.split("\n").filter((line) => line.trim() !== "")];
  if (error.sourceLine !== undefined && error.line) {
    const gutter = `${error.line} | `;
    lines.push("", gutter + error.sourceLine.replace(/\t/g, "  "), " ".repeat(gutter.length + Math.max(0, (error.column ?? 1) - 1)) + "^");
  }
  lines.push("", "the last good chain keeps running — save to try again");
  return lines;
}

export class ErrorOverlay {
  private canvas = new Canvas("error overlay");
  private shown?: string;
  private pending = false;

  constructor(gpu: Gpu, width: number, height: number) {
    this.canvas.resolution(width, height);
    this.canvas.scope = gpu.scope("overlay");
    this.canvas.init({ gpu });
  }

  /** Shows `error`, or nothing when undefined. */
  set(error: ChainError | undefined): void {
    const text = error ? overlayLines(error).join("\n") : undefined;
    if (text === this.shown) return;
    this.shown = text;
    this.pending = true;
  }

  get visible(): boolean {
    return this.shown !== undefined;
  }

  resize(width: number, height: number): void {
    this.canvas.resolution(width, height);
    this.pending = true;
  }

  /** Redraws into its texture inside `ctx.frame` when the error or the size changed. */
  update(ctx: CookContext): TextureHandle | undefined {
    if (this.pending) {
      this.pending = false;
      this.draw();
      this.canvas.cook(ctx);
    }
    return this.shown === undefined ? undefined : this.canvas.output;
  }

  private draw(): void {
    const canvas = this.canvas;
    const [width] = canvas.outputSize;
    canvas.clear([0, 0, 0, 0]);
    if (this.shown === undefined) return;
    const lines = this.shown.split("\n");
    canvas.font = `${FONT_PX}px Roboto Mono`;
    canvas.textBaseline = "top";
    const lineHeight = Math.round(FONT_PX * 1.4);
    canvas.fillStyle = [0.08, 0.0, 0.0, 0.82];
    canvas.fillRect(0, 0, width, MARGIN * 2 + lineHeight * lines.length);
    lines.forEach((line, i) => {
      canvas.fillStyle = i === 0 ? [1, 0.45, 0.4, 1] : [0.95, 0.92, 0.9, 1];
      canvas.fillText(line, MARGIN, MARGIN + i * lineHeight);
    });
  }

  dispose(): void {
    this.canvas.dispose();
  }
}
