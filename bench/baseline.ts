/**
 * The baseline the benchmark compares against: what PICSWeb describes — one learner at a time,
 * every record read on its own (a learner's learning aims and reviews fetched one by one), nothing
 * remembered between reads, and a whole window's pause on each 429 (the client without pacing).
 */
import type { ExchangeStrategy, OneFileView } from "@pics/core";
import type { OneFileClientShape } from "@pics/onefile-client";
import { Effect } from "effect";

const perRecordView = (client: OneFileClientShape): OneFileView => ({
  centres: client.searchCentres(),
  assessorsByMisId: (centreId, misId) => client.searchUsers({ OrganisationID: centreId, Role: 5, MISID: misId }),
  placementsByMisId: (centreId, misId) => client.searchPlacements({ OrganisationID: centreId, MISID: misId }),
  standards: (centreId) => client.searchStandards({ OrganisationID: centreId }),
  classrooms: (centreId) => client.searchClassrooms({ OrganisationID: centreId }),
  learnersBy: (centreId, field, value) => client.searchUsers({ OrganisationID: centreId, Role: 1, [field]: value }),
  user: (id) => client.getUser(id),
  placement: (id) => client.getPlacement(id),
  learningAims: (learnerId) =>
    Effect.flatMap(client.searchLearningAims({ UserID: learnerId }), (rows) =>
      Effect.forEach(rows, (row) => client.getLearningAim(row.ID)),
    ),
  reviews: (centreId, learnerId) =>
    Effect.flatMap(client.searchReviews({ OrganisationID: centreId, LearnerID: learnerId }), (rows) =>
      Effect.forEach(rows, (row) => client.getReview(row.ID)),
    ),
  prime: () => undefined,
  forget: () => undefined,
});

export const baselineStrategy: ExchangeStrategy = {
  learnerConcurrency: 1,
  reads: "perLearner",
  batchSize: 200,
  makeView: perRecordView,
};
