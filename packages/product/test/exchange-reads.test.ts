/**
 * How a run reads OneFile and the run-level flow around it: authentication first (SYNC-6), a
 * failing listing read per learner instead (SYNC-6), the total known from the start and progress as
 * learners finish, a learner followed to its new centre (SYNC-7), and the read planner: a run
 * reading per learner and one reading centre-wide listings make the same changes.
 */
import { bulkStrategy, Exchange, type ExchangeStrategy } from "@pics/core";
import { generateDemoData, startSandbox, type RunningSandbox } from "@pics/onefile-sandbox";
import { RunLog, SettingsStore } from "@pics/pics-store";
import { Effect } from "effect";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { callsSince, changesOf, fullRun, learner, linkedWorld, OF, pair, EVERY_EXCHANGE_OPTION } from "./exchange-support.ts";
import { CENTRE, openWorld, OTHER_CENTRE, type World } from "./world.ts";

const worlds: Array<World> = [];
const sandboxes: Array<RunningSandbox> = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close();
  for (const s of sandboxes.splice(0)) await s.close();
});
const keep = (w: World) => (worlds.push(w), w);

/** A linked learner whose learning aim moved on in OneFile: an exchange has one change to make. */
const moved = (n: number) => pair(n, { aim: { TotalElements: 20, ElementsDone: 10 + (n % 10) } });
const elementsDoneOf = async (w: World, id: string) => (await w.run(learner(id))).qualifications[0]?.elementsDone;
const runOf = (w: World, runId: string) => w.run(Effect.flatMap(RunLog, (l) => l.get(runId)));
const until = async <A>(read: () => Promise<A>, ok: (a: A) => boolean, what: string) => {
  for (let i = 0; i < 600; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
};

/** A port on 127.0.0.1 nothing listens on. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe("a run authenticates before anything else (SYNC-6)", () => {
  it("SYNC-6: a refused token ends a run over a small centre failed, with multipleCentres on, off or auto; nothing is read or changed", async () => {
    for (const multipleCentres of ["on", "off", "auto"] as const) {
      const world = keep(await linkedWorld({ pairs: [moved(1), moved(2)], settings: { multipleCentres } }));
      await world.run(Effect.flatMap(SettingsStore, (s) => s.update({ customerToken: "not-the-token" })));
      const before = await world.picsDump();

      const run = await world.run(fullRun());

      expect(run.status, multipleCentres).toBe("failed");
      expect(run.errors, multipleCentres).toEqual([expect.objectContaining({ learnerId: null, code: "Unauthorized" })]);
      expect(await world.picsDump()).toBe(before);
      // Only the refused authentication reached OneFile: no learner was tried.
      expect((await world.calls()).map((c: any) => c.endpoint)).toEqual(["POST Authentication"]);
    }
  });

  it("SYNC-6: an unreachable OneFile ends the run failed, not one failure per learner", async () => {
    const world = keep(await linkedWorld({ pairs: [moved(1), moved(2)], settings: { multipleCentres: "off" } }));
    const port = await closedPort();
    await world.run(Effect.flatMap(SettingsStore, (s) => s.update({ baseUrl: `http://127.0.0.1:${port}/api/v2.1/` })));
    const before = await world.picsDump();

    const run = await world.run(fullRun());

    expect(run.status).toBe("failed");
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]!.learnerId).toBe(null);
    expect(await world.picsDump()).toBe(before);
  });

  it("SYNC-6: a listing page that keeps failing: those records are read per learner and the run succeeds", async () => {
    const pairs = Array.from({ length: 30 }, (_, i) => moved(i + 1));
    const world = keep(
      await linkedWorld({
        pairs,
        settings: { downloadReviews: true, learnerDemographicsMode: "PushToOneFile" },
        // A review only OneFile has, for learner 7: it must still be downloaded.
        reviews: [{ ID: 9001, LearnerID: OF.learner(7), AssessorID: OF.ada, Status: 1, ScheduledFor: "2026-03-02T10:00:00Z" }],
      }),
    );
    // Every page of the learners listing fails, and the reviews listing's first page (each try).
    await world.admin("/faults", [
      { endpoint: "POST User/Search", match: { Role: 1 }, action: "status", status: 503 },
      { endpoint: "POST Review/Search", nth: 1, times: 3, action: "status", status: 503 },
    ]);

    const run = await world.run(fullRun());

    expect(run).toMatchObject({ status: "succeeded", progress: { total: 30, done: 30, failed: 0 }, errors: [] });
    for (const n of [1, 7, 30]) expect(await elementsDoneOf(world, `L${n}`)).toBe(10 + (n % 10));
    expect((await world.run(learner("L7"))).reviews.map((r) => r.onefileSystemId)).toEqual([9001]);
    const calls = await callsSince(world);
    // Instead: each learner's record on its own, and its reviews searched on their own.
    expect(calls.filter((c: any) => c.endpoint === "GET User/{id}" && c.status === 200)).toHaveLength(30);
    expect(calls.filter((c: any) => c.endpoint === "POST Review/Search" && c.status !== 503).length).toBe(30);
    await world.admin("/faults", undefined, "DELETE");
  });
});

describe("what a run shows while it goes (SYNC-7)", () => {
  it("SYNC-7: the total is known from the moment the run is visible, and progress moves as learners finish", async () => {
    const world = keep(await linkedWorld({ pairs: [moved(1), moved(2), moved(3)], requestTimeoutMs: 60_000 }));
    // Learner 3's read hangs until released: learners 1 and 2 finish first.
    await world.admin("/faults", [{ learnerId: OF.learner(3), endpoint: "POST LearningAim/Search", nth: 1, action: "hang" }]);

    const { runId } = await world.run(Effect.flatMap(Exchange, (x) => x.startRun({ kind: "full", trigger: "http" })));
    const first = await runOf(world, runId);
    expect(first.status).toBe("running");
    expect(first.progress.total).toBe(3);

    const partway = await until(
      () => runOf(world, runId),
      (r) => r.progress.done >= 2,
      "two learners done",
    );
    expect(partway).toMatchObject({ status: "running", progress: { total: 3, done: 2, failed: 0 } });
    await until(
      () => world.admin("/hung/release", {}),
      (r) => r.released > 0,
      "the hung read",
    );
    const finished = await until(
      () => runOf(world, runId),
      (r) => r.status !== "running",
      "the run's end",
    );
    expect(finished).toMatchObject({ status: "succeeded", progress: { total: 3, done: 3, failed: 0 } });
    expect(await elementsDoneOf(world, "L3")).toBe(13);
  });

  for (const learners of [1, 30]) {
    it(`SYNC-7: a learner whose OneFile record moved to another centre is followed there (${learners === 1 ? "read on its own" : "among a listed centre"})`, async () => {
      const pairs = Array.from({ length: learners }, (_, i) =>
        i === 0 ? pair(1, { user: { OrganisationID: OTHER_CENTRE } }) : moved(i + 1),
      );
      const world = keep(
        await linkedWorld({
          secondCentre: true,
          pairs,
          settings: { downloadReviews: true, multipleCentres: "on" },
          users: [{ ID: 132, OrganisationID: OTHER_CENTRE, Role: 5, FirstName: "Ada", LastName: "North", MISID: "OFF-A" }],
          // Its review, in the centre it is in now.
          reviews: [{ ID: 9002, LearnerID: OF.learner(1), AssessorID: 132, Status: 1, ScheduledFor: "2026-03-02T10:00:00Z" }],
        }),
      );

      const run = await world.run(fullRun());

      expect(run.status).toBe("succeeded");
      const l1 = await world.run(learner("L1"));
      expect(l1.onefileCentreId).toBe(OTHER_CENTRE);
      expect(l1.reviews.map((r) => r.onefileSystemId)).toEqual([9002]);
      expect((await world.run(changesOf(run.id))).filter((c) => c.field === "onefileCentreId")).toEqual([
        expect.objectContaining({
          learnerId: "L1",
          entity: "learner",
          entityId: "L1",
          before: CENTRE,
          after: OTHER_CENTRE,
          direction: "toPics",
        }),
      ]);
      // The next run reads it in its new centre and has nothing left to change.
      const again = await world.run(fullRun());
      expect(await world.run(changesOf(again.id))).toEqual([]);
    });
  }
});

describe("the read planner", () => {
  const everything = EVERY_EXCHANGE_OPTION;
  const withoutTimes = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value), (key, v) =>
      ["LastModified", "CreatedOn", "at", "runId", "created_at", "updated_at"].includes(key) ? undefined : v,
    );

  it("a run reading everything per learner and one reading centre-wide listings make the same changes, on both sides", async () => {
    const data = generateDemoData({ learners: 60, seed: 23, centres: 2, reviewsPerLearner: 3 });
    const outcome = async (reads: ExchangeStrategy["reads"]) => {
      const sandbox = await startSandbox({ port: 0, state: data.onefile });
      sandboxes.push(sandbox);
      const world = keep(
        await openWorld({
          sandbox,
          pics: data.pics,
          settings: { customerToken: data.customerToken, ...everything },
          // One learner at a time, so both runs create OneFile records in the same order (same ids).
          exchangeStrategy: { ...bulkStrategy, reads, learnerConcurrency: 1 },
        }),
      );
      await world.admin("/calls/clear", {});
      const run = await world.run(fullRun());
      const calls = await callsSince(world);
      return {
        run,
        changes: withoutTimes(await world.run(changesOf(run.id))),
        pics: withoutTimes(JSON.parse(await world.picsDump())),
        onefile: withoutTimes((await world.onefile()).customers),
        listings: calls.filter((c: any) => c.endpoint === "POST User/Search" || c.endpoint === "POST Review/Search").length,
        userReads: calls.filter((c: any) => c.endpoint === "GET User/{id}").length,
      };
    };

    const perLearner = await outcome("perLearner");
    const listing = await outcome("listing");

    expect(perLearner.run.status).toBe("succeeded");
    expect(listing.run.progress).toEqual(perLearner.run.progress);
    expect((perLearner.changes as Array<unknown>).length).toBeGreaterThan(20);
    expect(listing.changes).toEqual(perLearner.changes);
    expect(listing.pics).toEqual(perLearner.pics);
    expect(listing.onefile).toEqual(perLearner.onefile);
    // They did read differently.
    expect(perLearner.userReads).toBeGreaterThan(listing.userReads + 40);
    expect(perLearner.listings).toBeGreaterThan(listing.listings);
  });

  it("the planner reads a centre with years of history per learner, and learns a centre's size from the listing it made", async () => {
    // 3 learners in scope in a centre that also holds 400 finished learners with 3 reviews each,
    // reviews PICS never had: the first run cannot know how many there are.
    const inScope = [moved(1), moved(2), moved(3)];
    const finished = Array.from({ length: 400 }, (_, i) =>
      pair(600 + i, { pics: { learningStatus: "Completed", actualEndDate: "2020-07-31" } }),
    );
    const history = finished.flatMap((p, i) =>
      [0, 1, 2].map((k) => ({
        ID: 50_000 + i * 3 + k,
        LearnerID: p.user.ID,
        AssessorID: OF.ada,
        Status: 1,
        ScheduledFor: "2019-03-02T10:00:00Z",
      })),
    );
    const world = keep(
      await linkedWorld({
        pairs: [...inScope, ...finished],
        reviews: history,
        settings: { downloadReviews: true, learnerDemographicsMode: "PushToOneFile" },
      }),
    );
    const countOf = (calls: Array<any>, endpoint: string) => calls.filter((c) => c.endpoint === endpoint).length;

    const first = await world.run(fullRun());

    expect(first).toMatchObject({ status: "succeeded", progress: { total: 3, done: 3 } });
    for (const n of [1, 2, 3]) expect(await elementsDoneOf(world, `L${n}`)).toBe(10 + n);
    let calls = await callsSince(world);
    // Learners: 3 record reads beat 5 listing pages (PICS knows the centre's 403 learners).
    expect(countOf(calls, "GET User/{id}")).toBe(3);
    expect(calls.filter((c: any) => c.endpoint === "POST User/Search")).toHaveLength(0);
    // Reviews: PICS knows none, so the first run listed them — 13 pages — and kept the count.
    expect(countOf(calls, "POST Review/Search")).toBe(13);

    await world.admin("/calls/clear", {});
    const second = await world.run(fullRun());

    expect(second).toMatchObject({ status: "succeeded", progress: { total: 3, done: 3 } });
    calls = await callsSince(world);
    // Now 3 searches, one per learner, beat 13 pages.
    expect(countOf(calls, "POST Review/Search")).toBe(3);
    expect(countOf(calls, "GET User/{id}")).toBe(3);
  });
});
