/**
 * The integration routes against the real OneFile sandbox: settings, status, reference data,
 * enrolment (preview, 201 then 409, duplicate 409, blocked 422, disabled 503, link), the learner
 * log, refresh and sync runs, metrics — and the customer token in no answer and no log line.
 */
import { Exchange } from "@pics/core";
import { CUSTOMER_TOKEN_RULE, Leases } from "@pics/pics-store";
import { Effect, Option } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseSeed, CENTRE, CUSTOMER_TOKEN, onefileLearners, picsDocument, startServer, type TestServer } from "./support.ts";

let server: TestServer;
/** The Exchange (refresh, sync runs) is provided by IntegrationLayer once it has landed. */
let exchangeProvided = false;

beforeAll(async () => {
  server = await startServer({ seed: baseSeed({ users: onefileLearners }), pics: picsDocument() });
  exchangeProvided = Option.isSome(await server.run(Effect.serviceOption(Exchange)));
});
afterAll(() => server.close());

const put = (body: unknown) => server.request("PUT", "/api/v1/settings", { body });

describe("settings and status", () => {
  it("GET shows customerTokenSet, never the token; PUT merges and is refused whole on any bad field", async () => {
    const read = await server.request("GET", "/api/v1/settings");
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ integrationEnabled: true, customerTokenSet: true, environment: "custom" });
    expect(read.json).not.toHaveProperty("customerToken");

    const refused = await put({ uploadReviews: true, multipleCentres: "sometimes", visitTypeIds: { NotSpecified: 0 } });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toBe("invalid_input");
    expect(refused.json.details.map((d: any) => d.path)).toEqual(
      expect.arrayContaining(["multipleCentres", "visitTypeIds.NotSpecified"]),
    );
    expect((await server.request("GET", "/api/v1/settings")).json.uploadReviews).toBe(false);
    const unknown = await put({ uploadReviews: true, integrationEnable: true });
    expect(unknown.status).toBe(400);
    expect(unknown.json.details).toEqual([{ path: "integrationEnable", message: "is not a known field" }]);
    const customWithoutUrl = await put({ baseUrl: null });
    expect(customWithoutUrl.status).toBe(400);
    expect(customWithoutUrl.json.details[0].path).toBe("baseUrl");
    expect((await put({ customerTokenSet: false })).json.details).toEqual([
      { path: "customerTokenSet", message: expect.stringContaining("read-only") },
    ]);
    // A malformed token is refused without echoing it.
    const badToken = await put({ customerToken: { value: CUSTOMER_TOKEN } });
    expect(badToken.status).toBe(400);
    expect(badToken.json.details).toEqual([{ path: "customerToken", message: CUSTOMER_TOKEN_RULE }]);

    const saved = await put({ additionalAssessorTypes: ["Mentor"], customerToken: CUSTOMER_TOKEN });
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({ additionalAssessorTypes: ["Mentor"], customerTokenSet: true, integrationEnabled: true });
    expect(saved.json).not.toHaveProperty("customerToken");
  });

  it("status has exactly the STAT-1 fields", async () => {
    const status = await server.request("GET", "/api/v1/status");
    expect(status.status).toBe(200);
    expect(Object.keys(status.json).sort()).toEqual(
      [
        "integrationEnabled",
        "customerTokenSet",
        "environment",
        "learnerDemographicsMode",
        "officerDemographicsMode",
        "organisationDemographicsMode",
        "pushMainOfficerChanges",
        "pushEmployerChanges",
        "uploadReviews",
        "downloadReviews",
        "additionalAssessorTypes",
        "multipleCentres",
        "enabledRules",
        "lastSynchronisedAt",
        "currentRun",
      ].sort(),
    );
    expect(status.json).toMatchObject({
      integrationEnabled: true,
      customerTokenSet: true,
      multipleCentres: false,
      enabledRules: ["officer", "organisation", "learner", "review"],
      currentRun: null,
    });
  });
});

