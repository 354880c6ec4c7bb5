/**
 * The notifications' own state (NOT-1, NOT-3): claims that make each notification go out once
 * across processes, the deliveries log (every attempt on every channel), and the two questions
 * the watchers ask of the run log.
 */
import { and, desc, eq, gte, inArray, isNotNull, isNull, like, lt, lte, not, notExists, or, sql } from "drizzle-orm";
import { Context, Effect, Layer } from "effect";
import { Database, type StoreError } from "./database.ts";
import type { Run, RunKind, RunStatus } from "./run-log.ts";
import * as t from "./schema.ts";

export type DeliveryChannel = "webhook" | "email";

export interface DeliveryAttempt {
  readonly notificationId: string;
  /** A NotificationEvent, or `test` for a test send. */
  readonly event: string;
  readonly channel: DeliveryChannel;
  readonly runId: string | null;
  readonly at: string;
  readonly ok: boolean;
  readonly attempt: number;
  /** The HTTP status (webhook) or SMTP reply code (e-mail), when there was an answer. */
  readonly status: number | null;
  readonly error: string | null;
}

export interface Delivery extends DeliveryAttempt {
  readonly id: number;
}

export interface Claim {
  readonly key: string;
  readonly notificationId: string;
  readonly event: string;
  readonly owner?: string | null;
  readonly at: string;
}

export interface NotificationLogShape {
  /** True for the one caller (in any process) that claimed `key` first; false for everyone else. */
  readonly claim: (claim: Claim) => Effect.Effect<boolean, StoreError>;
  readonly claimed: (key: string) => Effect.Effect<boolean, StoreError>;
  /** The time first recorded under `key` (recording `at` if nothing was): a once-set marker. */
  readonly firstTime: (key: string, at: string) => Effect.Effect<string, StoreError>;
  readonly record: (attempt: DeliveryAttempt) => Effect.Effect<Delivery, StoreError>;
  /** Newest first; `cursor` is the id of the last delivery of the previous page. */
  readonly deliveries: (options?: {
    limit?: number;
    cursor?: number | null;
  }) => Effect.Effect<{ items: ReadonlyArray<Delivery>; nextCursor: number | null }, StoreError>;
  /**
   * Daily and full runs (not dry) that ended with one of `statuses` at or after `since` and were
   * not notified yet (no `run:<id>` claim), oldest first.
   */
  readonly endedRunsToNotify: (
    since: string,
    statuses: ReadonlyArray<Exclude<RunStatus, "running">>,
  ) => Effect.Effect<ReadonlyArray<Run>, StoreError>;
  /** A run with its first `limit` per-learner errors (a run may have thousands); null if unknown. */
  readonly runWithFirstErrors: (
    runId: string,
    limit: number,
  ) => Effect.Effect<{ run: Run; errors: ReadonlyArray<{ learnerId: string; code: string; reason: string }> } | null, StoreError>;
  /** Did a daily run (not dry, not interrupted) start at or after `from` and end by `to`? */
  readonly dailyRunCompletedBetween: (from: string, to: string) => Effect.Effect<boolean, StoreError>;
}

const RUN_KEY_PREFIX = "run:";
export const runClaimKey = (runId: string) => `${RUN_KEY_PREFIX}${runId}`;

type DeliveryRow = typeof t.notificationDeliveries.$inferSelect;
const toDelivery = (row: DeliveryRow): Delivery => ({
  id: row.id,
  notificationId: row.notificationId,
  event: row.event,
  channel: row.channel as DeliveryChannel,
  runId: row.runId,
  at: row.at,
  ok: row.ok,
  attempt: row.attempt,
  status: row.status,
  error: row.error,
});

type RunRow = typeof t.runs.$inferSelect;
const toRun = (row: RunRow): Run => ({
  id: row.id,
  kind: row.kind as RunKind,
  trigger: row.trigger as Run["trigger"],
  dryRun: row.dryRun,
  partialScope: row.partialScope,
  learnerId: row.learnerId,
  status: row.status as RunStatus,
  message: row.message,
  progress: { total: row.total, done: row.done, failed: row.failed },
  changes: row.changes,
  startedAt: row.startedAt,
  endedAt: row.endedAt,
  heartbeatAt: row.heartbeatAt,
  owner: row.owner,
});

