import { Effect } from "effect";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { PicsRecords, RunLog } from "../src/index.ts";
import { tempDatabaseUrl, testStore } from "./support.ts";

const run = promisify(execFile);
const writer = fileURLToPath(new URL("./fixtures/writer.ts", import.meta.url));
const tsx = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));

describe("one database file, several processes", () => {
  it("two processes writing at once both succeed, and share one call budget without exceeding it, whatever their clocks say", async () => {
    const url = tempDatabaseUrl();
    // Migrate first, as the product does at start-up, so the children race on writes only.
    await Effect.runPromise(Effect.provide(Effect.void, testStore(url)));

    // Each tries 40 calls of a budget of 20 a minute, their clocks 60 s apart (LIM-4).
    const [a, b] = await Promise.all(
      [
        ["alpha", "-30000"],
        ["beta", "30000"],
      ].map(([name, skew]) => run(tsx, [writer, url, name!, "60", "40", skew!], { timeout: 60_000 })),
    );
    expect(JSON.parse(a!.stdout).granted + JSON.parse(b!.stdout).granted).toBe(20);

    const counts = await Effect.runPromise(
      Effect.gen(function* () {
        const log = yield* RunLog;
        const learners = yield* (yield* PicsRecords).listLearners({ limit: 500 });
        const runs = yield* log.list();
        const changes = yield* Effect.forEach(runs.items, (r) => log.changes(r.id).pipe(Effect.map((c) => c.length)));
        return { learners: learners.items.length, runs: runs.items.map((r) => r.status), changes };
      }).pipe(Effect.provide(testStore(url))),
    );
    expect(counts).toEqual({ learners: 120, runs: ["succeeded", "succeeded"], changes: [60, 60] });
  }, 90_000);
});
