import { describe, expect, it } from "@effect/vitest";
import { Clock, Effect, Fiber, TestClock } from "effect";
import { budgetLimit, type CallBudget, CallBudgetFailed, inMemoryCallBudget, RateLimiter } from "../src/index.ts";

describe("inMemoryCallBudget", () => {
  it.effect("grants `calls` per sliding window and says how long to wait", () =>
    Effect.gen(function* () {
      const budget = inMemoryCallBudget({ calls: 3, windowMs: 1000 });
      expect(yield* budget.take(0)).toBe(0);
      expect(yield* budget.take(100)).toBe(0);
      expect(yield* budget.take(200)).toBe(0);
      expect(yield* budget.take(300)).toBe(700); // the call at 0 leaves the window at 1000
      expect(yield* budget.take(999)).toBe(1);
      expect(yield* budget.take(1000)).toBe(0); // (0, 1000] holds 100, 200, 1000
      expect(yield* budget.take(1050)).toBe(50); // next: the call at 100 leaves at 1100
    }),
  );

  it.effect("never lets more than `calls` land in any interval of `windowMs`", () =>
    Effect.gen(function* () {
      const calls = 5;
      const windowMs = 100;
      const budget = inMemoryCallBudget({ calls, windowMs });
      const granted: Array<number> = [];
      let seed = 7;
      let now = 0;
      for (let i = 0; i < 2000; i++) {
        seed = (seed * 48271) % 2147483647;
        now += seed % 23; // irregular arrivals, several at the same ms
        if ((yield* budget.take(now)) === 0) granted.push(now);
      }
      expect(granted.length).toBeGreaterThan(100);
      for (let i = calls; i < granted.length; i++) {
        // calls i-calls .. i are calls+1 calls: they must span at least a full window
        expect((granted[i] as number) - (granted[i - calls] as number)).toBeGreaterThanOrEqual(windowMs);
      }
    }),
  );
});

describe("budgetLimit", () => {
  it("adds the safety margin to the window", () => {
    expect(budgetLimit({ calls: 300, windowSeconds: 60 })).toEqual({ calls: 300, windowMs: 61_000 });
    expect(budgetLimit({ calls: 50, windowSeconds: 1 })).toEqual({ calls: 50, windowMs: 1050 });
    expect(budgetLimit({ calls: 50, windowSeconds: 1, safetyMarginMs: 0 })).toEqual({ calls: 50, windowMs: 1000 });
    expect(budgetLimit()).toEqual({ calls: 300, windowMs: 61_000 });
  });
});

describe("RateLimiter", () => {
  it.effect("paces every fibre to the budget and reports the time waited", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.make(inMemoryCallBudget({ calls: 3, windowMs: 1000 }));
      const fiber = yield* Effect.fork(
        Effect.all(
          Array.from({ length: 7 }, () => limiter.acquire.pipe(Effect.zipRight(Clock.currentTimeMillis))),
          { concurrency: "unbounded" },
        ),
      );
      yield* TestClock.adjust("5 seconds");
      const times = [...(yield* Fiber.join(fiber))].sort((a, b) => a - b);
      expect(times).toEqual([0, 0, 0, 1000, 1000, 1000, 2000]);
      expect(yield* limiter.waitedMs).toBeGreaterThanOrEqual(1000 * 3 + 2000);
    }),
  );

  it.effect("holds everyone back after pauseFor (a 429)", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter.make(inMemoryCallBudget({ calls: 100, windowMs: 1000 }));
      yield* limiter.pauseFor(500);
      const fiber = yield* Effect.fork(limiter.acquire.pipe(Effect.zipRight(Clock.currentTimeMillis)));
      yield* TestClock.adjust("1 second");
      expect(yield* Fiber.join(fiber)).toBe(500);
    }),
  );

  it.effect("a failing shared budget surfaces CallBudgetFailed", () =>
    Effect.gen(function* () {
      const broken: CallBudget = { take: () => Effect.fail(new Error("database is locked")) };
      const limiter = yield* RateLimiter.make(broken);
      const error = yield* Effect.flip(limiter.acquire);
      expect(error).toBeInstanceOf(CallBudgetFailed);
      expect(error.message).toContain("database is locked");
    }),
  );
});
