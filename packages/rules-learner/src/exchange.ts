/**
 * The learner's part of the daily exchange: progression of each linked qualification (PRG-1..3),
 * learner demographics (DEM-L1, DEM-L2) and the main officer / employer push flags (DEM-M1,
 * DEM-M2). Every OneFile field for the learner goes in one call; each learning aim gets one call.
 */
import {
  AssessorResolver,
  dateToOneFile,
  diffDemographics,
  joinAddress,
  oneFileToDate,
  PlacementResolver,
  type ChangeTemplate,
  type ExchangeContext,
  type FieldPair,
  type UserChangesBody,
} from "@pics/core";
import type { LearningAim, LearningAimChanges, User, UserChanges } from "@pics/onefile-client";
import type { Qualification } from "@pics/pics-store";
import { Effect } from "effect";

const asDate = (value: unknown) => (typeof value === "string" && value !== "" ? oneFileToDate(value) : null);
const asText = (value: unknown) => (value === null || value === undefined ? null : String(value));

/** DEM-L1 (push) and DEM-L2 (pull): address, postcode and ULN are push-only. */
const LEARNER_FIELDS: ReadonlyArray<FieldPair<UserChanges>> = [
  { pics: "firstName", onefile: "FirstName" },
  { pics: "surname", onefile: "LastName" },
  { pics: "birthDate", onefile: "DOB", toOneFile: dateToOneFile, toPics: asDate },
  { pics: "niNumber", onefile: "NINO" },
  { pics: "ethnicity", onefile: "L12", toPics: asText },
  { pics: "disability", onefile: "L15", toPics: asText },
  { pics: "uln", onefile: "ULN", pushOnly: true },
  { pics: "address", onefile: "HomeAddress", pushOnly: true },
];

/** PRG-2: these follow blank-fill both ways, and OneFile wins when both differ. */
const REGISTRATION_FIELDS = [
  { pics: "registrationNumber", onefile: "RegistrationNumber", isDate: false },
  { pics: "registrationDate", onefile: "RegistrationDate", isDate: true },
  { pics: "certificateAppliedDate", onefile: "CertificateAppliedDate", isDate: true },
  { pics: "certificateReceivedDate", onefile: "CertificateReceivedDate", isDate: true },
] as const satisfies ReadonlyArray<{
  readonly pics: keyof Qualification;
  readonly onefile: keyof LearningAimChanges & keyof LearningAim;
  readonly isDate: boolean;
}>;

const blank = (v: unknown) => v === null || v === undefined || v === "";

/** PRG-1/PRG-2 for one qualification and its learning aim. */
export const progression = (q: Qualification, aim: LearningAim) => {
  const toPics: Record<string, unknown> = {};
  const toOneFile: { -readonly [K in keyof LearningAimChanges]: LearningAimChanges[K] } = {};
  const journal: Array<ChangeTemplate> = [];
  const subject = { entity: "qualification" as const, entityId: q.id, onefileId: aim.ID };

  // PRG-1: element counts come from OneFile, except for qualifications with units in PICS.
  if (!q.hasUnits) {
    for (const [pics, value] of [
      ["totalElements", aim.TotalElements],
      ["elementsDone", aim.ElementsDone],
    ] as const) {
      if (value !== null && value !== q[pics]) {
        toPics[pics] = value;
        journal.push({ ...subject, field: pics, before: q[pics], after: value, direction: "toPics" });
      }
    }
  }
  for (const field of REGISTRATION_FIELDS) {
    const picsValue = q[field.pics];
    const onefileRaw = aim[field.onefile];
    const onefileValue = field.isDate ? asDate(onefileRaw) : onefileRaw;
    if (blank(picsValue) && blank(onefileValue)) continue;
    if (!blank(onefileValue) && onefileValue !== picsValue) {
      toPics[field.pics] = onefileValue;
      journal.push({ ...subject, field: field.pics, before: picsValue, after: onefileValue, direction: "toPics" });
    } else if (blank(onefileValue) && !blank(picsValue)) {
      const value = field.isDate ? dateToOneFile(picsValue as string) : picsValue;
      toOneFile[field.onefile] = value;
      journal.push({ ...subject, field: field.pics, before: null, after: value, direction: "toOneFile" });
    }
  }
  return { toPics, toOneFile, journal };
};

