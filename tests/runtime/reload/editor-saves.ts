/**
 * The ways editors and tools save a file, step by step on the real file system: the sequences of
 * renames, temp files, lock files and writes (with the gaps between them) that the watcher and the
 * Reloader must turn into one reload per save. Used by tests/runtime/reload/save-styles.test.ts and
 * bench/cli-reload.ts. Each takes the file's path and its new text, and leaves behind only what the editor
 * itself keeps (vim's swap file, emacs's backup).
 */
import { chmodSync, closeSync, fsyncSync, openSync, renameSync, symlinkSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

const sleep = (ms: number) => Bun.sleep(ms);

/** Writes `text` to an open descriptor in pieces with `gapMs` between them, as a slow writer does. */
async function writeInChunks(file: string, text: string, chunks: number, gapMs: number): Promise<void> {
  const fd = openSync(file, "w");
  const size = Math.ceil(text.length / chunks);
  for (let start = 0; start < text.length; start += size) {
    if (start > 0) await sleep(gapMs);
    writeSync(fd, text.slice(start, start + size));
  }
  closeSync(fd);
}

export type SaveStyle = (file: string, text: string) => void | Promise<void>;

export const editorSaves: Record<string, SaveStyle> = {
  // open(O_TRUNC) then write: what writeFile and most simple editors do.
  "in place (truncate + write)": (file, text) => writeFileSync(file, text),
  "temp file + rename": (file, text) => {
    writeFileSync(`${file}.tmp-${process.pid}`, text);
    renameSync(`${file}.tmp-${process.pid}`, file);
  },
  // The file is missing for 150 ms: longer than chokidar's 100 ms hold on an unlink, so the watcher
  // reports the missing file first (a reload fails with ENOENT), then the new one.
  "rename away, write 150 ms later": async (file, text) => {
    renameSync(file, `${file}.bak`);
    await sleep(150);
    writeFileSync(file, text);
    unlinkSync(`${file}.bak`);
  },
  "rename away, write 40 ms later": async (file, text) => {
    renameSync(file, `${file}.bak`);
    await sleep(40);
    writeFileSync(file, text);
    unlinkSync(`${file}.bak`);
  },
  // vim with its default `backupcopy=auto` on a plain file (it behaves as `backupcopy=no`): probe
  // that the folder is writable with a file named 4913, update the swap file, rename the original
  // to the backup, write the new file, fsync, restore its mode, delete the backup ('nobackup').
  vim: (file, text) => {
    const probe = join(dirname(file), "4913");
    writeFileSync(probe, "");
    unlinkSync(probe);
    writeFileSync(join(dirname(file), `.${basename(file)}.swp`), "b0VIM 9.1");
    renameSync(file, `${file}~`);
    const fd = openSync(file, "w");
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    chmodSync(file, 0o644);
    unlinkSync(`${file}~`);
  },
  // JetBrains "safe write": write beside, move the original aside, move the new one in, delete the old.
  "JetBrains safe write": (file, text) => {
    writeFileSync(`${file}___jb_tmp___`, text);
    renameSync(file, `${file}___jb_old___`);
    renameSync(`${file}___jb_tmp___`, file);
    unlinkSync(`${file}___jb_old___`);
  },
  // emacs: the lock symlink `.#chain.ts` (made when the buffer was modified), the backup `chain.ts~` made by
  // renaming the original, a new file written and given the old mode, then the lock removed.
  emacs: (file, text) => {
    const lock = join(dirname(file), `.#${basename(file)}`);
    symlinkSync(`user@host.${process.pid}:1700000000`, lock);
    renameSync(file, `${file}~`);
    writeFileSync(file, text);
    chmodSync(file, 0o644);
    unlinkSync(lock);
  },
  // GNU `sed -i`: output to a mkstemp file "sedXXXXXX" in the same folder, then rename over.
  "sed -i": (file, text) => {
    const temp = join(dirname(file), `sed${Math.random().toString(36).slice(2, 8)}`);
    writeFileSync(temp, text);
    chmodSync(temp, 0o644);
    renameSync(temp, file);
  },
  // Three chunks 60 ms apart: the watcher reports the file half written, twice.
  "chunked writes, 60 ms apart": (file, text) => writeInChunks(file, text, 3, 60),
  "chunked writes, 20 ms apart": (file, text) => writeInChunks(file, text, 2, 20),
  // Two filesystem events for one save: the write, then a change of mode (vim, emacs and rsync
  // restore attributes after writing). 100 ms apart, the watcher reports each on its own.
  "complete write, then its mode set 20 ms later": async (file, text) => {
    writeFileSync(file, text);
    await sleep(20);
    chmodSync(file, 0o600);
  },
  "complete write, then its mode set 100 ms later": async (file, text) => {
    writeFileSync(file, text);
    await sleep(100);
    chmodSync(file, 0o644);
  },
};
