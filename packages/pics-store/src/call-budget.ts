/**
 * The OneFile rate-limit budget shared by every process using one customer token (LIM-1,
 * SET-17). A sliding window: a call is granted when fewer than `calls` were granted in the last
 * `windowMs`, so no window of OneFile's, however aligned, sees more than the budget.
 *
 * Each grant is one immediate (write-locking) transaction, so two processes never both take the
 * last slot. Grants are stamped and the window measured on the database's clock (LIM-4): the
 * caller's `nowMs` is ignored, so processes whose clocks disagree still share one window. The
 * token itself is never stored: budgets are keyed by a hash of it.
 */
import { and, asc, count, eq, lte, sql } from "drizzle-orm";
import { Context, Effect, Layer } from "effect";
import { Database, dbNowMs, type StoreError } from "./database.ts";
import { rateLimitCalls } from "./schema.ts";

/** Same shape as the OneFile client's CallBudget: 0 = granted, otherwise ms to wait. */
export interface SharedCallBudget {
  /** `_callerNowMs` is the caller's clock, ignored: the database's clock decides (LIM-4). */
  readonly take: (_callerNowMs: number) => Effect.Effect<number, StoreError>;
}

export interface CallBudgetsShape {
  readonly forToken: (customerToken: string, limit: { calls: number; windowMs: number }) => Effect.Effect<SharedCallBudget>;
}

export const budgetKey = async (customerToken: string): Promise<string> => {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`onefile-budget:${customerToken}`));
  return Array.from(new Uint8Array(digest).slice(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
};

export class CallBudgets extends Context.Tag("pics-store/CallBudgets")<CallBudgets, CallBudgetsShape>() {
  static readonly layer = Layer.effect(
    CallBudgets,
    Effect.gen(function* () {
      const database = yield* Database;
      return {
        forToken: (customerToken, { calls, windowMs }) =>
          Effect.promise(() => budgetKey(customerToken)).pipe(
            Effect.map((key) => ({
              take: () =>
                database.transaction("take OneFile call budget", async (tx) => {
                  const [clock] = await tx.all<{ now: number }>(sql`SELECT ${dbNowMs} AS now`);
                  const nowMs = Number(clock?.now);
                  const windowStart = nowMs - windowMs;
                  await tx
                    .delete(rateLimitCalls)
                    .where(and(eq(rateLimitCalls.budgetKey, key), lte(rateLimitCalls.at, windowStart)));
                  const [used] = await tx.select({ n: count() }).from(rateLimitCalls).where(eq(rateLimitCalls.budgetKey, key));
                  if ((used?.n ?? 0) < calls) {
                    await tx.insert(rateLimitCalls).values({ budgetKey: key, at: nowMs });
                    return 0;
                  }
                  const [oldest] = await tx
                    .select({ at: rateLimitCalls.at })
                    .from(rateLimitCalls)
                    .where(eq(rateLimitCalls.budgetKey, key))
                    .orderBy(asc(rateLimitCalls.at))
                    .limit(1);
                  return Math.max(1, (oldest?.at ?? nowMs) + windowMs - nowMs);
                }),
            })),
          ),
      } satisfies CallBudgetsShape;
    }),
  );
}
