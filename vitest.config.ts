import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Worker threads, not vitest's default child processes: Bun's child_process lacks the IPC
    // channel's unref() that the forks pool calls, so `bun --bun vitest run <file>` failed to start
    // a worker unless --pool=threads was passed by hand. Set here, every way of running picks it up.
    pool: "threads",
    // GPU tests run on a software GPU in CI (2 cores, lavapipe): give each test room beyond vitest's 5 s.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
