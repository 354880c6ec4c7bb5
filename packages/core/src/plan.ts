/**
 * A plan is the ordered list of writes an operation will make. Rules build it from a snapshot;
 * core applies it (or, in a dry run, only shows it). A write may use the id of something an
 * earlier step creates — a `Ref` — which apply resolves as it goes and a dry run shows as new.
 */
import type { Change, PicsTarget, Review } from "@pics/pics-store";
import type {
  Assignment,
  LearningAimChanges,
  NewClassroom,
  NewPlacement,
  NewReview,
  NewUser,
  NewVisit,
  PlacementChanges,
  StandardAssignment,
  UserChanges,
} from "@pics/onefile-client";
import type { Blocker } from "./errors.ts";

/** "The OneFile id that step N produces." */
export interface Ref {
  readonly ref: number;
  readonly label: string;
}
export type IdOrRef = number | Ref;

export const isRef = (value: unknown): value is Ref =>
  typeof value === "object" && value !== null && "ref" in value && typeof (value as Ref).ref === "number";

/**
 * A request body of the OneFile client in which the fields named by `K` — ids of records a plan
 * can create (assessors, placements, classrooms, learners, visits) — may hold a `Ref` instead.
 * Every other field, and every field name, is the client's own (its request Schemas' types).
 */
export type WithRefs<T, K extends keyof T> = { readonly [P in keyof T]: P extends K ? T[P] | Ref : T[P] };

/** A body with its refs replaced by ids: what the client takes. */
export type Resolved<B> = { readonly [P in keyof B]: Exclude<B[P], Ref> };

type UserRefs = "DefaultAssessorID" | "ClassroomID" | "PlacementID";
/**
 * ENR-4: a learner with no email is blocked, and its blocked plan is still shown (the preview's
 * learner fields, the planned changes), so a planned create may carry `Email: null` where the
 * client requires a string. A blocked plan is never applied: apply treats such a body as a defect.
 */
export type NewUserBody = Omit<WithRefs<NewUser, UserRefs>, "Email"> & { readonly Email: string | null };
export type UserChangesBody = WithRefs<UserChanges, UserRefs>;
export type AssignmentBody = WithRefs<Assignment, "LearnerID">;
export type NewVisitBody = WithRefs<NewVisit, "LearnerID" | "AssessorID">;
export type NewReviewBody = WithRefs<NewReview, "LearnerID" | "AssessorID" | "VisitID">;

/** One OneFile write, one call, with the client's request body. Creates answer with the new record's id. */
export type OneFileWrite =
  | { readonly call: "createUser"; readonly body: NewUserBody }
  | { readonly call: "updateUser"; readonly id: IdOrRef; readonly body: UserChangesBody }
  | { readonly call: "assignToLearner"; readonly assigneeId: IdOrRef; readonly body: AssignmentBody }
  | { readonly call: "createClassroom"; readonly body: NewClassroom }
  | { readonly call: "createPlacement"; readonly body: NewPlacement }
  | { readonly call: "updatePlacement"; readonly id: IdOrRef; readonly body: PlacementChanges }
  | {
      readonly call: "assignStandard";
      readonly standardId: number;
      readonly learnerId: IdOrRef;
      readonly body: StandardAssignment;
    }
  | { readonly call: "updateLearningAim"; readonly id: IdOrRef; readonly body: LearningAimChanges }
  | { readonly call: "createVisit"; readonly body: NewVisitBody }
  | { readonly call: "createReview"; readonly body: NewReviewBody };

export const isCreate = (write: OneFileWrite): boolean =>
  write.call === "createUser" ||
  write.call === "createClassroom" ||
  write.call === "createPlacement" ||
  write.call === "assignStandard" ||
  write.call === "createVisit" ||
  write.call === "createReview";

/** One PICS write: some fields of a record, or a new review (REV-D1). */
export type PicsWrite =
  | { readonly target: PicsTarget; readonly fields: Readonly<Record<string, unknown>> }
  | { readonly insert: { readonly entity: "review"; readonly learnerId: string; readonly record: Review } };

/** A journal row whose values may still be refs. */
export type ChangeTemplate = Omit<Change, "after" | "onefileId"> & {
  readonly after: unknown;
  readonly onefileId?: IdOrRef | null;
};

export interface Step {
  readonly id: number;
  /** For people: "create assessor for officer O1". */
  readonly description: string;
  readonly write: { readonly onefile: OneFileWrite } | { readonly pics: PicsWrite };
  /**
   * ENR-13: a create is recorded under this key before it is sent. `lookup`: a lost answer is
   * found again by the next plan (MIS reference, the learner's own records); `orphan`: it cannot
   * be searched (visits), so it is journaled as outcome unknown.
   */
  readonly intent?: { readonly key: string; readonly ifAnswerLost: "lookup" | "orphan" };
  readonly journal: ReadonlyArray<ChangeTemplate>;
}

/**
 * In a create step's journal rows: the id that very step produces, so the row says which OneFile
 * record was created (`onefileId`) and, as `after`, its id.
 */
export const THIS_STEP: Ref = { ref: 0, label: "created by this step" };

/** Collects the steps and blockers of one learner's plan. */
export class PlanBuilder {
  readonly steps: Array<Step> = [];
  readonly blockers: Array<Blocker> = [];
  private readonly memos = new Map<string, unknown>();

  /** Adds a step and returns a ref to the id it will produce. */
  add(step: Omit<Step, "id">): Ref {
    const id = this.steps.length + 1;
    const own: Ref = { ref: id, label: step.description };
    const journal = step.journal.map((row) => ({
      ...row,
      after: row.after === THIS_STEP ? own : row.after,
      onefileId: row.onefileId === THIS_STEP ? own : row.onefileId,
    }));
    this.steps.push({ ...step, journal, id });
    return own;
  }

  block(blocker: Blocker): void {
    if (!this.blockers.some((b) => b.code === blocker.code && b.entityId === blocker.entityId && b.message === blocker.message)) {
      this.blockers.push(blocker);
    }
  }

  /**
   * Decisions already taken in this plan (an officer's assessor), so a record needed for several
   * reasons is matched or created once.
   */
  recall<A>(key: string): A | undefined {
    return this.memos.get(key) as A | undefined;
  }

  remember<A>(key: string, value: A): A {
    this.memos.set(key, value);
    return value;
  }
}

/** Replaces refs by the ids apply produced; unresolved refs (dry run) are shown as "new". */
export const resolveValue = (value: unknown, results: ReadonlyMap<number, number>): unknown => {
  if (isRef(value)) return results.get(value.ref) ?? `(new: ${value.label})`;
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, results));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, results)]));
  }
  return value;
};

/**
 * A body with its refs replaced by the ids apply produced. Refs sit only in the fields `WithRefs`
 * allows, and each resolves to a number once its step has run, so the result has the client's type.
 */
export const resolveBody = <B extends object>(body: B, results: ReadonlyMap<number, number>): Resolved<B> =>
  resolveValue(body, results) as Resolved<B>;

/** The plan in the journal's shape (JRN-3), refs resolved where known. */
export const planChanges = (steps: ReadonlyArray<Step>, results: ReadonlyMap<number, number> = new Map()): Array<Change> =>
  steps.flatMap((step) => step.journal.map((row) => resolveChange(row, results)));

export const resolveChange = (row: ChangeTemplate, results: ReadonlyMap<number, number>): Change => {
  const onefileId = row.onefileId === undefined || row.onefileId === null ? null : resolveValue(row.onefileId, results);
  return {
    ...row,
    after: resolveValue(row.after, results),
    onefileId: typeof onefileId === "number" ? onefileId : null,
  };
};
