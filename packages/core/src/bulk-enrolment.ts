/**
 * Bulk enrolment (REC-3) and the retry of a run's failed learners (REC-4). A chosen set of
 * unlinked learners is previewed together — each learner's ENR-1 preview, one combined list of
 * blockers, and the shared records (assessors, placements, classrooms) to create once — and then
 * enrolled as one run of kind `enrolment_batch`: each learner as ENR-1..15, one after another
 * through one OneFile view, so a record the first learner created is matched by the next one
 * (stored on the officer/organisation, primed in the view), never created twice (ENR-14).
 */
import type { OneFileError } from "@pics/onefile-client";
import {
  RunDocuments,
  RunLog,
  type Run,
  type RunNotFound,
  type RunTrigger,
  type RunWithErrors,
  type StoreError,
} from "@pics/pics-store";
import { Context, Effect, Layer } from "effect";
import { OneFileConnection, type ConnectionError } from "./connection.ts";
import { Enrolment, type EnrolmentPreview, type RunScope } from "./enrolment.ts";
import { InvalidRequest, type Blocker } from "./errors.ts";
import { Exchange, type ExchangeError } from "./exchange-api.ts";
import { makeOneFileView } from "./onefile-view.ts";
import type { EnrolmentRequest } from "./rules.ts";
import { dryRunMessage, runLifecycle } from "./run-lifecycle.ts";

export interface BatchRequest {
  readonly centreId: number;
  readonly learnerIds: ReadonlyArray<string>;
  readonly classroomId?: number | null | undefined;
  /** Per learner, per qualification: the centre and pathway choices (ENR-6, ENR-7). */
  readonly qualifications?:
    Readonly<Record<string, Readonly<Record<string, { readonly centreId?: number; readonly pathwayId?: number }>>>> | undefined;
  readonly dryRun?: boolean | undefined;
}

/** A record several learners of the batch need that does not exist yet: created once, by the first. */
export interface SharedRecordToCreate {
  readonly entity: "officer" | "organisation" | "classroom";
  readonly id: string;
  readonly learnerIds: ReadonlyArray<string>;
}

export interface BatchPreview {
  readonly centreId: number;
  readonly learners: ReadonlyArray<EnrolmentPreview>;
  /** Every learner's blockers in one list, each naming its learner. */
  readonly blockers: ReadonlyArray<Blocker & { readonly learnerId: string }>;
  /** The records to create, each once, with the learners that need it. */
  readonly shared: ReadonlyArray<SharedRecordToCreate>;
}

export type LearnerOutcome =
  | { readonly learnerId: string; readonly outcome: "enrolled"; readonly onefileId: number | null }
  | { readonly learnerId: string; readonly outcome: "planned"; readonly onefileId: number | null }
  | { readonly learnerId: string; readonly outcome: "blocked" | "failed"; readonly code: string; readonly reason: string };

export interface BatchView {
  readonly run: RunWithErrors;
  readonly request: BatchRequest | null;
  readonly outcomes: ReadonlyArray<LearnerOutcome>;
}

type BatchError = ConnectionError | InvalidRequest | StoreError | OneFileError;

export interface BulkEnrolmentShape {
  readonly preview: (request: BatchRequest) => Effect.Effect<BatchPreview, BatchError>;
  /** Opens the `enrolment_batch` run and enrols in the background; outcomes are read with `get`. */
  readonly start: (request: BatchRequest, trigger?: RunTrigger) => Effect.Effect<{ readonly runId: string }, BatchError>;
  /** The same, to its end. */
  readonly run: (request: BatchRequest, trigger?: RunTrigger) => Effect.Effect<BatchView, BatchError | RunNotFound>;
  readonly get: (runId: string) => Effect.Effect<BatchView, InvalidRequest | RunNotFound | StoreError>;
  /**
   * REC-4: a new run over exactly the learners that failed in run `runId` — an enrolment batch
   * again for a batch (same centre, classroom and choices), a run of the same kind for a daily or
   * full run or a refresh.
   */
  readonly retry: (
    runId: string,
    trigger?: RunTrigger,
  ) => Effect.Effect<{ readonly runId: string }, BatchError | RunNotFound | ExchangeError>;
}

const isBatchDocument = (document: unknown): document is { request: BatchRequest; outcomes?: Array<LearnerOutcome> } =>
  typeof document === "object" && document !== null && "request" in document;

