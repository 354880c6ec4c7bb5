/**
 * REV-D1..4: every OneFile review of the learner updates the PICS review with its OneFile system
 * id, or becomes a new PICS review. Runs after the uploads of the same exchange (REV-D5); PICS
 * reviews missing from OneFile are never deleted.
 */
import { instantToLocalDate, utcToLocal, type ChangeTemplate, type ExchangeContext } from "@pics/core";
import type { Review as OneFileReview } from "@pics/onefile-client";
import type { Review } from "@pics/pics-store";
import { Effect } from "effect";

/** The PICS fields a OneFile review dictates (REV-D2..4). */
const downloaded = (ctx: ExchangeContext, review: OneFileReview, current: Review | undefined) => {
  const zone = ctx.settings.dailySync.timeZone;
  const fields: { -readonly [K in keyof Review]?: Review[K] } = {};
  // REV-D2: a "review started" date means it took place.
  fields.attended = review.StartedOn ? "Yes" : "Unknown";
  fields.actualDate = review.StartedOn ? instantToLocalDate(review.StartedOn, zone) : null;
  // REV-D3: the assessor matched to a PICS officer, by stored OneFile id, or by Ident with several centres.
  const officer = ctx.multipleCentres
    ? undefined
    : review.AssessorID === null
      ? undefined
      : ctx.officerDirectory.byOnefileId(review.AssessorID);
  if (officer) fields.officerId = officer.id;
  // REV-D4: the learner-signed date; never replaced by a blank.
  if (review.LearnerSignedOn) fields.traineeSignedDate = instantToLocalDate(review.LearnerSignedOn, zone);
  if (!current && review.ScheduledFor) {
    const local = utcToLocal(review.ScheduledFor, zone);
    fields.scheduledDate = local.date;
    fields.startTime = local.time;
  }
  return fields;
};

export const downloadReviews = (ctx: ExchangeContext, uploadedOneFileIds: ReadonlySet<number>) =>
  Effect.gen(function* () {
    if (!ctx.settings.downloadReviews) return;
    const { learner, plan } = ctx;
    const reviews = yield* ctx.view.reviews(ctx.centreId, ctx.onefileLearner);
    for (const review of reviews) {
      if (uploadedOneFileIds.has(review.ID)) continue;
      const current = learner.reviews.find((r) => r.onefileSystemId === review.ID);
      const fields = downloaded(ctx, review, current);
      // With several centres the assessor is matched by Ident = its MIS reference (needs its record).
      if (ctx.multipleCentres && review.AssessorID !== null) {
        const assessor = yield* ctx.view.user(review.AssessorID);
        const officer = assessor.MISID ? ctx.officerDirectory.byIdent(assessor.MISID) : undefined;
        if (officer) fields.officerId = officer.id;
      }
      if (current) {
        // Blank and Unknown both mean "no attendance recorded" (REV-U1): not a change.
        const unchanged = (key: string, value: unknown) =>
          current[key as keyof Review] === value || (key === "attended" && value === "Unknown" && current.attended === null);
        const changed = Object.entries(fields).filter(([key, value]) => !unchanged(key, value));
        if (changed.length === 0) continue;
        plan.add({
          description: `update review ${current.id} from OneFile review ${review.ID}`,
          write: {
            pics: { target: { entity: "review", learnerId: learner.id, id: current.id }, fields: Object.fromEntries(changed) },
          },
          journal: changed.map(([field, after]): ChangeTemplate => ({
            entity: "review",
            entityId: current.id,
            field,
            before: current[field as keyof Review] ?? null,
            after,
            direction: "toPics",
            onefileId: review.ID,
          })),
        });
      } else {
        const id = `OF-${review.ID}`;
        const record: Review = {
          id,
          type: "Normal",
          scheduledDate: null,
          startTime: null,
          officerId: null,
          attended: null,
          actualDate: null,
          traineeSignedDate: null,
          onefileSystemId: review.ID,
          onefileVisitId: review.VisitID,
          ...fields,
        };
        plan.add({
          description: `add review ${id} for OneFile review ${review.ID}`,
          write: { pics: { insert: { entity: "review", learnerId: learner.id, record } } },
          journal: Object.entries(record)
            .filter(([, value]) => value !== null)
            .map(([field, after]): ChangeTemplate => ({
              entity: "review",
              entityId: id,
              field,
              before: null,
              after,
              direction: "toPics",
              onefileId: review.ID,
            })),
        });
      }
    }
  });