export const exchangeLearner = (ctx: ExchangeContext) =>
  Effect.gen(function* () {
    const { learner, plan, settings } = ctx;

    // PRG: only qualifications linked to a learning aim; aims PICS has no qualification for are ignored (PRG-3).
    const linked = learner.qualifications.filter((q) => q.onefileLearningAimId !== null);
    if (linked.length > 0) {
      const aims = new Map((yield* ctx.view.learningAims(ctx.onefileLearner)).map((a) => [a.ID, a]));
      for (const q of linked) {
        const aim = aims.get(q.onefileLearningAimId!);
        if (!aim) {
          // The link points at nothing in OneFile any more: say so, never a silent success (SYNC-3).
          plan.block({
            code: "learning_aim_missing",
            message: `qualification "${q.id}" is linked to OneFile learning aim ${q.onefileLearningAimId}, which the OneFile learner no longer has`,
            entity: "qualification",
            entityId: q.id,
          });
          continue;
        }
        const change = progression(q, aim);
        if (Object.keys(change.toOneFile).length > 0) {
          plan.add({
            description: `write registration and certificate of qualification ${q.id} to its learning aim`,
            write: { onefile: { call: "updateLearningAim", id: aim.ID, body: change.toOneFile } },
            journal: change.journal.filter((j) => j.direction === "toOneFile"),
          });
        }
        if (Object.keys(change.toPics).length > 0) {
          plan.add({
            description: `copy progression of learning aim ${aim.ID} to qualification ${q.id}`,
            write: { pics: { target: { entity: "qualification", learnerId: learner.id, id: q.id }, fields: change.toPics } },
            journal: change.journal.filter((j) => j.direction === "toPics"),
          });
        }
      }
    }

    const needsUser =
      settings.learnerDemographicsMode !== "Ignore" || settings.pushMainOfficerChanges || settings.pushEmployerChanges;
    if (!needsUser) return;
    const user: User = yield* ctx.view.user(ctx.onefileLearner);
    const subject = { entity: "learner" as const, entityId: learner.id, onefileId: ctx.onefileLearner };

    // DEM-L1 / DEM-L2.
    const picsSide = {
      ...learner,
      address: joinAddress([learner.address1, learner.address2, learner.address3, learner.address4, learner.postcode]),
    };
    const demographics = diffDemographics(settings.learnerDemographicsMode, picsSide, user, LEARNER_FIELDS, subject);
    const toOneFile: { -readonly [K in keyof UserChangesBody]: UserChangesBody[K] } = { ...demographics.toOneFile };
    const journal: Array<ChangeTemplate> = demographics.journal.filter((j) => j.direction === "toOneFile");

    // DEM-M1: the PICS main officer becomes the default assessor (matched or created by OFF rules).
    if (settings.pushMainOfficerChanges && learner.mainOfficerId !== null) {
      const assessor = yield* (yield* AssessorResolver).resolve(ctx, learner.mainOfficerId, "main officer");
      if (assessor !== null && assessor !== user.DefaultAssessorID) {
        toOneFile.DefaultAssessorID = assessor;
        journal.push({
          ...subject,
          field: "mainOfficerId",
          before: user.DefaultAssessorID,
          after: assessor,
          direction: "toOneFile",
        });
      }
    }
    // DEM-M2: the employer organisation (ORG-1) becomes the placement (matched or created by ORG rules).
    if (settings.pushEmployerChanges) {
      const placements = yield* PlacementResolver;
      const employer = placements.employerOf(learner);
      const placement = employer === null ? null : yield* placements.resolve(ctx, employer);
      if (placement !== null && placement !== user.PlacementID) {
        toOneFile.PlacementID = placement;
        journal.push({ ...subject, field: "employer", before: user.PlacementID, after: placement, direction: "toOneFile" });
      }
    }
    if (Object.keys(toOneFile).length > 0) {
      plan.add({
        description: `update OneFile learner ${ctx.onefileLearner}`,
        write: { onefile: { call: "updateUser", id: ctx.onefileLearner, body: toOneFile } },
        journal,
      });
    }
    if (Object.keys(demographics.toPics).length > 0) {
      plan.add({
        description: `copy demographics of OneFile learner ${ctx.onefileLearner} to learner ${learner.id}`,
        write: { pics: { target: { entity: "learner", id: learner.id }, fields: demographics.toPics } },
        journal: demographics.journal.filter((j) => j.direction === "toPics"),
      });
    }
  });