describe("OneFile reference data", () => {
  it("connection test reports the customer and its centres", async () => {
    const answer = await server.request("POST", "/api/v1/onefile/connection-test");
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      ok: true,
      apiVersion: "v2.1",
      customer: { id: 10, name: "Provider Ltd" },
      centres: [{ id: CENTRE, name: "Main Centre" }],
    });
  });

  it("refreshes qualification links and lists the standards", async () => {
    const refreshed = await server.request("POST", "/api/v1/onefile/qualification-links/refresh");
    expect(refreshed.status).toBe(200);
    expect(refreshed.json).toMatchObject({ standards: 1, centres: 1, refreshedAt: expect.any(String) });
    const standards = await server.request("GET", "/api/v1/onefile/standards");
    expect(standards.json.items).toEqual([expect.objectContaining({ standardId: 120, centreId: CENTRE, vqReference: "ST0795" })]);
  });
});

describe("enrolment", () => {
  it("previews without writing, enrols with 201, then refuses again with 409", async () => {
    const preview = await server.request("GET", `/api/v1/learners/L1/onefile/enrolment-preview?centreId=${CENTRE}`);
    expect(preview.status).toBe(200);
    expect(preview.json).toMatchObject({
      learnerId: "L1",
      centreId: CENTRE,
      learnerFields: expect.objectContaining({ FirstName: "Lee" }),
    });
    expect(preview.json.blockers).toEqual([expect.objectContaining({ code: "no_classroom" })]);
    const onefile = await (await fetch(`${server.sandbox!.adminUrl}/state`)).json();
    expect(onefile.customers[0].Users.some((u: any) => u.MISID === "L1")).toBe(false);

    const dry = await server.request("POST", "/api/v1/learners/L1/onefile/enrol", {
      body: { centreId: CENTRE, classroomId: 110, dryRun: true },
    });
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ dryRun: true });

    const enrolled = await server.request("POST", "/api/v1/learners/L1/onefile/enrol", {
      body: { centreId: CENTRE, classroomId: 110 },
    });
    expect(enrolled.status).toBe(201);
    expect(enrolled.json).toMatchObject({
      learnerId: "L1",
      dryRun: false,
      onefileLearnerId: expect.any(Number),
      runId: expect.any(String),
    });
    const learner = (await server.request("GET", "/api/v1/learners/L1")).json;
    expect(learner.onefileId).toBe(enrolled.json.onefileLearnerId);

    const again = await server.request("POST", "/api/v1/learners/L1/onefile/enrol", {
      body: { centreId: CENTRE, classroomId: 110 },
    });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ error: "already_enrolled", details: { candidates: [{ onefileId: learner.onefileId }] } });
  });

  it("refuses a duplicate found in OneFile with 409 and the candidates", async () => {
    const answer = await server.request("POST", "/api/v1/learners/L3/onefile/enrol", {
      body: { centreId: CENTRE, classroomId: 110 },
    });
    expect(answer.status).toBe(409);
    expect(answer.json).toMatchObject({
      error: "duplicate_learner",
      details: { candidates: [{ onefileId: 150, matchedOn: ["ULN"] }] },
    });
  });

  it("refuses a blocked enrolment with 422 listing every blocker", async () => {
    const answer = await server.request("POST", "/api/v1/learners/L2/onefile/enrol", { body: { centreId: CENTRE } });
    expect(answer.status).toBe(422);
    expect(answer.json.error).toBe("enrolment_blocked");
    expect(answer.json.details.blockers.map((b: any) => b.code)).toEqual(
      expect.arrayContaining(["no_main_officer", "no_placement", "missing_field", "no_classroom"]),
    );
  });

  it("answers 404 for an unknown learner", async () => {
    expect(
      (await server.request("POST", "/api/v1/learners/L404/onefile/enrol", { body: { centreId: CENTRE, classroomId: 110 } }))
        .status,
    ).toBe(404);
    expect((await server.request("GET", `/api/v1/learners/L404/onefile/enrolment-preview?centreId=${CENTRE}`)).status).toBe(404);
  });

  it("links a learner to an existing OneFile learner", async () => {
    const notALearner = await server.request("POST", "/api/v1/learners/L4/onefile/link", { body: { onefileId: 130 } });
    expect(notALearner.status).toBe(400);
    const unknown = await server.request("POST", "/api/v1/learners/L4/onefile/link", { body: { onefileId: 99999 } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.details[0].path).toBe("onefileId");
    const linked = await server.request("POST", "/api/v1/learners/L4/onefile/link", { body: { onefileId: 151 } });
    expect(linked.status).toBe(200);
    expect(linked.json).toMatchObject({ learnerId: "L4", onefileLearnerId: 151 });
    expect((await server.request("POST", "/api/v1/learners/L4/onefile/link", { body: { onefileId: 151 } })).status).toBe(409);
  });

  it("shows the learner's runs and changes, newest first", async () => {
    const log = await server.request("GET", "/api/v1/learners/L1/onefile/log");
    expect(log.status).toBe(200);
    expect(log.json.runs.map((r: any) => [r.kind, r.dryRun])).toEqual([
      ["enrolment", false],
      ["enrolment", true],
    ]);
    expect(log.json.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ entity: "learner", entityId: "L1", field: "onefileId", direction: "toPics" }),
      ]),
    );
    expect((await server.request("GET", "/api/v1/learners/L404/onefile/log")).status).toBe(404);
  });
});

