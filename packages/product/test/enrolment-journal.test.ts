/**
 * Runs (JRN-1), the journal of changes (JRN-2) and dry runs (JRN-3), for enrolments.
 */
import { Enrolment, type EnrolmentRequest } from "@pics/core";
import { PicsRecords, RunLog } from "@pics/pics-store";
import { Effect } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { CENTRE, customerOf, openWorld, picsDocument, TOKEN, writeCalls, type World } from "./world.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const enrol = (request: Partial<EnrolmentRequest> = {}, trigger: "http" | "cli" = "http") =>
  Effect.flatMap(Enrolment, (e) => e.enrol({ learnerId: "L1", centreId: CENTRE, classroomId: 110, ...request }, trigger));
const settings = { uploadReviews: true, additionalAssessorTypes: ["Mentor"] };

describe("journal", () => {
  it("JRN-1, JRN-2, ENR-12: an enrolment is recorded as a run (kind, trigger, start, end, outcome, counts) and every change it made is journaled with before, after, direction and time; no secret appears", async () => {
    world = await openWorld({ pics: picsDocument(), settings });
    const result = await world.run(enrol({}, "cli"));
    const run = await world.run(Effect.flatMap(RunLog, (l) => l.get(result.runId)));
    expect(run).toMatchObject({
      kind: "enrolment",
      trigger: "cli",
      dryRun: false,
      learnerId: "L1",
      status: "succeeded",
      progress: { total: 1, done: 1, failed: 0 },
      errors: [],
    });
    expect(Date.parse(run.endedAt!)).toBeGreaterThanOrEqual(Date.parse(run.startedAt));
    const rows = await world.run(Effect.flatMap(RunLog, (l) => l.changes(result.runId)));
    expect(run.changes).toBe(rows.length);
    for (const row of rows) {
      expect(row).toMatchObject({ runId: result.runId, learnerId: "L1" });
      expect(["toOneFile", "toPics"]).toContain(row.direction);
      expect(Number.isNaN(Date.parse(row.at))).toBe(false);
    }
    expect(JSON.stringify(rows)).not.toContain(TOKEN);

    // Each record created in OneFile and each id stored in PICS has its row.
    const of = customerOf(await world.onefile());
    const learner = of.Users.find((u: any) => u.MISID === "L1");
    const bob = of.Users.find((u: any) => u.MISID === "OFF-B");
    const placement = of.Placements.find((p: any) => p.MISID === "ORG-B");
    const aim = of.LearningAims.find((a: any) => a.UserID === learner.ID);
    const reviews = of.Reviews.filter((r: any) => r.LearnerID === learner.ID);
    const has = (entity: string, entityId: string, field: string, after: unknown, direction: string) =>
      expect(rows, `${entity} ${entityId} ${field}`).toEqual(
        expect.arrayContaining([expect.objectContaining({ entity, entityId, field, after, direction })]),
      );
    has("learner", "L1", "onefileId", learner.ID, "toPics");
    has("learner", "L1", "onefileCentreId", CENTRE, "toPics");
    has("learner", "L1", "FirstName", "Lee", "toOneFile");
    has("learner", "L1", "DefaultAssessorID", bob.ID, "toOneFile");
    has("learner", "L1", "PlacementID", placement.ID, "toOneFile");
    has("officer", "O2", "onefileId", bob.ID, "toPics");
    has("officer", "O1", "onefileId", 130, "toPics");
    has("organisation", "G2", "onefileId", placement.ID, "toPics");
    has("qualification", "Q1", "onefileLearningAimId", aim.ID, "toPics");
    has("qualification", "Q1", "RegistrationNumber", "REG-9", "toOneFile");
    has("qualification", "Q1", "learningAimAssessor", 130, "toOneFile");
    has("learner", "L1", "additionalAssessor", 130, "toOneFile");
    for (const review of reviews) {
      const id = review.AssessorID === 130 ? "R1" : "R2";
      has("review", id, "onefileSystemId", review.ID, "toPics");
      has("review", id, "onefileVisitId", review.VisitID, "toPics");
      has("review", id, "scheduledFor", review.ScheduledFor, "toOneFile");
    }
    // The result lists what was created or matched, with the ids apply produced (ENR-12).
    expect(result.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ entity: "learner", id: "L1", outcome: "create", onefileId: learner.ID }),
        expect.objectContaining({ entity: "organisation", id: "G2", outcome: "create", onefileId: placement.ID }),
      ]),
    );
    const byLearner = await world.run(Effect.flatMap(RunLog, (l) => l.learnerChanges("L1")));
    expect(byLearner.length).toBe(rows.length);
  });

  it("JRN-1: a failed enrolment is recorded as failed with the learner's error, and what landed before the failure is journaled", async () => {
    world = await openWorld({ pics: picsDocument(), settings });
    await world.admin("/faults", { endpoint: "POST Placement", action: "status", status: 400 });
    const failed = await world.either(enrol());
    expect(!failed.ok && (failed.error as any)._tag).toBe("StepFailed");
    const runs = (await world.run(Effect.flatMap(RunLog, (l) => l.list({ learnerId: "L1" })))).items;
    expect(runs).toHaveLength(1);
    const run = await world.run(Effect.flatMap(RunLog, (l) => l.get(runs[0]!.id)));
    expect(run).toMatchObject({ kind: "enrolment", status: "failed", progress: { total: 1, done: 0, failed: 1 } });
    expect(run.errors).toEqual([expect.objectContaining({ learnerId: "L1", code: "RejectedByOneFile" })]);
    expect(run.errors[0]!.reason).toMatch(/placement for organisation G2/);
    // The assessor created before the failure is journaled and stored.
    const bob = customerOf(await world.onefile()).Users.find((u: any) => u.MISID === "OFF-B");
    const rows = await world.run(Effect.flatMap(RunLog, (l) => l.changes(run.id)));
    expect(rows).toEqual(
      expect.arrayContaining([expect.objectContaining({ entity: "officer", entityId: "O2", field: "onefileId", after: bob.ID })]),
    );
    expect((await world.run(Effect.flatMap(PicsRecords, (r) => r.getOfficer("O2")))).onefileId).toBe(bob.ID);
  });

  it("JRN-3: a dry run returns the planned changes and changes nothing in OneFile or PICS (byte for byte); it is recorded as a run marked dry with its planned changes and does not move last synchronised", async () => {
    world = await openWorld({ pics: picsDocument(), settings });
    const onefileBefore = await world.onefileText();
    const picsBefore = await world.picsDump();
    await world.admin("/calls/clear", {});

    const dry = await world.run(enrol({ dryRun: true }));

    expect(await world.onefileText()).toBe(onefileBefore);
    expect(await world.picsDump()).toBe(picsBefore);
    const calls = await world.calls();
    expect(calls.length).toBeGreaterThan(0);
    expect(writeCalls(calls)).toEqual([]);

    expect(dry).toMatchObject({ dryRun: true, onefileLearnerId: null });
    expect(dry.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ entity: "learner", entityId: "L1", field: "FirstName", after: "Lee", direction: "toOneFile" }),
        expect.objectContaining({
          entity: "learner",
          entityId: "L1",
          field: "onefileId",
          direction: "toPics",
          after: "(new: create OneFile learner for learner L1)",
        }),
        expect.objectContaining({ entity: "review", entityId: "R1", field: "scheduledFor", after: "2026-07-01T09:00:00.000Z" }),
      ]),
    );
    const run = await world.run(Effect.flatMap(RunLog, (l) => l.get(dry.runId)));
    expect(run).toMatchObject({
      kind: "enrolment",
      dryRun: true,
      status: "succeeded",
      learnerId: "L1",
      changes: dry.changes.length,
    });
    const rows = await world.run(Effect.flatMap(RunLog, (l) => l.changes(dry.runId)));
    expect(rows.map(({ runId: _r, at: _a, learnerId: _l, ...change }) => change)).toEqual(
      dry.changes.map((c) => ({ ...c, onefileId: c.onefileId ?? null })),
    );
    expect(rows.every((r) => r.learnerId === "L1")).toBe(true); // readable back from the learner's log
    expect(await world.run(Effect.flatMap(RunLog, (l) => l.lastSynchronisedAt))).toBe(null);

    // Nothing was half-done: the real enrolment afterwards creates the learner normally.
    const real = await world.run(enrol());
    expect(real.dryRun).toBe(false);
    expect(customerOf(await world.onefile()).Users.filter((u: any) => u.MISID === "L1")).toHaveLength(1);
  });
});
