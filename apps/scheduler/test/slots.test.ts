import { describe, expect, it } from "vitest";
import { dueSlot, exitCodeOf, nextSlot, parseRunOnceArgs } from "../src/index.ts";

describe("SET-15 daily slots", () => {
  it("02:00 Europe/London is 01:00Z in summer and 02:00Z in winter", () => {
    expect(dueSlot("0 2 * * *", "Europe/London", new Date("2026-07-10T12:00:00Z"))?.toISOString()).toBe(
      "2026-07-10T01:00:00.000Z",
    );
    expect(dueSlot("0 2 * * *", "Europe/London", new Date("2026-12-10T12:00:00Z"))?.toISOString()).toBe(
      "2026-12-10T02:00:00.000Z",
    );
    expect(nextSlot("30 6 * * 1-5", "Europe/London", new Date("2026-11-28T12:00:00Z"))?.toISOString()).toBe(
      "2026-11-30T06:30:00.000Z",
    );
  });

  it("catches up a recent missed slot, not an old one", () => {
    expect(dueSlot("0 2 * * *", "Europe/London", new Date("2026-12-09T10:00:00Z"))?.toISOString()).toBe(
      "2026-12-09T02:00:00.000Z",
    );
    expect(dueSlot("0 2 * * *", "Europe/London", new Date("2026-12-09T15:00:00Z"))).toBe(null);
    expect(dueSlot("0 2 * * *", "Europe/London", new Date("2026-12-09T01:59:00Z"))).toBe(null);
  });
});

describe("run-once arguments and exit codes", () => {
  it("parses --dry-run and repeated --learner, refuses unknown arguments", () => {
    expect(parseRunOnceArgs(["--dry-run", "--learner", "L1", "--learner=L2"])).toEqual({
      dryRun: true,
      learnerIds: ["L1", "L2"],
    });
    expect(() => parseRunOnceArgs(["--fast"])).toThrow('unknown argument "--fast"');
    expect(() => parseRunOnceArgs(["--learner"])).toThrow("--learner needs a learner id");
  });
  it("0 succeeded, 2 partially succeeded, 1 failed", () => {
    expect([exitCodeOf("succeeded"), exitCodeOf("partially_succeeded"), exitCodeOf("failed")]).toEqual([0, 2, 1]);
  });
});
