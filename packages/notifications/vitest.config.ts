import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Real libSQL files, a real HTTP receiver and a real SMTP server: be generous on two cores.
    testTimeout: 60_000,
  },
});
