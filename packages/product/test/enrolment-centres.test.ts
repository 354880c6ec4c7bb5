/**
 * Pathways (ENR-6), several centres (ENR-2, ENR-7, SET-14) and matching by MIS reference in the
 * chosen centre when there are several (OFF-3, ORG-3).
 */
import { Enrolment, type EnrolmentRequest } from "@pics/core";
import { PicsRecords } from "@pics/pics-store";
import { Effect } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { baseSeed, CENTRE, customerOf, openWorld, OTHER_CENTRE, picsDocument, writeCalls, type World } from "./world.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const enrol = (request: Partial<EnrolmentRequest> = {}) =>
  Effect.flatMap(Enrolment, (e) => e.enrol({ learnerId: "L1", centreId: CENTRE, classroomId: 110, ...request }));
const preview = (request: Partial<EnrolmentRequest> = {}) =>
  Effect.flatMap(Enrolment, (e) => e.preview({ learnerId: "L1", centreId: CENTRE, classroomId: 110, ...request }));
const qualificationItem = (items: ReadonlyArray<{ entity: string; id: string }>, id: string) =>
  items.find((i) => i.entity === "qualification" && i.id === id);

describe("pathways and centres", () => {
  it("ENR-6: a Standard with two pathways blocks the enrolment naming the choices; with the caller's choice the learning aim takes that pathway", async () => {
    world = await openWorld({ pics: picsDocument({ qualifications: [{ id: "Q1", vqReference: "ST0457" }] }) });
    const before = await world.onefileText();

    const refused = await world.either(enrol());
    expect(!refused.ok && refused.error).toMatchObject({
      _tag: "EnrolmentBlocked",
      blockers: [
        expect.objectContaining({
          code: "needs_pathway",
          entityId: "Q1",
          details: {
            choices: [
              { id: 1211, title: "Mechanical" },
              { id: 1212, title: "Electrical" },
            ],
          },
        }),
      ],
    });
    expect((refused as any).error.message).toMatch(/1211 Mechanical, 1212 Electrical/);
    expect(await world.onefileText()).toBe(before);

    // An unknown pathway is no choice at all.
    const wrong = await world.either(enrol({ qualifications: { Q1: { pathwayId: 9999 } } }));
    expect(!wrong.ok && (wrong.error as any).blockers[0].code).toBe("needs_pathway");

    const result = await world.run(enrol({ qualifications: { Q1: { pathwayId: 1212 } } }));
    const of = customerOf(await world.onefile());
    const aims = of.LearningAims.filter((a: any) => a.UserID === result.onefileLearnerId);
    expect(aims).toEqual([expect.objectContaining({ StandardID: 121, PathwayID: 1212 })]);
    expect(qualificationItem(result.items, "Q1")).toMatchObject({ outcome: "available", detail: { pathwayId: 1212 } });
  });

  it("ENR-7, SET-14 auto: with two centres a Standard found in both blocks naming the centres; the caller's centre choice picks that centre's Standard", async () => {
    world = await openWorld({ seed: baseSeed({ secondCentre: true }), pics: picsDocument() });
    const before = await world.onefileText();

    const refused = await world.either(enrol());
    expect(!refused.ok && refused.error).toMatchObject({
      _tag: "EnrolmentBlocked",
      blockers: [expect.objectContaining({ code: "needs_centre", entityId: "Q1", details: { choices: [CENTRE, OTHER_CENTRE] } })],
    });
    expect(await world.onefileText()).toBe(before);
    expect(writeCalls(await world.calls())).toEqual([]);

    const result = await world.run(enrol({ qualifications: { Q1: { centreId: OTHER_CENTRE } } }));
    expect(result.multipleCentres).toBe(true);
    const of = customerOf(await world.onefile());
    expect(of.Users.find((u: any) => u.MISID === "L1")).toMatchObject({ OrganisationID: CENTRE });
    expect(of.LearningAims.filter((a: any) => a.UserID === result.onefileLearnerId)).toEqual([
      expect.objectContaining({ StandardID: 220 }),
    ]);
    const stored = await world.run(Effect.flatMap(PicsRecords, (r) => r.getLearner("L1")));
    expect(stored.qualifications.find((q) => q.id === "Q1")).toMatchObject({ onefileStandardId: 220 });
  });

  it("SET-14: `off` with two centres is single-centre (the Standard of the learner's centre is used); `on` with one centre is multiple-centre mode", async () => {
    world = await openWorld({
      seed: baseSeed({ secondCentre: true }),
      pics: picsDocument(),
      settings: { multipleCentres: "off" },
    });
    const off = await world.run(preview());
    expect(off.multipleCentres).toBe(false);
    expect(off.blockers).toEqual([]);
    expect(qualificationItem(off.items, "Q1")).toMatchObject({ outcome: "available", detail: { standardId: 120 } });
    await world.close();

    world = await openWorld({ pics: picsDocument(), settings: { multipleCentres: "on" } });
    const on = await world.run(preview());
    expect(on.multipleCentres).toBe(true);
    expect(qualificationItem(on.items, "Q1")).toMatchObject({ outcome: "available", detail: { standardId: 120 } });
    await world.close();

    world = await openWorld({ seed: baseSeed({ secondCentre: true }), pics: picsDocument() });
    expect((await world.run(preview())).multipleCentres).toBe(true); // auto, two centres
    await world.close();

    world = await openWorld({ pics: picsDocument() });
    expect((await world.run(preview())).multipleCentres).toBe(false); // auto, one centre
  });

  it("ENR-2, OFF-3, ORG-3: with several centres the learner is created in the chosen centre, and officers and organisations are matched by MIS reference in that centre, ignoring their stored OneFile ids", async () => {
    const pics = picsDocument({ qualifications: [{ id: "Q1", vqReference: "ST0795", assessorId: "O1" }], reviews: [] });
    // Stored ids from the other centre: in multiple-centre mode they are not used for matching.
    Object.assign(pics.officers[0]!, { onefileId: 130 });
    Object.assign(pics.officers[1]!, { onefileId: 130 });
    Object.assign(pics.organisations[1]!, { onefileId: 140 });
    world = await openWorld({
      seed: baseSeed({
        secondCentre: true,
        classrooms: [{ ID: 210, OrganisationID: OTHER_CENTRE, Name: "North Cohort" }],
        users: [
          {
            ID: 230,
            OrganisationID: OTHER_CENTRE,
            Role: 5,
            FirstName: "Bob",
            LastName: "Builder",
            Email: "bob@provider.test",
            MISID: "OFF-B",
          },
        ],
        placements: [{ ID: 240, OrganisationID: OTHER_CENTRE, Name: "Bolt Ltd", MISID: "ORG-B" }],
      }),
      pics,
    });

    const result = await world.run(
      enrol({ centreId: OTHER_CENTRE, classroomId: 210, qualifications: { Q1: { centreId: OTHER_CENTRE } } }),
    );

    const of = customerOf(await world.onefile());
    const learner = of.Users.find((u: any) => u.MISID === "L1");
    expect(learner).toMatchObject({ OrganisationID: OTHER_CENTRE, DefaultAssessorID: 230, PlacementID: 240, ClassroomID: 210 });
    // O1 (OFF-A) has no assessor in the North centre: created there, despite its stored id 130.
    const created = of.Users.filter((u: any) => u.MISID === "OFF-A");
    expect(created.map((u: any) => u.OrganisationID).sort()).toEqual([CENTRE, OTHER_CENTRE]);
    const northAda = created.find((u: any) => u.OrganisationID === OTHER_CENTRE);
    expect(of.Assignments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ AssigneeID: northAda.ID, LearnerID: learner.ID, Level: 3, StandardID: 220 }),
      ]),
    );
    expect(of.Placements.filter((p: any) => p.MISID === "ORG-B")).toHaveLength(1);
    expect(result.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ entity: "officer", id: "O2", outcome: "matched", onefileId: 230 }),
        expect.objectContaining({ entity: "organisation", id: "G2", outcome: "matched", onefileId: 240 }),
        expect.objectContaining({ entity: "officer", id: "O1", outcome: "create", onefileId: northAda.ID }),
      ]),
    );
    const stored = await world.run(Effect.flatMap(PicsRecords, (r) => r.getLearner("L1")));
    expect(stored).toMatchObject({ onefileId: learner.ID, onefileCentreId: OTHER_CENTRE });
  });
});
