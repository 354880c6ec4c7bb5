/**
 * Enrolment (ENR): preview, enrol and link one PICS learner. Core reads the snapshot, lets the
 * enabled rule packages plan, and applies the plan under the learner's lease. Preview and dry run
 * only read OneFile.
 */
import type { OneFileClientShape, OneFileError, User } from "@pics/onefile-client";
import {
  Intents,
  Leases,
  PicsRecords,
  RunLog,
  type Change,
  type Learner,
  type LeaseGuard,
  type RecordNotFound,
  type RunTrigger,
  type Settings,
  type StoreError,
} from "@pics/pics-store";
import { Context, Effect, Layer } from "effect";
import { applyPlan, type ApplyEnv, type StepFailed } from "./apply.ts";
import { primeCreated } from "./onefile-view.ts";
import { OneFileConnection, type ConnectionError } from "./connection.ts";
import {
  DuplicateLearnerFound,
  EnrolmentBlocked,
  InvalidRequest,
  LearnerAlreadyEnrolled,
  OneFileLearnerAlreadyLinked,
  ProposalOutdated,
  RuleDisabled,
  type Blocker,
} from "./errors.ts";
import { holdLearner, LeaseTtl, type LearnerBusy } from "./learner-lease.ts";
import { makeOneFileView, type OneFileView } from "./onefile-view.ts";
import { readReferenced } from "./pics-side.ts";
import { isRef, PlanBuilder, planChanges, resolveValue, type Step } from "./plan.ts";
import { Rules } from "./registry.ts";
import { dryRunMessage, runLifecycle } from "./run-lifecycle.ts";
import { allGuards, claimSharedCreates, sharedCreates } from "./shared-claims.ts";
import type { EnrolmentContext, EnrolmentRequest, ReportItem } from "./rules.ts";
import { sameVqReference, vqReferenceOf } from "./vq.ts";
import { sameMisReference } from "./mis-reference.ts";

export interface EnrolmentPreview {
  readonly learnerId: string;
  readonly centreId: number;
  readonly multipleCentres: boolean;
  /** ENR-3: the learner fields that will be sent. */
  readonly learnerFields: Readonly<Record<string, unknown>>;
  /** Officers, organisation, classroom, qualifications and reviews: matched, to create, or why not. */
  readonly items: ReadonlyArray<ReportItem>;
  readonly blockers: ReadonlyArray<Blocker>;
  /** The planned changes in the journal's shape (JRN-3). */
  readonly changes: ReadonlyArray<Change>;
}

export interface EnrolmentResult extends Omit<EnrolmentPreview, "blockers"> {
  readonly runId: string;
  readonly dryRun: boolean;
  readonly onefileLearnerId: number | null;
}

export type EnrolmentError =
  | ConnectionError
  | RecordNotFound
  | OneFileError
  | LearnerAlreadyEnrolled
  | DuplicateLearnerFound
  | EnrolmentBlocked
  | RuleDisabled
  | LearnerBusy
  | StepFailed
  | StoreError;

export interface LinkResult {
  readonly runId: string;
  readonly learnerId: string;
  readonly onefileLearnerId: number;
  readonly qualifications: ReadonlyArray<{
    qualificationId: string;
    onefileLearningAimId: number | null;
    onefileStandardId: number | null;
  }>;
  readonly changes: ReadonlyArray<Change>;
}

/**
 * The OneFile connection and one read-once view shared by the learners of a run over many
 * (REC-2 apply, REC-3 bulk enrolment), so what one learner read is not read again for the next.
 */
export interface RunScope {
  readonly client: OneFileClientShape;
  readonly settings: Settings;
  readonly view: OneFileView;
}

export type LinkError =
  | Exclude<EnrolmentError, EnrolmentBlocked | DuplicateLearnerFound>
  | InvalidRequest
  | OneFileLearnerAlreadyLinked
  | ProposalOutdated;

export interface LinkOptions {
  /** Plan and journal the link without storing it (JRN-3). */
  readonly dryRun?: boolean;
  /** Refuses the link with this reason when the records no longer fit (REC-2: changed since the proposal). */
  readonly check?: (learner: Learner, user: User) => string | null;
}

