/**
 * The OneFile exchange (mounted at /api/v1): "Refresh with OneFile" (SYNC-1), sync runs and their
 * journal (JRN-2), and a learner's log.
 */
import { Exchange, requireIntegrationEnabled } from "@pics/core";
import { decodeInput, PicsRecords, RunLog } from "@pics/pics-store";
import { Effect, Option } from "effect";
import { ok, subApp, type Bridge } from "../bridge.ts";
import { HttpError } from "../errors.ts";
import { decodeQuery, DryRunQuery, isTrue, ListQuery, pathId, readOptionalObject } from "../http.ts";
import { RefreshBody, StartRunBody } from "../schemas.ts";
import { getResponses, listResponses } from "./docs.ts";

const notAvailable = new HttpError({
  status: 501,
  code: "not_implemented",
  text: "the OneFile exchange (refresh and sync runs) is not available in this build",
});

const exchange = Effect.flatMap(
  Effect.serviceOption(Exchange),
  Option.match({ onNone: () => Effect.fail(notAvailable), onSome: Effect.succeed }),
);

export const syncRoutes = (bridge: Bridge) =>
  subApp(bridge, (route) => {
    route(
      {
        method: "post",
        path: "/learners/:id/onefile/refresh",
        summary: "SYNC-1: 'Refresh with OneFile' for one learner now; ?dryRun=true plans only",
        tag: "sync",
        query: DryRunQuery,
        body: { schema: RefreshBody, required: false },
        responses: {
          200: "{run, changes}",
          400: "bad input",
          404: "unknown learner",
          409: "learner busy (SYNC-5)",
          502: "OneFile failed",
          503: "integration disabled",
        },
      },
      (c) =>
        Effect.gen(function* () {
          const learnerId = yield* pathId(c, "id");
          const query = yield* decodeQuery(c, DryRunQuery, "query");
          const body = yield* decodeInput(RefreshBody, "refresh request")(yield* readOptionalObject(c, "refresh request"));
          yield* (yield* PicsRecords).getLearner(learnerId);
          // SET-1 before anything starts.
          yield* requireIntegrationEnabled;
          const outcome = yield* (yield* exchange).refresh(learnerId, {
            dryRun: isTrue(query.dryRun) || body.dryRun === true,
            trigger: "http",
          });
          return ok(outcome);
        }),
    );

    route(
      {
        method: "post",
        path: "/sync/runs",
        summary: "Start a full run now (in the background)",
        tag: "sync",
        body: { schema: StartRunBody, required: false },
        responses: { 202: "{runId}", 400: "bad input", 409: "a run is in progress", 503: "integration disabled" },
      },
      (c) =>
        Effect.gen(function* () {
          const body = yield* decodeInput(StartRunBody, "run request")(yield* readOptionalObject(c, "run request"));
          // SET-1 before anything starts.
          yield* requireIntegrationEnabled;
          const started = yield* (yield* exchange).startRun({ kind: "full", trigger: "http", dryRun: body.dryRun === true });
          return ok({ runId: started.runId }, 202);
        }),
    );

    route(
      {
        method: "get",
        path: "/sync/runs",
        summary: "Runs, newest first",
        tag: "sync",
        query: ListQuery,
        responses: listResponses,
      },
      (c) =>
        Effect.gen(function* () {
          const query = yield* decodeQuery(c, ListQuery, "query");
          return ok(yield* (yield* RunLog).list(query));
        }),
    );

    route(
      {
        method: "get",
        path: "/sync/runs/:id",
        summary: "A run: outcome, counts, progress and per-learner errors",
        tag: "sync",
        responses: getResponses,
      },
      (c) =>
        Effect.gen(function* () {
          const id = yield* pathId(c, "id");
          return ok(yield* (yield* RunLog).get(id));
        }),
    );

    route(
      {
        method: "get",
        path: "/sync/runs/:id/changes",
        summary: "The run's journal rows (JRN-2), in the order they were written, paged",
        tag: "sync",
        query: ListQuery,
        responses: { ...getResponses, 200: "a page: {items, nextCursor}" },
      },
      (c) =>
        Effect.gen(function* () {
          const id = yield* pathId(c, "id");
          const query = yield* decodeQuery(c, ListQuery, "query");
          return ok(yield* (yield* RunLog).changesPage(id, query));
        }),
    );

    route(
      {
        method: "get",
        path: "/sync/runs/:id/errors",
        summary: "The run's per-learner errors, in the order they were recorded, paged",
        tag: "sync",
        query: ListQuery,
        responses: { ...getResponses, 200: "a page: {items, nextCursor}" },
      },
      (c) =>
        Effect.gen(function* () {
          const id = yield* pathId(c, "id");
          const query = yield* decodeQuery(c, ListQuery, "query");
          return ok(yield* (yield* RunLog).errorsPage(id, query));
        }),
    );

    route(
      {
        method: "get",
        path: "/learners/:id/onefile/log",
        summary: "The learner's runs and changes, newest first",
        tag: "sync",
        query: ListQuery,
        responses: { 200: "{learnerId, runs, changes}", 400: "bad input", 404: "unknown learner" },
      },
      (c) =>
        Effect.gen(function* () {
          const learnerId = yield* pathId(c, "id");
          const query = yield* decodeQuery(c, ListQuery, "query");
          yield* (yield* PicsRecords).getLearner(learnerId);
          const runLog = yield* RunLog;
          const runs = yield* runLog.list({ ...query, learnerId });
          const changes = yield* runLog.learnerChanges(learnerId, query.limit ?? 500);
          return ok({ learnerId, runs: runs.items, nextCursor: runs.nextCursor, changes });
        }),
    );
  });
