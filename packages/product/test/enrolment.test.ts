import { Enrolment } from "@pics/core";
import { PicsRecords, RunLog } from "@pics/pics-store";
import { Effect } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { baseSeed, CENTRE, customerOf, openWorld, OTHER_CENTRE, picsDocument, writeCalls, type World } from "./world.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const preview = (request: Partial<Parameters<Enrolment["Type"]["preview"]>[0]> = {}) =>
  Effect.flatMap(Enrolment, (e) => e.preview({ learnerId: "L1", centreId: CENTRE, classroomId: 110, ...request }));

const enrol = (request: Partial<Parameters<Enrolment["Type"]["enrol"]>[0]> = {}) =>
  Effect.flatMap(Enrolment, (e) => e.enrol({ learnerId: "L1", centreId: CENTRE, classroomId: 110, ...request }));

describe("enrolment", () => {
  it("ENR-2, ENR-3, ENR-5, ENR-12, OFF-1, OFF-2, OFF-4, ORG-1, ORG-4: enrols a learner: matches or creates assessors and the employer, assigns qualifications, stores OneFile ids", async () => {
    world = await openWorld({
      pics: picsDocument({
        telephone: "0161 000 0000",
        mobile: "07700 900123",
        niNumber: "QQ123456C",
        ethnicity: "31",
        sex: "F",
        disability: "2",
        address1: "1 High Street",
        postcode: "M1 1AA",
      }),
      settings: { additionalAssessorTypes: ["Mentor"] },
    });
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
      StartOn: "2026-09-01T00:00:00.000Z",
      PlannedEndDate: "2028-08-31T00:00:00.000Z",
      Telephone: "0161 000 0000",
      MobileNumber: "07700 900123",
      NINO: "QQ123456C",
      L12: "31",
      L13: "F",
      L15: "2",
      DefaultAssessorID: created.ID,
      PlacementID: placement.ID,
      ClassroomID: 110,
      HomeAddress: null,
    });
    expect(result.onefileLearnerId).toBe(learner.ID);

    const aims = of.LearningAims.filter((a: any) => a.UserID === learner.ID);
    expect(aims).toHaveLength(1);
    expect(aims[0]).toMatchObject({
      StandardID: 120,
      RegistrationNumber: "REG-9",
      StartDate: "2026-09-01T00:00:00.000Z",
      PlannedEnd: "2028-08-31T00:00:00.000Z",
    });
    expect(of.Assignments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ AssigneeID: 130, LearnerID: learner.ID, Level: 3, StandardID: 120 }),
        expect.objectContaining({ AssigneeID: 130, LearnerID: learner.ID, Level: 1 }),
      ]),
    );

    const stored = await world.run(Effect.flatMap(PicsRecords, (r) => r.getLearner("L1")));
    expect(stored).toMatchObject({ onefileId: learner.ID, onefileCentreId: CENTRE });
    expect(stored.qualifications.find((q) => q.id === "Q1")).toMatchObject({
      onefileStandardId: 120,
      onefileLearningAimId: aims[0].ID,
    });
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
    // JRN-2: a create's row names the OneFile record it made.
    expect(changes).toContainEqual(
      expect.objectContaining({
        entity: "officer",
        entityId: "O2",
        field: "onefileAssessor",
        after: created.ID,
        onefileId: created.ID,
      }),
    );
    expect(
      changes.some(
        (c) => c.entity === "learner" && c.field === "onefileId" && c.after === learner.ID && c.direction === "toPics",
      ),
    ).toBe(true);

    const again = await world.either(enrol());
    expect(!again.ok && (again.error as any)._tag).toBe("LearnerAlreadyEnrolled");
  });
});

