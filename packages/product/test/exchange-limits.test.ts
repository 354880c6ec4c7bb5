/**
 * OneFile limits during runs (LIM-1..3) and what a run costs in OneFile calls: generated data on
 * both sides (generateDemoData), every exchange option on, the sandbox counting every call.
 */
import { Exchange } from "@pics/core";
import { RunLog, SettingsStore } from "@pics/pics-store";
import { Effect } from "effect";
import { generateDemoData, startSandbox, type RunningSandbox } from "@pics/onefile-sandbox";
import { afterEach, describe, expect, it } from "vitest";
import { changesOf, fullRun, refresh, writesIn, EVERY_EXCHANGE_OPTION } from "./exchange-support.ts";
import { openWorld, type World } from "./world.ts";

let world: World | undefined;
let sandbox: RunningSandbox | undefined;
afterEach(async () => {
  await world?.close();
  await sandbox?.close();
  world = undefined;
  sandbox = undefined;
});

const everything = {
  ...EVERY_EXCHANGE_OPTION,
  // A 429 is waited out for one window: keep the window short in tests.
  onefileRateLimit: { calls: 300, windowSeconds: 1 },
};

const generatedWorld = async (learners: number, options: { centres?: number; seed?: number; requestTimeoutMs?: number } = {}) => {
  const data = generateDemoData({ learners, seed: options.seed ?? 11, centres: options.centres ?? 1 });
  sandbox = await startSandbox({ port: 0, state: data.onefile });
  world = await openWorld({
    sandbox,
    pics: data.pics,
    settings: { customerToken: data.customerToken, ...everything },
    requestTimeoutMs: options.requestTimeoutMs,
  });
  await world.admin("/calls/clear", {});
  return { world, data };
};

const counters = (w: World) => w.admin("/counters");

const untilFinished = async (w: World, runId: string) => {
  let run = await w.run(Effect.flatMap(RunLog, (l) => l.get(runId)));
  for (let i = 0; i < 600 && run.status === "running"; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    run = await w.run(Effect.flatMap(RunLog, (l) => l.get(runId)));
  }
  return run;
};

describe("what a run costs (OneFile calls are the scarce resource)", () => {
  it("SYNC-1: a full run costs about one call per learner plus listing pages and writes, and never reads the same record twice", async () => {
    const { world, data } = await generatedWorld(80, { centres: 2 });

    const run = await world.run(fullRun());

    expect(run.status).toBe("succeeded");
    const learners = run.progress.total;
    expect(learners).toBeGreaterThan(50);
    const calls = await world.calls();
    const writes = writesIn(calls).length;
    const centres = data.onefile.customers[0]!.Organisations!.length;
    const listings = calls.filter((c: any) => /\/Search$/.test(c.endpoint) && c.endpoint !== "POST LearningAim/Search");
    const perLearner = calls.filter((c: any) => c.endpoint === "POST LearningAim/Search");
    // Centre-wide listings: learners, reviews, placements, assessors, each a page or two per centre
    // (plus the centres themselves); a MIS-reference search for each officer or organisation OneFile lacks.
    const missingInOneFile =
      data.pics.officers.filter((o: any) => o.onefileId == null).length +
      data.pics.organisations.filter((o: any) => o.onefileId == null).length;
    // OFF-5: with several centres an officer is matched by MIS reference, searched once per centre
    // (a listing may leave out archived assessors, which still count).
    const assessorSearches = data.pics.officers.length * centres;
    expect(listings.length).toBeLessThanOrEqual(1 + centres * 4 * 2 + missingInOneFile + assessorSearches);
    expect(perLearner.length).toBeLessThanOrEqual(learners);
    const total = calls.length;
    // Besides: one authentication and one read of the customer.
    expect(total).toBeLessThanOrEqual(learners + 1 + centres * 4 * 2 + missingInOneFile + assessorSearches + writes + 2);

    // No record is read twice.
    const gets = calls.filter((c: any) => c.method === "GET").map((c: any) => c.path);
    expect(gets.filter((p: string, i: number) => gets.indexOf(p) !== i)).toEqual([]);
    expect((await counters(world)).unexpectedErrors ?? 0).toBe(0);
  });
});

