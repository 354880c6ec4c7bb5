/**
 * The daily exchange and "Refresh with OneFile" (SYNC-1..7). One learner at a time is planned by
 * the enabled rule packages from a snapshot and applied under the learner's lease. A run over many
 * learners authenticates first (SYNC-6), then goes centre by centre: the read planner
 * (read-planner.ts) picks, per kind of record, a centre-wide listing or per-learner reads, the
 * listings prime the view with the records of learners in scope only, and the centre's learners
 * are exchanged in batches. Each learner is independent: a failure is recorded with its reason and
 * the run goes on (SYNC-3); a listing that keeps failing only means its records are read one by one.
 */
import type { OneFileClientShape, OneFileError } from "@pics/onefile-client";
import { Roles } from "@pics/onefile-client";
import {
  CentreCounts,
  Intents,
  Leases,
  PicsRecords,
  RunLog,
  SettingsStore,
  type CentreScope,
  type ScopedLearner,
  type Change,
  type Learner,
  type LeaseLost,
  type Officer,
  type PicsRecordsShape,
  type RecordNotFound,
  type Run,
  type RunTrigger,
  type Settings,
  type StoreError,
} from "@pics/pics-store";
import { Duration, Effect, Either, Layer, Schedule, Stream } from "effect";
import { applyPlan, type StepFailed } from "./apply.ts";
import { OneFileConnection, type ConnectionError } from "./connection.ts";
import { effectiveMultipleCentres } from "./enrolment.ts";
import { LearnerNotLinked, RunInProgress } from "./errors.ts";
import { Exchange, type ExchangeShape, type StartRunOptions } from "./exchange-api.ts";
import { holderOperation, holdLearner, leaseOwner, LeaseTtl, processOwner } from "./learner-lease.ts";
import { makeOneFileView, primeCreated, type OneFileView } from "./onefile-view.ts";
import { readReferenced } from "./pics-side.ts";
import { PlanBuilder, planChanges, type Step } from "./plan.ts";
import { describePlan, planCentreReads, type CentreReadPlan, type ReadKind, type ReadMode } from "./read-planner.ts";
import { Rules } from "./registry.ts";
import { dryRunMessage, runLifecycle } from "./run-lifecycle.ts";
import { allGuards, claimSharedCreates, sharedCreates } from "./shared-claims.ts";
import type { ExchangeContext, OfficerDirectory, ReportItem, RuleRegistry } from "./rules.ts";
import { utcToLocal } from "./time.ts";
import { misKey } from "./mis-reference.ts";

/** One daily or full run at a time, across processes. */
export const RUN_LEASE = "sync:run";
/**
 * How a run reads OneFile. The product uses `bulkStrategy`; the benchmark measures it against a
 * per-record, one-learner-at-a-time baseline through the same seam.
 */
export interface ExchangeStrategy {
  /** Learners exchanged at once in a run; OneFile calls are paced by the client's limiter anyway. */
  readonly learnerConcurrency: number;
  /** Per centre and kind of record: the cheaper of a listing and per-learner reads, or always one of them. */
  readonly reads: ReadMode;
  /** Learners of a centre exchanged per batch: memory is bounded by a batch and the centre's listing indexes. */
  readonly batchSize: number;
  readonly makeView: (client: OneFileClientShape) => OneFileView;
}

export const bulkStrategy: ExchangeStrategy = {
  learnerConcurrency: 4,
  reads: "cheapest",
  batchSize: 200,
  makeView: makeOneFileView,
};
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
  readonly needs: ReadNeeds;
  readonly officerDirectory: OfficerDirectory;
  readonly seen: Set<string>;
  readonly today: string;
  /** One learner at a time may create records learners share (assessors, placements), see `exchangeLearner`. */
  readonly sharedCreates: Effect.Semaphore;
}

/** Creates of records several learners can need: an assessor (OFF-4), a placement (ORG-4), a classroom. */
const createsSharedRecord = (steps: ReadonlyArray<Step>) =>
  steps.some((s) => "onefile" in s.write && ["createUser", "createPlacement", "createClassroom"].includes(s.write.onefile.call));

const todayIn = (timeZone: string) => utcToLocal(new Date().toISOString(), timeZone).date;

const makeDirectory = (officers: ReadonlyArray<Officer>): OfficerDirectory => {
  const byOnefileId = new Map(officers.filter((o) => o.onefileId !== null).map((o) => [o.onefileId!, o]));
  const byIdent = new Map(officers.map((o) => [misKey(o.ident), o]));
  return { byOnefileId: (id) => byOnefileId.get(id), byIdent: (ident) => byIdent.get(misKey(ident)) };
};

