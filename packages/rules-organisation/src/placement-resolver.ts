/**
 * ORG-1..4: which organisation is the learner's employer, and the OneFile placement for it — the
 * stored id, a match by MIS reference (the organisation's Ident code), or a new placement.
 */
import { linkInCentre, storeLinkStep, THIS_STEP, withMisReference, type IdOrRef, type PlanningContext } from "@pics/core";
import type { Learner } from "@pics/pics-store";
import { Effect } from "effect";

/**
 * ORG-1: the learner's most recent placement of type P, or with none of type P the most recent of
 * any type; most recent = latest start date, ties broken by the latest created. PicsRecords lists a
 * learner's placements in creation order, so among equal start dates the last one listed wins.
 */
export const employerOf = (learner: Learner): string | null => {
  const latest = (placements: Learner["placements"]) =>
    placements.reduce<Learner["placements"][number] | undefined>(
      (best, p) => (best === undefined || p.startDate >= best.startDate ? p : best),
      undefined,
    );
  const chosen = latest(learner.placements.filter((p) => p.type === "P")) ?? latest(learner.placements);
  return chosen?.organisationId ?? null;
};

/** ORG-2..4: the OneFile placement for one organisation, matched or planned for creation. */
export const resolvePlacement = (ctx: PlanningContext, organisationId: string) =>
  Effect.gen(function* () {
    const key = `placement:${organisationId}`;
    const known = ctx.plan.recall<IdOrRef | null>(key);
    if (known !== undefined) return known;
    const remember = (value: IdOrRef | null, outcome: string, detail: Record<string, unknown> = {}) => {
      ctx.report.items.push({ entity: "organisation", id: organisationId, outcome, onefileId: value, detail });
      return ctx.plan.remember(key, value);
    };

    const organisation = ctx.organisations.get(organisationId);
    if (!organisation) {
      ctx.plan.block({
        code: "unknown_organisation",
        message: `organisation "${organisationId}" does not exist in PICS`,
        entity: "organisation",
        entityId: organisationId,
      });
      return remember(null, "blocked");
    }
    if (!ctx.multipleCentres && organisation.onefileId !== null)
      return remember(organisation.onefileId, "matched", { by: "stored OneFile id" });
    // ORG-5, ORG-6: with several centres, the organisation's link in this centre.
    const centreLink = ctx.multipleCentres ? linkInCentre(organisation, ctx.centreId) : null;
    if (centreLink !== null) return remember(centreLink, "matched", { by: "link in this centre" });

    const misId = organisation.ident;
    const candidates = withMisReference(yield* ctx.view.placementsByMisId(ctx.centreId, misId), misId);
    if (candidates.length > 1) {
      ctx.plan.block({
        code: "ambiguous_placement",
        message: `organisation "${organisationId}": ${candidates.length} OneFile placements have MIS reference "${misId}" (${candidates
          .map((c) => c.ID)
          .join(", ")}); keep one, or link the organisation by OneFile id`,
        entity: "organisation",
        entityId: organisationId,
        details: { misId, candidates: candidates.map((c) => c.ID) },
      });
      return remember(null, "blocked");
    }
    const match = candidates[0];
    if (match) {
      if (ctx.multipleCentres || organisation.onefileId !== match.ID)
        ctx.plan.add(
          storeLinkStep(
            "organisation",
            organisation,
            ctx.centreId,
            ctx.multipleCentres,
            match.ID,
            `store OneFile placement ${match.ID} on organisation ${organisationId}`,
          ),
        );
      return remember(match.ID, "matched", { by: "MIS reference", misId });
    }

    // ORG-4: create with the name and the MIS reference only.
    const created = ctx.plan.add({
      description: `create OneFile placement for organisation ${organisationId}`,
      write: {
        onefile: { call: "createPlacement", body: { OrganisationID: ctx.centreId, Name: organisation.name, MISID: misId } },
      },
      intent: { key: `placement:${organisationId}@${ctx.centreId}`, ifAnswerLost: "lookup" },
      journal: [
        {
          entity: "organisation",
          entityId: organisationId,
          field: "onefilePlacement",
          before: null,
          after: THIS_STEP,
          direction: "toOneFile",
          onefileId: THIS_STEP,
        },
      ],
    });
    ctx.plan.add(
      storeLinkStep(
        "organisation",
        organisation,
        ctx.centreId,
        ctx.multipleCentres,
        created,
        `store the new OneFile placement on organisation ${organisationId}`,
      ),
    );
    return remember(created, "create", { misId });
  });
