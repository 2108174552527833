import { defineConfig } from "vitest/config";

// GPU tests run on a software GPU in CI (2 cores, lavapipe): give each test room beyond vitest's 5 s.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
