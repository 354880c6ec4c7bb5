/** STAT-2 bounded: a connection test answers "rate limited" or "unreachable" within 30 s (TestClock, no real wait). */
import { it } from "@effect/vitest";
import { OneFileClient, type ClientCounters } from "@pics/onefile-client";
import { Duration, Effect, Fiber, TestClock } from "effect";
import { describe, expect } from "vitest";
import { CONNECTION_TEST_BOUND_MS, probe } from "../src/reference-data.ts";

const counters = (http429: number): ClientCounters => ({
  total: http429,
  calls: {},
  http429,
  limiterWaitMs: 0,
  rateLimitWaitMs: 0,
  retries: 0,
  authentications: 0,
});

/** A client whose authentication waits (as on 429s or a silent host); `seen429` counts what it met. */
const stalledClient = (seen429: () => number) =>
  Effect.provide(
    OneFileClient,
    OneFileClient.testLayer({
      authenticate: () => Effect.sleep(Duration.minutes(5)),
      counters: () => Effect.sync(() => counters(seen429())),
    }),
  );

describe("connection test bound (STAT-2)", () => {
  it.effect("OneFile answering 429: 'rate_limited' after 30 s, not after the 5-minute 429 budget", () =>
    Effect.gen(function* () {
      let http429 = 0;
      const client = yield* stalledClient(() => http429);
      const fiber = yield* Effect.fork(probe(client, "live"));
      yield* TestClock.adjust(Duration.millis(1));
      http429 = 4; // the 429s met while the test waits
      yield* TestClock.adjust(Duration.millis(CONNECTION_TEST_BOUND_MS - 2));
      expect(fiber.unsafePoll()).toBeNull();
      yield* TestClock.adjust(Duration.millis(1));
      const result = yield* Fiber.join(fiber);
      expect(result).toMatchObject({ ok: false, failure: "rate_limited", environment: "live" });
    }),
  );

  it.effect("OneFile not answering: 'unreachable' after 30 s", () =>
    Effect.gen(function* () {
      const client = yield* stalledClient(() => 0);
      const fiber = yield* Effect.fork(probe(client, "beta"));
      yield* TestClock.adjust(Duration.millis(CONNECTION_TEST_BOUND_MS));
      expect(yield* Fiber.join(fiber)).toMatchObject({
        ok: false,
        failure: "unreachable",
        message: expect.stringContaining("30 s"),
      });
    }),
  );
});
