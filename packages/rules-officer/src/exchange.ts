/**
 * DEM-O1: officer demographics, pushed to or pulled from the officer's OneFile assessor, for every
 * officer a learner in the run refers to that is linked to OneFile — each officer once per run.
 */
import {
  dateToOneFile,
  diffDemographics,
  oneFileToDate,
  planDemographics,
  type ExchangeContext,
  type FieldPair,
} from "@pics/core";
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
      const assessorId = officer.onefileId;
      planDemographics(ctx.plan, diff, {
        onefile: (body) => ({ call: "updateUser", id: assessorId, body }),
        pics: { entity: "officer", id: officer.id },
        label: `officer ${officer.id} (OneFile assessor ${assessorId})`,
      });
    }
  });
