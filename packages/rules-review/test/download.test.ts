/** REV-D1..4 in milliseconds: what a download plans from OneFile's reviews, against a fake OneFile view. */
import { it } from "@effect/vitest";
import { exchangeContext, fakeOneFileView, type FakeOneFile } from "@pics/core/testing";
import { Learner, Officer } from "@pics/pics-store";
import { Effect, Schema } from "effect";
import { describe, expect } from "vitest";
import { downloadReviews } from "../src/download.ts";

const officer = Schema.decodeUnknownSync(Officer)({ id: "O1", ident: "OFF-A", firstName: "Ann", surname: "A", onefileId: 130 });
const learner = Schema.decodeUnknownSync(Learner)({
  id: "L1",
  firstName: "Lea",
  surname: "Learner",
  onefileId: 150,
  reviews: [{ id: "R1", scheduledDate: "2026-07-01", startTime: "10:00", onefileSystemId: 500 }],
});

const contextWith = (onefile: FakeOneFile, downloadReviews = true) =>
  exchangeContext({
    learner,
    officers: [officer],
    view: fakeOneFileView(onefile),
    onefileLearner: 150,
    settings: { downloadReviews },
  });

const review = (fields: { ID: number } & Record<string, unknown>) => ({
  LearnerID: 150,
  AssessorID: null,
  VisitID: null,
  ScheduledFor: null,
  StartedOn: null,
  LearnerSignedOn: null,
  ...fields,
});

describe("downloadReviews", () => {
  it.effect("SET-5: with downloads off nothing is read or planned", () =>
    Effect.gen(function* () {
      const ctx = contextWith({}, false); // a read of OneFile's reviews would die naming itself
      yield* downloadReviews(ctx, new Set());
      expect(ctx.plan.steps).toEqual([]);
    }),
  );

  it.effect("REV-D1..4: a review OneFile started updates the PICS review it holds the id of (local date, assessor, signed)", () =>
    Effect.gen(function* () {
      const ctx = contextWith({
        reviews: {
          150: [review({ ID: 500, AssessorID: 130, StartedOn: "2026-07-01T23:30:00Z", LearnerSignedOn: "2026-07-02T08:00:00Z" })],
        },
      });
      yield* downloadReviews(ctx, new Set());
      expect(ctx.plan.steps.map((s) => s.write)).toEqual([
        {
          pics: {
            target: { entity: "review", learnerId: "L1", id: "R1" },
            // 23:30Z on 1 July is 2 July in London (BST).
            fields: { attended: "Yes", actualDate: "2026-07-02", officerId: "O1", traineeSignedDate: "2026-07-02" },
          },
        },
      ]);
    }),
  );

  it.effect("REV-D1: a OneFile review PICS has not got is added as OF-<id>, scheduled in local time", () =>
    Effect.gen(function* () {
      const ctx = contextWith({ reviews: { 150: [review({ ID: 501, VisitID: 77, ScheduledFor: "2026-07-10T09:00:00Z" })] } });
      yield* downloadReviews(ctx, new Set());
      expect(ctx.plan.steps.map((s) => s.write)).toEqual([
        {
          pics: {
            insert: {
              entity: "review",
              learnerId: "L1",
              record: {
                id: "OF-501",
                type: "Normal",
                scheduledDate: "2026-07-10",
                startTime: "10:00",
                officerId: null,
                attended: "Unknown",
                actualDate: null,
                traineeSignedDate: null,
                onefileSystemId: 501,
                onefileVisitId: 77,
              },
            },
          },
        },
      ]);
    }),
  );

  it.effect("REV-D2: a review not started leaves a blank attendance as it is; REV-D5: reviews just uploaded are skipped", () =>
    Effect.gen(function* () {
      const ctx = contextWith({
        reviews: { 150: [review({ ID: 500 }), review({ ID: 502, StartedOn: "2026-07-03T09:00:00Z" })] },
      });
      yield* downloadReviews(ctx, new Set([502]));
      expect(ctx.plan.steps).toEqual([]);
    }),
  );
});
