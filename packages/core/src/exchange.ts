/**
 * The daily exchange and "Refresh with OneFile" (SYNC-1..5). One learner at a time is planned by
 * the enabled rule packages from a snapshot and applied under the learner's lease; a run over many
 * learners first reads OneFile in bulk, centre by centre, so each learner then costs about one
 * call (its learning aims) plus its writes. Each learner is independent: a failure is recorded
 * with its reason and the run goes on (SYNC-3).
 */
import type { OneFileClientShape, OneFileError } from "@pics/onefile-client";
import { Roles } from "@pics/onefile-client";
import {
  Intents,
  Leases,
  PicsRecords,
  RunLog,
  type Change,
  type Learner,
  type LeaseLost,
  type Officer,
  type RecordNotFound,
  type Run,
  type RunTrigger,
  type Settings,
  type StoreError,
} from "@pics/pics-store";
import { Duration, Effect, Layer, Schedule, Stream } from "effect";
import { applyPlan, type StepFailed } from "./apply.ts";
import { OneFileConnection, type ConnectionError } from "./connection.ts";
import { effectiveMultipleCentres } from "./enrolment.ts";
import { LearnerNotLinked, RunInProgress } from "./errors.ts";
import { Exchange, type ExchangeShape, type StartRunOptions } from "./exchange-api.ts";
import { holderOperation, holdLearner, leaseOwner, LeaseTtl, processOwner } from "./learner-lease.ts";
import { makeOneFileView, type OneFileView } from "./onefile-view.ts";
import { readReferenced } from "./pics-side.ts";
import { PlanBuilder, planChanges, type Step } from "./plan.ts";
import { Rules } from "./registry.ts";
import type { ExchangeContext, OfficerDirectory, ReportItem, RuleRegistry } from "./rules.ts";
import { utcToLocal } from "./time.ts";

/** One daily or full run at a time, across processes. */
export const RUN_LEASE = "sync:run";
/**
 * How a run reads OneFile. The product uses `bulkStrategy`; the benchmark measures it against a
 * per-record, one-learner-at-a-time baseline through the same seam.
 */
export interface ExchangeStrategy {
  /** Learners exchanged at once in a run; OneFile calls are paced by the client's limiter anyway. */
  readonly learnerConcurrency: number;
  /** List each centre's learners, reviews, placements and assessors before planning. */
  readonly prefetch: boolean;
  readonly makeView: (client: OneFileClientShape) => OneFileView;
}

export const bulkStrategy: ExchangeStrategy = { learnerConcurrency: 4, prefetch: true, makeView: makeOneFileView };
/** How long a run waits for a learner a refresh is working on before recording it as failed. */
const BUSY_LEARNER_WAIT_MS = 30_000;
const busySchedule = Schedule.spaced(Duration.millis(250)).pipe(Schedule.upTo(Duration.millis(BUSY_LEARNER_WAIT_MS)));

type LearnerFailure = OneFileError | StepFailed | StoreError | RecordNotFound | RunInProgress | LeaseLost;

/** What one learner's exchange needs that is shared by the whole run. */
interface RunContext {
  readonly client: OneFileClientShape;
  readonly settings: Settings;
  readonly view: OneFileView;
  readonly multipleCentres: boolean;
  readonly officerDirectory: OfficerDirectory;
  readonly seen: Set<string>;
  readonly today: string;
  /** One learner at a time may create records learners share (assessors, placements), see `exchangeLearner`. */
  readonly sharedCreates: Effect.Semaphore;
}

/** Creates of records several learners can need: an assessor (OFF-4), a placement (ORG-4), a classroom. */
const createsSharedRecord = (steps: ReadonlyArray<Step>) =>
  steps.some((s) => "onefile" in s.write && ["createUser", "createPlacement", "createClassroom"].includes(s.write.onefile.call));

/**
 * After a learner's plan landed: the assessors and placements it created are added to the run's
 * view under their MIS reference, so a later learner matches them (OFF-3, ORG-3) instead of
 * creating them again. A record is only created when its MIS reference matched nothing, so the
 * new record is the whole answer.
 */
