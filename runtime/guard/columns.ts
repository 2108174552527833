/**
 * Which columns the loop-guard instrumentation shifted, per instrumented file and line (see
 * instrument.ts). Kept apart from instrument.ts so runtime/reload/errors.ts can map a stack trace's
 * column back to the file on disk without loading the parser.
 */
export type LineInsertions = Array<{ column: number; length: number }>;

const byFile = new Map<string, Map<number, LineInsertions>>();

/** Records the insertions of the text last loaded for `file` (replacing the ones before). */
export function recordInsertions(file: string, insertions: Map<number, LineInsertions>): void {
  byFile.set(file, insertions);
}

/** A file loaded without instrumentation (it did not parse): its columns are its own. */
export function forgetInsertions(file: string): void {
  byFile.delete(file);
}

/**
 * The column in the file on disk of a column in its instrumented text (both 1-based, same line).
 * A column inside inserted text maps to where the insertion was made.
 */
export function originalColumn(file: string, line: number, column: number): number {
  const insertions = byFile.get(file)?.get(line);
  if (!insertions) return column;
  let shift = 0;
  for (const inserted of insertions) {
    const from = inserted.column + shift;
    if (column < from) break;
    if (column < from + inserted.length) return inserted.column;
    shift += inserted.length;
  }
  return column - shift;
}