describe("classroom (ENR-3, SET-7)", () => {
  it("ENR-3, SET-7: with classroomFromMainTag on, the learner's classroom is the OneFile classroom named like its Main Tag (trimmed, any case), or one created with that name when the centre has none", async () => {
    world = await openWorld({
      pics: picsDocument({ mainTag: " cohort a", reviews: [] }),
      settings: { classroomFromMainTag: true },
    });
    const matched = await world.run(enrol({ classroomId: null }));
    let of = customerOf(await world.onefile());
    expect(of.Users.find((u: any) => u.ID === matched.onefileLearnerId).ClassroomID).toBe(110);
    expect(of.Classrooms).toHaveLength(1);
    await world.close();

    world = await openWorld({
      pics: picsDocument({ mainTag: "Cohort Z", reviews: [] }),
      settings: { classroomFromMainTag: true },
    });
    const created = await world.run(enrol({ classroomId: 110 })); // the caller's choice does not count with SET-7 on
    of = customerOf(await world.onefile());
    const cohortZ = of.Classrooms.find((c: any) => c.Name === "Cohort Z");
    expect(cohortZ).toMatchObject({ OrganisationID: CENTRE });
    expect(of.Users.find((u: any) => u.ID === created.onefileLearnerId).ClassroomID).toBe(cohortZ.ID);
    expect(created.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ entity: "classroom", id: "Cohort Z", outcome: "create", onefileId: cohortZ.ID }),
      ]),
    );
  });

  it("ENR-3, ENR-4: with SET-7 off the caller chooses the classroom; one that is not in the centre blocks the enrolment", async () => {
    world = await openWorld({ pics: picsDocument({ reviews: [] }) });
    const refused = await world.either(enrol({ classroomId: 999 }));
    expect(!refused.ok && refused.error).toMatchObject({
      _tag: "EnrolmentBlocked",
      blockers: [expect.objectContaining({ code: "unknown_classroom" })],
    });
    expect(writeCalls(await world.calls())).toEqual([]);
  });
});

describe("enrolment preview (ENR-1)", () => {
  it("ENR-1: the preview makes no OneFile write and lists the learner fields, each qualification's status (available / not_available / needs_pathway / needs_centre), officers and organisation matched or to create, reviews to upload and the blockers", async () => {
    world = await openWorld({
      seed: baseSeed({
        secondCentre: true,
        standards: [{ ID: 122, OrganisationID: CENTRE, Title: "Business Admin [ST0123]", Pathways: [] }],
      }),
      pics: picsDocument({
        qualifications: [
          { id: "Q1", vqReference: "ST0795" }, // in both centres
          { id: "Q2", vqReference: "ST9999" }, // nowhere
          { id: "Q3", vqReference: "ST0457" }, // two pathways
          { id: "Q4", vqReference: "st0123", assessorId: "O1" }, // one centre, no pathway
        ],
      }),
      settings: { uploadReviews: true },
    });
    const before = await world.onefileText();
    const picsBefore = await world.picsDump();
    await world.admin("/calls/clear", {});

    const shown = await world.run(preview());

    expect(await world.onefileText()).toBe(before);
    expect(await world.picsDump()).toBe(picsBefore);
    const calls = await world.calls();
    expect(calls.length).toBeGreaterThan(0);
    expect(writeCalls(calls)).toEqual([]);

    expect(shown.multipleCentres).toBe(true);
    expect(shown.learnerFields).toMatchObject({
      OrganisationID: CENTRE,
      Role: 1,
      FirstName: "Lee",
      LastName: "Learner",
      Email: "lee@learner.test",
      MISID: "L1",
      ULN: "1234567890",
      DOB: "2004-05-06T00:00:00.000Z",
      StartOn: "2026-09-01T00:00:00.000Z",
      PlannedEndDate: "2028-08-31T00:00:00.000Z",
      ClassroomID: 110,
    });
    expect(shown.learnerFields).not.toHaveProperty("HomeAddress");
    const item = (entity: string, id: string) => shown.items.find((i) => i.entity === entity && i.id === id);
    expect(item("qualification", "Q1")).toMatchObject({ outcome: "needs_centre", detail: { choices: [CENTRE, OTHER_CENTRE] } });
    expect(item("qualification", "Q2")).toMatchObject({ outcome: "not_available" });
    expect(item("qualification", "Q3")).toMatchObject({
      outcome: "needs_pathway",
      detail: {
        choices: [
          { id: 1211, title: "Mechanical" },
          { id: 1212, title: "Electrical" },
        ],
      },
    });
    expect(item("qualification", "Q4")).toMatchObject({ outcome: "available", detail: { standardId: 122, centreId: CENTRE } });
    expect(item("officer", "O1")).toMatchObject({ outcome: "matched", onefileId: 130 });
    expect(item("officer", "O2")).toMatchObject({ outcome: "create" });
    expect(item("organisation", "G2")).toMatchObject({ outcome: "create" });
    expect(item("learner", "L1")).toMatchObject({ outcome: "create" });
    expect(item("review", "R1")).toMatchObject({
      outcome: "upload",
      detail: { scheduledFor: "2026-07-01T09:00:00.000Z", officerId: "O1" },
    });
    expect(item("review", "R2")).toMatchObject({ outcome: "upload", detail: { officerId: "O2" } });
    expect(item("review", "R3")).toBeUndefined();
    expect(item("review", "R4")).toBeUndefined();
    expect(shown.blockers.map((b) => b.code).sort()).toEqual(["needs_centre", "needs_pathway"]);
    expect(shown.changes.length).toBeGreaterThan(0);
  });
});

