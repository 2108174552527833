import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A folder nobody can write into, holding `files` (name → text), and the function that removes it.
 * chmod does not stop root, so as root the folder is a tmpfs mounted read-only (writes fail with
 * EROFS, as on a read-only volume); otherwise it is mode 0555 (EACCES).
 */
export function readOnlyFolder(files: Record<string, string> = {}): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "vivid-ro-"));
  const fill = () => {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  };
  if (process.getuid?.() === 0) {
    const mount = (...args: string[]) => {
      const result = Bun.spawnSync(["mount", ...args], { stderr: "pipe" });
      if (result.exitCode !== 0) throw new Error(`mount ${args.join(" ")}: ${result.stderr.toString()}`);
    };
    mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", dir);
    fill();
    mount("-o", "remount,ro", dir);
    return {
      dir,
      remove: () => {
        Bun.spawnSync(["umount", dir]);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  fill();
  chmodSync(dir, 0o555);
  return {
    dir,
    remove: () => {
      chmodSync(dir, 0o755);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