const primeCreated = (view: OneFileView, steps: ReadonlyArray<Step>, results: ReadonlyMap<number, number>) => {
  for (const step of steps) {
    const id = results.get(step.id);
    if (id === undefined || !("onefile" in step.write)) continue;
    const { call, body } = step.write.onefile;
    const misId = typeof body.MISID === "string" ? body.MISID.trim().toLowerCase() : "";
    const centreId = typeof body.OrganisationID === "number" ? body.OrganisationID : null;
    if (misId === "" || centreId === null) continue;
    const created = [{ ...body, ID: id, Archived: false }];
    if (call === "createUser" && body.Role === Roles.assessor) view.prime({ kind: "assessorsByMisId", centreId, misId }, created);
    else if (call === "createPlacement") view.prime({ kind: "placementsByMisId", centreId, misId }, created);
  }
};

const todayIn = (timeZone: string) => utcToLocal(new Date().toISOString(), timeZone).date;

const makeDirectory = (officers: ReadonlyArray<Officer>): OfficerDirectory => {
  const byOnefileId = new Map(officers.filter((o) => o.onefileId !== null).map((o) => [o.onefileId!, o]));
  const byIdent = new Map(officers.map((o) => [o.ident.trim().toLowerCase(), o]));
  return { byOnefileId: (id) => byOnefileId.get(id), byIdent: (ident) => byIdent.get(ident.trim().toLowerCase()) };
};

/** What a run must list centre-wide, given the enabled rules and the settings. */
const bulkNeeds = (rules: RuleRegistry, settings: Settings, multipleCentres: boolean) => ({
  reviews: rules.has("review") && (settings.uploadReviews || settings.downloadReviews),
  placements: rules.has("organisation") && (settings.organisationDemographicsMode !== "Ignore" || settings.pushEmployerChanges),
  assessors:
    rules.has("officer") &&
    (settings.officerDemographicsMode !== "Ignore" ||
      settings.pushMainOfficerChanges ||
      (settings.downloadReviews && multipleCentres)),
});

/**
 * Reads a centre's learners, reviews, placements and assessors in pages and primes the view with
 * them, so planning each learner needs no call for what was listed here.
 */
const prefetchCentre = (
  client: OneFileClientShape,
  view: OneFileView,
  centreId: number,
  learnerOnefileIds: ReadonlyArray<number>,
  needs: ReturnType<typeof bulkNeeds>,
) =>
  Effect.gen(function* () {
    // Listing costs a call per 100 learners of the centre; a handful are cheaper one by one.
    if (learnerOnefileIds.length >= 25) {
      yield* Stream.runForEach(client.streamUsers({ OrganisationID: centreId, Role: Roles.learner }), (user) =>
        Effect.sync(() => view.prime({ kind: "user", id: user.ID }, user)),
      );
    }
    if (needs.reviews) {
      const byLearner = new Map<number, Array<unknown>>(learnerOnefileIds.map((id) => [id, []]));
      yield* Stream.runForEach(client.streamReviews({ OrganisationID: centreId }), (review) =>
        Effect.sync(() => {
          if (review.LearnerID !== null) byLearner.get(review.LearnerID)?.push(review);
        }),
      );
      for (const [learnerId, reviews] of byLearner) view.prime({ kind: "reviews", centreId, learnerId }, reviews);
    }
    if (needs.placements) {
      const byMisId = new Map<string, Array<unknown>>();
      yield* Stream.runForEach(client.streamPlacements({ OrganisationID: centreId }), (placement) =>
        Effect.sync(() => {
          view.prime({ kind: "placement", id: placement.ID }, placement);
          const misId = (placement.MISID ?? "").trim().toLowerCase();
          if (misId) byMisId.set(misId, [...(byMisId.get(misId) ?? []), placement]);
        }),
      );
      for (const [misId, rows] of byMisId) view.prime({ kind: "placementsByMisId", centreId, misId }, rows);
    }
    if (needs.assessors) {
      const byMisId = new Map<string, Array<unknown>>();
      yield* Stream.runForEach(client.streamUsers({ OrganisationID: centreId, Role: Roles.assessor }), (user) =>
        Effect.sync(() => {
          view.prime({ kind: "user", id: user.ID }, user);
          const misId = (user.MISID ?? "").trim().toLowerCase();
          if (misId) byMisId.set(misId, [...(byMisId.get(misId) ?? []), user]);
        }),
      );
      for (const [misId, rows] of byMisId) view.prime({ kind: "assessorsByMisId", centreId, misId }, rows);
    }
  });

