/**
 * The PICS side of one learner's snapshot: the officers and organisations it refers to (main
 * officer, learner officers, qualification assessors, review officers, placement organisations),
 * read in two queries. Enrolment and the exchange plan from the same picture.
 */
import type { Learner, Officer, Organisation, PicsRecordsShape } from "@pics/pics-store";
import { Effect } from "effect";

export const referencedIds = (learner: Learner) => ({
  officers: [
    ...new Set(
      [
        learner.mainOfficerId,
        ...learner.officers.map((o) => o.officerId),
        ...learner.qualifications.map((q) => q.assessorId),
        ...learner.reviews.map((r) => r.officerId),
      ].filter((id): id is string => id !== null),
    ),
  ],
  organisations: [...new Set(learner.placements.map((p) => p.organisationId))],
});

export const readReferenced = (records: PicsRecordsShape, learner: Learner) =>
  Effect.gen(function* () {
    const ids = referencedIds(learner);
    const officers: ReadonlyMap<string, Officer> = new Map((yield* records.getOfficers(ids.officers)).map((o) => [o.id, o]));
    const organisations: ReadonlyMap<string, Organisation> = new Map(
      (yield* records.getOrganisations(ids.organisations)).map((o) => [o.id, o]),
    );
    return { officers, organisations };
  });
