/**
 * ENR-13 crash safety: a OneFile create is recorded as intended before it is sent and marked done
 * with its id when the answer arrives. After a crash, a re-run reads these to recognise its own
 * unfinished creates (resume) and the creates whose outcome is unknown (journaled, never resent
 * blindly).
 */
import { eq } from "drizzle-orm";
import { Context, Effect, Layer } from "effect";
import { Database, type StoreError } from "./database.ts";
import { onefileIntents } from "./schema.ts";

export type IntentState = "sent" | "done" | "unknown";

export interface Intent {
  readonly key: string;
  readonly learnerId: string | null;
  readonly runId: string | null;
  readonly state: IntentState;
  readonly onefileId: number | null;
  readonly at: string;
}

export interface IntentsShape {
  readonly get: (key: string) => Effect.Effect<Intent | null, StoreError>;
  /** Records that a create is about to be sent (again, if a previous attempt was lost). */
  readonly sent: (key: string, learnerId: string | null, runId: string) => Effect.Effect<void, StoreError>;
  readonly done: (key: string, onefileId: number) => Effect.Effect<void, StoreError>;
  /** The create's answer was lost and it cannot be looked up (visits): its outcome is unknown. */
  readonly unknown: (key: string) => Effect.Effect<void, StoreError>;
}

export class Intents extends Context.Tag("pics-store/Intents")<Intents, IntentsShape>() {
  static readonly layer = Layer.effect(
    Intents,
    Effect.gen(function* () {
      const database = yield* Database;
      const setState = (key: string, state: IntentState, onefileId?: number) =>
        database.durably(`mark intent ${state}`, (db) =>
          db
            .update(onefileIntents)
            .set({ state, at: new Date().toISOString(), ...(onefileId === undefined ? {} : { onefileId }) })
            .where(eq(onefileIntents.key, key)),
        );
      return {
        get: (key) =>
          database.use("read intent", async (db) => {
            const [row] = await db.select().from(onefileIntents).where(eq(onefileIntents.key, key));
            return row ? { ...row, state: row.state as IntentState } : null;
          }),
        sent: (key, learnerId, runId) =>
          database.durably("record intent", (db) => {
            const at = new Date().toISOString();
            return db
              .insert(onefileIntents)
              .values({ key, learnerId, runId, state: "sent", at })
              .onConflictDoUpdate({ target: onefileIntents.key, set: { runId, state: "sent", at } });
          }),
        done: (key, onefileId) => setState(key, "done", onefileId),
        unknown: (key) => setState(key, "unknown"),
      } satisfies IntentsShape;
    }),
  );
}