/** What kinds of OneFile record an exchange reads at all, given the enabled rules and the settings. */
const readNeeds = (rules: RuleRegistry, settings: Settings, multipleCentres: boolean): Record<ReadKind, boolean> => {
  const reviews = rules.has("review") && (settings.uploadReviews || settings.downloadReviews);
  const placements =
    rules.has("organisation") && (settings.organisationDemographicsMode !== "Ignore" || settings.pushEmployerChanges);
  const assessors =
    rules.has("officer") &&
    (settings.officerDemographicsMode !== "Ignore" ||
      settings.pushMainOfficerChanges ||
      (settings.downloadReviews && multipleCentres));
  const learnerRecord =
    rules.has("learner") &&
    (settings.learnerDemographicsMode !== "Ignore" || settings.pushMainOfficerChanges || settings.pushEmployerChanges);
  // The learner's OneFile record also says which centre it is in now (SYNC-7), which reviews and,
  // with several centres, officer and placement matching depend on.
  const learners = learnerRecord || reviews || (multipleCentres && (assessors || placements));
  return { learners, reviews, placements, assessors };
};
type ReadNeeds = ReturnType<typeof readNeeds>;

/**
 * Lists what the plan chose to list of one centre and primes the view with the records of the
 * learners in scope only (SYNC-6: a listing that keeps failing is logged and its records are then
 * read one by one; nothing half-listed is primed where a missing row would mean "not in OneFile").
 * Returns how many records each listing saw, for the next run's planner.
 */
const listCentre = (client: OneFileClientShape, view: OneFileView, scope: CentreScope, plan: CentreReadPlan) =>
  Effect.gen(function* () {
    const centreId = scope.centreId;
    const inScope = new Set<number>();
    for (const l of scope.learners) if (l.onefileId !== null) inScope.add(l.onefileId);
    const seen: Partial<Record<ReadKind, number>> = {};
    const listing = <E>(kind: ReadKind, effect: Effect.Effect<number, E>) =>
      plan[kind]?.read !== "listing"
        ? Effect.void
        : effect.pipe(
            Effect.map((records) => void (seen[kind] = records)),
            Effect.catchAll((error) =>
              Effect.logWarning(`listing ${kind} of OneFile centre ${centreId} failed; reading them per learner`, error),
            ),
          );

    yield* listing(
      "learners",
      // Each row is a whole record: a learner primed before a later page failed is still right.
      Stream.runFold(client.streamUsers({ OrganisationID: centreId, Role: Roles.learner }), 0, (n, user) => {
        if (inScope.has(user.ID)) view.prime({ kind: "user", id: user.ID }, user);
        return n + 1;
      }),
    );
    yield* listing(
      "reviews",
      Effect.gen(function* () {
        const byLearner = new Map<number, Array<unknown>>();
        for (const id of inScope) byLearner.set(id, []);
        const records = yield* Stream.runFold(client.streamReviews({ OrganisationID: centreId }), 0, (n, review) => {
          if (review.LearnerID !== null) byLearner.get(review.LearnerID)?.push(review);
          return n + 1;
        });
        // Only a complete listing says "these are all of the learner's reviews".
        for (const [learnerId, reviews] of byLearner) view.prime({ kind: "reviews", centreId, learnerId }, reviews);
        return records;
      }),
    );
    yield* listing(
      "placements",
      Effect.gen(function* () {
        const rows = yield* Stream.runCollect(client.streamPlacements({ OrganisationID: centreId }));
        const byMisId = new Map<string, Array<unknown>>();
        for (const placement of rows) {
          view.prime({ kind: "placement", id: placement.ID }, placement);
          const misId = misKey(placement.MISID);
          if (misId) byMisId.set(misId, [...(byMisId.get(misId) ?? []), placement]);
        }
        for (const [misId, found] of byMisId) view.prime({ kind: "placementsByMisId", centreId, misId }, found);
        view.prime({ kind: "listed", what: "placements", centreId }, true);
        return rows.length;
      }),
    );
    yield* listing(
      "assessors",
      Effect.gen(function* () {
        const rows = yield* Stream.runCollect(client.streamUsers({ OrganisationID: centreId, Role: Roles.assessor }));
        const byMisId = new Map<string, Array<unknown>>();
        for (const user of rows) {
          view.prime({ kind: "user", id: user.ID }, user);
          const misId = misKey(user.MISID);
          if (misId) byMisId.set(misId, [...(byMisId.get(misId) ?? []), user]);
        }
        // OFF-5: whether a listing shows archived users is OneFile's business, and a hidden archived
        // assessor with the same MIS reference must still block. So the listing settles only what
        // it proves (two or more rows: ambiguous whatever else exists); a MIS reference it shows
        // once or not at all is searched (a MISID search returns archived users, onefile-api §6).
        for (const [misId, found] of byMisId)
          if (found.length >= 2) view.prime({ kind: "assessorsByMisId", centreId, misId }, found);
        return rows.length;
      }),
    );
    return seen;
  });

