/**
 * The learner's part of an enrolment: the learner record itself (ENR-3, ENR-4), its
 * qualifications as learning aims (ENR-5..7) and its additional assessors (ENR-8).
 */
import {
  AssessorResolver,
  dateToOneFile,
  PlacementResolver,
  THIS_STEP,
  sameVqReference,
  vqReferenceOf,
  type EnrolmentContext,
  type IdOrRef,
  type NewUserBody,
  misKey,
  sameMisReference,
} from "@pics/core";
import { AssignLevels, Roles, type LearningAimChanges, type NewUser, type Standard } from "@pics/onefile-client";
import type { Qualification } from "@pics/pics-store";
import { Effect } from "effect";

/** The fields whose value is set (not null or undefined) and passes `keep`, in their order. */
const present = <T extends object>(
  fields: T,
  keep: (key: keyof T, value: NonNullable<T[keyof T]>) => boolean = () => true,
): { [K in keyof T]?: NonNullable<T[K]> } => {
  const kept: { [K in keyof T]?: NonNullable<T[K]> } = {};
  // The keys of an object literal: exactly Object.keys of it.
  for (const key of Object.keys(fields) as Array<keyof T>) {
    const value = fields[key];
    if (value !== null && value !== undefined && keep(key, value)) kept[key] = value;
  }
  return kept;
};

/**
 * ENR-3: the learner fields sent to OneFile (the address goes only through DEM-L1). `Email` is
 * null when PICS has none, which blocks the enrolment (ENR-4).
 */
export const learnerFields = (ctx: EnrolmentContext) => {
  const l = ctx.learner;
  const optional = {
    Telephone: l.telephone,
    MobileNumber: l.mobile,
    DOB: l.birthDate && dateToOneFile(l.birthDate),
    ULN: l.uln,
    NINO: l.niNumber,
    StartOn: l.startDate && dateToOneFile(l.startDate),
    PlannedEndDate: l.plannedEndDate && dateToOneFile(l.plannedEndDate),
    L12: l.ethnicity,
    L13: l.sex,
    L15: l.disability,
  } satisfies Partial<NewUser>;
  return {
    OrganisationID: ctx.centreId,
    Role: Roles.learner,
    FirstName: l.firstName,
    LastName: l.surname,
    Email: l.email,
    MISID: l.id,
    ...present(optional),
  } satisfies NewUserBody;
};

const classroomFor = (ctx: EnrolmentContext) =>
  Effect.gen(function* () {
    const { learner, settings, plan, centreId } = ctx;
    if (settings.classroomFromMainTag) {
      // SET-7: the classroom named like the Main Tag; created in the centre when missing (decision).
      if (!learner.mainTag) {
        plan.block({
          code: "no_classroom",
          message: `learner "${learner.id}" has no Main Tag to name its classroom (SET-7 is on)`,
          entity: "learner",
          entityId: learner.id,
        });
        return null;
      }
      const name = learner.mainTag.trim();
      const existing = (yield* ctx.view.classrooms(centreId)).find((c) => sameMisReference(c.Name, name));
      if (existing) {
        ctx.report.items.push({ entity: "classroom", id: name, outcome: "matched", onefileId: existing.ID });
        return existing.ID;
      }
      const created = plan.add({
        description: `create OneFile classroom "${name}"`,
        write: { onefile: { call: "createClassroom", body: { OrganisationID: centreId, Name: name } } },
        intent: { key: `classroom:${centreId}/${name.toLowerCase()}`, ifAnswerLost: "lookup" },
        journal: [
          {
            entity: "learner",
            entityId: learner.id,
            field: "onefileClassroom",
            before: null,
            after: name,
            direction: "toOneFile",
            onefileId: THIS_STEP,
          },
        ],
      });
      ctx.report.items.push({ entity: "classroom", id: name, outcome: "create", onefileId: created });
      return created;
    }
    const chosen = ctx.request.classroomId ?? null;
    if (chosen === null) {
      plan.block({
        code: "no_classroom",
        message: "choose the OneFile classroom for the learner (classroomId)",
        entity: "learner",
        entityId: learner.id,
      });
      return null;
    }
    if (!(yield* ctx.view.classrooms(centreId)).some((c) => c.ID === chosen)) {
      plan.block({
        code: "unknown_classroom",
        message: `classroom ${chosen} is not a classroom of centre ${centreId}`,
        entity: "learner",
        entityId: learner.id,
      });
      return null;
    }
    ctx.report.items.push({ entity: "classroom", id: String(chosen), outcome: "matched", onefileId: chosen });
    return chosen;
  });

