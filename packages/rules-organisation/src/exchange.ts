/**
 * DEM-G1 / DEM-G2: organisation demographics for the learner's employer (ORG-1) when it is linked
 * to a OneFile placement — each organisation once per run. Address and postcode are push-only.
 */
import {
  diffDemographics,
  joinAddress,
  linkedOnefileIds,
  planDemographics,
  type ExchangeContext,
  type FieldPair,
} from "@pics/core";
import type { PlacementChanges } from "@pics/onefile-client";
import { Effect } from "effect";
import { employerOf } from "./placement-resolver.ts";

const ORGANISATION_FIELDS: ReadonlyArray<FieldPair<PlacementChanges>> = [
  { pics: "name", onefile: "Name" },
  { pics: "phone", onefile: "Telephone" },
  { pics: "email", onefile: "Email" },
  { pics: "website", onefile: "Web" },
  { pics: "address", onefile: "Address", pushOnly: true },
];

export const exchangeOrganisation = (ctx: ExchangeContext) =>
  Effect.gen(function* () {
    const mode = ctx.settings.organisationDemographicsMode;
    if (mode === "Ignore") return;
    const employerId = employerOf(ctx.learner);
    const organisation = employerId === null ? undefined : ctx.organisations.get(employerId);
    if (!organisation) return;
    // ORG-5: with several centres, to each linked placement; a pull reads the first only (D36).
    const placements = linkedOnefileIds(organisation, ctx.multipleCentres);
    if (placements.length === 0 || !ctx.once(`organisation:${organisation.id}`)) return;
    const picsSide = {
      ...organisation,
      address: joinAddress([
        organisation.address1,
        organisation.address2,
        organisation.address3,
        organisation.address4,
        organisation.postcode,
      ]),
    };
    for (const [index, placementId] of placements.entries()) {
      const placement = yield* ctx.view.placement(placementId);
      const diff = diffDemographics(mode, picsSide, placement, ORGANISATION_FIELDS, {
        entity: "organisation",
        entityId: organisation.id,
        onefileId: placementId,
        learnerId: null,
      });
      planDemographics(
        ctx.plan,
        index === 0 ? diff : { ...diff, toPics: {}, journal: diff.journal.filter((j) => j.direction === "toOneFile") },
        {
          onefile: (body) => ({ call: "updatePlacement", id: placementId, body }),
          pics: { entity: "organisation", id: organisation.id },
          label: `organisation ${organisation.id} (OneFile placement ${placementId})`,
        },
      );
    }
  });
