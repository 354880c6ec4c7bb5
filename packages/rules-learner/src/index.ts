/**
 * rules-learner: enrolment of the learner with its qualifications and additional assessors
 * (ENR-3..8), and, in the daily exchange, progression (PRG), learner demographics (DEM-L) and the
 * main officer / employer push flags (DEM-M). See README.md for the rules in plain words.
 */
import type { RulePackage } from "@pics/core";
import { enrolLearner } from "./enrolment.ts";
import { exchangeLearner } from "./exchange.ts";

export { learnerFields } from "./enrolment.ts";
export { progression } from "./exchange.ts";

export const learnerRules: RulePackage = {
  name: "learner",
  needs: ["officer", "organisation"],
  reads: [
    "classroomFromMainTag",
    "additionalAssessorTypes",
    "multipleCentres",
    "learnerDemographicsMode",
    "pushMainOfficerChanges",
    "pushEmployerChanges",
  ],
  enrolment: enrolLearner,
  exchange: exchangeLearner,
};
