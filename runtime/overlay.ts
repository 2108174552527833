/**
 * The error overlay: the current error (file:line:col, message, source line and caret) drawn as text
 * over the window's output, wrapped to the window's width. It is a Canvas operator owned by the
 * runtime, redrawn only when the error or the window size changes; the display pass blends it over
 * the chain's output. The chain keeps running underneath.
 */
import { relative } from "node:path";
import { Canvas } from "../operators/2d/canvas.ts";
import type { CookContext } from "./chain/operator.ts";
import type { Gpu, TextureHandle } from "./gpu/gpu.ts";
import type { ChainError } from "./reload/errors.ts";
import { formatSourceExcerpt } from "./stats/format.ts";

const FONT_PX = 16;
const MARGIN = 16;

/**
 * The lines the overlay shows for an error, none wider than `columns` character cells: a long
 * message is broken at spaces, a long source line wherever the width ends, with the caret under its
 * column on the piece that holds it.
 */
export function overlayLines(error: ChainError, cwd = process.cwd(), columns = Infinity): string[] {
  const shown = error.file && relative(cwd, error.file);
  const file = shown && !shown.startsWith("..") ? shown : error.file;
  const where = file ? `${file}${error.line ? `:${error.line}:${error.column ?? 1}` : ""}` : "";
  const warning = error.severity === "warning";
  const text = [`${where ? `${where}: ` : ""}${warning ? "warning" : "error"}`, ...error.message.split("\n").filter((line) => line.trim() !== "")];
  const lines = text.flatMap((line) => wrapLine(line, columns));
  if (error.line) {
    const excerpt = formatSourceExcerpt(error);
    if (excerpt.length > 0) lines.push("", ...wrapExcerpt(excerpt, columns));
  }
  lines.push("", ...wrapLine(warning ? "the chain runs on — a save clears this" : "the last good chain keeps running — save to try again", columns));
  return lines;
}

/** The longest start of `text` that fits in `cells` character cells (at least one character). */
function fitCells(text: string, cells: number): string {
  let used = 0;
  let end = 0;
  for (const char of text) {
    const width = Bun.stringWidth(char);
    if (used + width > cells && end > 0) break;
    used += width;
    end += char.length;
  }
  return text.slice(0, end);
}

/** `line` broken into lines of at most `columns` cells, at the last space that fits when there is one. */
export function wrapLine(line: string, columns: number): string[] {
  const out: string[] = [];
  let rest = line;
  while (Bun.stringWidth(rest) > columns) {
    const head = fitCells(rest, columns);
    const space = head.lastIndexOf(" ");
    const cut = space > 0 ? space : head.length;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^ +/, "");
  }
  out.push(rest);
  return out;
}

/**
 * A source excerpt (`formatSourceExcerpt`'s two lines) wrapped to `columns` cells: the source line is
 * cut into pieces behind the gutter (source text keeps its spacing, so no word breaks), and the caret
 * line follows the piece that holds the caret's cell, with the caret at the same cell in it.
 */
export function wrapExcerpt(excerpt: string[], columns: number): string[] {
  const [source, caret] = excerpt as [string, string | undefined];
  const bar = source.indexOf(" | ") + " | ".length;
  const gutter = source.slice(0, bar);
  const blank = `${" ".repeat(bar - " | ".length)} | `;
  const width = Math.max(1, columns - bar);
  const caretCell = caret === undefined ? -1 : caret.length - 1 - bar;
  const out: string[] = [];
  let rest = source.slice(bar);
  let start = 0;
  do {
    const piece = fitCells(rest, width);
    rest = rest.slice(piece.length);
    out.push((out.length === 0 ? gutter : blank) + piece);
    const cells = Bun.stringWidth(piece);
    if (caretCell >= start && (caretCell < start + cells || rest === "")) out.push(blank + " ".repeat(caretCell - start) + "^");
    start += cells;
  } while (rest !== "");
  return out;
}

export class ErrorOverlay {
  private canvas = new Canvas("error overlay");
  private error?: ChainError;
  /** The error's text at any width: set() redraws only when it changes. */
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
    this.error = error;
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
    if (this.error === undefined) return;
    canvas.font = `${FONT_PX}px Roboto Mono`;
    canvas.textBaseline = "top";
    // Roboto Mono: every character is one cell this wide; what does not fit the window is wrapped.
    const columns = Math.max(8, Math.floor((width - 2 * MARGIN) / canvas.measureText("M").width));
    const lines = overlayLines(this.error, process.cwd(), columns);
    const lineHeight = Math.round(FONT_PX * 1.4);
    // Red for an error, amber for a warning (a clamped value): the headline's colour says which.
    const warning = this.error.severity === "warning";
    canvas.fillStyle = warning ? [0.08, 0.06, 0.0, 0.82] : [0.08, 0.0, 0.0, 0.82];
    canvas.fillRect(0, 0, width, MARGIN * 2 + lineHeight * lines.length);
    lines.forEach((line, i) => {
      canvas.fillStyle = i === 0 ? (warning ? [1, 0.8, 0.3, 1] : [1, 0.45, 0.4, 1]) : [0.95, 0.92, 0.9, 1];
      canvas.fillText(line, MARGIN, MARGIN + i * lineHeight);
    });
  }

  dispose(): void {
    this.canvas.dispose();
  }
}
