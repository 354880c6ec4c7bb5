/**
 * DEM-O1: officer demographics, pushed to or pulled from the officer's OneFile assessor, for every
 * officer a learner in the run refers to that is linked to OneFile — each officer once per run.
 */
import { dateToOneFile, diffDemographics, oneFileToDate, type ExchangeContext, type FieldPair } from "@pics/core";
import { Effect } from "effect";

const OFFICER_FIELDS: ReadonlyArray<FieldPair> = [
  { pics: "firstName", onefile: "FirstName" },
  { pics: "surname", onefile: "LastName" },
  { pics: "email", onefile: "Email" },
  { pics: "phone", onefile: "Telephone" },
  { pics: "mobile", onefile: "MobileNumber" },
  {
    pics: "birthDate",
    onefile: "DOB",
    toOneFile: (v) => (typeof v === "string" ? dateToOneFile(v) : v),
    toPics: (v) => (typeof v === "string" && v !== "" ? oneFileToDate(v) : null),
  },
];

export const exchangeOfficers = (ctx: ExchangeContext) =>
  Effect.gen(function* () {
    const mode = ctx.settings.officerDemographicsMode;
    if (mode === "Ignore") return;
    for (const officer of ctx.officers.values()) {
      if (officer.onefileId === null || !ctx.once(`officer:${officer.id}`)) continue;
      const user = yield* ctx.view.user(officer.onefileId);
      const diff = diffDemographics(mode, officer, user, OFFICER_FIELDS, {
        entity: "officer",
        entityId: officer.id,
        onefileId: officer.onefileId,
        learnerId: null,
      });
      if (Object.keys(diff.toOneFile).length > 0) {
        ctx.plan.add({
          description: `update OneFile assessor ${officer.onefileId} from officer ${officer.id}`,
          write: { onefile: { call: "updateUser", id: officer.onefileId, body: diff.toOneFile } },
          journal: diff.journal,
        });
      }
      if (Object.keys(diff.toPics).length > 0) {
        ctx.plan.add({
          description: `copy OneFile assessor ${officer.onefileId} to officer ${officer.id}`,
          write: { pics: { target: { entity: "officer", id: officer.id }, fields: diff.toPics } },
          journal: diff.journal,
        });
      }
    }
  });
