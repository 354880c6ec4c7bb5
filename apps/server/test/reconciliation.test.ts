/**
 * The reconciliation and bulk enrolment routes (REC-1..4) over HTTP against the real sandbox:
 * start a reconciliation, read its findings, apply pairs; preview and run a batch; retry a run's
 * failed learners; and every route published in /openapi.json.
 */
import { afterEach, describe, expect, it } from "vitest";
import { baseSeed, CENTRE, onefileLearners, picsDocument, startServer, type TestServer } from "./support.ts";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** 152 has L1's MIS reference (exact); 150 has L3's ULN and 151 L4's email + name (probable). */
const seed = () =>
  baseSeed({
    users: [
      ...onefileLearners,
      { ID: 152, OrganisationID: CENTRE, Role: 1, FirstName: "Lee", LastName: "L", Email: "lee@onefile.test", MISID: "L1" },
    ],
  });

/** Polls a run until it has ended; generous for a loaded machine. */
const untilEnded = async (s: TestServer, path: string) => {
  for (let i = 0; i < 600; i++) {
    const answer = await s.request("GET", path);
    const status = answer.json?.status ?? answer.json?.run?.status;
    if (status !== "running") return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${path} did not end`);
};

describe("reconciliation routes (REC-1, REC-2)", () => {
  it("REC-1, REC-2: POST /onefile/reconciliations answers 202 {runId}; GET shows the proposals; apply links the exact ones, then chosen ones, and refuses a pair linked meanwhile", async () => {
    server = await startServer({ seed: seed(), pics: picsDocument() });
    const started = await server.request("POST", "/api/v1/onefile/reconciliations", { body: { centreId: CENTRE } });
    expect(started.status).toBe(202);
    const runId = started.json.runId;
    const found = await untilEnded(server, `/api/v1/onefile/reconciliations/${runId}`);
    expect(found.status).toBe(200);
    expect(found.json.status).toBe("succeeded");
    expect(found.json.run).toMatchObject({ id: runId, kind: "reconciliation" });
    expect(found.json.proposals).toEqual([
      { learnerId: "L1", onefileId: 152, centreId: CENTRE, matchedBy: ["misId"], confidence: "exact" },
      { learnerId: "L3", onefileId: 150, centreId: CENTRE, matchedBy: ["uln"], confidence: "probable" },
      { learnerId: "L4", onefileId: 151, centreId: CENTRE, matchedBy: ["emailName"], confidence: "probable" },
    ]);
    expect(found.json.unmatchedPics).toContain("L2");
    expect(found.json.officers).toEqual([
      { officerId: "O1", ident: "OFF-A", centreId: CENTRE, candidates: [130] },
      { officerId: "O2", ident: "OFF-B", centreId: CENTRE, candidates: [] },
    ]);

    const applied = await server.request("POST", `/api/v1/onefile/reconciliations/${runId}/apply`);
    expect(applied.status).toBe(200);
    expect(applied.json.results).toEqual([{ learnerId: "L1", onefileId: 152, outcome: "linked" }]);
    expect(applied.json.run).toMatchObject({ kind: "reconciliation", status: "succeeded" });
    expect((await server.request("GET", "/api/v1/learners/L1")).json).toMatchObject({ onefileId: 152, onefileCentreId: CENTRE });

    // L4's OneFile learner is linked by hand meanwhile: its pair is refused; L3's is linked.
    expect((await server.request("POST", "/api/v1/learners/L2/onefile/link", { body: { onefileId: 151 } })).status).toBe(200);
    const chosen = await server.request("POST", `/api/v1/onefile/reconciliations/${runId}/apply`, {
      body: { learnerIds: ["L3", "L4"] },
    });
    expect(chosen.status).toBe(200);
    expect(chosen.json.results).toEqual([
      { learnerId: "L3", onefileId: 150, outcome: "linked" },
      {
        learnerId: "L4",
        onefileId: 151,
        outcome: "refused",
        reason: 'OneFile learner 151 is already linked to PICS learner "L2"',
      },
    ]);
    expect(chosen.json.run).toMatchObject({ status: "partially_succeeded", progress: { total: 2, done: 2, failed: 1 } });
    expect((await server.request("GET", `/api/v1/sync/runs/${chosen.json.run.id}/changes`)).json.items).toEqual([
      expect.objectContaining({ learnerId: "L3", entity: "learner", field: "onefileId", after: 150, direction: "toPics" }),
    ]);
  });

  it("REC-1: bad input and unknown or wrong runs are refused with 400 / 404", async () => {
    server = await startServer({ seed: seed(), pics: picsDocument() });
    const unknownCentre = await server.request("POST", "/api/v1/onefile/reconciliations", { body: { centreId: 999 } });
    expect(unknownCentre.status).toBe(400);
    expect(unknownCentre.json.details).toEqual([{ path: "centreId", message: expect.stringContaining("999") }]);
    expect((await server.request("POST", "/api/v1/onefile/reconciliations", { body: { centreId: "x" } })).status).toBe(400);
    expect((await server.request("GET", "/api/v1/onefile/reconciliations/run_nope")).status).toBe(404);
    expect((await server.request("POST", "/api/v1/onefile/reconciliations/run_nope/apply")).status).toBe(404);
    const full = await server.request("POST", "/api/v1/sync/runs", { body: {} });
    expect(full.status).toBe(202);
    await untilEnded(server, `/api/v1/sync/runs/${full.json.runId}`);
    const notReconciliation = await server.request("GET", `/api/v1/onefile/reconciliations/${full.json.runId}`);
    expect(notReconciliation.status).toBe(400);
    const badApply = await server.request("POST", "/api/v1/onefile/reconciliations/run_x/apply", { body: { learnerIds: "L1" } });
    expect(badApply.status).toBe(400);
  });
});

describe("bulk enrolment and retry routes (REC-3, REC-4)", () => {
  it("REC-3, REC-4: preview a cohort, enrol it as an enrolment_batch run (202), read its outcomes, retry its failed learner", async () => {
    server = await startServer({ seed: seed(), pics: picsDocument() });
    const body = { centreId: CENTRE, classroomId: 110, learnerIds: ["L1", "L2"] };
    const preview = await server.request("POST", "/api/v1/onefile/enrolments/preview", {
      body: { ...body, learnerIds: ["L2"] },
    });
    expect(preview.status).toBe(200);
    expect(preview.json.learners.map((l: any) => l.learnerId)).toEqual(["L2"]);
    expect(preview.json.blockers.every((b: any) => b.learnerId === "L2")).toBe(true);
    expect(preview.json.blockers.map((b: any) => b.code)).toContain("no_main_officer");

    // L1 has a OneFile learner with its MIS reference (ENR-9): blocked as a duplicate in the batch.
    const started = await server.request("POST", "/api/v1/onefile/enrolments", { body });
    expect(started.status).toBe(202);
    const batch = await untilEnded(server, `/api/v1/onefile/enrolments/${started.json.runId}`);
    expect(batch.json.run).toMatchObject({
      kind: "enrolment_batch",
      status: "partially_succeeded",
      progress: { total: 2, done: 2, failed: 2 },
    });
    expect(batch.json.outcomes.map((o: any) => [o.learnerId, o.outcome, o.code])).toEqual([
      ["L1", "blocked", "DuplicateLearnerFound"],
      ["L2", "blocked", "EnrolmentBlocked"],
    ]);

    // L2 gets its main officer and placement; L1 is linked instead: a retry enrols exactly L1 and L2 again.
    expect((await server.request("POST", "/api/v1/learners/L1/onefile/link", { body: { onefileId: 152 } })).status).toBe(200);
    await server.request("PATCH", "/api/v1/learners/L2", { body: { mainOfficerId: "O1", email: "blocked@learner.test" } });
    await server.request("POST", "/api/v1/learners/L2/placements", {
      body: { id: "P1", organisationId: "G1", type: "P", startDate: "2026-09-01" },
    });
    const retry = await server.request("POST", `/api/v1/sync/runs/${started.json.runId}/retry`);
    expect(retry.status).toBe(202);
    const retried = await untilEnded(server, `/api/v1/onefile/enrolments/${retry.json.runId}`);
    expect(retried.json.request.learnerIds).toEqual(["L1", "L2"]);
    expect(retried.json.outcomes.map((o: any) => [o.learnerId, o.outcome, o.code])).toEqual([
      ["L1", "blocked", "LearnerAlreadyEnrolled"],
      ["L2", "enrolled", undefined],
    ]);

    expect((await server.request("POST", "/api/v1/sync/runs/run_nope/retry")).status).toBe(404);
    expect(
      (await server.request("POST", "/api/v1/onefile/enrolments", { body: { centreId: CENTRE, learnerIds: [] } })).status,
    ).toBe(400);
  });

  it("REC-1..4: every route is published in /openapi.json", async () => {
    server = await startServer();
    const paths = (await server.request("GET", "/openapi.json")).json.paths;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/onefile/reconciliations",
        "/api/v1/onefile/reconciliations/{runId}",
        "/api/v1/onefile/reconciliations/{runId}/apply",
        "/api/v1/onefile/enrolments/preview",
        "/api/v1/onefile/enrolments",
        "/api/v1/onefile/enrolments/{runId}",
        "/api/v1/sync/runs/{id}/retry",
      ]),
    );
    expect(paths["/api/v1/onefile/enrolments"].post.requestBody).toBeDefined();
  });
});