/** ENR-5..7: the OneFile Standard for one qualification, or why there is none. */
const standardFor = (ctx: EnrolmentContext, q: Qualification, standards: ReadonlyArray<Standard>) => {
  const matches = standards.filter((s) => sameVqReference(vqReferenceOf(s.Title), q.vqReference));
  const report = (outcome: string, detail: Record<string, unknown> = {}) =>
    ctx.report.items.push({
      entity: "qualification",
      id: q.id,
      outcome,
      onefileId: null,
      detail: { vqReference: q.vqReference, ...detail },
    });
  if (matches.length === 0) {
    report("not_available");
    return null;
  }
  const choice = ctx.request.qualifications?.[q.id];
  const centres = [...new Set(matches.map((s) => s.OrganisationID))];
  let candidates = matches;
  if (centres.length > 1) {
    if (choice?.centreId === undefined || !centres.includes(choice.centreId)) {
      ctx.plan.block({
        code: "needs_centre",
        message: `qualification "${q.id}" (${q.vqReference}) exists in ${centres.length} centres (${centres.join(", ")}): choose one`,
        entity: "qualification",
        entityId: q.id,
        details: { choices: centres },
      });
      report("needs_centre", { choices: centres });
      return null;
    }
    candidates = matches.filter((s) => s.OrganisationID === choice.centreId);
  }
  const standard = candidates[0]!;
  const pathways = standard.Pathways ?? [];
  let pathwayId: number | undefined;
  if (pathways.length >= 2) {
    if (choice?.pathwayId === undefined || !pathways.some((p) => p.ID === choice.pathwayId)) {
      const choices = pathways.map((p) => ({ id: p.ID, title: p.Title }));
      ctx.plan.block({
        code: "needs_pathway",
        message: `qualification "${q.id}" (${q.vqReference}) has ${pathways.length} pathways in OneFile (${choices
          .map((c) => `${c.id} ${c.title}`)
          .join(", ")}): choose one`,
        entity: "qualification",
        entityId: q.id,
        details: { choices },
      });
      report("needs_pathway", { standardId: standard.ID, choices });
      return null;
    }
    pathwayId = choice.pathwayId;
  } else if (pathways.length === 1) {
    pathwayId = pathways[0]!.ID;
  }
  return { standard, pathwayId };
};

/** ENR-5: the dates and registration/certificate values PICS holds, for the learning aim. */
const learningAimFields = (q: Qualification) =>
  present({
    StartDate: q.startDate && dateToOneFile(q.startDate),
    PlannedEnd: q.plannedEndDate && dateToOneFile(q.plannedEndDate),
    RegistrationNumber: q.registrationNumber,
    RegistrationDate: q.registrationDate && dateToOneFile(q.registrationDate),
    CertificateAppliedDate: q.certificateAppliedDate && dateToOneFile(q.certificateAppliedDate),
    CertificateReceivedDate: q.certificateReceivedDate && dateToOneFile(q.certificateReceivedDate),
  } satisfies LearningAimChanges);