export const exchangeLayer = (strategy: ExchangeStrategy) =>
  Layer.effect(
    Exchange,
    Effect.gen(function* () {
      const records = yield* PicsRecords;
      const runLog = yield* RunLog;
      const intents = yield* Intents;
      const leases = yield* Leases;
      const connection = yield* OneFileConnection;
      const rules = yield* Rules;
      const leaseTtl = yield* LeaseTtl;

      const allOfficers = Effect.gen(function* () {
        const officers: Array<Officer> = [];
        let cursor: string | null = null;
        do {
          const page: { items: ReadonlyArray<Officer>; nextCursor: string | null } = yield* records.listOfficers({
            limit: 500,
            cursor,
          });
          officers.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor !== null);
        return officers;
      });

      const runContext = (client: OneFileClientShape, settings: Settings, view: OneFileView) =>
        Effect.gen(function* () {
          // SET-14: only `auto` needs to know how many centres the customer has.
          const centreCount = settings.multipleCentres === "auto" ? (yield* view.centres).length : 0;
          return {
            client,
            settings,
            view,
            multipleCentres: effectiveMultipleCentres(settings, centreCount),
            officerDirectory: makeDirectory(yield* allOfficers),
            seen: new Set<string>(),
            today: todayIn(settings.dailySync.timeZone),
            sharedCreates: yield* Effect.makeSemaphore(1),
          } satisfies RunContext;
        });

      /**
       * Lets every enabled rule package plan one learner's exchange. Reads only. Records shared by
       * learners (an officer's demographics) are claimed for this learner in the run; a second plan
       * of the same learner keeps what its first plan claimed.
       */
      const planLearner = (run: RunContext, learner: Learner, claimedBefore: ReadonlySet<string> = new Set()) =>
        Effect.gen(function* () {
          const claimed = new Set<string>();
          const once = (key: string) => {
            if (claimedBefore.has(key)) return (claimed.add(key), true);
            if (run.seen.has(key)) return false;
            run.seen.add(key);
            claimed.add(key);
            return true;
          };
          const onefileLearner = learner.onefileId!;
          const centreId = learner.onefileCentreId ?? (yield* run.view.user(onefileLearner)).OrganisationID ?? 0;
          const { officers, organisations } = yield* readReferenced(records, learner);
          const plan = new PlanBuilder();
          const items: Array<ReportItem> = [];
          const ctx: ExchangeContext = {
            settings: run.settings,
            learner,
            officers,
            organisations,
            centreId,
            multipleCentres: run.multipleCentres,
            view: run.view,
            plan,
            report: { items },
            onefileLearner,
            today: run.today,
            once,
            officerDirectory: run.officerDirectory,
          };
          for (const pkg of rules.packages) {
            if (pkg.exchange) yield* rules.provide(pkg.exchange(ctx));
          }
          return { plan, claimed };
        });

      /**
       * The exchange for one learner inside a run: plan, then apply (or, dry, journal the plan).
       * A blocker (an ambiguous assessor for a push) fails this learner only.
       */
      const exchangeLearner = (
        run: RunContext,
        runId: string,
        dryRun: boolean,
        learnerId: string,
        fence: Effect.Effect<void, LeaseLost>,
      ) =>
        Effect.gen(function* () {
          const learner = yield* records.getLearner(learnerId);
          const { plan, claimed } = yield* planLearner(run, learner);
          if (dryRun) {
            const changes = planChanges(plan.steps).map((c) => ({ ...c, learnerId: c.learnerId ?? learnerId }));
            yield* runLog.journal(runId, changes);
            return { changes, blockers: plan.blockers };
          }
          if (!createsSharedRecord(plan.steps)) return yield* applyLearner(run, runId, learnerId, plan, fence);
          // Learners run side by side and may need the same new assessor or placement. The creating
          // learner goes alone and plans again first, so what an earlier learner created (stored on
          // the officer/organisation, primed in the view) is used, never created twice.
          return yield* run.sharedCreates.withPermits(1)(
            Effect.flatMap(records.getLearner(learnerId), (fresh) =>
              Effect.flatMap(planLearner(run, fresh, claimed), (again) => applyLearner(run, runId, learnerId, again.plan, fence)),
            ),
          );
        });

      const applyLearner = (
        run: RunContext,
        runId: string,
        learnerId: string,
        plan: PlanBuilder,
        fence: Effect.Effect<void, LeaseLost>,
      ) =>
        Effect.gen(function* () {
          const results = yield* applyPlan({ client: run.client, records, runLog, intents, runId, learnerId, fence }, plan.steps);
          primeCreated(run.view, plan.steps, results);
          return {
            changes: planChanges(plan.steps, results).map((c) => ({ ...c, learnerId: c.learnerId ?? learnerId })),
            blockers: plan.blockers,
          };
        });

      const failureCode = (error: LearnerFailure) => (error._tag === "StepFailed" ? error.code : error._tag);

      const refresh: ExchangeShape["refresh"] = (learnerId, options = {}) =>
        Effect.scoped(
          Effect.gen(function* () {
            const { client, settings } = yield* connection.client;
            const guard = yield* holdLearner(leases, learnerId, "refresh");
            const learner = yield* records.getLearner(learnerId);
            if (learner.onefileId === null) return yield* new LearnerNotLinked({ learnerId });
            const dryRun = options.dryRun === true;
            const run = yield* runLog.start({ kind: "refresh", trigger: options.trigger ?? "http", dryRun, learnerId, total: 1 });
            // Once the run is recorded, its outcome is the answer, whatever failed (SYNC-1).
            const outcome = yield* Effect.either(
              Effect.flatMap(runContext(client, settings, strategy.makeView(client)), (context) =>
                exchangeLearner(context, run.id, dryRun, learnerId, guard.check),
              ),
            );
            if (outcome._tag === "Left") {
              yield* closeFailed(run.id, learnerId, outcome.left);
            } else {
              yield* recordBlockers(run.id, learnerId, outcome.right.blockers);
              const failed = outcome.right.blockers.length > 0 ? 1 : 0;
              yield* runLog.progress(run.id, { done: 1, failed });
              yield* runLog.finish(
                run.id,
                failed ? "partially_succeeded" : "succeeded",
                dryRun ? "dry run: nothing was written" : null,
              );
            }
            return { run: yield* runLog.get(run.id), changes: outcome._tag === "Right" ? outcome.right.changes : [] };
          }),
        );

      const recordBlockers = (runId: string, learnerId: string, blockers: ReadonlyArray<{ code: string; message: string }>) =>
        Effect.forEach(blockers, (b) => runLog.recordError(runId, { learnerId, code: b.code, reason: b.message }), {
          discard: true,
        });

      const closeFailed = (runId: string, learnerId: string | null, error: { _tag: string; message: string } & object) =>
        Effect.gen(function* () {
          const code = "code" in error && typeof error.code === "string" && error._tag === "StepFailed" ? error.code : error._tag;
          yield* runLog.recordError(runId, { learnerId, code, reason: error.message });
          yield* runLog.progress(runId, { failed: 1 });
          yield* runLog.finish(runId, "failed", error.message);
        }).pipe(Effect.ignore);

      /** Takes the run lease and opens the run record; the work itself is `execute`. */
      const prepare = (options: StartRunOptions) =>
        Effect.gen(function* () {
          const owner = leaseOwner(`${options.kind} run`);
          const taken = yield* leases.tryAcquire(RUN_LEASE, owner, leaseTtl);
          if (!taken) {
            const holder = yield* leases.holder(RUN_LEASE);
            return yield* new RunInProgress({
              subject: "a daily or full run",
              holder: holder ? holderOperation(holder.owner) : "another process",
            });
          }
          const run = yield* runLog.start({
            kind: options.kind,
            trigger: options.trigger,
            dryRun: options.dryRun === true,
            // A run over named learners is not a synchronisation of everyone (SYNC-4).
            partialScope: options.learnerIds !== undefined,
            owner: processOwner,
          });
          return { run, owner };
        });

      const execute = (options: StartRunOptions, run: Run, owner: string) =>
        Effect.scoped(
          Effect.gen(function* () {
            const runGuard = yield* leases.hold(RUN_LEASE, owner, leaseTtl).pipe(Effect.orDie);
            // SYNC-5: once the run lease may be another process's, this run writes nothing more
            // (not even its own end: the process that took over closes it as interrupted).
            let leaseLost: LeaseLost | null = null;
            const lostRunLease = (error: LearnerFailure): LeaseLost | null =>
              error._tag === "LeaseLost" && error.name === RUN_LEASE
                ? error
                : error._tag === "StepFailed" && error.reason._tag === "LeaseLost" && error.reason.name === RUN_LEASE
                  ? error.reason
                  : null;
            const dryRun = options.dryRun === true;
            const started = yield* Effect.either(
              Effect.gen(function* () {
                const { client, settings } = yield* connection.client;
                const view = strategy.makeView(client);
                const context = yield* runContext(client, settings, view);
                const ids = options.learnerIds ?? (yield* records.learnerIdsInScope(context.today, settings.endedWithinDays));
                yield* runLog.progress(run.id, { total: ids.length });
                // Bulk reads, centre by centre, for the learners in scope.
                const learners = yield* records.getLearners(ids);
                const byCentre = new Map<number, Array<number>>();
                for (const l of learners) {
                  if (l.onefileId === null || l.onefileCentreId === null) continue;
                  byCentre.set(l.onefileCentreId, [...(byCentre.get(l.onefileCentreId) ?? []), l.onefileId]);
                }
                const needs = bulkNeeds(rules, settings, context.multipleCentres);
                if (strategy.prefetch) {
                  for (const [centreId, onefileIds] of byCentre) yield* prefetchCentre(client, view, centreId, onefileIds, needs);
                }
                return { context, ids };
              }),
            );
            if (started._tag === "Left") {
              // SYNC-3: could not run at all (authentication refused, OneFile unreachable).
              yield* closeFailed(run.id, null, started.left as { _tag: string; message: string });
              return yield* runLog.get(run.id);
            }
            const { context, ids } = started.right;
            let done = 0;
            let failed = 0;
            yield* Effect.forEach(
              ids,
              (learnerId) =>
                Effect.scoped(
                  Effect.gen(function* () {
                    yield* runGuard.check;
                    const learnerGuard = yield* holdLearner(leases, learnerId, `${options.kind} run`).pipe(
                      Effect.retry({ while: (e) => e._tag === "RunInProgress", schedule: busySchedule }),
                    );
                    return yield* exchangeLearner(
                      context,
                      run.id,
                      dryRun,
                      learnerId,
                      Effect.zipRight(runGuard.check, learnerGuard.check),
                    );
                  }),
                ).pipe(
                  Effect.matchEffect({
                    onFailure: (error: LearnerFailure) =>
                      lostRunLease(error) !== null
                        ? Effect.sync(() => void (leaseLost = lostRunLease(error)))
                        : Effect.sync(() => (failed += 1)).pipe(
                            Effect.zipRight(
                              runLog.recordError(run.id, { learnerId, code: failureCode(error), reason: error.message }),
                            ),
                          ),
                    onSuccess: ({ blockers }) =>
                      blockers.length > 0
                        ? Effect.sync(() => (failed += 1)).pipe(Effect.zipRight(recordBlockers(run.id, learnerId, blockers)))
                        : Effect.sync(() => (done += 1)),
                  }),
                  Effect.zipRight(
                    Effect.suspend(() =>
                      leaseLost === null ? runLog.progress(run.id, { done: done + failed, failed }) : Effect.void,
                    ),
                  ),
                  Effect.ignore,
                ),
              { concurrency: strategy.learnerConcurrency, discard: true },
            );
            if (leaseLost !== null) return yield* Effect.fail(leaseLost as LeaseLost);
            yield* runLog.finish(
              run.id,
              failed > 0 ? "partially_succeeded" : "succeeded",
              failed > 0 ? `${failed} of ${ids.length} learners failed` : dryRun ? "dry run: nothing was written" : null,
            );
            return yield* runLog.get(run.id);
          }),
        );

      const runToEnd: ExchangeShape["run"] = (options) =>
        Effect.flatMap(prepare(options), ({ run, owner }) => execute(options, run, owner));

      const startRun: ExchangeShape["startRun"] = (options) =>
        Effect.gen(function* () {
          const { run, owner } = yield* prepare(options);
          yield* Effect.forkDaemon(execute(options, run, owner).pipe(Effect.ignoreLogged));
          return { runId: run.id };
        });

      return { refresh, run: runToEnd, startRun } satisfies ExchangeShape;
    }),
  );

export const ExchangeLive = exchangeLayer(bulkStrategy);

export type ExchangeError = ConnectionError | LearnerFailure | LearnerNotLinked;
export type { Change };
