/**
 * Reviews in the daily exchange: upload (REV-U1, REV-U2, SET-4) and download (REV-D1..5, SET-5),
 * through a refresh and a full run, against the sandbox and a real libSQL store.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  callsSince,
  changesOf,
  fullRun,
  learner,
  linkedWorld,
  OF,
  onefileNow,
  pair,
  refresh,
  writesIn,
} from "./exchange-support.ts";
import { CENTRE, OTHER_CENTRE, type World } from "./world.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const L1 = OF.learner(1);
const reviewsOf = (of: any, learnerId: number) => of.Reviews.filter((r: any) => r.LearnerID === learnerId);
const visitsOf = (of: any, learnerId: number) => of.Visits.filter((v: any) => v.LearnerID === learnerId);
const byId = <A extends { id: string }>(items: ReadonlyArray<A>, id: string) => items.find((i) => i.id === id);

/** An assessor in OneFile that no PICS officer is linked to. */
const stranger = {
  ID: 132,
  OrganisationID: CENTRE,
  Role: 5,
  FirstName: "Sam",
  LastName: "Stranger",
  Email: "sam@provider.test",
  MISID: "NOBODY",
};

describe("review upload (REV-U)", () => {
  it("REV-U1, REV-U2, SET-4: uploads only qualifying reviews: London times to UTC, end +1 h, the review's officer or the main officer, the visit type of SET-8", async () => {
    world = await linkedWorld({
      settings: { uploadReviews: true, visitTypeForUploadedReviews: "RemoteSession" },
      pairs: [
        pair(1, {
          pics: {
            mainOfficerId: "O1",
            reviews: [
              { id: "R1", type: "Normal", scheduledDate: "2026-07-01", startTime: "10:00", officerId: "O3" }, // summer time: 09:00Z
              { id: "R2", type: "Normal", scheduledDate: "2026-12-01", startTime: "14:30" }, // winter, no officer → main officer
              { id: "R3", type: "Normal", scheduledDate: "2026-12-02", startTime: "09:00", attended: "Unknown" }, // Unknown = not recorded
              { id: "X1", type: "Other", scheduledDate: "2026-12-03", startTime: "09:00" },
              {
                id: "X2",
                type: "Normal",
                scheduledDate: "2026-06-01",
                startTime: "09:00",
                attended: "Yes",
                actualDate: "2026-06-01",
              },
              { id: "X3", type: "Normal", scheduledDate: "2026-06-02", startTime: "09:00", attended: "No" },
              { id: "X4", type: "Normal", scheduledDate: "2026-06-03", startTime: "09:00", actualDate: "2026-06-03" },
              { id: "X5", type: "Normal", scheduledDate: "2026-06-04" },
              { id: "X6", type: "Normal", startTime: "09:00" },
              { id: "X7", type: "Normal", scheduledDate: "2026-06-05", startTime: "09:00", onefileSystemId: 9999 },
            ],
          },
        }),
      ],
    });

    const outcome = await world.run(refresh("L1"));

    expect(outcome.run.status).toBe("succeeded");
    const of = await onefileNow(world);
    const reviews = reviewsOf(of, L1);
    expect(reviews.map((r: any) => [r.ScheduledFor, r.EndTime, r.AssessorID, r.Status])).toEqual([
      ["2026-07-01T09:00:00.000Z", "2026-07-01T10:00:00.000Z", OF.cy, 1],
      ["2026-12-01T14:30:00.000Z", "2026-12-01T15:30:00.000Z", OF.ada, 1],
      ["2026-12-02T09:00:00.000Z", "2026-12-02T10:00:00.000Z", OF.ada, 1],
    ]);
    const visits = visitsOf(of, L1);
    expect(visits.map((v: any) => [v.DateFrom, v.DateTo, v.AssessorID, v.VisitTypeID, v.OrganisationID])).toEqual([
      ["2026-07-01T09:00:00.000Z", "2026-07-01T10:00:00.000Z", OF.cy, 2, CENTRE],
      ["2026-12-01T14:30:00.000Z", "2026-12-01T15:30:00.000Z", OF.ada, 2, CENTRE],
      ["2026-12-02T09:00:00.000Z", "2026-12-02T10:00:00.000Z", OF.ada, 2, CENTRE],
    ]);
    expect(reviews.map((r: any) => r.VisitID)).toEqual(visits.map((v: any) => v.ID));

    // The OneFile ids are stored on the PICS reviews; the others are untouched.
    const stored = (await world.run(learner("L1"))).reviews;
    for (const [id, index] of [
      ["R1", 0],
      ["R2", 1],
      ["R3", 2],
    ] as const) {
      expect(byId(stored, id)).toMatchObject({ onefileSystemId: reviews[index].ID, onefileVisitId: visits[index].ID });
    }
    for (const id of ["X1", "X2", "X3", "X4", "X5", "X6"]) expect(byId(stored, id)?.onefileSystemId).toBe(null);
    expect(byId(stored, "X7")?.onefileSystemId).toBe(9999);
    expect(
      outcome.changes.filter((c) => c.direction === "toOneFile" && c.field === "scheduledFor").map((c) => c.entityId),
    ).toEqual(["R1", "R2", "R3"]);

    // A second exchange uploads nothing more.
    const again = await world.run(refresh("L1"));
    expect(again.changes).toEqual([]);
    expect(reviewsOf(await onefileNow(world), L1)).toHaveLength(3);
  });
});

