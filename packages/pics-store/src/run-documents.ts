/**
 * One JSON document per run, for what a run was asked or found that its counters and journal do
 * not hold: a reconciliation's proposals (REC-1), an enrolment batch's request (REC-3, read again
 * by REC-4's retry). Written by the run itself; deleted with the run.
 */
import { eq } from "drizzle-orm";
import { Context, Effect, Layer } from "effect";
import { Database, type StoreError } from "./database.ts";
import { runDocuments } from "./schema.ts";

export interface RunDocumentsShape {
  /** Stores (or replaces) the run's document. */
  readonly put: (runId: string, document: unknown) => Effect.Effect<void, StoreError>;
  /** The run's document, or null when it has none (yet). */
  readonly get: (runId: string) => Effect.Effect<unknown, StoreError>;
}

export class RunDocuments extends Context.Tag("pics-store/RunDocuments")<RunDocuments, RunDocumentsShape>() {
  static readonly layer = Layer.effect(
    RunDocuments,
    Effect.gen(function* () {
      const database = yield* Database;
      return {
        put: (runId, document) =>
          database.use("store run document", (db) => {
            const row = { document: JSON.stringify(document), updatedAt: new Date().toISOString() };
            return db
              .insert(runDocuments)
              .values({ runId, ...row })
              .onConflictDoUpdate({ target: runDocuments.runId, set: row });
          }),
        get: (runId) =>
          database.use("read run document", async (db) => {
            const [row] = await db.select().from(runDocuments).where(eq(runDocuments.runId, runId));
            return row ? (JSON.parse(row.document) as unknown) : null;
          }),
      } satisfies RunDocumentsShape;
    }),
  );
}
