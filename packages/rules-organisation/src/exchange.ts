/**
 * DEM-G1 / DEM-G2: organisation demographics for the learner's employer (ORG-1) when it is linked
 * to a OneFile placement — each organisation once per run. Address and postcode are push-only.
 */
import { diffDemographics, joinAddress, planDemographics, type ExchangeContext, type FieldPair } from "@pics/core";
import { Effect } from "effect";
import { employerOf } from "./placement-resolver.ts";

const ORGANISATION_FIELDS: ReadonlyArray<FieldPair> = [
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
    if (!organisation || organisation.onefileId === null || !ctx.once(`organisation:${organisation.id}`)) return;
    const placement = yield* ctx.view.placement(organisation.onefileId);
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
    const diff = diffDemographics(mode, picsSide, placement, ORGANISATION_FIELDS, {
      entity: "organisation",
      entityId: organisation.id,
      onefileId: organisation.onefileId,
      learnerId: null,
    });
    const placementId = organisation.onefileId;
    planDemographics(ctx.plan, diff, {
      onefile: (body) => ({ call: "updatePlacement", id: placementId, body }),
      pics: { entity: "organisation", id: organisation.id },
      label: `organisation ${organisation.id} (OneFile placement ${placementId})`,
    });
  });
