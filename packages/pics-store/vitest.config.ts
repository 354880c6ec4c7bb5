import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Multi-process tests spawn real processes; two cores make them slower than unit tests.
    testTimeout: 30_000,
  },
});