const requestFor = (batch: BatchRequest, learnerId: string): EnrolmentRequest => ({
  learnerId,
  centreId: batch.centreId,
  classroomId: batch.classroomId ?? null,
  qualifications: batch.qualifications?.[learnerId],
  dryRun: batch.dryRun === true,
});

const validate = (request: BatchRequest) =>
  request.learnerIds.length === 0
    ? Effect.fail(new InvalidRequest({ field: "learnerIds", reason: "choose at least one learner" }))
    : Effect.void;

export class BulkEnrolment extends Context.Tag("core/BulkEnrolment")<BulkEnrolment, BulkEnrolmentShape>() {
  static readonly layer = Layer.effect(
    BulkEnrolment,
    Effect.gen(function* () {
      const runLog = yield* RunLog;
      const lifecycle = runLifecycle(runLog);
      const documents = yield* RunDocuments;
      const connection = yield* OneFileConnection;
      const enrolment = yield* Enrolment;
      const exchange = yield* Exchange;

      const scopeOf = Effect.map(connection.client, ({ client, settings }): RunScope => ({
        client,
        settings,
        view: makeOneFileView(client),
      }));

      const preview: BulkEnrolmentShape["preview"] = (request) =>
        Effect.gen(function* () {
          yield* validate(request);
          const scope = yield* scopeOf;
          const learners: Array<EnrolmentPreview> = [];
          const blockers: Array<Blocker & { learnerId: string }> = [];
          const shared = new Map<string, { entity: SharedRecordToCreate["entity"]; id: string; learnerIds: Array<string> }>();
          for (const learnerId of new Set(request.learnerIds)) {
            const shown = yield* enrolment.inRun.preview(scope, requestFor(request, learnerId)).pipe(
              Effect.catchTags({
                RecordNotFound: (e) =>
                  Effect.succeed({
                    unknown: { code: "unknown_learner", message: e.message, entity: "learner", entityId: learnerId },
                  }),
                RuleDisabled: (e) => Effect.succeed({ unknown: { code: "rule_disabled", message: e.message } }),
              }),
            );
            if ("unknown" in shown) {
              blockers.push({ ...shown.unknown, learnerId });
              continue;
            }
            learners.push(shown);
            blockers.push(...shown.blockers.map((b) => ({ ...b, learnerId })));
            for (const item of shown.items) {
              if (
                item.outcome !== "create" ||
                (item.entity !== "officer" && item.entity !== "organisation" && item.entity !== "classroom")
              )
                continue;
              const key = `${item.entity}:${item.id}`;
              const entry = shared.get(key) ?? { entity: item.entity, id: item.id, learnerIds: [] };
              entry.learnerIds.push(learnerId);
              shared.set(key, entry);
            }
          }
          return { centreId: request.centreId, learners, blockers, shared: [...shared.values()] };
        });

      const open = (request: BatchRequest, trigger: RunTrigger) =>
        Effect.gen(function* () {
          yield* validate(request);
          const scope = yield* scopeOf;
          const learnerIds = [...new Set(request.learnerIds)];
          const run = yield* runLog.start({
            kind: "enrolment_batch",
            trigger,
            dryRun: request.dryRun === true,
            total: learnerIds.length,
          });
          const stored: BatchRequest = { ...request, learnerIds };
          yield* documents.put(run.id, { request: stored, outcomes: [] });
          return { scope, run, request: stored };
        });

      const execute = ({ scope: first, run, request }: Effect.Effect.Success<ReturnType<typeof open>>) =>
        lifecycle.run({ run }, () => learnersOneByOne(first, run, request), {
          close: ({ outcomes, failed }) => ({
            partial: failed > 0,
            message:
              failed > 0
                ? `${failed} of ${outcomes.length} learners failed`
                : request.dryRun
                  ? dryRunMessage
                  : `${outcomes.length} learners enrolled`,
          }),
          // Whatever stops the batch itself (the store gone) still closes its run.
          onFailure: { catches: "anyCause", message: "the batch stopped before its end" },
          answer: () => get(run.id),
        });

      const learnersOneByOne = (first: RunScope, run: Run, request: BatchRequest) =>
        Effect.gen(function* () {
          let scope = first;
          const outcomes: Array<LearnerOutcome> = [];
          let failed = 0;
          // One learner after another: the shared records one creates are there for the next.
          for (const learnerId of request.learnerIds) {
            const result = yield* Effect.either(enrolment.inRun.enrol(scope, run.id, requestFor(request, learnerId)));
            if (result._tag === "Right") {
              outcomes.push({
                learnerId,
                outcome: request.dryRun ? "planned" : "enrolled",
                onefileId: result.right.onefileLearnerId,
              });
              // A new classroom is not primed in the view: read the centre's classrooms again.
              if (result.right.items.some((i) => i.entity === "classroom" && i.outcome === "create"))
                scope = { ...scope, view: makeOneFileView(scope.client) };
            } else {
              const error = result.left;
              const blocked =
                error._tag === "EnrolmentBlocked" ||
                error._tag === "DuplicateLearnerFound" ||
                error._tag === "LearnerAlreadyEnrolled" ||
                error._tag === "RecordNotFound";
              const code = error._tag === "StepFailed" ? error.code : error._tag;
              failed += 1;
              outcomes.push({ learnerId, outcome: blocked ? "blocked" : "failed", code, reason: error.message });
              if (error._tag === "EnrolmentBlocked") {
                for (const b of error.blockers) yield* runLog.recordError(run.id, { learnerId, code: b.code, reason: b.message });
              } else yield* runLog.recordError(run.id, { learnerId, code, reason: error.message });
            }
            yield* runLog.progress(run.id, { done: outcomes.length, failed });
            if (outcomes.length % 20 === 0) yield* documents.put(run.id, { request, outcomes });
          }
          yield* documents.put(run.id, { request, outcomes });
          return { outcomes, failed };
        });

      const get: BulkEnrolmentShape["get"] = (runId) =>
        Effect.gen(function* () {
          const run = yield* runLog.get(runId);
          if (run.kind !== "enrolment_batch")
            return yield* new InvalidRequest({
              field: "runId",
              reason: `run "${runId}" is a ${run.kind} run, not an enrolment batch`,
            });
          const document = yield* documents.get(runId);
          return isBatchDocument(document)
            ? { run, request: document.request, outcomes: document.outcomes ?? [] }
            : { run, request: null, outcomes: [] };
        });

      const start: BulkEnrolmentShape["start"] = (request, trigger = "http") =>
        Effect.gen(function* () {
          const opened = yield* open(request, trigger);
          yield* Effect.forkDaemon(execute(opened).pipe(Effect.ignoreLogged));
          return { runId: opened.run.id };
        });

      const retry: BulkEnrolmentShape["retry"] = (runId, trigger = "http") =>
        Effect.gen(function* () {
          const run = yield* runLog.get(runId);
          if (run.status === "running")
            return yield* new InvalidRequest({
              field: "runId",
              reason: `run "${runId}" is still running; retry it when it has finished`,
            });
          const failedLearners = [...new Set(run.errors.flatMap((e) => (e.learnerId === null ? [] : [e.learnerId])))];
          if (failedLearners.length === 0)
            return yield* new InvalidRequest({
              field: "runId",
              reason: `run "${runId}" has no failed learners to retry${run.status === "failed" ? ` (it could not run at all: ${run.message ?? "no reason recorded"}); start a new run instead` : ""}`,
            });
          if (run.kind === "enrolment_batch") {
            const { request } = yield* get(runId);
            if (request === null)
              return yield* new InvalidRequest({
                field: "runId",
                reason: `enrolment batch "${runId}" has no stored request to retry`,
              });
            return yield* start({ ...request, learnerIds: failedLearners, dryRun: run.dryRun }, trigger);
          }
          if (run.kind === "daily" || run.kind === "full" || run.kind === "refresh") {
            return yield* exchange.startRun({
              kind: run.kind === "daily" ? "daily" : "full",
              trigger,
              dryRun: run.dryRun,
              learnerIds: failedLearners,
            });
          }
          return yield* new InvalidRequest({
            field: "runId",
            reason: `a ${run.kind} run cannot be retried: ${run.kind === "enrolment" ? "enrol the learner again" : "apply the reconciliation again"}`,
          });
        });

      return {
        preview,
        start,
        run: (request, trigger = "http") => Effect.flatMap(open(request, trigger), execute),
        get,
        retry,
      } satisfies BulkEnrolmentShape;
    }),
  );
}
