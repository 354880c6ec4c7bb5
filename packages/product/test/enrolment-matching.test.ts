/**
 * Officers → assessors (OFF), organisations → placements (ORG), additional assessors (ENR-8),
 * duplicate learners (ENR-9) and linking instead of creating (ENR-10), in a single centre.
 */
import { Enrolment, type EnrolmentRequest } from "@pics/core";
import { PicsRecords, RunLog } from "@pics/pics-store";
import { Effect } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { baseSeed, CENTRE, customerOf, openWorld, picsDocument, writeCalls, type World } from "./world.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const enrol = (request: Partial<EnrolmentRequest> = {}) =>
  Effect.flatMap(Enrolment, (e) => e.enrol({ learnerId: "L1", centreId: CENTRE, classroomId: 110, ...request }));
const preview = (request: Partial<EnrolmentRequest> = {}) =>
  Effect.flatMap(Enrolment, (e) => e.preview({ learnerId: "L1", centreId: CENTRE, classroomId: 110, ...request }));
const getLearner = (id = "L1") => Effect.flatMap(PicsRecords, (r) => r.getLearner(id));

/** A OneFile learner already in the sandbox (the fields a seeded learner needs). */
const onefileLearner = (fields: Record<string, unknown>) => ({
  OrganisationID: CENTRE,
  Role: 1,
  FirstName: "Someone",
  LastName: "Else",
  Email: "someone@else.test",
  DefaultAssessorID: 130,
  ClassroomID: 110,
  PlacementID: 140,
  ...fields,
});

describe("officers → OneFile assessors (OFF)", () => {
  it("OFF-2: in a single centre an officer's stored OneFile id is used as it is; without one the assessor with its MIS reference is used and its id stored", async () => {
    const pics = picsDocument({ reviews: [] });
    Object.assign(pics.officers[1]!, { onefileId: 133 }); // O2, main officer
    world = await openWorld({
      seed: baseSeed({
        users: [
          {
            ID: 133,
            OrganisationID: CENTRE,
            Role: 5,
            FirstName: "Bob",
            LastName: "B",
            Email: "b@provider.test",
            MISID: "LEGACY-7",
          },
        ],
      }),
      pics,
      settings: { multipleCentres: "off" },
    });
    await world.run(enrol());
    const of = customerOf(await world.onefile());
    expect(of.Users.find((u: any) => u.MISID === "L1")).toMatchObject({ DefaultAssessorID: 133 });
    expect(of.Users.filter((u: any) => u.MISID === "OFF-B")).toEqual([]); // nothing created for O2
    const officers = await world.run(Effect.flatMap(PicsRecords, (r) => r.getOfficers(["O1", "O2"])));
    expect(officers.map((o) => [o.id, o.onefileId])).toEqual([
      ["O1", 130], // matched by MIS reference OFF-A and stored
      ["O2", 133],
    ]);
  });

  it("OFF-4: an officer with no match becomes a OneFile assessor (Role 5) with only name, email and MIS reference = Ident; its id is stored", async () => {
    const pics = picsDocument({ reviews: [] });
    Object.assign(pics.officers[1]!, { phone: "0111 222", mobile: "07700 900000", birthDate: "1980-01-02" });
    world = await openWorld({ pics });
    await world.run(enrol());
    const of = customerOf(await world.onefile());
    const created = of.Users.filter((u: any) => u.MISID === "OFF-B");
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      Role: 5,
      OrganisationID: CENTRE,
      FirstName: "Bob",
      LastName: "Builder",
      Email: "bob@provider.test",
      MISID: "OFF-B",
      Telephone: null,
      MobileNumber: null,
      DOB: null,
    });
    expect((await world.run(Effect.flatMap(PicsRecords, (r) => r.getOfficer("O2")))).onefileId).toBe(created[0].ID);
  });

  it("OFF-5: two OneFile assessors with the same MIS reference (an archived one counts) block the enrolment, naming the value and the officer", async () => {
    world = await openWorld({
      seed: baseSeed({
        users: [
          {
            ID: 131,
            OrganisationID: CENTRE,
            Role: 5,
            FirstName: "Ada",
            LastName: "Old",
            Email: "old@provider.test",
            MISID: "OFF-A",
            Archived: true,
          },
        ],
      }),
      pics: picsDocument(),
    });
    const before = await world.onefileText();
    const refused = await world.either(enrol());
    expect(!refused.ok && refused.error).toMatchObject({
      _tag: "EnrolmentBlocked",
      blockers: [
        expect.objectContaining({
          code: "ambiguous_assessor",
          entity: "officer",
          entityId: "O1",
          details: { misId: "OFF-A", candidates: [130, 131] },
        }),
      ],
    });
    expect((refused as any).error.message).toMatch(/officer "O1".*"OFF-A"/);
    expect(writeCalls(await world.calls())).toEqual([]);
    expect(await world.onefileText()).toBe(before);
  });
});

