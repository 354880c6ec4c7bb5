/**
 * Pacing under OneFile's rate limit (LIM-1, SET-17).
 *
 * A `CallBudget` is the shared state: "at most `calls` calls in any interval of `windowMs`"
 * (a sliding window). Whatever the alignment of OneFile's fixed 60 s window, a sliding window
 * of the same length never lets more than `calls` land in it. The in-memory budget below serves
 * one process; `pics-store` provides a libSQL one with the same semantics so the server and the
 * scheduler share one budget per customer token.
 *
 * The `RateLimiter` loops take → sleep(wait) → take, one fibre at a time per process (so waiting
 * fibres queue instead of polling the shared budget), and can be paused after a 429.
 */
import { Clock, Context, Duration, Effect, Layer, Ref } from "effect";
import { DEFAULT_RATE_LIMIT } from "./contract.ts";
import { CallBudgetFailed } from "./errors.ts";

/** A budget of calls shared by everyone using one customer token. `take` atomically records one call at `nowMs`
 *  if fewer than `calls` were recorded in (nowMs - windowMs, nowMs]; returns 0 when granted, else the ms to wait before trying again. */
export interface CallBudget {
  readonly take: (nowMs: number) => Effect.Effect<number, unknown>;
}

export interface BudgetLimit {
  readonly calls: number;
  readonly windowMs: number;
}

/** A sliding-window CallBudget held in this process's memory. */
export const inMemoryCallBudget = (limit: BudgetLimit): CallBudget => {
  if (!(limit.calls >= 1) || !(limit.windowMs > 0)) {
    throw new RangeError(`inMemoryCallBudget: calls must be ≥ 1 and windowMs > 0 (got ${limit.calls}/${limit.windowMs})`);
  }
  // Times of granted calls, ascending; only those inside the current window are kept.
  const granted: Array<number> = [];
  return {
    take: (nowMs) =>
      Effect.sync(() => {
        const from = nowMs - limit.windowMs;
        let drop = 0;
        while (drop < granted.length && (granted[drop] as number) <= from) drop++;
        if (drop > 0) granted.splice(0, drop);
        if (granted.length < limit.calls) {
          // Keep ascending order even if the clock stepped back.
          let i = granted.length;
          while (i > 0 && (granted[i - 1] as number) > nowMs) i--;
          granted.splice(i, 0, nowMs);
          return 0;
        }
        // The call `calls` places from the end must leave the window first.
        const oldest = granted[granted.length - limit.calls] as number;
        return Math.max(1, oldest + limit.windowMs - nowMs);
      }),
  };
};

/** SET-17 `onefileRateLimit`, plus the safety margin for network latency skew. */
export interface RateLimitSettings {
  readonly calls: number;
  readonly windowSeconds: number;
  /**
   * Added to the window the budget enforces. Our clock stamps a call when it leaves; OneFile counts
   * it when it arrives. If one call is slow and a later one fast, two calls `windowSeconds` apart for
   * us can land closer together for OneFile. Default: 5 % of the window, at most 1 s (1 s for 60 s).
   */
  readonly safetyMarginMs?: number;
}

export const defaultSafetyMarginMs = (windowMs: number): number => Math.min(1000, Math.ceil(windowMs * 0.05));

/**
 * The limit a CallBudget must enforce for these settings: `calls` per `windowSeconds` + margin.
 * Whoever builds a shared budget (e.g. pics-store's libSQL one) should build it from this.
 */
export const budgetLimit = (settings: RateLimitSettings = DEFAULT_RATE_LIMIT): BudgetLimit => {
  const windowMs = settings.windowSeconds * 1000;
  return { calls: settings.calls, windowMs: windowMs + (settings.safetyMarginMs ?? defaultSafetyMarginMs(windowMs)) };
};

export interface RateLimiterShape {
  /** Waits until the budget grants one call; succeeds with the milliseconds spent waiting. */
  readonly acquire: Effect.Effect<number, CallBudgetFailed>;
  /** After a 429: nobody in this process sends before `ms` from now. */
  readonly pauseFor: (ms: number) => Effect.Effect<void>;
  /** Total milliseconds callers spent in `acquire` (queueing included) since the limiter was made. */
  readonly waitedMs: Effect.Effect<number>;
}

export class RateLimiter extends Context.Tag("onefile-client/RateLimiter")<RateLimiter, RateLimiterShape>() {
  static make = (budget: CallBudget): Effect.Effect<RateLimiterShape> =>
    Effect.gen(function* () {
      const turn = yield* Effect.makeSemaphore(1);
      const pausedUntil = yield* Ref.make(0);
      const waited = yield* Ref.make(0);

      const takeOne = Effect.gen(function* () {
        for (;;) {
          const now = yield* Clock.currentTimeMillis;
          const paused = (yield* Ref.get(pausedUntil)) - now;
          if (paused > 0) {
            yield* Effect.sleep(Duration.millis(paused));
            continue;
          }
          const wait = yield* budget.take(now).pipe(
            Effect.mapError(
              (cause) =>
                new CallBudgetFailed({
                  message: `call budget failed: ${cause instanceof Error ? cause.message : String(cause)}`,
                  cause,
                }),
            ),
          );
          if (wait <= 0) return;
          yield* Effect.sleep(Duration.millis(wait));
        }
      });

      // Waiting counts from the caller's point of view: queueing for the turn included.
      const acquire = Effect.gen(function* () {
        const start = yield* Clock.currentTimeMillis;
        yield* turn.withPermits(1)(takeOne);
        const ms = (yield* Clock.currentTimeMillis) - start;
        if (ms > 0) yield* Ref.update(waited, (w) => w + ms);
        return ms;
      });

      return {
        acquire,
        pauseFor: (ms) =>
          Clock.currentTimeMillis.pipe(Effect.flatMap((now) => Ref.update(pausedUntil, (until) => Math.max(until, now + ms)))),
        waitedMs: Ref.get(waited),
      } satisfies RateLimiterShape;
    });

  static layer = (budget: CallBudget): Layer.Layer<RateLimiter> => Layer.effect(RateLimiter, RateLimiter.make(budget));
}