export interface EnrolmentShape {
  readonly preview: (request: EnrolmentRequest) => Effect.Effect<EnrolmentPreview, PreviewError>;
  readonly enrol: (request: EnrolmentRequest, trigger?: RunTrigger) => Effect.Effect<EnrolmentResult, EnrolmentError>;
  readonly link: (learnerId: string, onefileLearnerId: number, trigger?: RunTrigger) => Effect.Effect<LinkResult, LinkError>;
  /** The same operations for one learner of a run over many, journaled in that run (REC-2, REC-3). */
  readonly inRun: {
    readonly preview: (scope: RunScope, request: EnrolmentRequest) => Effect.Effect<EnrolmentPreview, PreviewError>;
    /** Under the learner's lease; a blocked learner fails with its refusal and nothing is written. */
    readonly enrol: (scope: RunScope, runId: string, request: EnrolmentRequest) => Effect.Effect<EnrolmentResult, EnrolmentError>;
    readonly link: (
      scope: RunScope,
      runId: string,
      learnerId: string,
      onefileLearnerId: number,
      options?: LinkOptions,
    ) => Effect.Effect<LinkResult, LinkError>;
  };
}

type PreviewError = Exclude<
  EnrolmentError,
  StepFailed | LearnerBusy | EnrolmentBlocked | DuplicateLearnerFound | LearnerAlreadyEnrolled
>;

/** ENR-10: the id names no OneFile user of this customer (unknown, or another customer's). */
const notThisCustomers = (onefileLearnerId: number) =>
  new InvalidRequest({ field: "onefileId", reason: `OneFile has no learner ${onefileLearnerId} for this customer` });

/** SET-14: `auto` means on when the customer has more than one OneFile centre. */
export const effectiveMultipleCentres = (settings: Settings, centreCount: number): boolean =>
  settings.multipleCentres === "on" || (settings.multipleCentres === "auto" && centreCount > 1);

/**
 * ENR-9: OneFile learners in the centre with the learner's MIS reference, ULN, or email and name.
 * Three exact searches, each read once per operation.
 */
const findDuplicates = (view: OneFileView, centreId: number, learner: Learner) =>
  Effect.gen(function* () {
    const found = new Map<number, { user: User; matchedOn: Array<string> }>();
    const note = (users: ReadonlyArray<User>, why: string, keep: (u: User) => boolean = () => true) => {
      for (const user of users.filter(keep)) {
        const entry = found.get(user.ID) ?? { user, matchedOn: [] };
        entry.matchedOn.push(why);
        found.set(user.ID, entry);
      }
    };
    note(yield* view.learnersBy(centreId, "MISID", learner.id), "MIS reference");
    if (learner.uln) note(yield* view.learnersBy(centreId, "ULN", learner.uln), "ULN");
    if (learner.email) {
      note(
        yield* view.learnersBy(centreId, "Email", learner.email),
        "email and name",
        (u) => sameMisReference(u.FirstName, learner.firstName) && sameMisReference(u.LastName, learner.surname),
      );
    }
    return [...found.values()];
  });

