/**
 * Request bodies of the integration routes. The same Schemas validate requests and describe them
 * in `GET /openapi.json`. The PICS record Schemas live in @pics/pics-store (records.ts).
 */
import { OneFileId, PicsId } from "@pics/pics-store";
import { Schema } from "effect";

/** `POST /learners/:id/onefile/enrol` (ENR-2, ENR-6, ENR-7, JRN-3). */
export const EnrolBody = Schema.Struct({
  centreId: OneFileId,
  classroomId: Schema.optional(Schema.NullOr(OneFileId)),
  qualifications: Schema.optional(
    Schema.Record({
      key: PicsId,
      value: Schema.Struct({ centreId: Schema.optional(OneFileId), pathwayId: Schema.optional(OneFileId) }),
    }),
  ),
  dryRun: Schema.optional(Schema.Boolean),
});

/** `POST /onefile/reconciliations` (REC-1): one centre, or every centre when absent. */
export const ReconciliationBody = Schema.Struct({ centreId: Schema.optional(Schema.NullOr(OneFileId)) });

/** `POST /onefile/reconciliations/:runId/apply` (REC-2): the pairs to link by PICS learner; default every exact one. */
export const ApplyReconciliationBody = Schema.Struct({
  learnerIds: Schema.optional(Schema.Array(PicsId).pipe(Schema.maxItems(100_000))),
  dryRun: Schema.optional(Schema.Boolean),
});

/** `POST /onefile/enrolments[/preview]` (REC-3): a cohort enrolled in one centre. */
export const BatchEnrolBody = Schema.Struct({
  centreId: OneFileId,
  learnerIds: Schema.Array(PicsId).pipe(Schema.minItems(1), Schema.maxItems(10_000)),
  classroomId: Schema.optional(Schema.NullOr(OneFileId)),
  qualifications: Schema.optional(
    Schema.Record({
      key: PicsId,
      value: Schema.Record({
        key: PicsId,
        value: Schema.Struct({ centreId: Schema.optional(OneFileId), pathwayId: Schema.optional(OneFileId) }),
      }),
    }),
  ),
  dryRun: Schema.optional(Schema.Boolean),
});

/** `POST /learners/:id/onefile/link` (ENR-10). */
export const LinkBody = Schema.Struct({ onefileId: OneFileId });

/** `POST /sync/runs`: a full run now. */
export const StartRunBody = Schema.Struct({ dryRun: Schema.optional(Schema.Boolean) });

/** `POST /learners/:id/onefile/refresh` may also carry `{dryRun}` in its body. */
export const RefreshBody = Schema.Struct({ dryRun: Schema.optional(Schema.Boolean) });

/** Fields of a review the review routes never take: the OneFile exchange sets them (REV-U2). */
export const READ_ONLY_REVIEW_FIELDS = ["onefileSystemId", "onefileVisitId"] as const;
