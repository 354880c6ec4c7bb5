/**
 * Reconciliation and bulk enrolment (mounted at /api/v1): a reconciliation run (REC-1) and the
 * apply of its approved pairs (REC-2), the combined preview and the batch run of a cohort's
 * enrolment (REC-3), and the retry of a run's failed learners (REC-4).
 */
import { BulkEnrolment, Reconciliation } from "@pics/core";
import { decodeInput } from "@pics/pics-store";
import { Effect } from "effect";
import { ok, subApp, type Bridge } from "../bridge.ts";
import { pathId, readObject, readOptionalObject } from "../http.ts";
import { ApplyReconciliationBody, BatchEnrolBody, ReconciliationBody } from "../schemas.ts";

const started = { 202: "{runId}", 400: "bad input", 502: "OneFile failed", 503: "integration disabled" };

export const reconciliationRoutes = (bridge: Bridge) =>
  subApp(bridge, (route) => {
    route(
      {
        method: "post",
        path: "/onefile/reconciliations",
        summary:
          "REC-1: start a reconciliation of one centre (or all): proposes PICS/OneFile learner pairs, lists conflicts and the unmatched; writes nothing",
        tag: "reconciliation",
        body: { schema: ReconciliationBody, required: false },
        responses: started,
      },
      (c) =>
        Effect.gen(function* () {
          const body = yield* decodeInput(
            ReconciliationBody,
            "reconciliation request",
          )(yield* readOptionalObject(c, "reconciliation request"));
          return ok(yield* (yield* Reconciliation).start({ centreId: body.centreId ?? null, trigger: "http" }), 202);
        }),
    );

    route(
      {
        method: "get",
        path: "/onefile/reconciliations/:runId",
        summary: "REC-1: a reconciliation's status and findings (empty lists while it runs)",
        tag: "reconciliation",
        responses: {
          200: "{status, run, proposals, conflicts, unmatchedPics, unmatchedOneFile, officers, organisations}",
          400: "not a reconciliation run",
          404: "unknown run",
        },
      },
      (c) =>
        Effect.gen(function* () {
          const { run, report } = yield* (yield* Reconciliation).get(yield* pathId(c, "runId"));
          return ok({
            status: run.status,
            run,
            centreId: report?.centreId ?? null,
            proposals: report?.proposals ?? [],
            conflicts: report?.conflicts ?? [],
            unmatchedPics: report?.unmatchedPics ?? [],
            unmatchedOneFile: report?.unmatchedOneFile ?? [],
            officers: report?.officers ?? [],
            organisations: report?.organisations ?? [],
          });
        }),
    );

    route(
      {
        method: "post",
        path: "/onefile/reconciliations/:runId/apply",
        summary:
          "REC-2: link the approved pairs (default: every exact proposal) as ENR-10; creates nothing in OneFile; a pair changed since the proposal is refused",
        tag: "reconciliation",
        body: { schema: ApplyReconciliationBody, required: false },
        responses: {
          200: "{run, results: [{learnerId, onefileId, outcome, reason?}]}",
          400: "bad input, not a finished reconciliation",
          404: "unknown run",
          503: "integration disabled",
        },
      },
      (c) =>
        Effect.gen(function* () {
          const runId = yield* pathId(c, "runId");
          const body = yield* decodeInput(
            ApplyReconciliationBody,
            "apply request",
          )(yield* readOptionalObject(c, "apply request"));
          return ok(yield* (yield* Reconciliation).apply(runId, { ...body, trigger: "http" }));
        }),
    );

    route(
      {
        method: "post",
        path: "/onefile/enrolments/preview",
        summary:
          "REC-3: the combined preview of a cohort's enrolment: each learner's ENR-1 preview, every blocker, the shared records to create once; no OneFile write",
        tag: "reconciliation",
        body: { schema: BatchEnrolBody },
        responses: {
          200: "{centreId, learners, blockers, shared}",
          400: "bad input",
          502: "OneFile failed",
          503: "integration disabled",
        },
      },
      (c) =>
        Effect.gen(function* () {
          const body = yield* decodeInput(BatchEnrolBody, "enrolment batch")(yield* readObject(c, "enrolment batch"));
          return ok(yield* (yield* BulkEnrolment).preview(body));
        }),
    );

    route(
      {
        method: "post",
        path: "/onefile/enrolments",
        summary:
          "REC-3: enrol a cohort as one run of kind enrolment_batch, shared new records created once, per-learner outcomes",
        tag: "reconciliation",
        body: { schema: BatchEnrolBody },
        responses: started,
      },
      (c) =>
        Effect.gen(function* () {
          const body = yield* decodeInput(BatchEnrolBody, "enrolment batch")(yield* readObject(c, "enrolment batch"));
          return ok(yield* (yield* BulkEnrolment).start(body, "http"), 202);
        }),
    );

    route(
      {
        method: "get",
        path: "/onefile/enrolments/:runId",
        summary: "REC-3: an enrolment batch: its run, its request and each learner's outcome so far",
        tag: "reconciliation",
        responses: { 200: "{run, request, outcomes}", 400: "not an enrolment batch", 404: "unknown run" },
      },
      (c) =>
        Effect.gen(function* () {
          return ok(yield* (yield* BulkEnrolment).get(yield* pathId(c, "runId")));
        }),
    );

    route(
      {
        method: "post",
        path: "/sync/runs/:id/retry",
        summary: "REC-4: a new run over exactly the learners that failed in run :id (a batch again, or the exchange)",
        tag: "sync",
        responses: {
          202: "{runId}",
          400: "nothing to retry, still running, or a run kind that cannot be retried",
          404: "unknown run",
          409: "a run is in progress",
          503: "integration disabled",
        },
      },
      (c) =>
        Effect.gen(function* () {
          return ok(yield* (yield* BulkEnrolment).retry(yield* pathId(c, "id"), "http"), 202);
        }),
    );
  });
