/** A run's changes and errors are paged (`?limit=&cursor=` → `{items, nextCursor}`): a daily run can have tens of thousands. */
import { RunLog } from "@pics/pics-store";
import { Effect } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "./support.ts";

let server: TestServer;
let runId = "";
beforeAll(async () => {
  server = await startServer();
  runId = await server.run(
    Effect.gen(function* () {
      const log = yield* RunLog;
      const run = yield* log.start({ kind: "full", trigger: "cli" });
      yield* log.journal(
        run.id,
        Array.from({ length: 250 }, (_, i) => ({
          learnerId: `L${i}`,
          entity: "learner" as const,
          entityId: `L${i}`,
          field: "email",
          before: null,
          after: `l${i}@x.test`,
          direction: "toOneFile" as const,
        })),
      );
      for (let i = 0; i < 120; i += 1)
        yield* log.recordError(run.id, { learnerId: `L${i}`, code: "Test", reason: `reason ${i}` });
      yield* log.finish(run.id, "partially_succeeded");
      return run.id;
    }),
  );
});
afterAll(() => server.close());

const readAll = async (path: string, limit: number) => {
  const items: Array<any> = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const answer = await server.request("GET", `${path}?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(answer.status).toBe(200);
    expect(answer.json.items.length).toBeLessThanOrEqual(limit);
    items.push(...answer.json.items);
    cursor = answer.json.nextCursor;
    pages += 1;
  } while (cursor !== null);
  return { items, pages };
};

describe("paged run changes and errors", () => {
  it("GET /sync/runs/:id/changes pages through every journal row once, in order", async () => {
    const { items, pages } = await readAll(`/api/v1/sync/runs/${runId}/changes`, 100);
    expect(pages).toBe(3);
    expect(items.map((c) => c.entityId)).toEqual(Array.from({ length: 250 }, (_, i) => `L${i}`));
    expect(items[0]).toMatchObject({ runId, field: "email", after: "l0@x.test", direction: "toOneFile" });
    // Without a limit: the first 100.
    const first = await server.request("GET", `/api/v1/sync/runs/${runId}/changes`);
    expect(first.json.items).toHaveLength(100);
    expect(first.json.nextCursor).toEqual(expect.any(String));
  });

  it("GET /sync/runs/:id/errors pages through every per-learner error", async () => {
    const { items, pages } = await readAll(`/api/v1/sync/runs/${runId}/errors`, 50);
    expect(pages).toBe(3);
    expect(items.map((e) => e.reason)).toEqual(Array.from({ length: 120 }, (_, i) => `reason ${i}`));
    expect(items[0]).toMatchObject({ learnerId: "L0", code: "Test", at: expect.any(String) });
  });

  it("unknown runs are 404, bad limits 400", async () => {
    expect((await server.request("GET", "/api/v1/sync/runs/run_unknown/errors")).status).toBe(404);
    expect((await server.request("GET", "/api/v1/sync/runs/run_unknown/changes")).status).toBe(404);
    expect((await server.request("GET", `/api/v1/sync/runs/${runId}/errors?limit=0`)).status).toBe(400);
    expect((await server.request("GET", `/api/v1/sync/runs/${runId}/changes?limit=abc`)).status).toBe(400);
  });
});