/** A finished learner's own records are not read again in the run. */
const forgetLearner = (view: OneFileView, onefileId: number | null, centreId: number | null) => {
  if (onefileId === null) return;
  view.forget({ kind: "user", id: onefileId });
  view.forget({ kind: "learningAims", learnerId: onefileId });
  if (centreId !== null) view.forget({ kind: "reviews", centreId, learnerId: onefileId });
};

const batchesOf = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** The learners in scope of a daily or full run (SYNC-2), or the ones it was given. */
const scopeOf = (records: PicsRecordsShape, settings: Settings, options: StartRunOptions) =>
  options.learnerIds !== undefined
    ? Effect.succeed([...options.learnerIds])
    : records.learnerIdsInScope(todayIn(settings.dailySync.timeZone), settings.endedWithinDays);

export const exchangeLayer = (strategy: ExchangeStrategy) =>
  Layer.effect(
    Exchange,
    Effect.gen(function* () {
      const records = yield* PicsRecords;
      const runLog = yield* RunLog;
      const lifecycle = runLifecycle(runLog);
      const intents = yield* Intents;
      const leases = yield* Leases;
      const connection = yield* OneFileConnection;
      const rules = yield* Rules;
      const leaseTtl = yield* LeaseTtl;
      const centreCounts = yield* CentreCounts;
      const settingsStore = yield* SettingsStore;

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
          const multipleCentres = effectiveMultipleCentres(settings, centreCount);
          return {
            client,
            settings,
            view,
            multipleCentres,
            needs: readNeeds(rules, settings, multipleCentres),
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
          const plan = new PlanBuilder();
          // SYNC-7: the learner's OneFile record says which centre it is in now; a learner moved
          // to another centre is followed there (its centre id updated in PICS, journaled).
          const user = run.needs.learners || learner.onefileCentreId === null ? yield* run.view.user(onefileLearner) : undefined;
          const centreId = user?.OrganisationID ?? learner.onefileCentreId ?? 0;
          if (user?.OrganisationID != null && user.OrganisationID !== learner.onefileCentreId) {
            plan.add({
              description: `follow learner ${learner.id} to OneFile centre ${user.OrganisationID}`,
              write: {
                pics: { target: { entity: "learner", id: learner.id }, fields: { onefileCentreId: user.OrganisationID } },
              },
              journal: [
                {
                  learnerId: learner.id,
                  entity: "learner",
                  entityId: learner.id,
                  field: "onefileCentreId",
                  before: learner.onefileCentreId,
                  after: user.OrganisationID,
                  direction: "toPics",
                  onefileId: onefileLearner,
                },
              ],
            });
          }
          const current = centreId === learner.onefileCentreId ? learner : { ...learner, onefileCentreId: centreId };
          const { officers, organisations } = yield* readReferenced(records, current);
          const items: Array<ReportItem> = [];
          const ctx: ExchangeContext = {
            settings: run.settings,
            learner: current,
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
          return { plan, claimed, centreId };
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
          const { plan, claimed, centreId } = yield* planLearner(run, learner);
          const outcome = yield* dryRun
            ? Effect.gen(function* () {
                const changes = planChanges(plan.steps).map((c) => ({ ...c, learnerId: c.learnerId ?? learnerId }));
                yield* runLog.journal(runId, changes);
                return { changes, blockers: plan.blockers };
              })
            : !createsSharedRecord(plan.steps)
              ? applyLearner(run, runId, learnerId, plan, fence)
              : // Learners run side by side and may need the same new assessor or placement. The creating
                // learner goes alone, claims the shared records in the store (ENR-14: against other
                // operations and processes too) and plans again under the claim, so what was created
                // meanwhile is found and used, never created twice.
                run.sharedCreates.withPermits(1)(
                  Effect.scoped(
                    Effect.gen(function* () {
                      const claims = yield* claimSharedCreates(leases, leaseTtl, sharedCreates(plan.steps), "exchange", run.view);
                      let again = (yield* planLearner(run, yield* records.getLearner(learnerId), claimed)).plan;
                      const more = sharedCreates(again.steps).filter((c) => !claims.some((g) => g.name === c.claim));
                      if (more.length > 0) {
                        claims.push(...(yield* claimSharedCreates(leases, leaseTtl, more, "exchange", run.view)));
                        again = (yield* planLearner(run, yield* records.getLearner(learnerId), claimed)).plan;
                      }
                      return yield* applyLearner(run, runId, learnerId, again, Effect.zipRight(fence, allGuards(claims)));
                    }),
                  ),
                );
          forgetLearner(run.view, learner.onefileId, centreId);
          return outcome;
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
            // Once the run is recorded, its outcome is the answer, whatever failed (SYNC-1).
            return yield* lifecycle.settle(
              { kind: "refresh", trigger: options.trigger ?? "http", dryRun, learnerId, total: 1 },
              (run) =>
                Effect.flatMap(runContext(client, settings, strategy.makeView(client)), (context) =>
                  exchangeLearner(context, run.id, dryRun, learnerId, guard.check),
                ),
              {
                close: ({ blockers }) => ({
                  errors: blockerErrors(learnerId, blockers),
                  progress: { done: 1, failed: blockers.length > 0 ? 1 : 0 },
                  partial: blockers.length > 0,
                  message: dryRun ? dryRunMessage : null,
                }),
                onFailure: { record: { learnerId, countFailed: true } },
                // The journal's own rows (http-api.md): each change with its runId and time.
                answer: (outcome, run) =>
                  Effect.gen(function* () {
                    return {
                      run: yield* runLog.get(run.id),
                      changes: Either.isRight(outcome) ? yield* runLog.changes(run.id) : [],
                    };
                  }),
              },
            );
          }),
        );

      const blockerErrors = (learnerId: string, blockers: ReadonlyArray<{ code: string; message: string }>) =>
        blockers.map((b) => ({ learnerId, code: b.code, reason: b.message }));

      const recordBlockers = (runId: string, learnerId: string, blockers: ReadonlyArray<{ code: string; message: string }>) =>
        lifecycle.recordErrors(runId, blockerErrors(learnerId, blockers));

      /** Records the failure as the learner's (or, with no learner, the run's) and closes the run failed, best effort. */
      const closeFailed = (runId: string, learnerId: string | null, error: { _tag: string; message: string } & object) =>
        lifecycle.closeFailed(runId, error, { learnerId, countFailed: true });

      /**
       * Takes the run lease and opens the run record with its total already known (SYNC-7); the
       * work itself is `execute`.
       */
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
          const { customerTokenSet: _set, ...settings } = yield* settingsStore.get;
          const ids = yield* scopeOf(records, settings, options);
          const run = yield* runLog.start({
            kind: options.kind,
            trigger: options.trigger,
            dryRun: options.dryRun === true,
            // A run over named learners is not a synchronisation of everyone (SYNC-4).
            partialScope: options.learnerIds !== undefined,
            owner: processOwner,
            total: ids.length,
          });
          return { run, owner, ids };
        });

      /**
       * Progress as learners finish (SYNC-7): counted in memory and written at most once a second
       * (and at the end of each batch), not once per learner.
       */
      const progressOf = (runId: string, mayWrite: () => boolean) =>
        Effect.gen(function* () {
          const counts = { done: 0, failed: 0 };
          let written = "0/0";
          let quietTicks = 0;
          const lock = yield* Effect.makeSemaphore(1);
          const write = (force: boolean) =>
            lock.withPermits(1)(
              Effect.suspend(() => {
                const key = `${counts.done}/${counts.failed}`;
                if (!mayWrite() || (key === written && !force)) return Effect.void;
                written = key;
                quietTicks = 0;
                return runLog.progress(runId, { done: counts.done + counts.failed, failed: counts.failed });
              }),
            );
          // Unchanged progress is still written every 10 s: it is the run's heartbeat too.
          const tick = Effect.suspend(() => write(++quietTicks >= 10));
          yield* Effect.forkScoped(Effect.repeat(Effect.ignore(tick), Schedule.spaced(Duration.seconds(1))));
          return { counts, flush: write(false) };
        });

      const execute = (options: StartRunOptions, run: Run, owner: string, ids: ReadonlyArray<string>) =>
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
                // SYNC-6: a refused token or an unreachable OneFile ends the run here, whatever
                // the settings and however few learners it has.
                yield* client.authenticate();
                const view = strategy.makeView(client);
                const context = yield* runContext(client, settings, view);
                const profile = yield* centreCounts.scopeProfile(ids);
                const seen = yield* centreCounts.seen(profile.centres.map((c) => c.centreId));
                return { context, profile, seen };
              }),
            );
            if (started._tag === "Left") {
              // SYNC-3: could not run at all (authentication refused, OneFile unreachable).
              yield* closeFailed(run.id, null, started.left as { _tag: string; message: string });
              return yield* runLog.get(run.id);
            }
            const { context, profile, seen } = started.right;
            const progress = yield* progressOf(run.id, () => leaseLost === null);

            const exchangeOne = (learnerId: string) =>
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
                      : Effect.sync(() => (progress.counts.failed += 1)).pipe(
                          Effect.zipRight(
                            runLog.recordError(run.id, { learnerId, code: failureCode(error), reason: error.message }),
                          ),
                        ),
                  onSuccess: ({ blockers }) =>
                    blockers.length > 0
                      ? Effect.sync(() => (progress.counts.failed += 1)).pipe(
                          Effect.zipRight(recordBlockers(run.id, learnerId, blockers)),
                        )
                      : Effect.sync(() => (progress.counts.done += 1)),
                }),
                Effect.ignore,
              );
            const exchangeAll = (learners: ReadonlyArray<ScopedLearner>) =>
              Effect.forEach(
                batchesOf(learners, strategy.batchSize),
                (batch) =>
                  Effect.forEach(batch, (l) => exchangeOne(l.id), {
                    concurrency: strategy.learnerConcurrency,
                    discard: true,
                  }).pipe(Effect.zipRight(Effect.ignore(progress.flush))),
                { discard: true },
              );

            for (const scope of profile.centres) {
              if (leaseLost !== null) break;
              const plan = planCentreReads({
                needs: context.needs,
                scope,
                seen: seen.get(scope.centreId) ?? {},
                linkedOfficers: profile.linkedOfficers,
                linkedOrganisations: profile.linkedOrganisations,
                readsReviewAssessors: context.settings.downloadReviews && context.multipleCentres,
                multipleCentres: context.multipleCentres,
                mode: strategy.reads,
              });
              yield* Effect.logDebug(`run ${run.id}, OneFile centre ${scope.centreId}: ${describePlan(plan)}`);
              const counted = yield* listCentre(context.client, context.view, scope, plan);
              for (const [kind, n] of Object.entries(counted) as Array<[ReadKind, number]>) {
                yield* Effect.ignore(centreCounts.record(scope.centreId, kind, n));
              }
              yield* exchangeAll(scope.learners);
            }
            // Named learners not linked to OneFile (or not in PICS): each fails with its reason, as before.
            const profiled = new Set([...profile.centres.flatMap((c) => c.learners), ...profile.withoutCentre].map((l) => l.id));
            const unknown = ids.filter((id) => !profiled.has(id)).map((id) => ({ id, onefileId: null, centreId: null }));
            yield* exchangeAll([...profile.withoutCentre, ...unknown]);
            if (leaseLost !== null) return yield* Effect.fail(leaseLost as LeaseLost);
            yield* Effect.ignore(progress.flush);

            const { failed } = progress.counts;
            yield* runLog.finish(
              run.id,
              failed > 0 ? "partially_succeeded" : "succeeded",
              failed > 0 ? `${failed} of ${ids.length} learners failed` : dryRun ? "dry run: nothing was written" : null,
            );
            return yield* runLog.get(run.id);
          }),
        );

      const runToEnd: ExchangeShape["run"] = (options) =>
        Effect.flatMap(prepare(options), ({ run, owner, ids }) => execute(options, run, owner, ids));

      const startRun: ExchangeShape["startRun"] = (options) =>
        Effect.gen(function* () {
          const { run, owner, ids } = yield* prepare(options);
          yield* Effect.forkDaemon(execute(options, run, owner, ids).pipe(Effect.ignoreLogged));
          return { runId: run.id };
        });

      return { refresh, run: runToEnd, startRun } satisfies ExchangeShape;
    }),
  );

export const ExchangeLive = exchangeLayer(bulkStrategy);

export type { Change };