describe("review download (REV-D)", () => {
  it("REV-D1, REV-D2, REV-D3, REV-D4, SET-5: updates PICS reviews by OneFile system id, adds new ones, attended/actual date from 'started', officer by stored id, trainee signed", async () => {
    world = await linkedWorld({
      settings: { downloadReviews: true },
      users: [stranger],
      reviews: [
        // R1: started and signed (23:30Z in July is the next day in London); assessor = officer O3.
        {
          ID: 3001,
          LearnerID: L1,
          AssessorID: OF.cy,
          ScheduledFor: "2026-07-01T09:00:00Z",
          StartedOn: "2026-07-01T09:05:00Z",
          LearnerSignedOn: "2026-07-02T23:30:00Z",
        },
        // R2: not started → Unknown and a blank actual date; an assessor no officer is linked to → officer kept.
        { ID: 3002, LearnerID: L1, AssessorID: stranger.ID, ScheduledFor: "2026-08-01T13:00:00Z" },
        // New in OneFile: becomes a PICS review.
        { ID: 3003, LearnerID: L1, AssessorID: OF.ada, ScheduledFor: "2026-12-01T14:30:00Z", StartedOn: "2026-12-01T14:40:00Z" },
      ],
      pairs: [
        pair(1, {
          pics: {
            reviews: [
              { id: "R1", scheduledDate: "2026-07-01", startTime: "10:00", officerId: "O1", onefileSystemId: 3001 },
              {
                id: "R2",
                scheduledDate: "2026-08-01",
                startTime: "14:00",
                officerId: "O1",
                attended: "Yes",
                actualDate: "2026-08-01",
                onefileSystemId: 3002,
              },
              // REV-D5: a PICS review OneFile no longer has is never deleted.
              { id: "R9", scheduledDate: "2026-05-01", startTime: "10:00", officerId: "O1", onefileSystemId: 3999 },
            ],
          },
        }),
      ],
    });
    const onefileBefore = await world.onefileText();

    const outcome = await world.run(refresh("L1"));

    expect(outcome.run.status).toBe("succeeded");
    const reviews = (await world.run(learner("L1"))).reviews;
    expect(byId(reviews, "R1")).toMatchObject({
      attended: "Yes",
      actualDate: "2026-07-01",
      officerId: "O3",
      traineeSignedDate: "2026-07-03",
      scheduledDate: "2026-07-01",
      startTime: "10:00",
    });
    expect(byId(reviews, "R2")).toMatchObject({
      attended: "Unknown",
      actualDate: null,
      officerId: "O1",
      traineeSignedDate: null,
    });
    expect(byId(reviews, "OF-3003")).toMatchObject({
      type: "Normal",
      scheduledDate: "2026-12-01",
      startTime: "14:30",
      officerId: "O1",
      attended: "Yes",
      actualDate: "2026-12-01",
      onefileSystemId: 3003,
    });
    expect(byId(reviews, "R9")).toMatchObject({ onefileSystemId: 3999, officerId: "O1", attended: null });
    expect(reviews).toHaveLength(4);
    // Download only reads OneFile.
    expect(await world.onefileText()).toBe(onefileBefore);
    expect(outcome.changes.every((c) => c.direction === "toPics")).toBe(true);

    // Nothing left to do.
    expect((await world.run(refresh("L1"))).changes).toEqual([]);
  });

  it("REV-D3: with several centres the review's assessor is matched by Ident = MIS reference; unmatched leaves the officer as it was", async () => {
    const inOther = {
      ID: 135,
      OrganisationID: CENTRE,
      Role: 5,
      FirstName: "Bob",
      LastName: "Builder",
      Email: "bob@provider.test",
      MISID: "OFF-B",
    };
    world = await linkedWorld({
      secondCentre: true,
      settings: { downloadReviews: true },
      users: [inOther, stranger],
      reviews: [
        { ID: 3001, LearnerID: L1, AssessorID: inOther.ID, ScheduledFor: "2026-07-01T09:00:00Z" },
        { ID: 3002, LearnerID: L1, AssessorID: stranger.ID, ScheduledFor: "2026-07-02T09:00:00Z" },
      ],
      pairs: [
        pair(1, {
          pics: {
            reviews: [
              // O2 (OFF-B) has no stored OneFile id: only its Ident can match assessor 135.
              { id: "R1", scheduledDate: "2026-07-01", startTime: "10:00", officerId: "O3", onefileSystemId: 3001 },
              { id: "R2", scheduledDate: "2026-07-02", startTime: "10:00", officerId: "O3", onefileSystemId: 3002 },
            ],
          },
        }),
      ],
    });

    await world.run(refresh("L1"));

    const reviews = (await world.run(learner("L1"))).reviews;
    expect(byId(reviews, "R1")?.officerId).toBe("O2");
    expect(byId(reviews, "R2")?.officerId).toBe("O3");
    expect(OTHER_CENTRE).not.toBe(CENTRE);
  });

  it("REV-D5: uploads run before downloads in one exchange; the upload is not downloaded back; missing reviews are never deleted", async () => {
    world = await linkedWorld({
      settings: { uploadReviews: true, downloadReviews: true },
      reviews: [{ ID: 3003, LearnerID: L1, AssessorID: OF.ada, ScheduledFor: "2026-12-01T14:30:00Z" }],
      pairs: [
        pair(1, {
          pics: {
            reviews: [
              { id: "R1", scheduledDate: "2026-11-10", startTime: "11:00", officerId: "O1" },
              { id: "R9", scheduledDate: "2026-05-01", startTime: "10:00", officerId: "O1", onefileSystemId: 3999 },
            ],
          },
        }),
      ],
    });

    // Through a full run, so the reviews come from the centre-wide listing.
    const run = await world.run(fullRun());

    expect(run.status).toBe("succeeded");
    const changes = await world.run(changesOf(run.id));
    const firstDownload = changes.findIndex((c) => c.entityId === "OF-3003");
    const lastUpload = changes.map((c) => c.direction === "toOneFile" && c.entityId === "R1").lastIndexOf(true);
    expect(lastUpload).toBeGreaterThanOrEqual(0);
    expect(firstDownload).toBeGreaterThan(lastUpload);

    const of = await onefileNow(world);
    const reviews = (await world.run(learner("L1"))).reviews;
    const uploaded = reviewsOf(of, L1).find((r: any) => r.ScheduledFor === "2026-11-10T11:00:00.000Z");
    expect(byId(reviews, "R1")?.onefileSystemId).toBe(uploaded.ID);
    expect(reviews.map((r) => r.id).sort()).toEqual(["OF-3003", "R1", "R9"]);
    expect(reviewsOf(of, L1)).toHaveLength(2);

    const second = await world.run(fullRun());
    expect(await world.run(changesOf(second.id))).toEqual([]);
    expect((await world.run(learner("L1"))).reviews).toHaveLength(3);
  });

  it("SET-4, SET-5: with upload and download off, reviews are neither uploaded nor downloaded (no review call at all)", async () => {
    world = await linkedWorld({
      reviews: [
        { ID: 3003, LearnerID: L1, AssessorID: OF.ada, ScheduledFor: "2026-12-01T14:30:00Z", StartedOn: "2026-12-01T14:40:00Z" },
      ],
      pairs: [pair(1, { pics: { reviews: [{ id: "R1", scheduledDate: "2026-11-10", startTime: "11:00", officerId: "O1" }] } })],
    });
    const [picsBefore, onefileBefore] = [await world.picsDump(), await world.onefileText()];

    const refreshed = await world.run(refresh("L1"));
    const run = await world.run(fullRun());

    expect(refreshed.changes).toEqual([]);
    expect(await world.run(changesOf(run.id))).toEqual([]);
    expect(await world.picsDump()).toBe(picsBefore);
    expect(await world.onefileText()).toBe(onefileBefore);
    const calls = await callsSince(world);
    expect(calls.filter((c: any) => /Review|Visit/.test(c.endpoint))).toEqual([]);
    expect(writesIn(calls)).toEqual([]);
  });

  it("JRN-4: with rules-review disabled the exchange neither uploads nor downloads reviews, whatever SET-4 and SET-5 say", async () => {
    world = await linkedWorld({
      rules: "officer,organisation,learner",
      settings: { uploadReviews: true, downloadReviews: true },
      reviews: [{ ID: 3003, LearnerID: L1, AssessorID: OF.ada, ScheduledFor: "2026-12-01T14:30:00Z" }],
      pairs: [pair(1, { pics: { reviews: [{ id: "R1", scheduledDate: "2026-11-10", startTime: "11:00", officerId: "O1" }] } })],
    });
    const [picsBefore, onefileBefore] = [await world.picsDump(), await world.onefileText()];

    const run = await world.run(fullRun());

    expect(run.status).toBe("succeeded");
    expect(await world.run(changesOf(run.id))).toEqual([]);
    expect(await world.picsDump()).toBe(picsBefore);
    expect(await world.onefileText()).toBe(onefileBefore);
    expect((await callsSince(world)).filter((c: any) => /Review|Visit/.test(c.endpoint))).toEqual([]);
  });
});
