import { Enrolment } from "@pics/core";
import { PicsRecords, RunLog } from "@pics/pics-store";
import { Effect } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { baseSeed, CENTRE, customerOf, openWorld, picsDocument, type World } from "./world.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const enrol = (request: Partial<Parameters<Enrolment["Type"]["enrol"]>[0]> = {}) =>
  Effect.flatMap(Enrolment, (e) => e.enrol({ learnerId: "L1", centreId: CENTRE, classroomId: 110, ...request }));

describe("enrolment", () => {
  it("enrols a learner: matches or creates assessors and the employer, assigns qualifications, stores OneFile ids (ENR-3, ENR-5, ENR-12, OFF-2, OFF-4, ORG-1, ORG-4)", async () => {
    world = await openWorld({ pics: picsDocument(), settings: { additionalAssessorTypes: ["Mentor"] } });
    const result = await world.run(enrol());
    const of = customerOf(await world.onefile());

    const learner = of.Users.find((u: any) => u.MISID === "L1");
    const created = of.Users.find((u: any) => u.MISID === "OFF-B");
    const placement = of.Placements.find((p: any) => p.MISID === "ORG-B");
    expect(created).toMatchObject({ Role: 5, FirstName: "Bob", LastName: "Builder", Email: "bob@provider.test" });
    expect(placement).toMatchObject({ Name: "Bolt Ltd", OrganisationID: CENTRE });
    expect(learner).toMatchObject({
      Role: 1,
      OrganisationID: CENTRE,
      FirstName: "Lee",
      LastName: "Learner",
      Email: "lee@learner.test",
      ULN: "1234567890",
      DOB: "2004-05-06T00:00:00.000Z",
      DefaultAssessorID: created.ID,
      PlacementID: placement.ID,
      ClassroomID: 110,
      HomeAddress: null,
    });
    expect(result.onefileLearnerId).toBe(learner.ID);

    const aims = of.LearningAims.filter((a: any) => a.UserID === learner.ID);
    expect(aims).toHaveLength(1);
    expect(aims[0]).toMatchObject({ StandardID: 120, RegistrationNumber: "REG-9", StartDate: "2026-09-01T00:00:00.000Z" });
    expect(of.Assignments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ AssigneeID: 130, LearnerID: learner.ID, Level: 3, StandardID: 120 }),
        expect.objectContaining({ AssigneeID: 130, LearnerID: learner.ID, Level: 1 }),
      ]),
    );

    const stored = await world.run(Effect.flatMap(PicsRecords, (r) => r.getLearner("L1")));
    expect(stored).toMatchObject({ onefileId: learner.ID, onefileCentreId: CENTRE });
    expect(stored.qualifications.find((q) => q.id === "Q1")).toMatchObject({ onefileStandardId: 120, onefileLearningAimId: aims[0].ID });
    expect(stored.qualifications.find((q) => q.id === "Q2")?.onefileLearningAimId).toBe(null);
    const officers = await world.run(Effect.flatMap(PicsRecords, (r) => r.getOfficers(["O1", "O2"])));
    expect(officers.map((o) => o.onefileId)).toEqual([130, created.ID]);

    expect(result.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ entity: "qualification", id: "Q2", outcome: "not_available" }),
        expect.objectContaining({ entity: "qualification", id: "Q1", outcome: "available", onefileId: aims[0].ID }),
        expect.objectContaining({ entity: "officer", id: "O2", outcome: "create", onefileId: created.ID }),
        expect.objectContaining({ entity: "officer", id: "O1", outcome: "matched", onefileId: 130 }),
      ]),
    );
    const run = await world.run(Effect.flatMap(RunLog, (l) => l.get(result.runId)));
    expect(run).toMatchObject({ kind: "enrolment", status: "succeeded", dryRun: false, learnerId: "L1" });
    const changes = await world.run(Effect.flatMap(RunLog, (l) => l.changes(result.runId)));
    expect(changes.some((c) => c.entity === "learner" && c.field === "onefileId" && c.after === learner.ID && c.direction === "toPics")).toBe(true);

    const again = await world.either(enrol());
    expect(!again.ok && (again.error as any)._tag).toBe("LearnerAlreadyEnrolled");
  });
});
