import { sql } from "drizzle-orm";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { Database, Intents, PicsStore } from "../src/index.ts";
import { tempDatabaseUrl, TEST_SECRET } from "./support.ts";

/** SQLite's `PRAGMA synchronous`: 1 = NORMAL (WAL commits synced at checkpoints), 2 = FULL (every commit). */
const synchronous = Effect.flatMap(Database, (database) =>
  database.use("read synchronous", async (db) =>
    Number((await db.all<{ synchronous: number }>(sql`PRAGMA synchronous`))[0]?.synchronous),
  ),
);

describe("D58: commits of a local file", () => {
  it("are not synced one by one, except what `durably` writes (ENR-13's intents), and the setting is back after", async () => {
    const store = PicsStore.layer({ url: tempDatabaseUrl(), secretKey: TEST_SECRET });
    const seen = await Effect.runPromise(
      Effect.gen(function* () {
        const database = yield* Database;
        const before = yield* synchronous;
        const inside = yield* database.durably("read synchronous inside", async (db) =>
          Number((await db.all<{ synchronous: number }>(sql`PRAGMA synchronous`))[0]?.synchronous),
        );
        const failed = yield* Effect.either(
          database.durably("fail inside", async () => {
            throw new Error("no");
          }),
        );
        const intents = yield* Intents;
        yield* intents.sent("visit:L1/R1", "L1", "run-1");
        yield* intents.done("visit:L1/R1", 42);
        return { before, inside, failed: failed._tag, after: yield* synchronous, intent: yield* intents.get("visit:L1/R1") };
      }).pipe(Effect.provide(store)),
    );
    expect(seen).toMatchObject({ before: 1, inside: 2, failed: "Left", after: 1, intent: { state: "done", onefileId: 42 } });
  });

  it("an in-memory database keeps its default and `durably` just runs the write", async () => {
    const store = PicsStore.layer({ url: ":memory:", secretKey: TEST_SECRET });
    const seen = await Effect.runPromise(
      Effect.gen(function* () {
        const database = yield* Database;
        const inside = yield* database.durably("read", async (db) =>
          Number((await db.all<{ synchronous: number }>(sql`PRAGMA synchronous`))[0]?.synchronous),
        );
        return { before: yield* synchronous, inside };
      }).pipe(Effect.provide(store)),
    );
    expect(seen.inside).toBe(seen.before);
  });
});