describe("organisations → OneFile placements (ORG)", () => {
  it("ORG-1: the employer is the most recent placement of type P, even when a later placement of another type exists; with none of type P, the most recent of any type", async () => {
    world = await openWorld({ pics: picsDocument() }); // P1: G1 type W from 2026-10-01; P2: G2 type P from 2026-09-01
    expect((await world.run(preview())).items.filter((i) => i.entity === "organisation").map((i) => i.id)).toEqual(["G2"]);
    await world.close();

    world = await openWorld({
      pics: picsDocument({
        placements: [
          { id: "P1", organisationId: "G1", type: "W", startDate: "2026-10-01" },
          { id: "P2", organisationId: "G2", type: "X", startDate: "2026-09-01" },
        ],
      }),
    });
    expect((await world.run(preview())).items.filter((i) => i.entity === "organisation").map((i) => i.id)).toEqual(["G1"]);
  });

  it("ORG-1: two placements of type P starting the same day: the latest created wins (not the highest id)", async () => {
    // Created first: "PZ" (G1); created later, in a second import: "PA" (G2), same start date.
    world = await openWorld({
      pics: picsDocument({ placements: [{ id: "PZ", organisationId: "G1", type: "P", startDate: "2026-09-01" }] }),
    });
    const second = picsDocument({
      placements: [
        { id: "PZ", organisationId: "G1", type: "P", startDate: "2026-09-01" },
        { id: "PA", organisationId: "G2", type: "P", startDate: "2026-09-01" },
      ],
    });
    await new Promise((resolve) => setTimeout(resolve, 5)); // a later created_at, to the millisecond
    await world.run(Effect.flatMap(PicsRecords, (r) => r.importDocument(second)));
    expect((await world.run(getLearner())).placements.map((p) => p.id)).toEqual(["PZ", "PA"]); // creation order
    expect((await world.run(preview())).items.filter((i) => i.entity === "organisation").map((i) => i.id)).toEqual(["G2"]);
    await world.close();

    // Created in one import: the later in the document is the later created.
    world = await openWorld({
      pics: picsDocument({
        placements: [
          { id: "PA", organisationId: "G2", type: "P", startDate: "2026-09-01" },
          { id: "PZ", organisationId: "G1", type: "P", startDate: "2026-09-01" },
        ],
      }),
    });
    expect((await world.run(preview())).items.filter((i) => i.entity === "organisation").map((i) => i.id)).toEqual(["G1"]);
  });

  it("ORG-2, ORG-4: a stored OneFile placement id is used as it is; otherwise one is matched by MIS reference, or created with the name and MIS reference only and its id stored", async () => {
    const pics = picsDocument({ reviews: [] });
    Object.assign(pics.organisations[1]!, { phone: "0111", email: "hr@bolt.test", address1: "1 Road", postcode: "AB1 2CD" });
    world = await openWorld({ pics });
    await world.run(enrol());
    let of = customerOf(await world.onefile());
    const created = of.Placements.filter((p: any) => p.MISID === "ORG-B");
    expect(created).toEqual([
      expect.objectContaining({
        OrganisationID: CENTRE,
        Name: "Bolt Ltd",
        MISID: "ORG-B",
        Telephone: null,
        Email: null,
        Address: null,
      }),
    ]);
    expect(of.Users.find((u: any) => u.MISID === "L1").PlacementID).toBe(created[0].ID);
    expect((await world.run(Effect.flatMap(PicsRecords, (r) => r.getOrganisation("G2")))).onefileId).toBe(created[0].ID);
    await world.close();

    // ORG-2: matched by MIS reference (G1 is ORG-A = placement 140), and a stored id used as it is.
    const stored = picsDocument({
      id: "L1",
      reviews: [],
      placements: [{ id: "P1", organisationId: "G1", type: "P", startDate: "2026-09-01" }],
    });
    world = await openWorld({ pics: stored });
    const result = await world.run(enrol());
    of = customerOf(await world.onefile());
    expect(of.Users.find((u: any) => u.ID === result.onefileLearnerId).PlacementID).toBe(140);
    expect(of.Placements).toHaveLength(1);
    expect((await world.run(Effect.flatMap(PicsRecords, (r) => r.getOrganisation("G1")))).onefileId).toBe(140);
    await world.close();

    const withId = picsDocument({ reviews: [] });
    Object.assign(withId.organisations[1]!, { onefileId: 141 });
    world = await openWorld({
      seed: baseSeed({ placements: [{ ID: 141, OrganisationID: CENTRE, Name: "Bolt (legacy)", MISID: "LEGACY" }] }),
      pics: withId,
    });
    const linked = await world.run(enrol());
    of = customerOf(await world.onefile());
    expect(of.Users.find((u: any) => u.ID === linked.onefileLearnerId).PlacementID).toBe(141);
    expect(of.Placements.filter((p: any) => p.MISID === "ORG-B")).toEqual([]);
  });

  it("ORG-4: two OneFile placements with the organisation's MIS reference block the enrolment, naming both", async () => {
    world = await openWorld({
      seed: baseSeed({
        placements: [
          { ID: 141, OrganisationID: CENTRE, Name: "Bolt Ltd", MISID: "ORG-B" },
          { ID: 142, OrganisationID: CENTRE, Name: "Bolt Limited", MISID: "org-b" },
        ],
      }),
      pics: picsDocument(),
    });
    const before = await world.onefileText();
    const refused = await world.either(enrol());
    expect(!refused.ok && refused.error).toMatchObject({
      _tag: "EnrolmentBlocked",
      blockers: [
        expect.objectContaining({
          code: "ambiguous_placement",
          entityId: "G2",
          details: { misId: "ORG-B", candidates: [141, 142] },
        }),
      ],
    });
    expect(await world.onefileText()).toBe(before);
  });
});