describe("runs", () => {
  it("lists runs and shows one with its journal", async () => {
    const runs = await server.request("GET", "/api/v1/sync/runs?limit=2");
    expect(runs.status).toBe(200);
    expect(runs.json.items).toHaveLength(2);
    expect(runs.json.nextCursor).toEqual(expect.any(String));
    const enrolment = (await server.request("GET", "/api/v1/sync/runs?limit=50")).json.items.find(
      (r: any) => r.kind === "enrolment" && !r.dryRun && r.learnerId === "L1",
    );
    const one = await server.request("GET", `/api/v1/sync/runs/${enrolment.id}`);
    expect(one.json).toMatchObject({
      id: enrolment.id,
      status: "succeeded",
      progress: { total: 1, done: 1, failed: 0 },
      errors: [],
    });
    const changes = await server.request("GET", `/api/v1/sync/runs/${enrolment.id}/changes`);
    expect(changes.json.items.length).toBeGreaterThan(0);
    expect(changes.json.items[0]).toMatchObject({
      runId: enrolment.id,
      at: expect.any(String),
      direction: expect.stringMatching(/^(toOneFile|toPics)$/),
    });
    expect((await server.request("GET", "/api/v1/sync/runs/run_unknown/changes")).status).toBe(404);
  });

  it("shows the current run in the status", async () => {
    const run = await server.run(
      Effect.gen(function* () {
        const { RunLog } = yield* Effect.promise(() => import("@pics/pics-store"));
        const log = yield* RunLog;
        const started = yield* log.start({ kind: "daily", trigger: "scheduler", total: 10 });
        yield* log.progress(started.id, { done: 4, failed: 1 });
        return { log, started };
      }),
    );
    const status = await server.request("GET", "/api/v1/status");
    expect(status.json.currentRun).toEqual({ id: run.started.id, kind: "daily", progress: { total: 10, done: 4, failed: 1 } });
    await server.run(run.log.finish(run.started.id, "succeeded"));
    const after = await server.request("GET", "/api/v1/status");
    expect(after.json.currentRun).toBe(null);
    expect(after.json.lastSynchronisedAt).toEqual(expect.any(String));
  });

  it("refreshes one learner (?dryRun=true plans only)", async (ctx) => {
    // Needs the Exchange in IntegrationLayer (another engineer's work); skipped until it is there.
    if (!exchangeProvided) return ctx.skip();
    const dry = await server.request("POST", "/api/v1/learners/L1/onefile/refresh?dryRun=true");
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ run: { kind: "refresh", dryRun: true, learnerId: "L1" }, changes: expect.any(Array) });
    const real = await server.request("POST", "/api/v1/learners/L1/onefile/refresh");
    expect(real.status).toBe(200);
    expect(real.json.run).toMatchObject({ kind: "refresh", dryRun: false, status: "succeeded" });
    const notLinked = await server.request("POST", "/api/v1/learners/L2/onefile/refresh");
    expect(notLinked.status).toBe(409);
    expect((await server.request("POST", "/api/v1/learners/L1/onefile/refresh?dryRun=maybe")).status).toBe(400);
    expect((await server.request("POST", "/api/v1/learners/L404/onefile/refresh")).status).toBe(404);
  });

  it("starts a full run (202), refuses a second while one runs (409)", async (ctx) => {
    if (!exchangeProvided) return ctx.skip();
    const started = await server.request("POST", "/api/v1/sync/runs", { body: { dryRun: true } });
    expect(started.status).toBe(202);
    expect(started.json).toEqual({ runId: expect.any(String) });
    // Polled on fresh connections: a full run currently stalls the event loop (pics-store: writes
    // from concurrent learners contend for SQLite's lock in one process; see the README), which
    // makes Node drop idle keep-alive sockets.
    let run: any;
    for (let i = 0; i < 600; i++) {
      run = await server.getFresh(`/api/v1/sync/runs/${started.json.runId}`);
      if (run.status !== "running") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(run).toMatchObject({ kind: "full", dryRun: true, status: "succeeded" });

    // Another process holds the run lease: refused with 409.
    await server.run(Effect.flatMap(Leases, (l) => l.tryAcquire("sync:run", "pid-1-other:daily run", 60_000)));
    const refused = await server.request("POST", "/api/v1/sync/runs", {});
    expect(refused.status).toBe(409);
    expect(refused.json.error).toBe("run_in_progress");
    await server.run(Effect.flatMap(Leases, (l) => l.release("sync:run", "pid-1-other:daily run")));
  });
});

