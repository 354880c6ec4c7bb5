/**
 * Operations (mounted at /): liveness, Prometheus metrics and this API as OpenAPI 3.1.
 */
import { OneFileConnection } from "@pics/core";
import type { ClientCounters } from "@pics/onefile-client";
import {
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
import { renderMetrics } from "../metrics.ts";
import { buildOpenApi, type RouteDoc } from "../openapi.ts";

export interface OperationsDeps {
  /** This process's HTTP request counts (written by the access log in app.ts). */
  readonly httpCounts: ReadonlyMap<string, number>;
  /** Every route of the app with its full path, once all areas are mounted. */
  readonly allRoutes: () => ReadonlyArray<RouteDoc>;
}

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
          const runs = yield* (yield* RunLog).counts;
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
