/**
 * OneFile reference data (mounted at /api/v1): the connection test (STAT-2) and the Standards
 * as last fetched (STAT-3; enrolment previews read OneFile live, D13).
 */
import { ReferenceData } from "@pics/core";
import { Effect } from "effect";
import { ok, subApp, type Bridge } from "../bridge.ts";

export const onefileRoutes = (bridge: Bridge) =>
  subApp(bridge, (route) => {
    route(
      {
        method: "post",
        path: "/onefile/connection-test",
        summary: "STAT-2: authenticate and report the customer and its centres, or the precise failure",
        tag: "onefile",
        responses: { 200: "{ok: true, …} or {ok: false, failure, message}" },
      },
      () =>
        Effect.map(
          Effect.flatMap(ReferenceData, (r) => r.connectionTest),
          (result) => ok(result),
        ),
    );
    route(
      {
        method: "post",
        path: "/onefile/qualification-links/refresh",
        summary: "STAT-3: fetch every centre's Standards and keep them for the standards list (previews read OneFile live)",
        tag: "onefile",
        responses: { 200: "count and time", 502: "OneFile failed", 503: "OneFile not configured" },
      },
      () =>
        Effect.map(
          Effect.flatMap(ReferenceData, (r) => r.refreshQualificationLinks),
          (result) => ok(result),
        ),
    );
    route(
      {
        method: "get",
        path: "/onefile/standards",
        summary: "STAT-3: the Standards as last fetched",
        tag: "onefile",
        responses: { 200: "{items}" },
      },
      () =>
        Effect.map(
          Effect.flatMap(ReferenceData, (r) => r.standards),
          (items) => ok({ items }),
        ),
    );
  });