describe("OneFile limits (LIM)", () => {
  it("LIM-1: with OneFile allowing fewer calls than the client's budget, the run sees 429s, waits them out and completes", async () => {
    const { world } = await generatedWorld(20);
    // Far below what a run sends in any two seconds, however loaded the machine: 429s are certain.
    await world.admin("/config", { rateLimit: { calls: 4, windowMs: 2000 } });

    const run = await world.run(fullRun());

    expect(run).toMatchObject({ status: "succeeded", errors: [] });
    const seen = await counters(world);
    expect(seen.http429).toBeGreaterThan(0);
    await world.admin("/config", { rateLimit: { calls: 300, windowMs: 60_000 } });
    const again = await world.run(fullRun());
    expect(await world.run(changesOf(again.id))).toEqual([]);
  });

  it("LIM-1, SET-17: the product paces itself to its budget: with the budget under OneFile's limit, OneFile never answers 429", async () => {
    const { world } = await generatedWorld(12);
    await world.run(Effect.flatMap(SettingsStore, (s) => s.update({ onefileRateLimit: { calls: 8, windowSeconds: 1 } })));
    await world.admin("/config", { rateLimit: { calls: 9, windowMs: 1000 } });

    const run = await world.run(fullRun());

    expect(run).toMatchObject({ status: "succeeded", errors: [] });
    const seen = await counters(world);
    expect(seen.total).toBeGreaterThan(9);
    expect(seen.http429).toBe(0);
    expect(seen.maxCallsInWindow).toBeLessThanOrEqual(9);
  });

  it("LIM-2: a 401 mid-run renews the session once and repeats the call; an expired cached session is renewed for a refresh", async () => {
    const { world, data } = await generatedWorld(30);
    // OneFile forgetting the session in the middle of the run (a real expiry mid-run: the LIM-3 test).
    await world.admin("/faults", [
      { endpoint: "POST LearningAim/Search", nth: 3, times: 1, action: "status", status: 401 },
      { endpoint: "POST LearningAim/Search", nth: 12, times: 1, action: "status", status: 401 },
    ]);

    const run = await world.run(fullRun());

    expect(run).toMatchObject({ status: "succeeded", errors: [] });
    const seen = await counters(world);
    expect(seen.byStatus["401"]).toBe(2);
    expect(seen.byEndpoint["POST Authentication"]).toBe(3);
    await world.admin("/faults", undefined, "DELETE");

    await world.admin("/sessions/expire", {});
    await world.admin("/calls/clear", {});
    const linked = data.pics.learners.find((l: any) => l.onefileId != null && l.learningStatus === "InLearning")!;
    const refreshed = await world.run(refresh(linked.id));
    expect(refreshed.run.status).toBe("succeeded");
    const calls = await world.calls();
    expect(calls.filter((c: any) => c.status === 401)).toHaveLength(1);
    expect(calls.filter((c: any) => c.endpoint === "POST Authentication")).toHaveLength(1);
  });

  it("LIM-3, LIM-1, LIM-2: after a faulty run (5xx, hangs, session expiry, 429 bursts — all within the retry bounds) a second run completes and changes nothing further", async () => {
    const { world } = await generatedWorld(30, { requestTimeoutMs: 500 });
    await world.admin("/faults", [
      { endpoint: "POST LearningAim/Search", nth: 2, times: 2, action: "status", status: 500 },
      { endpoint: "POST LearningAim/Search", nth: 9, times: 1, action: "hang" },
      { endpoint: "POST LearningAim/Search", nth: 15, times: 3, action: "rateLimit" },
      { endpoint: "POST Review/Search", nth: 1, times: 1, action: "hang" },
      { endpoint: "POST User/Search", nth: 1, times: 2, action: "status", status: 502 },
      { endpoint: "POST User/{id}", nth: 1, times: 1, action: "status", status: 503 },
    ]);
    // The run is long enough (429 waits of a second) to expire every session in the middle of it.
    const { runId } = await world.run(Effect.flatMap(Exchange, (x) => x.startRun({ kind: "full", trigger: "http" })));
    await new Promise((resolve) => setTimeout(resolve, 400));
    await world.admin("/sessions/expire", {});
    const faulty = await untilFinished(world, runId);

    expect(faulty).toMatchObject({ status: "succeeded", errors: [] });
    const applied = (await world.admin("/faults")).rules ?? (await world.admin("/faults"));
    expect(applied.every((r: any) => r.applied > 0)).toBe(true);
    const seen = await counters(world);
    expect(seen.http429).toBeGreaterThan(0);
    expect(seen.byStatus["401"]).toBeGreaterThan(0);

    await world.admin("/faults", undefined, "DELETE");
    await world.admin("/hung/release", {});
    const onefileBefore = await world.onefileText();
    const picsBefore = await world.picsDump();
    await world.admin("/calls/clear", {});

    const second = await world.run(fullRun());

    expect(second).toMatchObject({ status: "succeeded", errors: [] });
    expect(await world.run(changesOf(second.id))).toEqual([]);
    expect(writesIn(await world.calls())).toEqual([]);
    expect(await world.onefileText()).toBe(onefileBefore);
    expect(await world.picsDump()).toBe(picsBefore);
  });
});
