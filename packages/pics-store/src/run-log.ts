/**
 * Runs (JRN-1), their per-learner errors, and the journal of changes (JRN-2). A dry run is a run
 * like any other, marked `dryRun`, whose journal rows are the planned changes (JRN-3).
 */
import { and, asc, desc, eq, gt, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { Context, Data, Effect, Layer } from "effect";
import { Database, dbNowIso, dbNowMs, type StoreError } from "./database.ts";
import type { Page } from "./pics-records.ts";
import * as t from "./schema.ts";

export type RunKind = "enrolment" | "refresh" | "daily" | "full" | "reconciliation" | "enrolment_batch" | "link";
export type RunTrigger = "http" | "scheduler" | "cli";
export type RunStatus = "running" | "succeeded" | "partially_succeeded" | "failed";
export type JournalEntity = "learner" | "officer" | "organisation" | "qualification" | "review" | "placement";
export type Direction = "toOneFile" | "toPics";

export interface RunError {
  readonly learnerId: string | null;
  readonly code: string;
  readonly reason: string;
  readonly at: string;
}

export interface Run {
  readonly id: string;
  readonly kind: RunKind;
  readonly trigger: RunTrigger;
  readonly dryRun: boolean;
  readonly partialScope: boolean;
  readonly learnerId: string | null;
  readonly status: RunStatus;
  readonly message: string | null;
  readonly progress: { readonly total: number; readonly done: number; readonly failed: number };
  readonly changes: number;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly heartbeatAt: string | null;
  readonly owner: string | null;
}

export interface RunWithErrors extends Run {
  readonly errors: ReadonlyArray<RunError>;
}

/** One journal row: a field that changed (or, in a dry run, would change). Values are JSON. */
export interface Change {
  readonly learnerId?: string | null;
  readonly entity: JournalEntity;
  readonly entityId: string;
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly direction: Direction;
  readonly onefileId?: number | null;
}

export interface JournalRow extends Required<Change> {
  readonly runId: string;
  readonly at: string;
}

export class RunNotFound extends Data.TaggedError("RunNotFound")<{ readonly id: string }> {
  override get message(): string {
    return `run "${this.id}" does not exist`;
  }
}

export interface PageOptions {
  readonly limit?: number | undefined;
  /** The `nextCursor` of the previous page; a cursor this list did not give starts from the beginning. */
  readonly cursor?: string | null | undefined;
}

/** A page's cursor is the last row's id; anything else (not from this list) reads from the start. */
const afterId = (cursor: string | null | undefined): number => {
  const id = cursor != null && /^\d{1,15}$/.test(cursor) ? Number(cursor) : 0;
  return Number.isSafeInteger(id) ? id : 0;
};

const pageSize = (limit: number | undefined) => Math.min(Math.max(limit ?? 100, 1), 500);

export interface StartRun {
  readonly kind: RunKind;
  readonly trigger: RunTrigger;
  readonly dryRun?: boolean;
  /** Named learners only, not the whole scope (it does not move last synchronised). */
  readonly partialScope?: boolean;
  readonly learnerId?: string | null;
  readonly total?: number;
  readonly owner?: string;
}

export interface RunLogShape {
  readonly start: (run: StartRun) => Effect.Effect<Run, StoreError>;
  /** Sets the progress counters and renews the heartbeat. */
  readonly progress: (
    runId: string,
    progress: { total?: number; done?: number; failed?: number },
  ) => Effect.Effect<void, StoreError>;
  readonly recordError: (runId: string, error: Omit<RunError, "at">) => Effect.Effect<void, StoreError>;
  readonly journal: (runId: string, changes: ReadonlyArray<Change>) => Effect.Effect<void, StoreError>;
  readonly finish: (
    runId: string,
    status: Exclude<RunStatus, "running">,
    message?: string | null,
  ) => Effect.Effect<void, StoreError>;
  readonly get: (runId: string) => Effect.Effect<RunWithErrors, RunNotFound | StoreError>;
  /** Newest first; `cursor` is the id of the last run of the previous page. */
  readonly list: (options?: {
    limit?: number;
    cursor?: string | null;
    learnerId?: string;
    kind?: RunKind;
  }) => Effect.Effect<{ items: ReadonlyArray<Run>; nextCursor: string | null }, StoreError>;
  readonly changes: (runId: string) => Effect.Effect<ReadonlyArray<JournalRow>, StoreError>;
  /** A page of a run's journal rows in the order they were written; `cursor` is the previous page's `nextCursor`. */
  readonly changesPage: (runId: string, page?: PageOptions) => Effect.Effect<Page<JournalRow>, RunNotFound | StoreError>;
  /** A page of a run's per-learner errors in the order they were recorded. */
  readonly errorsPage: (runId: string, page?: PageOptions) => Effect.Effect<Page<RunError>, RunNotFound | StoreError>;
  /** The journal rows about one learner, newest first. */
  readonly learnerChanges: (learnerId: string, limit?: number) => Effect.Effect<ReadonlyArray<JournalRow>, StoreError>;
  /** SYNC-4: the end of the last daily or full run that completed (not dry, not failed). */
  readonly lastSynchronisedAt: Effect.Effect<string | null, StoreError>;
  /**
   * Marks runs whose process stopped renewing their heartbeat (killed, crashed) as failed, so they
   * stop showing as current; returns them. A new run then redoes their work (the exchange is idempotent).
   */
  readonly closeAbandoned: (
    staleAfterMs: number,
    /** A lease a live run holds (the run lease): while anyone holds it, nothing is closed, in the same statement. */
    unlessLeaseHeld?: string,
  ) => Effect.Effect<ReadonlyArray<Run>, StoreError>;
  /** Runs still marked running, oldest first (a stale heartbeat means their process died). */
  readonly running: Effect.Effect<ReadonlyArray<Run>, StoreError>;
  /** Every run counted by kind, status and dry run, with the learners synced and failed (metrics). */
  readonly counts: Effect.Effect<ReadonlyArray<RunCount>, StoreError>;
}

export interface RunCount {
  readonly kind: string;
  readonly status: string;
  readonly dryRun: boolean;
  readonly runs: number;
  /** Learners that succeeded: a run's `done` includes its failed ones (D26). */
  readonly synced: number;
  readonly failed: number;
}

type RunRow = typeof t.runs.$inferSelect;
const toRun = (row: RunRow): Run => ({
  id: row.id,
  kind: row.kind as RunKind,
  trigger: row.trigger as RunTrigger,
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

const parseValue = (text: string | null): unknown => (text === null ? null : JSON.parse(text));
const toJournalRow = (row: typeof t.journal.$inferSelect): JournalRow => ({
  runId: row.runId,
  at: row.at,
  learnerId: row.learnerId,
  entity: row.entity as JournalEntity,
  entityId: row.entityId,
  field: row.field,
  before: parseValue(row.before),
  after: parseValue(row.after),
  direction: row.direction as Direction,
  onefileId: row.onefileId,
});

/** Run ids sort by start time, so "newest first" is an index scan on the primary key. */
export const newRunId = (now = Date.now()): string =>
  `run_${now.toString(36).padStart(9, "0")}_${crypto.randomUUID().slice(0, 8)}`;

const nowIso = () => new Date().toISOString();

export class RunLog extends Context.Tag("pics-store/RunLog")<RunLog, RunLogShape>() {
  static readonly layer = Layer.effect(
    RunLog,
    Effect.gen(function* () {
      const database = yield* Database;

      const start: RunLogShape["start"] = (run) =>
        database.use("start run", async (db) => {
          const startedAt = nowIso();
          const [row] = await db
            .insert(t.runs)
            .values({
              id: newRunId(),
              kind: run.kind,
              trigger: run.trigger,
              dryRun: run.dryRun ?? false,
              partialScope: run.partialScope ?? false,
              learnerId: run.learnerId ?? null,
              status: "running",
              total: run.total ?? 0,
              startedAt,
              // LIM-4: heartbeats are compared across processes, so they are on the database's clock.
              heartbeatAt: dbNowIso,
              owner: run.owner ?? null,
            })
            .returning();
          return toRun(row!);
        });

      return {
        start,
        progress: (runId, progress) =>
          database.use("update run progress", (db) =>
            db
              .update(t.runs)
              .set({ ...progress, heartbeatAt: dbNowIso })
              .where(eq(t.runs.id, runId)),
          ),
        recordError: (runId, error) =>
          database.use("record run error", (db) => db.insert(t.runErrors).values({ runId, ...error, at: nowIso() })),
        journal: (runId, changes) =>
          changes.length === 0
            ? Effect.void
            : database.transaction("journal changes", async (tx) => {
                const at = nowIso();
                const rows = changes.map((c) => ({
                  runId,
                  at,
                  learnerId: c.learnerId ?? null,
                  entity: c.entity,
                  entityId: c.entityId,
                  field: c.field,
                  before: c.before === undefined || c.before === null ? null : JSON.stringify(c.before),
                  after: c.after === undefined || c.after === null ? null : JSON.stringify(c.after),
                  direction: c.direction,
                  onefileId: c.onefileId ?? null,
                }));
                for (let i = 0; i < rows.length; i += 200) await tx.insert(t.journal).values(rows.slice(i, i + 200));
                await tx
                  .update(t.runs)
                  .set({ changes: sql`${t.runs.changes} + ${rows.length}`, heartbeatAt: dbNowIso })
                  .where(eq(t.runs.id, runId));
              }),
        finish: (runId, status, message) =>
          database.use("finish run", (db) =>
            db
              .update(t.runs)
              .set({ status, message: message ?? null, endedAt: nowIso() })
              .where(eq(t.runs.id, runId)),
          ),
        get: (runId) =>
          database
            .use("read run", async (db) => {
              const [row] = await db.select().from(t.runs).where(eq(t.runs.id, runId));
              if (row === undefined) return undefined;
              const errors = await db.select().from(t.runErrors).where(eq(t.runErrors.runId, runId)).orderBy(asc(t.runErrors.id));
              return {
                ...toRun(row),
                errors: errors.map(({ learnerId, code, reason, at }) => ({ learnerId, code, reason, at })),
              };
            })
            .pipe(Effect.flatMap((run) => (run ? Effect.succeed(run) : Effect.fail(new RunNotFound({ id: runId }))))),
        list: (options = {}) =>
          database.use("list runs", async (db) => {
            const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
            const rows = await db
              .select()
              .from(t.runs)
              .where(
                and(
                  options.cursor ? lt(t.runs.id, options.cursor) : undefined,
                  options.kind === undefined ? undefined : eq(t.runs.kind, options.kind),
                  options.learnerId === undefined
                    ? undefined
                    : or(
                        eq(t.runs.learnerId, options.learnerId),
                        inArray(
                          t.runs.id,
                          db
                            .selectDistinct({ id: t.journal.runId })
                            .from(t.journal)
                            .where(eq(t.journal.learnerId, options.learnerId)),
                        ),
                        inArray(
                          t.runs.id,
                          db
                            .selectDistinct({ id: t.runErrors.runId })
                            .from(t.runErrors)
                            .where(eq(t.runErrors.learnerId, options.learnerId)),
                        ),
                      ),
                ),
              )
              .orderBy(desc(t.runs.id))
              .limit(limit + 1);
            const shown = rows.slice(0, limit).map(toRun);
            return { items: shown, nextCursor: rows.length > limit ? (shown[shown.length - 1]?.id ?? null) : null };
          }),
        changes: (runId) =>
          database.use("read journal", async (db) =>
            (await db.select().from(t.journal).where(eq(t.journal.runId, runId)).orderBy(asc(t.journal.id))).map(toJournalRow),
          ),
        changesPage: (runId, page = {}) =>
          database
            .use("read a page of the journal", async (db) => {
              const [run] = await db.select({ id: t.runs.id }).from(t.runs).where(eq(t.runs.id, runId));
              if (run === undefined) return undefined;
              const limit = pageSize(page.limit);
              const rows = await db
                .select()
                .from(t.journal)
                .where(and(eq(t.journal.runId, runId), gt(t.journal.id, afterId(page.cursor))))
                .orderBy(asc(t.journal.id))
                .limit(limit + 1);
              const shown = rows.slice(0, limit);
              return {
                items: shown.map(toJournalRow),
                nextCursor: rows.length > limit ? String(shown[shown.length - 1]!.id) : null,
              };
            })
            .pipe(Effect.flatMap((p) => (p ? Effect.succeed(p) : Effect.fail(new RunNotFound({ id: runId }))))),
        errorsPage: (runId, page = {}) =>
          database
            .use("read a page of run errors", async (db) => {
              const [run] = await db.select({ id: t.runs.id }).from(t.runs).where(eq(t.runs.id, runId));
              if (run === undefined) return undefined;
              const limit = pageSize(page.limit);
              const rows = await db
                .select()
                .from(t.runErrors)
                .where(and(eq(t.runErrors.runId, runId), gt(t.runErrors.id, afterId(page.cursor))))
                .orderBy(asc(t.runErrors.id))
                .limit(limit + 1);
              const shown = rows.slice(0, limit);
              return {
                items: shown.map(({ learnerId, code, reason, at }) => ({ learnerId, code, reason, at })),
                nextCursor: rows.length > limit ? String(shown[shown.length - 1]!.id) : null,
              };
            })
            .pipe(Effect.flatMap((p) => (p ? Effect.succeed(p) : Effect.fail(new RunNotFound({ id: runId }))))),
        learnerChanges: (learnerId, limit = 500) =>
          database.use("read learner journal", async (db) =>
            (
              await db.select().from(t.journal).where(eq(t.journal.learnerId, learnerId)).orderBy(desc(t.journal.id)).limit(limit)
            ).map(toJournalRow),
          ),
        lastSynchronisedAt: database.use("read last synchronised", async (db) => {
          const [row] = await db
            .select({ endedAt: sql<string | null>`max(${t.runs.endedAt})` })
            .from(t.runs)
            .where(
              and(
                inArray(t.runs.kind, ["daily", "full"]),
                eq(t.runs.dryRun, false),
                eq(t.runs.partialScope, false),
                inArray(t.runs.status, ["succeeded", "partially_succeeded"]),
              ),
            );
          return row?.endedAt ?? null;
        }),
        closeAbandoned: (staleAfterMs, unlessLeaseHeld) =>
          database.use("close abandoned runs", async (db) => {
            // Both on the database's clock (LIM-4): a host whose clock runs ahead never sees a live run as stale.
            const staleBefore = sql`strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ${`-${staleAfterMs / 1000} seconds`})`;
            const leaseHeld =
              unlessLeaseHeld === undefined
                ? undefined
                : sql`NOT EXISTS (SELECT 1 FROM ${t.leases} WHERE ${t.leases.name} = ${unlessLeaseHeld} AND ${t.leases.expiresAt} > ${dbNowMs})`;
            const rows = await db
              .update(t.runs)
              .set({ status: "failed", message: "interrupted: the process running it stopped", endedAt: nowIso() })
              // Only daily and full runs: an enrolment or refresh is closed by the request that runs it.
              .where(
                and(
                  eq(t.runs.status, "running"),
                  inArray(t.runs.kind, ["daily", "full"]),
                  lt(t.runs.heartbeatAt, staleBefore),
                  leaseHeld,
                ),
              )
              .returning();
            return rows.map(toRun);
          }),
        running: database.use("read running runs", async (db) =>
          (
            await db
              .select()
              .from(t.runs)
              .where(and(eq(t.runs.status, "running"), isNull(t.runs.endedAt)))
              .orderBy(asc(t.runs.id))
          ).map(toRun),
        ),
        counts: database.use("count runs", async (db) =>
          (
            await db
              .select({
                kind: t.runs.kind,
                status: t.runs.status,
                dryRun: t.runs.dryRun,
                runs: sql<number>`COUNT(*)`,
                // `done` counts finished learners, failed ones included (D26).
                synced: sql<number>`COALESCE(SUM(MAX(${t.runs.done} - ${t.runs.failed}, 0)), 0)`,
                failed: sql<number>`COALESCE(SUM(${t.runs.failed}), 0)`,
              })
              .from(t.runs)
              .groupBy(t.runs.kind, t.runs.status, t.runs.dryRun)
          ).map((row) => ({ ...row, runs: Number(row.runs), synced: Number(row.synced), failed: Number(row.failed) })),
        ),
      } satisfies RunLogShape;
    }),
  );
}