describe("enrolment refusals (ENR-4)", () => {
  it("ENR-4, OFF-5: every blocking problem is reported together (no main officer, no placement, learner email missing, officer to create without email, no classroom, ambiguous match) and nothing is written to OneFile", async () => {
    const pics = picsDocument({
      email: null,
      mainOfficerId: null,
      placements: [],
      officers: [{ officerId: "O4", type: "Mentor" }],
      qualifications: [{ id: "Q1", vqReference: "ST0795", assessorId: "O3" }],
      reviews: [],
    });
    pics.officers.push({ id: "O4", ident: "OFF-D", firstName: "Di", surname: "Double", email: "di@provider.test" });
    world = await openWorld({
      seed: baseSeed({
        users: [
          {
            ID: 131,
            OrganisationID: CENTRE,
            Role: 5,
            FirstName: "Di",
            LastName: "Double",
            Email: "di@provider.test",
            MISID: "OFF-D",
          },
          {
            ID: 132,
            OrganisationID: CENTRE,
            Role: 5,
            FirstName: "Di",
            LastName: "Double",
            Email: "di2@provider.test",
            MISID: "off-d",
            Archived: true,
          },
        ],
      }),
      pics,
      settings: { additionalAssessorTypes: ["Mentor"] },
    });
    const before = await world.onefileText();
    const picsBefore = await world.picsDump();
    await world.admin("/calls/clear", {});

    const refused = await world.either(enrol({ classroomId: null }));

    expect(refused.ok).toBe(false);
    const error = (refused as { error: any }).error;
    expect(error._tag).toBe("EnrolmentBlocked");
    const codes = error.blockers.map((b: any) => b.code);
    expect(codes).toEqual(
      expect.arrayContaining([
        "missing_field",
        "no_main_officer",
        "no_placement",
        "officer_email_missing",
        "no_classroom",
        "ambiguous_assessor",
      ]),
    );
    expect(error.blockers.find((b: any) => b.code === "officer_email_missing")).toMatchObject({ entityId: "O3" });
    expect(error.blockers.find((b: any) => b.code === "ambiguous_assessor")).toMatchObject({
      entityId: "O4",
      details: { misId: "OFF-D", candidates: [131, 132] },
    });
    expect(error.blockers.find((b: any) => b.code === "ambiguous_assessor").message).toMatch(/OFF-D.*132 archived/);
    expect(error.message).toMatch(/no email/);
    expect(writeCalls(await world.calls())).toEqual([]);
    expect(await world.onefileText()).toBe(before);
    expect(await world.picsDump()).toBe(picsBefore);
    const runs = await world.run(Effect.flatMap(RunLog, (l) => l.list()));
    expect(runs.items).toEqual([]);
  });

  it("ENR-4, SET-1: with the integration disabled, preview and enrolment refuse with IntegrationDisabled and OneFile is not called", async () => {
    world = await openWorld({ pics: picsDocument(), settings: { integrationEnabled: false } });
    await world.admin("/calls/clear", {});
    const before = await world.onefileText();
    const refused = await world.either(enrol());
    expect(!refused.ok && (refused.error as any)._tag).toBe("IntegrationDisabled");
    const previewed = await world.either(preview());
    expect(!previewed.ok && (previewed.error as any)._tag).toBe("IntegrationDisabled");
    expect(await world.calls()).toEqual([]);
    expect(await world.onefileText()).toBe(before);
  });

  it("ENR-4: a learner already linked to OneFile is refused with LearnerAlreadyEnrolled, and nothing is written", async () => {
    world = await openWorld({ pics: picsDocument({ onefileId: 555, onefileCentreId: CENTRE }) });
    const before = await world.onefileText();
    await world.admin("/calls/clear", {});
    const refused = await world.either(enrol());
    expect(!refused.ok && refused.error).toMatchObject({ _tag: "LearnerAlreadyEnrolled", learnerId: "L1", onefileId: 555 });
    const shown = await world.run(preview());
    expect(shown.blockers).toEqual([expect.objectContaining({ code: "already_linked" })]);
    expect(writeCalls(await world.calls())).toEqual([]);
    expect(await world.onefileText()).toBe(before);
  });

  it("ENR-2: a centre the customer does not have is refused naming the customer's centres", async () => {
    world = await openWorld({ pics: picsDocument() });
    const refused = await world.either(enrol({ centreId: 999 }));
    expect(!refused.ok && refused.error).toMatchObject({
      _tag: "EnrolmentBlocked",
      blockers: [expect.objectContaining({ code: "unknown_centre" })],
    });
    expect(writeCalls(await world.calls())).toEqual([]);
  });
});
