import { createClient } from "@libsql/client";
import { Effect, Either } from "effect";
import { describe, expect, it } from "vitest";
import { CallBudgets, Database, Intents, Leases, PicsRecords, PicsStore, RunLog, SettingsStore } from "../src/index.ts";
import { learner, officer, organisation, tempDatabaseUrl, TEST_SECRET } from "./support.ts";

/** Every kind of write the product makes, each answering its outcome instead of failing. */
const everyWrite = (tag: string) =>
  Effect.gen(function* () {
    const records = yield* PicsRecords;
    const log = yield* RunLog;
    const settings = yield* SettingsStore;
    const leases = yield* Leases;
    const intents = yield* Intents;
    const budget = yield* (yield* CallBudgets).forToken("token", { calls: 1000, windowMs: 60_000 });
    const outcomes: Record<string, Either.Either<unknown, { readonly _tag: string; readonly busy?: boolean }>> = {};
    const attempt = <A, E extends { readonly _tag: string }>(name: string, effect: Effect.Effect<A, E>) =>
      Effect.map(Effect.either(effect), (outcome) => void (outcomes[name] = outcome));
    yield* attempt(
      "import (transaction)",
      records.importDocument({
        officers: [officer(`O-${tag}`)],
        organisations: [organisation(`G-${tag}`)],
        learners: [
          learner(`L-${tag}`, { mainOfficerId: `O-${tag}`, officers: [], qualifications: [], reviews: [], placements: [] }),
        ],
      }),
    );
    yield* attempt("save officer", records.saveOfficer({ ...(yield* records.getOfficer("O1")), phone: `0161 ${tag}` }));
    yield* attempt("patch learner", records.patch({ entity: "learner", id: "L1" }, { onefileId: 700 }));
    yield* attempt("start run", log.start({ kind: "full", trigger: "cli" }));
    yield* attempt(
      "journal (transaction)",
      log.journal(runId, [
        { learnerId: "L1", entity: "learner", entityId: "L1", field: "x", before: null, after: tag, direction: "toPics" },
      ]),
    );
    yield* attempt("update settings", settings.update({ endedWithinDays: 30 }));
    yield* attempt("take lease", leases.tryAcquire(`lease-${tag}`, "me", 60_000));
    yield* attempt("record intent", intents.sent(`intent-${tag}`, "L1", runId));
    yield* attempt("take call budget (transaction)", budget.take(Date.now()));
    return outcomes;
  });

let runId = "";

describe("SEC-3: a lock held past the busy timeout", () => {
  it("fails the writes made during it as busy, and every kind of write and the call budget work again after, with no restart", async () => {
    const url = tempDatabaseUrl();
    const store = PicsStore.layer({ url, secretKey: TEST_SECRET, busyTimeoutMs: 300 });
    await Effect.runPromise(
      Effect.gen(function* () {
        const records = yield* PicsRecords;
        yield* records.importDocument({
          officers: [officer("O1")],
          organisations: [organisation("G1")],
          learners: [learner("L1")],
        });
        runId = (yield* (yield* RunLog).start({ kind: "full", trigger: "cli" })).id;

        // Another connection (another process's import, a backup) takes the write lock and keeps it.
        const other = createClient({ url });
        const hold = yield* Effect.promise(() => other.transaction("write"));
        yield* Effect.promise(() => hold.execute("UPDATE officers SET phone = 'held' WHERE id = 'O1'"));
        const during = yield* everyWrite("during");
        yield* Effect.promise(() => hold.rollback());
        other.close();

        for (const [name, outcome] of Object.entries(during)) {
          expect(Either.isLeft(outcome), name).toBe(true);
          if (Either.isLeft(outcome)) expect([name, outcome.left._tag, outcome.left.busy]).toEqual([name, "StoreError", true]);
        }

        const after = yield* everyWrite("after");
        for (const [name, outcome] of Object.entries(after)) expect([name, outcome._tag]).toEqual([name, "Right"]);
        // The fresh connection has the pragmas the product relies on.
        const { client } = yield* Database;
        const fk = yield* Effect.promise(() => client.execute("PRAGMA foreign_keys"));
        expect(Number(fk.rows[0]?.[0])).toBe(1);
        expect((yield* records.getLearner("L-after")).mainOfficerId).toBe("O-after");
      }).pipe(Effect.provide(store)),
    );
  }, 60_000);
});