export class NotificationLog extends Context.Tag("pics-store/NotificationLog")<NotificationLog, NotificationLogShape>() {
  static readonly layer = Layer.effect(
    NotificationLog,
    Effect.gen(function* () {
      const database = yield* Database;
      return {
        claim: (claim) =>
          database.use("claim notification", async (db) => {
            const rows = await db
              .insert(t.notificationClaims)
              .values({
                key: claim.key,
                notificationId: claim.notificationId,
                event: claim.event,
                owner: claim.owner ?? null,
                claimedAt: claim.at,
              })
              .onConflictDoNothing()
              .returning({ key: t.notificationClaims.key });
            return rows.length === 1;
          }),
        claimed: (key) =>
          database.use("read notification claim", async (db) => {
            const rows = await db
              .select({ key: t.notificationClaims.key })
              .from(t.notificationClaims)
              .where(eq(t.notificationClaims.key, key));
            return rows.length > 0;
          }),
        firstTime: (key, at) =>
          database.use("read notification marker", async (db) => {
            await db
              .insert(t.notificationClaims)
              .values({ key, notificationId: "-", event: "marker", claimedAt: at })
              .onConflictDoNothing();
            const [row] = await db
              .select({ at: t.notificationClaims.claimedAt })
              .from(t.notificationClaims)
              .where(eq(t.notificationClaims.key, key));
            return row?.at ?? at;
          }),
        record: (attempt) =>
          database.use("record delivery", async (db) => {
            const [row] = await db.insert(t.notificationDeliveries).values(attempt).returning();
            return toDelivery(row!);
          }),
        deliveries: (options = {}) =>
          database.use("list deliveries", async (db) => {
            const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
            const rows = await db
              .select()
              .from(t.notificationDeliveries)
              .where(options.cursor == null ? undefined : lt(t.notificationDeliveries.id, options.cursor))
              .orderBy(desc(t.notificationDeliveries.id))
              .limit(limit + 1);
            const items = rows.slice(0, limit).map(toDelivery);
            return { items, nextCursor: rows.length > limit ? (items[items.length - 1]?.id ?? null) : null };
          }),
        endedRunsToNotify: (since, statuses) =>
          statuses.length === 0
            ? Effect.succeed([])
            : database.use("read runs to notify", async (db) =>
                (
                  await db
                    .select()
                    .from(t.runs)
                    .where(
                      and(
                        inArray(t.runs.kind, ["daily", "full"]),
                        eq(t.runs.dryRun, false),
                        inArray(t.runs.status, [...statuses]),
                        isNotNull(t.runs.endedAt),
                        gte(t.runs.endedAt, since),
                        notExists(
                          db
                            .select({ key: t.notificationClaims.key })
                            .from(t.notificationClaims)
                            .where(eq(t.notificationClaims.key, sql`${RUN_KEY_PREFIX} || ${t.runs.id}`)),
                        ),
                      ),
                    )
                    .orderBy(t.runs.endedAt)
                    .limit(100)
                ).map(toRun),
              ),
        runWithFirstErrors: (runId, limit) =>
          database.use("read run to notify", async (db) => {
            const [row] = await db.select().from(t.runs).where(eq(t.runs.id, runId));
            if (row === undefined) return null;
            const errors = await db
              .select({ learnerId: t.runErrors.learnerId, code: t.runErrors.code, reason: t.runErrors.reason })
              .from(t.runErrors)
              .where(and(eq(t.runErrors.runId, runId), isNotNull(t.runErrors.learnerId)))
              .orderBy(t.runErrors.id)
              .limit(limit);
            return { run: toRun(row), errors: errors.map((e) => ({ ...e, learnerId: e.learnerId! })) };
          }),
        dailyRunCompletedBetween: (from, to) =>
          database.use("read daily runs of a slot", async (db) => {
            const rows = await db
              .select({ id: t.runs.id })
              .from(t.runs)
              .where(
                and(
                  eq(t.runs.kind, "daily"),
                  eq(t.runs.dryRun, false),
                  gte(t.runs.startedAt, from),
                  isNotNull(t.runs.endedAt),
                  lte(t.runs.endedAt, to),
                  // A run closed because its process died did not complete (scheduler README).
                  or(isNull(t.runs.message), not(like(t.runs.message, "interrupted%"))),
                ),
              )
              .limit(1);
            return rows.length > 0;
          }),
      } satisfies NotificationLogShape;
    }),
  );
}
