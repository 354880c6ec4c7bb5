/**
 * The two baselines the benchmark compares against, both planning with the same rules (so they make
 * the same changes) and differing only in how they read OneFile:
 *
 * - `record_at_a_time` — what PICSWeb describes: one learner at a time, each record read once on
 *   its own for the learner that needs it (its user record, its learning aims, its reviews, each
 *   officer's and placement's record, each MIS-reference search), nothing remembered from one
 *   learner to the next, no pacing and a whole window's pause on each 429 (the runner gives it an
 *   unpaced client).
 * - `per_learner` — a sensible per-learner client: one learner at a time, searches per learner,
 *   nothing listed centre-wide, each distinct record read once per run, paced like ours.
 */
import { makeOneFileView, type ExchangeStrategy, type OneFileView } from "@pics/core";
import type { OneFileClientShape } from "@pics/onefile-client";

const perRecordView = (client: OneFileClientShape): OneFileView => ({
  centres: client.searchCentres(),
  assessorsByMisId: (centreId, misId) => client.searchUsers({ OrganisationID: centreId, Role: 5, MISID: misId }),
  placementsByMisId: (centreId, misId) => client.searchPlacements({ OrganisationID: centreId, MISID: misId }),
  standards: (centreId) => client.searchStandards({ OrganisationID: centreId }),
  classrooms: (centreId) => client.searchClassrooms({ OrganisationID: centreId }),
  learnersBy: (centreId, field, value) => client.searchUsers({ OrganisationID: centreId, Role: 1, [field]: value }),
  user: (id) => client.getUser(id),
  placement: (id) => client.getPlacement(id),
  learningAims: (learnerId) => client.searchLearningAims({ UserID: learnerId }),
  reviews: (centreId, learnerId) => client.searchReviews({ OrganisationID: centreId, LearnerID: learnerId }),
  prime: () => undefined,
  forget: () => undefined,
});

/** Within one learner, a record is read once (the learner's plan reads its user record twice otherwise). */
const perLearnerOnce = (client: OneFileClientShape): OneFileView => {
  const plain = perRecordView(client);
  let view = makeOneFileView(client);
  return {
    ...view,
    // A new learner starts with nothing remembered: `forget` of its user record is the signal.
    forget: (key) => {
      if (key.kind === "user") view = makeOneFileView(client);
    },
    centres: plain.centres,
    assessorsByMisId: (c, m) => view.assessorsByMisId(c, m),
    placementsByMisId: (c, m) => view.placementsByMisId(c, m),
    standards: (c) => view.standards(c),
    classrooms: (c) => view.classrooms(c),
    learnersBy: (c, f, v) => view.learnersBy(c, f, v),
    user: (id) => view.user(id),
    placement: (id) => view.placement(id),
    learningAims: (id) => view.learningAims(id),
    reviews: (c, l) => view.reviews(c, l),
    prime: (key, value) => view.prime(key, value),
  };
};

export const recordAtATimeStrategy: ExchangeStrategy = {
  learnerConcurrency: 1,
  reads: "perLearner",
  batchSize: 200,
  makeView: perLearnerOnce,
};

export const perLearnerStrategy: ExchangeStrategy = {
  learnerConcurrency: 1,
  reads: "perLearner",
  batchSize: 200,
  makeView: makeOneFileView,
};