export const enrolLearner = (ctx: EnrolmentContext) =>
  Effect.gen(function* () {
    const assessors = yield* AssessorResolver;
    const placements = yield* PlacementResolver;
    const { learner, plan } = ctx;

    // ENR-4: what OneFile requires of the learner itself.
    if (!learner.email) {
      plan.block({
        code: "missing_field",
        message: `learner "${learner.id}" has no email, which OneFile requires`,
        entity: "learner",
        entityId: learner.id,
        details: { field: "email" },
      });
    }
    const defaultAssessor: IdOrRef | null =
      learner.mainOfficerId === null
        ? (plan.block({
            code: "no_main_officer",
            message: `learner "${learner.id}" has no main officer`,
            entity: "learner",
            entityId: learner.id,
          }),
          null)
        : yield* assessors.resolve(ctx, learner.mainOfficerId, "main officer");
    const employer = placements.employerOf(learner);
    const placement: IdOrRef | null =
      employer === null
        ? (plan.block({
            code: "no_placement",
            message: `learner "${learner.id}" has no placement`,
            entity: "learner",
            entityId: learner.id,
          }),
          null)
        : yield* placements.resolve(ctx, employer);
    const classroom = yield* classroomFor(ctx);

    // The learner: resumed (ENR-13) or created.
    const fields = learnerFields(ctx);
    if (ctx.onefileLearner === null) {
      const created = plan.add({
        description: `create OneFile learner for learner ${learner.id}`,
        write: {
          onefile: {
            call: "createUser",
            body: { ...fields, DefaultAssessorID: defaultAssessor, PlacementID: placement, ClassroomID: classroom },
          },
        },
        intent: { key: `learner:${learner.id}`, ifAnswerLost: "lookup" },
        journal: Object.entries({
          ...fields,
          DefaultAssessorID: defaultAssessor,
          PlacementID: placement,
          ClassroomID: classroom,
        }).map(([field, after]) => ({
          entity: "learner" as const,
          entityId: learner.id,
          field,
          before: null,
          after,
          direction: "toOneFile" as const,
          onefileId: THIS_STEP,
        })),
      });
      ctx.onefileLearner = created;
      ctx.report.items.push({ entity: "learner", id: learner.id, outcome: "create", onefileId: created, detail: { fields } });
    }
    // Core stores the OneFile id on the PICS learner as the enrolment's last step (ENR-12, ENR-13).
    const onefileLearner = ctx.onefileLearner;

    // ENR-5..7: qualifications. Standards may come from any of the customer's centres.
    const centres = ctx.multipleCentres ? (yield* ctx.view.centres).map((c) => c.ID) : [ctx.centreId];
    const standards = (yield* Effect.forEach(centres, (id) => ctx.view.standards(id))).flat();
    // A resumed enrolment may already have some learning aims (ENR-13): find them, never assign twice.
    const existingAims = typeof onefileLearner === "number" ? yield* ctx.view.learningAims(onefileLearner) : [];
    // A learning aim stored on a qualification, or found again for one in this plan, is that
    // qualification's: two qualifications on one Standard never share it.
    const claimed = new Set(
      learner.qualifications.flatMap((q) => (q.onefileLearningAimId === null ? [] : [q.onefileLearningAimId])),
    );
    for (const q of learner.qualifications) {
      const found = standardFor(ctx, q, standards);
      if (found === null) continue;
      const { standard, pathwayId } = found;
      const existing =
        existingAims.find((a) => a.ID === q.onefileLearningAimId) ??
        existingAims.find((a) => !claimed.has(a.ID) && a.StandardID === standard.ID);
      if (existing) claimed.add(existing.ID);
      const aim: IdOrRef =
        existing?.ID ??
        plan.add({
          description: `assign standard ${standard.ID} to the learner for qualification ${q.id}`,
          write: {
            onefile: {
              call: "assignStandard",
              standardId: standard.ID,
              learnerId: onefileLearner,
              body: pathwayId === undefined ? {} : { PathwayID: pathwayId },
            },
          },
          intent: { key: `learningAim:${learner.id}/${q.id}`, ifAnswerLost: "lookup" },
          journal: [
            {
              entity: "qualification",
              entityId: q.id,
              field: "onefileLearningAim",
              before: null,
              after: standard.Title,
              direction: "toOneFile",
              onefileId: THIS_STEP,
            },
          ],
        });
      plan.add({
        description: `store the learning aim on qualification ${q.id}`,
        write: {
          pics: {
            target: { entity: "qualification", learnerId: learner.id, id: q.id },
            fields: { onefileStandardId: standard.ID, onefileLearningAimId: aim },
          },
        },
        journal: [
          {
            entity: "qualification",
            entityId: q.id,
            field: "onefileLearningAimId",
            before: q.onefileLearningAimId,
            after: aim,
            direction: "toPics",
            onefileId: aim,
          },
        ],
      });
      // A resumed enrolment's learning aim may already carry them (ENR-13): send only what differs.
      const aimFields: LearningAimChanges = present(learningAimFields(q), (field, value) => existing?.[field] !== value);
      if (Object.keys(aimFields).length > 0) {
        plan.add({
          description: `write dates and registration of qualification ${q.id} to its learning aim`,
          write: { onefile: { call: "updateLearningAim", id: aim, body: aimFields } },
          journal: Object.entries(aimFields).map(([field, after]) => ({
            entity: "qualification" as const,
            entityId: q.id,
            field,
            before: null,
            after,
            direction: "toOneFile" as const,
            onefileId: aim,
          })),
        });
      }
      if (q.assessorId !== null) {
        const assessor = yield* assessors.resolve(ctx, q.assessorId, `assessor of qualification ${q.id}`);
        if (assessor !== null) {
          plan.add({
            description: `link officer ${q.assessorId} as assessor of qualification ${q.id}`,
            write: {
              onefile: {
                call: "assignToLearner",
                assigneeId: assessor,
                body: { LearnerID: onefileLearner, Level: AssignLevels.learningAimAssessor, StandardID: standard.ID },
              },
            },
            journal: [
              {
                entity: "qualification",
                entityId: q.id,
                field: "learningAimAssessor",
                before: null,
                after: assessor,
                direction: "toOneFile",
                onefileId: aim,
              },
            ],
          });
        }
      }
      ctx.report.items.push({
        entity: "qualification",
        id: q.id,
        outcome: "available",
        onefileId: aim,
        detail: {
          vqReference: q.vqReference,
          standardId: standard.ID,
          centreId: standard.OrganisationID,
          pathwayId: pathwayId ?? null,
        },
      });
    }

    // ENR-8: additional assessors, by learner-officer type (SET-6).
    const types = new Set(ctx.settings.additionalAssessorTypes.map(misKey));
    const additional = [...new Set(learner.officers.filter((o) => types.has(misKey(o.type))).map((o) => o.officerId))];
    for (const officerId of additional) {
      const assessor = yield* assessors.resolve(ctx, officerId, "additional assessor");
      if (assessor === null) continue;
      plan.add({
        description: `link officer ${officerId} as additional assessor`,
        write: {
          onefile: {
            call: "assignToLearner",
            assigneeId: assessor,
            body: { LearnerID: onefileLearner, Level: AssignLevels.additionalAssessor },
          },
        },
        journal: [
          {
            entity: "learner",
            entityId: learner.id,
            field: "additionalAssessor",
            before: null,
            after: assessor,
            direction: "toOneFile",
            onefileId: onefileLearner,
          },
        ],
      });
    }
  });