export class Enrolment extends Context.Tag("core/Enrolment")<Enrolment, EnrolmentShape>() {
  static readonly layer = Layer.effect(
    Enrolment,
    Effect.gen(function* () {
      const records = yield* PicsRecords;
      const runLog = yield* RunLog;
      const lifecycle = runLifecycle(runLog);
      const intents = yield* Intents;
      const leases = yield* Leases;
      const connection = yield* OneFileConnection;
      const rules = yield* Rules;

      /** Reads the snapshot and lets the rules plan. Never writes. */
      const plan = (request: EnrolmentRequest, client: OneFileClientShape, settings: Settings, view = makeOneFileView(client)) =>
        Effect.gen(function* () {
          if (!rules.has("learner")) return yield* new RuleDisabled({ rule: "learner", operation: "enrolment" });
          const learner = yield* records.getLearner(request.learnerId);
          const { officers, organisations } = yield* readReferenced(records, learner);
          const builder = new PlanBuilder();
          const items: Array<ReportItem> = [];
          const ctx: EnrolmentContext = {
            request,
            settings,
            learner,
            officers,
            organisations,
            centreId: request.centreId,
            multipleCentres: false,
            view,
            plan: builder,
            report: { items },
            onefileLearner: null,
          };

          if (learner.onefileId !== null) {
            builder.block({
              code: "already_linked",
              message: `learner "${learner.id}" is already linked to OneFile learner ${learner.onefileId}`,
              entity: "learner",
              entityId: learner.id,
              details: { onefileId: learner.onefileId },
            });
            return { ctx, builder, items };
          }

          const centres = yield* view.centres;
          const multipleCentres = effectiveMultipleCentres(settings, centres.length);
          Object.assign(ctx, { multipleCentres });
          if (!centres.some((c) => c.ID === request.centreId)) {
            builder.block({
              code: "unknown_centre",
              message: `OneFile centre ${request.centreId} is not one of the customer's centres (${centres.map((c) => c.ID).join(", ")})`,
              details: { centres: centres.map((c) => ({ id: c.ID, name: c.Name })) },
            });
            return { ctx, builder, items };
          }

          // ENR-9 / ENR-13: a OneFile learner with our MIS reference that this product was
          // creating (its intent is recorded) is our own unfinished enrolment: resume it.
          const duplicates = yield* findDuplicates(view, request.centreId, learner);
          const intent = yield* intents.get(`learner:${learner.id}`);
          const own =
            intent === null
              ? undefined
              : (duplicates.find((d) => d.user.ID === intent.onefileId) ??
                duplicates.find((d) => (d.user.MISID ?? "").trim() === learner.id));
          // ENR-15: resumed only when it is the only candidate; with any other, blocked listing them all.
          if (own && duplicates.length === 1) {
            ctx.onefileLearner = own.user.ID;
            items.push({ entity: "learner", id: learner.id, outcome: "resumed", onefileId: own.user.ID });
          } else if (duplicates.length > 0) {
            builder.block({
              code: "duplicate_learner",
              message: `OneFile already has ${duplicates.length === 1 ? "a learner" : "learners"} like "${learner.id}": ${duplicates
                .map(
                  (d) =>
                    `${d.user.ID} (same ${d.matchedOn.join(", ")}${d === own ? "; this product's unfinished enrolment" : ""})`,
                )
                .join(", ")}; link instead of creating another`,
              entity: "learner",
              entityId: learner.id,
              details: { candidates: duplicates.map((d) => ({ onefileId: d.user.ID, matchedOn: d.matchedOn })) },
            });
          }

          for (const pkg of rules.packages) {
            if (pkg.enrolment) yield* rules.provide(pkg.enrolment(ctx));
          }
          // ENR-12, last of all: a learner linked in PICS is a finished enrolment, so a re-run
          // after a crash anywhere before this point resumes instead of refusing (ENR-13).
          if (ctx.onefileLearner !== null) {
            builder.add({
              description: `store the OneFile learner on learner ${learner.id}`,
              write: {
                pics: {
                  target: { entity: "learner", id: learner.id },
                  fields: { onefileId: ctx.onefileLearner, onefileCentreId: request.centreId },
                },
              },
              journal: [
                {
                  entity: "learner",
                  entityId: learner.id,
                  field: "onefileId",
                  before: null,
                  after: ctx.onefileLearner,
                  direction: "toPics",
                  onefileId: ctx.onefileLearner,
                },
                {
                  entity: "learner",
                  entityId: learner.id,
                  field: "onefileCentreId",
                  before: learner.onefileCentreId,
                  after: request.centreId,
                  direction: "toPics",
                },
              ],
            });
          }
          return { ctx, builder, items };
        });

      const toPreview = (
        request: EnrolmentRequest,
        planned: Effect.Effect.Success<ReturnType<typeof plan>>,
      ): EnrolmentPreview => {
        const learnerStep = planned.builder.steps.find(
          (s) =>
            "onefile" in s.write && s.write.onefile.call === "createUser" && s.intent?.key === `learner:${request.learnerId}`,
        );
        return {
          learnerId: request.learnerId,
          centreId: request.centreId,
          multipleCentres: planned.ctx.multipleCentres,
          learnerFields:
            learnerStep && "onefile" in learnerStep.write
              ? (resolveValue(learnerStep.write.onefile.body, new Map()) as Record<string, unknown>)
              : {},
          // Records still to be created have no OneFile id yet: null, with outcome "create".
          items: planned.items.map((item) => ({ ...item, onefileId: isRef(item.onefileId) ? null : item.onefileId })),
          blockers: planned.builder.blockers,
          changes: planChanges(planned.builder.steps),
        };
      };

      const refusal = (learnerId: string, blockers: ReadonlyArray<Blocker>) => {
        const linked = blockers.find((b) => b.code === "already_linked");
        if (linked)
          return new LearnerAlreadyEnrolled({ learnerId, onefileId: (linked.details as { onefileId: number }).onefileId });
        const duplicate = blockers.find((b) => b.code === "duplicate_learner");
        if (duplicate)
          return new DuplicateLearnerFound({ learnerId, candidates: (duplicate.details as { candidates: [] }).candidates });
        return new EnrolmentBlocked({ learnerId, blockers });
      };

      const preview: EnrolmentShape["preview"] = (request) =>
        Effect.gen(function* () {
          const { client, settings } = yield* connection.client;
          return toPreview(request, yield* plan(request, client, settings));
        });

      /** Applies a planned enrolment in a run (dry: journals the plan); the learner's lease is held by the caller. */
      const land = (
        scope: RunScope,
        runId: string,
        request: EnrolmentRequest,
        planned: Effect.Effect.Success<ReturnType<typeof plan>>,
        fence: ApplyEnv["fence"],
      ) =>
        Effect.gen(function* () {
          const dryRun = request.dryRun === true;
          const shown = toPreview(request, planned);
          if (dryRun) {
            // The planned rows carry the learner as applied rows do, so the learner's log shows them.
            yield* runLog.journal(
              runId,
              shown.changes.map((c) => ({ ...c, learnerId: c.learnerId ?? request.learnerId })),
            );
            return { ...shown, runId, dryRun, onefileLearnerId: resolveLearnerId(planned, new Map()) };
          }
          const results = yield* applyPlan(
            { client: scope.client, records, runLog, intents, runId, learnerId: request.learnerId, fence },
            planned.builder.steps,
          );
          // Later learners of the same run match what this one created (OFF-3, ORG-3), never create it again.
          primeCreated(scope.view, planned.builder.steps, results);
          return {
            ...shown,
            items: planned.items.map((item) => ({
              ...item,
              onefileId: resolveValue(item.onefileId, results) as number | null,
            })),
            changes: planChanges(planned.builder.steps, results),
            runId,
            dryRun,
            onefileLearnerId: resolveLearnerId(planned, results),
          };
        });

      /**
       * ENR-14: claims the shared records a plan would create, then plans again with a fresh view,
       * so one created meanwhile by another enrolment, refresh or run (any process) is matched instead.
       */
      const claimShared = (request: EnrolmentRequest, scope: RunScope, first: Effect.Effect.Success<ReturnType<typeof plan>>) =>
        Effect.gen(function* () {
          let planned = first;
          const claims: Array<LeaseGuard> = [];
          for (let round = 0; request.dryRun !== true && round < 3; round++) {
            const needed = sharedCreates(planned.builder.steps).filter((c) => !claims.some((g) => g.name === c.claim));
            if (needed.length === 0) break;
            claims.push(...(yield* claimSharedCreates(leases, yield* LeaseTtl, needed, "enrolment")));
            planned = yield* plan(request, scope.client, scope.settings);
            if (planned.builder.blockers.length > 0) return yield* refusal(request.learnerId, planned.builder.blockers);
          }
          return { planned, claims };
        });

      const enrol: EnrolmentShape["enrol"] = (request, trigger = "http") =>
        Effect.scoped(
          Effect.gen(function* () {
            const { client, settings } = yield* connection.client;
            const guard = yield* holdLearner(leases, request.learnerId, "enrolment");
            const scope: RunScope = { client, settings, view: makeOneFileView(client) };
            let planned = yield* plan(request, client, settings, scope.view);
            if (planned.builder.blockers.length > 0) return yield* refusal(request.learnerId, planned.builder.blockers);

            const dryRun = request.dryRun === true;
            const claimed = yield* claimShared(request, scope, planned);
            planned = claimed.planned;
            const claims = claimed.claims;
            return yield* lifecycle.run(
              { kind: "enrolment", trigger, dryRun, learnerId: request.learnerId, total: 1 },
              (run) => land(scope, run.id, request, planned, Effect.zipRight(guard.check, allGuards(claims))),
              {
                close: () => ({ progress: { done: 1 }, message: dryRun ? dryRunMessage : null }),
                onFailure: { record: { learnerId: request.learnerId, countFailed: true } },
              },
            );
          }),
        );

      const enrolInRun: EnrolmentShape["inRun"]["enrol"] = (scope, runId, request) =>
        Effect.scoped(
          Effect.gen(function* () {
            const guard = yield* holdLearner(leases, request.learnerId, "enrolment");
            const first = yield* plan(request, scope.client, scope.settings, scope.view);
            if (first.builder.blockers.length > 0) return yield* refusal(request.learnerId, first.builder.blockers);
            const { planned, claims } = yield* claimShared(request, scope, first);
            return yield* land(scope, runId, request, planned, Effect.zipRight(guard.check, allGuards(claims)));
          }),
        );

      /**
       * ENR-10: the checks and the plan of a link; reads only. Qualifications are paired with the
       * learner's existing learning aims by VQ reference; nothing is created in OneFile.
       */
      const planLink = (scope: RunScope, learnerId: string, onefileLearnerId: number, check: LinkOptions["check"]) =>
        Effect.gen(function* () {
          const { view } = scope;
          const learner = yield* records.getLearner(learnerId);
          if (learner.onefileId !== null) return yield* new LearnerAlreadyEnrolled({ learnerId, onefileId: learner.onefileId });
          // One PICS learner per OneFile learner: two would both write to it in every exchange.
          const linkedTo = yield* records.learnerIdByOnefileId(onefileLearnerId);
          if (linkedTo !== null)
            return yield* new OneFileLearnerAlreadyLinked({ onefileId: onefileLearnerId, learnerId: linkedTo });
          const user = yield* view.user(onefileLearnerId).pipe(
            Effect.catchTags({
              NotFound: () => notThisCustomers(onefileLearnerId),
              Forbidden: () => notThisCustomers(onefileLearnerId),
            }),
          );
          if (user.Role !== 1) {
            return yield* new InvalidRequest({
              field: "onefileId",
              reason: `OneFile user ${onefileLearnerId} is not a learner (role ${user.Role})`,
            });
          }
          const changed = check?.(learner, user) ?? null;
          if (changed !== null) return yield* new ProposalOutdated({ learnerId, onefileId: onefileLearnerId, reason: changed });
          const aims = yield* view.learningAims(onefileLearnerId);
          const centres = yield* view.centres;
          const standards = (yield* Effect.forEach(centres, (c) => view.standards(c.ID))).flat();
          const vqOfStandard = new Map(standards.map((s) => [s.ID, vqReferenceOf(s.Title)]));
          // Each learning aim pairs with one qualification; a qualification already linked keeps its link.
          const taken = new Set(
            learner.qualifications.flatMap((q) => (q.onefileLearningAimId === null ? [] : [q.onefileLearningAimId])),
          );
          const pairs = learner.qualifications.map((q) => {
            if (q.onefileLearningAimId !== null) {
              return {
                qualificationId: q.id,
                onefileLearningAimId: q.onefileLearningAimId,
                onefileStandardId: q.onefileStandardId,
                kept: true,
              };
            }
            const aim = aims.find(
              (a) => !taken.has(a.ID) && a.StandardID !== null && sameVqReference(vqOfStandard.get(a.StandardID), q.vqReference),
            );
            if (aim) taken.add(aim.ID);
            return {
              qualificationId: q.id,
              onefileLearningAimId: aim?.ID ?? null,
              onefileStandardId: aim?.StandardID ?? null,
              kept: false,
            };
          });

          const steps: Array<Step> = [];
          const add = (step: Omit<Step, "id">) => steps.push({ ...step, id: steps.length + 1 });
          for (const pair of pairs.filter((p) => p.onefileLearningAimId !== null && !p.kept)) {
            add({
              description: `link qualification ${pair.qualificationId} to learning aim ${pair.onefileLearningAimId}`,
              write: {
                pics: {
                  target: { entity: "qualification", learnerId, id: pair.qualificationId },
                  fields: { onefileStandardId: pair.onefileStandardId, onefileLearningAimId: pair.onefileLearningAimId },
                },
              },
              journal: [
                {
                  entity: "qualification",
                  entityId: pair.qualificationId,
                  field: "onefileLearningAimId",
                  before: null,
                  after: pair.onefileLearningAimId,
                  direction: "toPics",
                  onefileId: pair.onefileLearningAimId,
                },
              ],
            });
          }
          add({
            description: `link learner ${learnerId} to OneFile learner ${onefileLearnerId}`,
            write: {
              pics: {
                target: { entity: "learner", id: learnerId },
                fields: { onefileId: onefileLearnerId, onefileCentreId: user.OrganisationID },
              },
            },
            journal: [
              {
                entity: "learner",
                entityId: learnerId,
                field: "onefileId",
                before: null,
                after: onefileLearnerId,
                direction: "toPics",
                onefileId: onefileLearnerId,
              },
            ],
          });
          return { pairs, steps };
        });

      /** Stores a planned link (dry: journals it only). */
      const landLink = (
        scope: RunScope,
        runId: string,
        learnerId: string,
        onefileLearnerId: number,
        planned: Effect.Effect.Success<ReturnType<typeof planLink>>,
        dryRun: boolean,
        fence: ApplyEnv["fence"],
      ) =>
        Effect.gen(function* () {
          const changes = planChanges(planned.steps).map((c) => ({ ...c, learnerId: c.learnerId ?? learnerId }));
          if (dryRun) yield* runLog.journal(runId, changes);
          else yield* applyPlan({ client: scope.client, records, runLog, intents, runId, learnerId, fence }, planned.steps);
          return {
            runId,
            learnerId,
            onefileLearnerId,
            qualifications: planned.pairs.map(({ kept: _kept, ...pair }) => pair),
            changes,
          } satisfies LinkResult;
        });

      const link: EnrolmentShape["link"] = (learnerId, onefileLearnerId, trigger = "http") =>
        Effect.scoped(
          Effect.gen(function* () {
            const { client, settings } = yield* connection.client;
            const guard = yield* holdLearner(leases, learnerId, "link");
            const scope: RunScope = { client, settings, view: makeOneFileView(client) };
            const planned = yield* planLink(scope, learnerId, onefileLearnerId, undefined);
            // Unlike an enrolment, a failed link is not recorded as a run error: the run's message says it.
            return yield* lifecycle.run(
              { kind: "enrolment", trigger, learnerId, total: 1 },
              (run) => landLink(scope, run.id, learnerId, onefileLearnerId, planned, false, guard.check),
              {
                close: () => ({ progress: { done: 1 }, message: "linked to an existing OneFile learner" }),
                onFailure: { catches: "work" },
              },
            );
          }),
        );

      const inRun: EnrolmentShape["inRun"] = {
        preview: (scope, request) =>
          Effect.map(plan(request, scope.client, scope.settings, scope.view), (planned) => toPreview(request, planned)),
        enrol: enrolInRun,
        link: (scope, runId, learnerId, onefileLearnerId, options = {}) =>
          Effect.scoped(
            Effect.gen(function* () {
              const guard = yield* holdLearner(leases, learnerId, "link");
              const planned = yield* planLink(scope, learnerId, onefileLearnerId, options.check);
              return yield* landLink(scope, runId, learnerId, onefileLearnerId, planned, options.dryRun === true, guard.check);
            }),
          ),
      };

      return { preview, enrol, link, inRun } satisfies EnrolmentShape;
    }),
  );
}

/** The OneFile learner id: resumed, or produced by the learner's create step. */
const resolveLearnerId = (planned: { ctx: EnrolmentContext }, results: ReadonlyMap<number, number>): number | null => {
  const value = planned.ctx.onefileLearner === null ? null : resolveValue(planned.ctx.onefileLearner, results);
  return typeof value === "number" ? value : null;
};
