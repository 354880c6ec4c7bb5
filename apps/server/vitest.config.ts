import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Real servers, real libSQL files, child processes (Node and Deno): be generous.
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // Two cores: at most two test files at a time.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