describe("additional assessors, duplicates and links", () => {
  it("ENR-8, SET-6: learner officers whose type is listed (trimmed, any case) are matched or created and linked as additional assessors; others are not", async () => {
    const pics = picsDocument({
      reviews: [],
      qualifications: [],
      officers: [
        { officerId: "O2", type: "Assessor" },
        { officerId: "O1", type: "Mentor" },
        { officerId: "O4", type: "MENTOR" },
        { officerId: "O3", type: "Coach" },
      ],
    });
    pics.officers.push({ id: "O4", ident: "OFF-E", firstName: "Eve", surname: "Extra", email: "eve@provider.test" });
    world = await openWorld({ pics, settings: { additionalAssessorTypes: [" mentor"] } });
    const result = await world.run(enrol());
    const of = customerOf(await world.onefile());
    const eve = of.Users.find((u: any) => u.MISID === "OFF-E");
    expect(eve).toMatchObject({ Role: 5 });
    const additional = of.Assignments.filter((a: any) => a.LearnerID === result.onefileLearnerId && a.Level === 1).map(
      (a: any) => a.AssigneeID,
    );
    expect(additional.sort()).toEqual([130, eve.ID].sort());
    expect(of.Users.filter((u: any) => u.MISID === "OFF-C")).toEqual([]); // O3's type is not listed
  });

  it("ENR-9: a OneFile learner in the centre with the same MIS reference, ULN, or email and name blocks the enrolment with the candidate ids (DuplicateLearnerFound); nothing is written", async () => {
    world = await openWorld({
      seed: baseSeed({
        users: [
          onefileLearner({ ID: 150, MISID: "L1" }),
          onefileLearner({ ID: 151, ULN: "1234567890", Email: "x@else.test" }),
          onefileLearner({ ID: 152, FirstName: "LEE", LastName: "learner ", Email: "Lee@Learner.test" }),
          onefileLearner({ ID: 153, FirstName: "Leo", LastName: "Learner", Email: "lee@learner.test" }), // same email, another name
        ],
      }),
      pics: picsDocument(),
    });
    const before = await world.onefileText();
    const picsBefore = await world.picsDump();
    const refused = await world.either(enrol());
    expect(!refused.ok && refused.error).toMatchObject({
      _tag: "DuplicateLearnerFound",
      learnerId: "L1",
      candidates: [
        { onefileId: 150, matchedOn: ["MIS reference"] },
        { onefileId: 151, matchedOn: ["ULN"] },
        { onefileId: 152, matchedOn: ["email and name"] },
      ],
    });
    expect(writeCalls(await world.calls())).toEqual([]);
    expect(await world.onefileText()).toBe(before);
    expect(await world.picsDump()).toBe(picsBefore);
    const shown = await world.run(preview());
    expect(shown.blockers).toEqual([expect.objectContaining({ code: "duplicate_learner" })]);
  });

  it("ENR-10: linking to an existing OneFile learner pairs qualifications with its learning aims by VQ reference, stores the ids and creates nothing in OneFile", async () => {
    world = await openWorld({
      seed: baseSeed({
        users: [onefileLearner({ ID: 150, MISID: "L1", FirstName: "Lee", LastName: "Learner", Email: "lee@learner.test" })],
        learningAims: [{ ID: 160, UserID: 150, StandardID: 120 }],
      }),
      pics: picsDocument(),
    });
    const refused = await world.either(enrol());
    expect(!refused.ok && refused.error).toMatchObject({ _tag: "DuplicateLearnerFound", candidates: [{ onefileId: 150 }] });

    const before = await world.onefileText();
    await world.admin("/calls/clear", {});
    const linked = await world.run(Effect.flatMap(Enrolment, (e) => e.link("L1", 150)));
    expect(writeCalls(await world.calls())).toEqual([]);
    expect(await world.onefileText()).toBe(before);

    expect(linked.qualifications).toEqual([
      { qualificationId: "Q1", onefileLearningAimId: 160, onefileStandardId: 120 },
      { qualificationId: "Q2", onefileLearningAimId: null, onefileStandardId: null },
    ]);
    const stored = await world.run(getLearner());
    expect(stored).toMatchObject({ onefileId: 150, onefileCentreId: CENTRE });
    expect(stored.qualifications.map((q) => [q.id, q.onefileLearningAimId, q.onefileStandardId])).toEqual([
      ["Q1", 160, 120],
      ["Q2", null, null],
    ]);
    const run = await world.run(Effect.flatMap(RunLog, (l) => l.get(linked.runId)));
    expect(run).toMatchObject({ kind: "enrolment", status: "succeeded", learnerId: "L1", dryRun: false });
    const changes = await world.run(Effect.flatMap(RunLog, (l) => l.changes(linked.runId)));
    expect(changes.map((c) => [c.entity, c.entityId, c.field, c.after])).toEqual([
      ["qualification", "Q1", "onefileLearningAimId", 160],
      ["learner", "L1", "onefileId", 150],
    ]);

    // From then on it is an enrolled learner.
    const again = await world.either(enrol());
    expect(!again.ok && (again.error as any)._tag).toBe("LearnerAlreadyEnrolled");
    const relink = await world.either(Effect.flatMap(Enrolment, (e) => e.link("L1", 150)));
    expect(!relink.ok && (relink.error as any)._tag).toBe("LearnerAlreadyEnrolled");
  });

  it("ENR-10: linking to a OneFile user who is not a learner is refused and nothing is stored", async () => {
    world = await openWorld({ pics: picsDocument() });
    const refused = await world.either(Effect.flatMap(Enrolment, (e) => e.link("L1", 130)));
    expect(!refused.ok && refused.error).toMatchObject({ _tag: "InvalidRequest", field: "onefileId" });
    expect((await world.run(getLearner())).onefileId).toBe(null);
  });
});
