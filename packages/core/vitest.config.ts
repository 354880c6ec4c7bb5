import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Real HTTP servers on a loaded two-core CI: the 5 s default is not a margin.
    testTimeout: 30_000,
  },
});
