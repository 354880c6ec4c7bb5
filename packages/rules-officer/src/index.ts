/**
 * rules-officer: PICS officers → OneFile assessors (OFF-1..5), and officer demographics (DEM-O1).
 * Provides the AssessorResolver other packages use; see README.md for the rules in plain words.
 */
import { AssessorResolver, type RulePackage } from "@pics/core";
import { Layer } from "effect";
import { resolveAssessor } from "./assessor-resolver.ts";
import { exchangeOfficers } from "./exchange.ts";

export const officerRules: RulePackage = {
  name: "officer",
  needs: [],
  reads: ["multipleCentres", "officerDemographicsMode"],
  provides: Layer.succeed(AssessorResolver, { resolve: resolveAssessor }),
  exchange: exchangeOfficers,
};
