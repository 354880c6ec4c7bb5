/**
 * DEM-O1: officer demographics, pushed to or pulled from the officer's OneFile assessor, for every
 * officer a learner in the run refers to that is linked to OneFile — each officer once per run.
 */
import {
  dateToOneFile,
  diffDemographics,
  linkedOnefileIds,
  oneFileToDate,
  planDemographics,
  type ExchangeContext,
  type FieldPair,
} from "@pics/core";
import type { UserChanges } from "@pics/onefile-client";
import { Effect } from "effect";

const OFFICER_FIELDS: ReadonlyArray<FieldPair<UserChanges>> = [
  { pics: "firstName", onefile: "FirstName" },
  { pics: "surname", onefile: "LastName" },
  { pics: "email", onefile: "Email" },
  { pics: "phone", onefile: "Telephone" },
  { pics: "mobile", onefile: "MobileNumber" },
  {
    pics: "birthDate",
    onefile: "DOB",
    toOneFile: dateToOneFile,
    toPics: (v) => (typeof v === "string" && v !== "" ? oneFileToDate(v) : null),
  },
];

export const exchangeOfficers = (ctx: ExchangeContext) =>
  Effect.gen(function* () {
    const mode = ctx.settings.officerDemographicsMode;
    if (mode === "Ignore") return;
    for (const officer of ctx.officers.values()) {
      // OFF-6: with several centres, to each linked assessor; a pull reads the first only (D36).
      const assessors = linkedOnefileIds(officer, ctx.multipleCentres);
      if (assessors.length === 0 || !ctx.once(`officer:${officer.id}`)) continue;
      for (const [index, assessorId] of assessors.entries()) {
        const user = yield* ctx.view.user(assessorId);
        const diff = diffDemographics(mode, officer, user, OFFICER_FIELDS, {
          entity: "officer",
          entityId: officer.id,
          onefileId: assessorId,
          learnerId: null,
        });
        planDemographics(
          ctx.plan,
          index === 0 ? diff : { ...diff, toPics: {}, journal: diff.journal.filter((j) => j.direction === "toOneFile") },
          {
            onefile: (body) => ({ call: "updateUser", id: assessorId, body }),
            pics: { entity: "officer", id: officer.id },
            label: `officer ${officer.id} (OneFile assessor ${assessorId})`,
          },
        );
      }
    }
  });
