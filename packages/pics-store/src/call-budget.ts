/**
 * The OneFile rate-limit budget shared by every process using one customer token (LIM-1,
 * SET-17). A sliding window: a call is granted when fewer than `calls` were granted in the last
 * `windowMs`, so no window of OneFile's, however aligned, sees more than the budget.
 *
 * Each grant is one write statement (SQLite takes its write lock before it reads), so two
 * processes never both take the last slot. Grants are stamped and the window measured on the
 * database's clock (LIM-4): the caller's `nowMs` is ignored, so processes whose clocks disagree
 * still share one window. The token itself is never stored: budgets are keyed by a hash of it.
 */
import { sql } from "drizzle-orm";
import { Context, Effect, Layer } from "effect";
import { Database, dbNowMs, type Db, type StoreError } from "./database.ts";
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

/**
 * After a refusal: how long to wait until the grant `calls` places from the newest (`at`) leaves
 * the window. No such grant means one left the window between the refusal and the read (the
 * database's clock moved on): a slot is free now. (Waiting a whole window then stalled a paced run
 * for ten seconds at a time.)
 */
export const refusedWaitMs = (at: number | null, nowMs: number, windowMs: number): number =>
  at === null ? 1 : Math.max(1, at + windowMs - nowMs);

/** Grants between two sweeps of a budget's rows that left the window (a refusal sweeps too). */
const SWEEP_EVERY = 64;

export class CallBudgets extends Context.Tag("pics-store/CallBudgets")<CallBudgets, CallBudgetsShape>() {
  static readonly layer = Layer.effect(
    CallBudgets,
    Effect.gen(function* () {
      const database = yield* Database;
      return {
        forToken: (customerToken, { calls, windowMs }) =>
          Effect.promise(() => budgetKey(customerToken)).pipe(
            Effect.map((key) => {
              let sinceSweep = 0;
              // Rows that left the window count for nothing; they are deleted now and then so the
              // table stays the size of one window.
              const sweep = (db: Db) =>
                db.run(
                  sql`DELETE FROM ${rateLimitCalls} WHERE ${rateLimitCalls.budgetKey} = ${key} AND ${rateLimitCalls.at} <= ${dbNowMs} - ${windowMs}`,
                );
              return {
                take: () =>
                  database.use("take OneFile call budget", async (db) => {
                    // One statement: SQLite takes the write lock before it reads, so the count and
                    // the insert are atomic across processes, and "now" is one database time
                    // for the whole statement. A call is granted when fewer than `calls` were
                    // granted in (now - windowMs, now].
                    const granted = await db.all<{ at: number }>(sql`
                      INSERT INTO ${rateLimitCalls} (budget_key, at)
                      SELECT ${key}, clock.now FROM (SELECT ${dbNowMs} AS now) AS clock
                      WHERE (SELECT count(*) FROM ${rateLimitCalls}
                             WHERE ${rateLimitCalls.budgetKey} = ${key} AND ${rateLimitCalls.at} > clock.now - ${windowMs}) < ${calls}
                      RETURNING at`);
                    if (granted.length === 1) {
                      if (++sinceSweep >= SWEEP_EVERY) {
                        sinceSweep = 0;
                        await sweep(db);
                      }
                      return 0;
                    }
                    // Refused: wait until the call `calls` places from the newest leaves the
                    // window. Only a hint: the next take decides again, atomically.
                    sinceSweep = 0;
                    await sweep(db);
                    const [next] = await db.all<{ now: number; at: number | null }>(sql`
                      SELECT clock.now AS now,
                        (SELECT ${rateLimitCalls.at} FROM ${rateLimitCalls}
                         WHERE ${rateLimitCalls.budgetKey} = ${key} AND ${rateLimitCalls.at} > clock.now - ${windowMs}
                         ORDER BY ${rateLimitCalls.at} DESC LIMIT 1 OFFSET ${calls - 1}) AS at
                      FROM (SELECT ${dbNowMs} AS now) AS clock`);
                    return refusedWaitMs(next?.at ?? null, Number(next?.now), windowMs);
                  }),
              };
            }),
          ),
      } satisfies CallBudgetsShape;
    }),
  );
}
