/**
 * rules-organisation: PICS organisations → OneFile placements (ORG-1..4), and organisation
 * demographics (DEM-G1, DEM-G2). Provides the PlacementResolver; see README.md.
 */
import { PlacementResolver, type RulePackage } from "@pics/core";
import { Layer } from "effect";
import { exchangeOrganisation } from "./exchange.ts";
import { employerOf, resolvePlacement } from "./placement-resolver.ts";

export { employerOf } from "./placement-resolver.ts";

export const organisationRules: RulePackage = {
  name: "organisation",
  needs: [],
  reads: ["multipleCentres", "organisationDemographicsMode"],
  provides: Layer.succeed(PlacementResolver, { resolve: resolvePlacement, employerOf }),
  exchange: exchangeOrganisation,
};
