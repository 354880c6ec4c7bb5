/**
 * OFF-2..5: the OneFile assessor for a PICS officer — the stored id, a match by MIS reference
 * (the officer's Ident code), or a new assessor; two matches block, never a guess.
 */
import { linkInCentre, storeLinkStep, THIS_STEP, withMisReference, type IdOrRef, type PlanningContext } from "@pics/core";
import { Roles } from "@pics/onefile-client";
import { Effect } from "effect";

/** OFF-2..5: the OneFile assessor for one officer, matched or planned for creation. */
export const resolveAssessor = (ctx: PlanningContext, officerId: string, why: string) =>
  Effect.gen(function* () {
    const key = `assessor:${officerId}`;
    const known = ctx.plan.recall<IdOrRef | null>(key);
    const item = ctx.report.items.find((i) => i.entity === "officer" && i.id === officerId);
    if (known !== undefined) {
      if (item) (item.detail as { roles: Array<string> }).roles.push(why);
      return known;
    }
    const remember = (value: IdOrRef | null, outcome: string, detail: Record<string, unknown> = {}) => {
      ctx.report.items.push({ entity: "officer", id: officerId, outcome, onefileId: value, detail: { roles: [why], ...detail } });
      return ctx.plan.remember(key, value);
    };

    const officer = ctx.officers.get(officerId);
    if (!officer) {
      ctx.plan.block({
        code: "unknown_officer",
        message: `officer "${officerId}" (${why}) does not exist in PICS`,
        entity: "officer",
        entityId: officerId,
      });
      return remember(null, "blocked");
    }
    // OFF-2: in a single centre a stored OneFile id is used as it is. OFF-3: not with several centres.
    if (!ctx.multipleCentres && officer.onefileId !== null)
      return remember(officer.onefileId, "matched", { by: "stored OneFile id" });
    // OFF-6, OFF-7: with several centres, the officer's link in this centre (matched before, or by hand).
    const centreLink = ctx.multipleCentres ? linkInCentre(officer, ctx.centreId) : null;
    if (centreLink !== null) return remember(centreLink, "matched", { by: "link in this centre" });

    const misId = officer.ident;
    const candidates = withMisReference(yield* ctx.view.assessorsByMisId(ctx.centreId, misId), misId);
    if (candidates.length > 1) {
      // OFF-5: never guess between two OneFile assessors with the same MIS reference.
      ctx.plan.block({
        code: "ambiguous_assessor",
        message: `officer "${officerId}" (${why}): ${candidates.length} OneFile assessors have MIS reference "${misId}" (${candidates
          .map((c) => `${c.ID}${c.Archived ? " archived" : ""}`)
          .join(", ")}); keep one, or link the officer by OneFile id`,
        entity: "officer",
        entityId: officerId,
        details: { misId, candidates: candidates.map((c) => c.ID) },
      });
      return remember(null, "blocked");
    }
    const match = candidates[0];
    if (match) {
      if (ctx.multipleCentres || officer.onefileId !== match.ID)
        ctx.plan.add(
          storeLinkStep(
            "officer",
            officer,
            ctx.centreId,
            ctx.multipleCentres,
            match.ID,
            `store OneFile assessor ${match.ID} on officer ${officerId}`,
          ),
        );
      return remember(match.ID, "matched", { by: "MIS reference", misId });
    }

    // OFF-4: create, sending only the name, the email OneFile requires and the MIS reference.
    if (!officer.email) {
      ctx.plan.block({
        code: "officer_email_missing",
        message: `officer "${officerId}" (${why}) has no match in OneFile and no email, which OneFile requires to create an assessor`,
        entity: "officer",
        entityId: officerId,
      });
      return remember(null, "blocked");
    }
    const created = ctx.plan.add({
      description: `create OneFile assessor for officer ${officerId}`,
      write: {
        onefile: {
          call: "createUser",
          body: {
            OrganisationID: ctx.centreId,
            Role: Roles.assessor,
            FirstName: officer.firstName,
            LastName: officer.surname,
            Email: officer.email,
            MISID: misId,
          },
        },
      },
      intent: { key: `assessor:${officerId}@${ctx.centreId}`, ifAnswerLost: "lookup" },
      journal: [
        {
          entity: "officer",
          entityId: officerId,
          field: "onefileAssessor",
          before: null,
          after: THIS_STEP,
          direction: "toOneFile",
          onefileId: THIS_STEP,
        },
      ],
    });
    ctx.plan.add(
      storeLinkStep(
        "officer",
        officer,
        ctx.centreId,
        ctx.multipleCentres,
        created,
        `store the new OneFile assessor on officer ${officerId}`,
      ),
    );
    return remember(created, "create", { misId });
  });
