/**
 * Operations (mounted at /): liveness, Prometheus metrics and this API as OpenAPI 3.1.
 */
import { OneFileConnection } from "@pics/core";
import type { ClientCounters } from "@pics/onefile-client";
import {
  Database,
  ImportDocument,
  Learner,
  Officer,
  Organisation,
  Placement,
  Qualification,
  Review,
  RunLog,
  SettingsPatch,
} from "@pics/pics-store";
import { Effect } from "effect";
import { ok, subApp, type Bridge } from "../bridge.ts";
import { renderMetrics, type RunCountRow } from "../metrics.ts";
import { buildOpenApi, type RouteDoc } from "../openapi.ts";

export interface OperationsDeps {
  /** This process's HTTP request counts (written by the access log in app.ts). */
  readonly httpCounts: ReadonlyMap<string, number>;
  /** Every route of the app with its full path, once all areas are mounted. */
  readonly allRoutes: () => ReadonlyArray<RouteDoc>;
}

/** Runs by kind, status and dry run, with the learners synced and failed (from the shared store). */
const runCounts = Effect.gen(function* () {
  const database = yield* Database;
  const result = yield* database.use("count runs", () =>
    database.client.execute(
      // `done` counts finished learners, failed ones included in daily/full/refresh runs.
      "SELECT kind, status, dry_run, COUNT(*), COALESCE(SUM(MAX(done - failed, 0)), 0), COALESCE(SUM(failed), 0) FROM runs GROUP BY kind, status, dry_run",
    ),
  );
  return result.rows.map((row): RunCountRow => ({
    kind: String(row[0]),
    status: String(row[1]),
    dryRun: Number(row[2]) === 1,
    runs: Number(row[3]),
    synced: Number(row[4]),
    failed: Number(row[5]),
  }));
});

export const operationRoutes = (bridge: Bridge, deps: OperationsDeps) =>
  subApp(bridge, (route) => {
    route(
      {
        method: "get",
        path: "/health",
        summary: "Liveness (no auth)",
        tag: "operations",
        auth: false,
        responses: { 200: "alive" },
      },
      () => Effect.succeed(ok({ status: "ok" })),
    );
    route(
      {
        method: "get",
        path: "/metrics",
        summary: "Prometheus metrics",
        tag: "operations",
        produces: "text/plain",
        responses: { 200: "Prometheus text" },
      },
      (c) =>
        Effect.gen(function* () {
          const runs = yield* runCounts;
          const lastSynchronisedAt = yield* (yield* RunLog).lastSynchronisedAt;
          const onefile: ClientCounters | null = yield* (yield* OneFileConnection).clientEvenIfDisabled.pipe(
            Effect.flatMap(({ client }) => client.counters()),
            Effect.orElseSucceed(() => null),
          );
          const text = renderMetrics({ runs, lastSynchronisedAt, onefile, http: deps.httpCounts });
          return c.body(text, 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
        }),
    );

    let openApiDocument: unknown;
    route(
      {
        method: "get",
        path: "/openapi.json",
        summary: "This API as OpenAPI 3.1",
        tag: "operations",
        responses: { 200: "OpenAPI document" },
      },
      () =>
        Effect.sync(() => {
          openApiDocument ??= buildOpenApi(deps.allRoutes(), {
            Officer,
            Organisation,
            Learner,
            Placement,
            Qualification,
            Review,
            ImportDocument,
            SettingsPatch,
          });
          return ok(openApiDocument);
        }),
    );
  });
