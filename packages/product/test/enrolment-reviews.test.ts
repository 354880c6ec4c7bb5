/**
 * Reviews uploaded at enrolment (ENR-11) by the review rules (REV-U1, REV-U2).
 */
import { Enrolment, type EnrolmentRequest } from "@pics/core";
import { PicsRecords } from "@pics/pics-store";
import { Effect } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { CENTRE, customerOf, openWorld, picsDocument, type World } from "./world.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const enrol = (request: Partial<EnrolmentRequest> = {}) =>
  Effect.flatMap(Enrolment, (e) => e.enrol({ learnerId: "L1", centreId: CENTRE, classroomId: 110, ...request }));

const reviews = [
  { id: "R1", type: "Normal", scheduledDate: "2026-07-01", startTime: "10:00", officerId: "O1" }, // BST: 09:00Z
  { id: "R2", type: "Normal", scheduledDate: "2026-12-01", startTime: "14:30", attended: "Unknown" }, // GMT, no officer
  { id: "R3", type: "Other", scheduledDate: "2026-12-02", startTime: "09:00" }, // not Normal
  { id: "R4", type: "Normal", scheduledDate: "2026-06-01", startTime: "09:00", attended: "Yes", actualDate: "2026-06-01" }, // attended
  { id: "R5", type: "Normal", scheduledDate: "2026-12-03" }, // no start time
  { id: "R6", type: "Normal", scheduledDate: "2026-12-04", startTime: "09:00", attended: "No" }, // attendance recorded
  { id: "R7", type: "Normal", scheduledDate: "2026-12-05", startTime: "09:00", actualDate: "2026-12-05" }, // has an actual date
  { id: "R8", type: "Normal", scheduledDate: "2026-12-06", startTime: "09:00", onefileSystemId: 9999 }, // already in OneFile
];

describe("reviews at enrolment", () => {
  it("ENR-11, REV-U1, REV-U2: with SET-4 on, only qualifying reviews are uploaded: start in local time as UTC, end = start + 1 h, the review's officer or else the main officer, the visit type of SET-8 mapped by visitTypeIds; the OneFile ids are stored on the PICS review", async () => {
    world = await openWorld({
      pics: picsDocument({ reviews }),
      settings: {
        uploadReviews: true,
        visitTypeForUploadedReviews: "RemoteSession",
        visitTypeIds: { NotSpecified: 3, RemoteSession: 22, FaceToFace: 1 },
      },
    });
    const result = await world.run(enrol());
    const of = customerOf(await world.onefile());
    const learnerId = result.onefileLearnerId;
    const bob = of.Users.find((u: any) => u.MISID === "OFF-B"); // O2, the main officer, created

    const uploaded = of.Reviews.filter((r: any) => r.LearnerID === learnerId);
    expect(uploaded).toHaveLength(2);
    const r1 = uploaded.find((r: any) => r.ScheduledFor === "2026-07-01T09:00:00.000Z");
    const r2 = uploaded.find((r: any) => r.ScheduledFor === "2026-12-01T14:30:00.000Z");
    expect(r1).toMatchObject({ AssessorID: 130, EndTime: "2026-07-01T10:00:00.000Z", Status: 1 });
    expect(r2).toMatchObject({ AssessorID: bob.ID, EndTime: "2026-12-01T15:30:00.000Z", Status: 1 });

    const visits = of.Visits.filter((v: any) => v.LearnerID === learnerId);
    expect(visits).toHaveLength(2);
    const v1 = visits.find((v: any) => v.ID === r1.VisitID);
    expect(v1).toMatchObject({
      OrganisationID: CENTRE,
      AssessorID: 130,
      DateFrom: "2026-07-01T09:00:00.000Z",
      DateTo: "2026-07-01T10:00:00.000Z",
      VisitTypeID: 22,
    });
    expect(visits.find((v: any) => v.ID === r2.VisitID)).toMatchObject({ AssessorID: bob.ID, VisitTypeID: 22 });

    const stored = await world.run(Effect.flatMap(PicsRecords, (r) => r.getLearner("L1")));
    const byId = new Map(stored.reviews.map((r) => [r.id, r]));
    expect(byId.get("R1")).toMatchObject({ onefileSystemId: r1.ID, onefileVisitId: r1.VisitID });
    expect(byId.get("R2")).toMatchObject({ onefileSystemId: r2.ID, onefileVisitId: r2.VisitID });
    for (const id of ["R3", "R4", "R5", "R6", "R7"]) expect(byId.get(id)?.onefileSystemId).toBe(null);
    expect(byId.get("R8")?.onefileSystemId).toBe(9999);
    expect(result.items.filter((i) => i.entity === "review").map((i) => [i.id, i.outcome])).toEqual([
      ["R1", "upload"],
      ["R2", "upload"],
    ]);
  });

  it("ENR-11, SET-4: with uploadReviews off no review is uploaded at enrolment", async () => {
    world = await openWorld({ pics: picsDocument({ reviews }) });
    const result = await world.run(enrol());
    const of = customerOf(await world.onefile());
    expect(of.Reviews ?? []).toEqual([]);
    expect(of.Visits ?? []).toEqual([]);
    expect(result.items.filter((i) => i.entity === "review")).toEqual([]);
  });
});
