/**
 * REV-U1/U2: new PICS reviews go to OneFile as a visit and a review, each create recorded as
 * intended first (ENR-13). Used at enrolment (ENR-11) and at every exchange.
 */
import { AssessorResolver, localToUtc, THIS_STEP, type IdOrRef, type PlanningContext } from "@pics/core";
import type { Review } from "@pics/pics-store";
import { Effect } from "effect";

/** REV-U1: a Normal review with a scheduled date and start time, not attended, not yet in OneFile. */
export const qualifiesForUpload = (review: Review): boolean =>
  review.type === "Normal" &&
  review.scheduledDate !== null &&
  review.startTime !== null &&
  (review.attended === null || review.attended === "Unknown") &&
  review.actualDate === null &&
  review.onefileSystemId === null;

const ONE_HOUR_MS = 60 * 60 * 1000;

/**
 * Plans the upload of every qualifying review of the learner (only with SET-4 on). Returns the
 * OneFile reviews found already there (a lost answer, ENR-13), which a download must not re-add.
 */
export const uploadReviews = (ctx: PlanningContext & { readonly onefileLearner: IdOrRef | null }) =>
  Effect.gen(function* () {
    const matched = new Set<number>();
    if (!ctx.settings.uploadReviews || ctx.onefileLearner === null) return matched;
    const assessors = yield* AssessorResolver;
    const { learner, plan, settings } = ctx;
    const learnerRef = ctx.onefileLearner;
    const timeZone = settings.dailySync.timeZone;
    // After a crash the review may already be in OneFile: look among the learner's own reviews.
    const existing = typeof learnerRef === "number" ? yield* ctx.view.reviews(ctx.centreId, learnerRef) : [];
    // A OneFile review already stored on a PICS review, or found again for one in this plan, is
    // that review's: never claim it for another one at the same time (ENR-13).
    const claimed = new Set(learner.reviews.flatMap((r) => (r.onefileSystemId === null ? [] : [r.onefileSystemId])));

    for (const review of learner.reviews.filter(qualifiesForUpload)) {
      const officerId = review.officerId ?? learner.mainOfficerId;
      if (officerId === null) {
        plan.block({
          code: "review_without_officer",
          message: `review "${review.id}" has no officer and the learner no main officer`,
          entity: "review",
          entityId: review.id,
        });
        continue;
      }
      const assessor = yield* assessors.resolve(ctx, officerId, `officer of review ${review.id}`);
      if (assessor === null) continue;
      const scheduledFor = localToUtc(review.scheduledDate!, review.startTime!, timeZone);
      const endTime = new Date(Date.parse(scheduledFor) + ONE_HOUR_MS).toISOString();

      // An assessor still to be created cannot have a review in OneFile yet.
      const found = existing.find(
        (r) => !claimed.has(r.ID) && r.ScheduledFor === scheduledFor && typeof assessor === "number" && r.AssessorID === assessor,
      );
      if (found) {
        claimed.add(found.ID);
        plan.add({
          description: `store the OneFile review ${found.ID} found for review ${review.id}`,
          write: {
            pics: {
              target: { entity: "review", learnerId: learner.id, id: review.id },
              fields: { onefileSystemId: found.ID, onefileVisitId: found.VisitID },
            },
          },
          journal: [
            {
              entity: "review",
              entityId: review.id,
              field: "onefileSystemId",
              before: null,
              after: found.ID,
              direction: "toPics",
              onefileId: found.ID,
            },
          ],
        });
        ctx.report.items.push({ entity: "review", id: review.id, outcome: "matched", onefileId: found.ID });
        matched.add(found.ID);
        continue;
      }

      const visitTypeId = settings.visitTypeIds[settings.visitTypeForUploadedReviews];
      // A visit created by an earlier attempt whose review create failed is reused, never made again.
      const visit =
        review.onefileVisitId ??
        plan.add({
          description: `create OneFile visit for review ${review.id}`,
          write: {
            onefile: {
              call: "createVisit",
              body: {
                LearnerID: learnerRef,
                OrganisationID: ctx.centreId,
                AssessorID: assessor,
                DateFrom: scheduledFor,
                DateTo: endTime,
                VisitTypeID: visitTypeId,
                SMSReminder: false,
              },
            },
          },
          intent: { key: `visit:${learner.id}/${review.id}`, ifAnswerLost: "orphan" },
          journal: [
            {
              entity: "review",
              entityId: review.id,
              field: "onefileVisit",
              before: null,
              after: scheduledFor,
              direction: "toOneFile",
              onefileId: THIS_STEP,
            },
          ],
        });
      if (review.onefileVisitId === null) {
        // Stored at once, before the review is created, so a failure between the two loses nothing.
        plan.add({
          description: `store the OneFile visit on review ${review.id}`,
          write: {
            pics: { target: { entity: "review", learnerId: learner.id, id: review.id }, fields: { onefileVisitId: visit } },
          },
          journal: [
            {
              entity: "review",
              entityId: review.id,
              field: "onefileVisitId",
              before: null,
              after: visit,
              direction: "toPics",
              onefileId: visit,
            },
          ],
        });
      }
      const created = plan.add({
        description: `create OneFile review for review ${review.id}`,
        write: {
          onefile: {
            call: "createReview",
            body: {
              LearnerID: learnerRef,
              AssessorID: assessor,
              Status: 1,
              ScheduledFor: scheduledFor,
              EndTime: endTime,
              VisitID: visit,
            },
          },
        },
        intent: { key: `review:${learner.id}/${review.id}`, ifAnswerLost: "lookup" },
        journal: [
          {
            entity: "review",
            entityId: review.id,
            field: "scheduledFor",
            before: null,
            after: scheduledFor,
            direction: "toOneFile",
            onefileId: THIS_STEP,
          },
          {
            entity: "review",
            entityId: review.id,
            field: "endTime",
            before: null,
            after: endTime,
            direction: "toOneFile",
            onefileId: THIS_STEP,
          },
          {
            entity: "review",
            entityId: review.id,
            field: "assessor",
            before: null,
            after: assessor,
            direction: "toOneFile",
            onefileId: THIS_STEP,
          },
          {
            entity: "review",
            entityId: review.id,
            field: "visitTypeId",
            before: null,
            after: visitTypeId,
            direction: "toOneFile",
            onefileId: THIS_STEP,
          },
        ],
      });
      plan.add({
        description: `store the OneFile review on review ${review.id}`,
        write: {
          pics: {
            target: { entity: "review", learnerId: learner.id, id: review.id },
            fields: { onefileSystemId: created },
          },
        },
        journal: [
          {
            entity: "review",
            entityId: review.id,
            field: "onefileSystemId",
            before: null,
            after: created,
            direction: "toPics",
            onefileId: created,
          },
        ],
      });
      ctx.report.items.push({
        entity: "review",
        id: review.id,
        outcome: "upload",
        onefileId: created,
        detail: { scheduledFor, officerId },
      });
    }
    return matched;
  });