describe("switched off", () => {
  it("enrol, preview, refresh and sync answer 503 when the integration is disabled; settings and status still work", async () => {
    expect((await put({ integrationEnabled: false })).status).toBe(200);
    const enrol = await server.request("POST", "/api/v1/learners/L3/onefile/enrol", {
      body: { centreId: CENTRE, classroomId: 110 },
    });
    expect(enrol.status).toBe(503);
    expect(enrol.json).toMatchObject({ error: "integration_disabled", message: expect.stringContaining("disabled") });
    expect((await server.request("GET", `/api/v1/learners/L3/onefile/enrolment-preview?centreId=${CENTRE}`)).status).toBe(503);
    expect((await server.request("POST", "/api/v1/learners/L1/onefile/refresh")).status).toBe(503);
    expect((await server.request("POST", "/api/v1/sync/runs")).status).toBe(503);
    expect((await server.request("GET", "/api/v1/status")).json.integrationEnabled).toBe(false);
    expect((await put({ integrationEnabled: true })).status).toBe(200);
  });
});

describe("metrics and secrets", () => {
  it("counts runs and OneFile calls", async () => {
    const metrics = (await server.request("GET", "/metrics")).text;
    expect(metrics).toMatch(/pics_runs_total\{kind="enrolment",outcome="succeeded",dry_run="false"\} [1-9]/);
    expect(metrics).toMatch(/pics_onefile_calls_total\{endpoint="POST User\/Search",status="200"\} [1-9]/);
    expect(metrics).toMatch(/pics_onefile_limiter_wait_seconds_total \d/);
  });

  it("the customer token appears in no answer and no log line", () => {
    expect(server.bodies.length).toBeGreaterThan(30);
    for (const body of server.bodies) expect(body).not.toContain(CUSTOMER_TOKEN);
    for (const line of server.logs) expect(JSON.stringify(line)).not.toContain(CUSTOMER_TOKEN);
    expect(server.logs.filter((l) => l.level === "error" || l.status === 500)).toEqual([]);
  });
});
