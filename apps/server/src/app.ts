/**
 * The product's HTTP API (shared/spec/http-api.md) as a Hono app. Handlers are Effects run through
 * the one ManagedRuntime built at start-up; failures are mapped to answers in errors.ts only.
 *
 * Order of middleware: request id + access log → bearer auth (all but /health) → body limit →
 * route. The route table below is also what `GET /openapi.json` publishes.
 */
import { effectiveMultipleCentres, Enrolment, Exchange, OneFileConnection, ReferenceData, Rules } from "@pics/core";
import type { ClientCounters } from "@pics/onefile-client";
import {
  Database,
  decodeInput,
  ImportDocument,
  Learner,
  Officer,
  Organisation,
  PicsRecords,
  Placement,
  Qualification,
  Review,
  RunLog,
  SettingsPatch,
  SettingsStore,
  StandardsCache,
} from "@pics/pics-store";
import { Cause, Duration, Effect, Exit, Option } from "effect";
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { makeTokenCheck, bearerToken } from "./auth.ts";
import { HttpError, tidyIssues, toHttpError, unauthorized } from "./errors.ts";
import {
  decodeQuery,
  DryRunQuery,
  isTrue,
  ListQuery,
  pathId,
  PreviewQuery,
  readJson,
  readObject,
  readOptionalObject,
} from "./http.ts";
import { jsonLogger, type Logger } from "./log.ts";
import { httpKey, renderMetrics, type RunCountRow } from "./metrics.ts";
import { buildOpenApi, type RouteDoc } from "./openapi.ts";
import * as records from "./records.ts";
import type { ServerRuntime, ServerServices } from "./runtime.ts";
import { EnrolBody, LinkBody, RefreshBody, StartRunBody } from "./schemas.ts";

export interface AppConfig {
  /** The bearer token every route but /health requires (env API_TOKEN). */
  readonly apiToken: string;
  readonly logger?: Logger;
  /** Largest request body in bytes; default 1 MiB. */
  readonly bodyLimitBytes?: number;
  /** Largest `POST /api/v1/import` body in bytes; default 20 MiB. */
  readonly importBodyLimitBytes?: number;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
export const DEFAULT_IMPORT_BODY_LIMIT = 20 * 1024 * 1024;

/** What a handler answers: JSON with a status, nothing (204), or a ready Response. */
type Reply = { readonly status: number; readonly body?: unknown } | Response;
type Handler = (c: Context) => Effect.Effect<Reply, unknown, ServerServices>;

const ok = (body: unknown, status = 200): Reply => ({ status, body });
const noContent: Reply = { status: 204 };

const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

const notAvailable = new HttpError({
  status: 501,
  code: "not_implemented",
  text: "the OneFile exchange (refresh and sync runs) is not available in this build",
});

/** SET-1 is checked here too, so a switched-off integration is refused before anything starts. */
const requireEnabled = Effect.gen(function* () {
  const settings = yield* (yield* SettingsStore).get;
  if (!settings.integrationEnabled) {
    return yield* new HttpError({
      status: 503,
      code: "integration_disabled",
      text: "the OneFile integration is disabled in the settings (integrationEnabled = false)",
    });
  }
});

const exchange = Effect.flatMap(
  Effect.serviceOption(Exchange),
  Option.match({ onNone: () => Effect.fail(notAvailable), onSome: Effect.succeed }),
);

export const makeApp = (runtime: ServerRuntime, config: AppConfig) => {
  const log = config.logger ?? jsonLogger;
  const checkToken = makeTokenCheck(config.apiToken);
  const app = new Hono();
  const routes: Array<RouteDoc & { readonly sensitive?: boolean }> = [];
  const httpCounts = new Map<string, number>();

  // ---------------------------------------------------------------- middleware

  app.use("*", async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set("requestId" as never, requestId as never);
    await next();
    c.res.headers.set("X-Request-Id", requestId);
    const status = c.res.status;
    const route = c.req.routePath && c.req.routePath !== "*" && c.req.routePath !== "/*" ? c.req.routePath : "(unmatched)";
    const key = httpKey(c.req.method, route, status);
    httpCounts.set(key, (httpCounts.get(key) ?? 0) + 1);
    // Path only: never the query string, headers or body.
    log({
      level: status === 500 ? "error" : status >= 500 ? "warn" : "info",
      msg: "request",
      requestId,
      method: c.req.method,
      path: c.req.path,
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  });

  app.use("*", async (c, next) => {
    if (c.req.path === "/health") return next();
    if (!(await checkToken(bearerToken(c.req.header("authorization"))))) {
      c.header("WWW-Authenticate", 'Bearer realm="pics-onefile"');
      return c.json(unauthorized, 401);
    }
    return next();
  });

  // The body was not read: `Connection: close` stops clients reusing a socket that still holds it.
  const tooLarge = (limit: number) => (c: Context) =>
    c.json(
      {
        error: "payload_too_large",
        message: `the request body is larger than the limit of ${limit} bytes`,
        details: { limitBytes: limit },
      },
      413,
      { Connection: "close" },
    );
  const importLimit = config.importBodyLimitBytes ?? DEFAULT_IMPORT_BODY_LIMIT;
  const generalLimit = config.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const limitImport = bodyLimit({ maxSize: importLimit, onError: tooLarge(importLimit) });
  const limitOthers = bodyLimit({ maxSize: generalLimit, onError: tooLarge(generalLimit) });
  app.use("*", (c, next) => (c.req.path === "/api/v1/import" ? limitImport(c, next) : limitOthers(c, next)));

  // ---------------------------------------------------------------- running handlers

  const requestIdOf = (c: Context) => String(c.get("requestId" as never) ?? "");

  const run = (doc: RouteDoc & { sensitive?: boolean }, handler: Handler) => async (c: Context) => {
    const exit = await runtime.runPromiseExit(handler(c));
    if (Exit.isSuccess(exit)) {
      const reply = exit.value;
      if (reply instanceof Response) return reply;
      if (reply.status === 204 || reply.body === undefined) return c.body(null, reply.status as 204);
      return c.json(reply.body as object, reply.status as 200);
    }
    const failure = Cause.failureOption(exit.cause);
    const mapped = toHttpError(Option.getOrUndefined(failure));
    if (mapped.internal) {
      log({
        level: "error",
        msg: "request failed",
        requestId: requestIdOf(c),
        route: doc.path,
        // Settings causes are not logged: they may hold what the request carried.
        cause: doc.sensitive ? "(not logged for this route)" : Cause.pretty(exit.cause).slice(0, 4000),
      });
    }
    return c.json(mapped.body, mapped.status as 400);
  };

  const route = (doc: RouteDoc & { sensitive?: boolean }, handler: Handler) => {
    routes.push(doc);
    app.on(doc.method.toUpperCase(), doc.path, run(doc, handler));
  };

  // ---------------------------------------------------------------- health, metrics, openapi

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

  let centresCache: { key: string; count: number; at: number } | undefined;

  /** SET-14 effective value: `auto` needs the customer's centre count (OneFile, cached 5 min). */
  const multipleCentres = Effect.gen(function* () {
    const settings = yield* (yield* SettingsStore).get;
    if (settings.multipleCentres !== "auto") return settings.multipleCentres === "on";
    const key = JSON.stringify([settings.environment, settings.baseUrl, settings.customerTokenSet]);
    if (centresCache?.key === key && Date.now() - centresCache.at < 300_000)
      return effectiveMultipleCentres(settings, centresCache.count);
    const connection = yield* OneFileConnection;
    const fromOneFile = yield* connection.clientEvenIfDisabled.pipe(
      Effect.flatMap(({ client }) => client.searchCentres()),
      Effect.map((centres) => centres.length),
      Effect.timeout(Duration.seconds(3)),
      Effect.option,
    );
    if (Option.isSome(fromOneFile)) {
      centresCache = { key, count: fromOneFile.value, at: Date.now() };
      return effectiveMultipleCentres(settings, fromOneFile.value);
    }
    // OneFile not reachable or not configured: the centres of the cached standards (STAT-3).
    const standards = yield* (yield* StandardsCache).list;
    return effectiveMultipleCentres(settings, new Set(standards.map((s) => s.centreId)).size);
  });

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
        const text = renderMetrics({ runs, lastSynchronisedAt, onefile, http: httpCounts });
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
        openApiDocument ??= buildOpenApi(routes, {
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

  // ---------------------------------------------------------------- PICS records

  const listResponses = { 200: "a page: {items, nextCursor}", 400: "bad query" };
  const getResponses = { 200: "the record", 400: "invalid id", 404: "unknown id" };
  const createResponses = {
    201: "created",
    400: "bad input (details = offending fields)",
    409: "the id exists",
    413: "body too large",
  };
  const patchResponses = { 200: "the merged record", 400: "bad input", 404: "unknown id", 413: "body too large" };

  route(
    {
      method: "post",
      path: "/api/v1/import",
      summary: "Upsert officers, organisations and learners (with nested records) in one transaction; all or nothing",
      tag: "records",
      body: { schema: ImportDocument },
      responses: { 200: "counts", 400: "bad input (details = offending paths)", 413: "body too large (20 MiB)" },
    },
    (c) =>
      Effect.gen(function* () {
        const body = yield* readJson(c);
        if (body === undefined)
          return yield* new HttpError({
            status: 400,
            code: "invalid_input",
            text: "the import document is missing",
            details: [{ path: "(body)", message: "is missing" }],
          });
        return ok(yield* (yield* PicsRecords).importDocument(body));
      }),
  );

  const topLevel = [
    { entity: "officer", plural: "officers", schema: Officer, create: records.createOfficer, update: records.updateOfficer },
    {
      entity: "organisation",
      plural: "organisations",
      schema: Organisation,
      create: records.createOrganisation,
      update: records.updateOrganisation,
    },
    { entity: "learner", plural: "learners", schema: Learner, create: records.createLearner, update: records.updateLearner },
  ] as const;

  for (const t of topLevel) {
    const base = `/api/v1/${t.plural}`;
    const ref = t.entity === "officer" ? "Officer" : t.entity === "organisation" ? "Organisation" : "Learner";
    route(
      {
        method: "get",
        path: base,
        summary: `List ${t.plural}`,
        tag: "records",
        query: ListQuery,
        returns: { ref, page: true },
        responses: listResponses,
      },
      (c) =>
        Effect.gen(function* () {
          const query = yield* decodeQuery(c, ListQuery, "query");
          const store = yield* PicsRecords;
          const list =
            t.entity === "officer"
              ? store.listOfficers
              : t.entity === "organisation"
                ? store.listOrganisations
                : store.listLearners;
          return ok(yield* list(query));
        }),
    );
    route(
      {
        method: "post",
        path: base,
        summary: `Create a ${t.entity}`,
        tag: "records",
        body: { schema: t.schema },
        returns: { ref },
        responses: createResponses,
      },
      (c) =>
        Effect.gen(function* () {
          return ok(yield* t.create(yield* readObject(c, t.entity)), 201);
        }),
    );
    route(
      {
        method: "get",
        path: `${base}/:id`,
        summary: `Read a ${t.entity}`,
        tag: "records",
        returns: { ref },
        responses: getResponses,
      },
      (c) =>
        Effect.gen(function* () {
          const id = yield* pathId(c, "id");
          const store = yield* PicsRecords;
          return ok(
            yield* t.entity === "officer"
              ? store.getOfficer(id)
              : t.entity === "organisation"
                ? store.getOrganisation(id)
                : store.getLearner(id),
          );
        }),
    );
    route(
      {
        method: "patch",
        path: `${base}/:id`,
        summary: `Change some fields of a ${t.entity}; the merged whole is validated`,
        tag: "records",
        body: { schema: t.schema, partial: true },
        returns: { ref },
        responses: patchResponses,
      },
      (c) =>
        Effect.gen(function* () {
          const id = yield* pathId(c, "id");
          return ok(yield* t.update(id, yield* readObject(c, `${t.entity} fields`)));
        }),
    );
    route(
      {
        method: "delete",
        path: `${base}/:id`,
        summary: `Delete a ${t.entity}`,
        tag: "records",
        responses:
          t.entity === "learner"
            ? { 204: "deleted (with its nested records)", 400: "invalid id", 404: "unknown id" }
            : { 204: "deleted", 400: "invalid id", 404: "unknown id", 409: "still referred to by a learner" },
      },
      (c) =>
        Effect.gen(function* () {
          const id = yield* pathId(c, "id");
          if (t.entity === "learner") yield* (yield* PicsRecords).deleteLearner(id);
          else yield* records.deleteReferenced(t.entity, id);
          return noContent;
        }),
    );
  }

  const nested = [
    { kind: "placement", plural: "placements", schema: Placement, ref: "Placement" },
    { kind: "qualification", plural: "qualifications", schema: Qualification, ref: "Qualification" },
    { kind: "review", plural: "reviews", schema: Review, ref: "Review" },
  ] as const;

  for (const n of nested) {
    const base = `/api/v1/learners/:id/${n.plural}`;
    const readOnly = n.kind === "review" ? " (onefileSystemId and onefileVisitId are read-only and refused)" : "";
    route(
      {
        method: "post",
        path: base,
        summary: `Add a ${n.kind} to a learner${readOnly}`,
        tag: "records",
        body: { schema: n.schema },
        returns: { ref: n.ref },
        responses: { ...createResponses, 404: "unknown learner" },
      },
      (c) =>
        Effect.gen(function* () {
          const id = yield* pathId(c, "id");
          return ok(yield* records.createNested(n.kind, id, yield* readObject(c, n.kind)), 201);
        }),
    );
    route(
      {
        method: "patch",
        path: `${base}/:subId`,
        summary: `Change some fields of a learner's ${n.kind}${readOnly}`,
        tag: "records",
        body: { schema: n.schema, partial: true },
        returns: { ref: n.ref },
        responses: { ...patchResponses, 404: "unknown learner or " + n.kind },
      },
      (c) =>
        Effect.gen(function* () {
          const id = yield* pathId(c, "id");
          const subId = yield* pathId(c, "subId");
          return ok(yield* records.updateNested(n.kind, id, subId, yield* readObject(c, `${n.kind} fields`)));
        }),
    );
    route(
      {
        method: "delete",
        path: `${base}/:subId`,
        summary: `Delete a learner's ${n.kind}`,
        tag: "records",
        responses: { 204: "deleted", 400: "invalid id", 404: "unknown learner or " + n.kind },
      },
      (c) =>
        Effect.gen(function* () {
          const id = yield* pathId(c, "id");
          const subId = yield* pathId(c, "subId");
          yield* records.deleteNested(n.kind, id, subId);
          return noContent;
        }),
    );
  }

  // ---------------------------------------------------------------- settings and status

  route(
    {
      method: "get",
      path: "/api/v1/settings",
      summary: "The integration settings (the customer token only as customerTokenSet)",
      tag: "integration",
      sensitive: true,
      responses: { 200: "settings" },
    },
    () =>
      Effect.map(
        Effect.flatMap(SettingsStore, (s) => s.get),
        (settings) => ok(settings),
      ),
  );

  route(
    {
      method: "put",
      path: "/api/v1/settings",
      summary: "Merge any subset of the settings; the merged whole is validated and saved, or refused whole",
      tag: "integration",
      sensitive: true,
      body: { schema: SettingsPatch },
      responses: { 200: "the saved settings", 400: "refused whole (details = every bad field)", 413: "body too large" },
    },
    (c) =>
      Effect.gen(function* () {
        const patch = yield* readObject(c, "settings");
        if ("customerTokenSet" in patch) {
          return yield* new HttpError({
            status: 400,
            code: "invalid_input",
            text: "invalid settings, nothing was saved: customerTokenSet is read-only; send customerToken (a string) to set the token or null to clear it",
            details: [{ path: "customerTokenSet", message: "is read-only: send customerToken to set or clear the token" }],
          });
        }
        const saved = yield* (yield* SettingsStore).update(patch).pipe(
          Effect.catchTag("InvalidInput", (invalid) => {
            // An issue about a malformed token could echo it: say what is wrong, never what was sent.
            const issues = tidyIssues(invalid.issues).map((i) =>
              i.path === "customerToken" || i.path.startsWith("customerToken.") || i.path.startsWith("customerToken[")
                ? { path: "customerToken", message: "must be a non-empty string, or null to clear it" }
                : i,
            );
            return Effect.fail(
              new HttpError({
                status: 400,
                code: "invalid_input",
                text: `invalid settings, nothing was saved: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
                details: issues,
              }),
            );
          }),
        );
        return ok(saved);
      }),
  );

  route(
    {
      method: "get",
      path: "/api/v1/status",
      summary: "STAT-1: what is switched on, the last synchronisation and the current run",
      tag: "integration",
      responses: { 200: "status" },
    },
    () =>
      Effect.gen(function* () {
        const settings = yield* (yield* SettingsStore).get;
        const rules = yield* Rules;
        const runLog = yield* RunLog;
        const running = (yield* runLog.running).filter((r) => r.kind === "daily" || r.kind === "full");
        const current = running[running.length - 1];
        return ok({
          integrationEnabled: settings.integrationEnabled,
          customerTokenSet: settings.customerTokenSet,
          environment: settings.environment,
          learnerDemographicsMode: settings.learnerDemographicsMode,
          officerDemographicsMode: settings.officerDemographicsMode,
          organisationDemographicsMode: settings.organisationDemographicsMode,
          pushMainOfficerChanges: settings.pushMainOfficerChanges,
          pushEmployerChanges: settings.pushEmployerChanges,
          uploadReviews: settings.uploadReviews,
          downloadReviews: settings.downloadReviews,
          additionalAssessorTypes: settings.additionalAssessorTypes,
          multipleCentres: yield* multipleCentres,
          enabledRules: rules.enabled,
          lastSynchronisedAt: yield* runLog.lastSynchronisedAt,
          currentRun: current ? { id: current.id, kind: current.kind, progress: current.progress } : null,
        });
      }),
  );

  // ---------------------------------------------------------------- OneFile reference data

  route(
    {
      method: "post",
      path: "/api/v1/onefile/connection-test",
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
      path: "/api/v1/onefile/qualification-links/refresh",
      summary: "STAT-3: fetch every centre's Standards and keep them for enrolment previews",
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
      path: "/api/v1/onefile/standards",
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

  // ---------------------------------------------------------------- enrolment

  route(
    {
      method: "get",
      path: "/api/v1/learners/:id/onefile/enrolment-preview",
      summary: "ENR-1: what an enrolment would send, each qualification's status and every blocking problem; no OneFile write",
      tag: "enrolment",
      query: PreviewQuery,
      responses: {
        200: "preview",
        400: "bad centreId",
        404: "unknown learner",
        502: "OneFile failed",
        503: "integration disabled",
      },
    },
    (c) =>
      Effect.gen(function* () {
        const learnerId = yield* pathId(c, "id");
        const { centreId } = yield* decodeQuery(c, PreviewQuery, "query");
        return ok(yield* (yield* Enrolment).preview({ learnerId, centreId }));
      }),
  );

  route(
    {
      method: "post",
      path: "/api/v1/learners/:id/onefile/enrol",
      summary: "ENR: create the learner in OneFile (201; a dry run answers 200)",
      tag: "enrolment",
      body: { schema: EnrolBody },
      responses: {
        200: "dry run: the planned result",
        201: "enrolled (ENR-12)",
        400: "bad input",
        404: "unknown learner",
        409: "already linked, duplicate found (candidates in details) or learner busy",
        422: "blocked (blockers in details)",
        502: "OneFile failed",
        503: "integration disabled",
      },
    },
    (c) =>
      Effect.gen(function* () {
        const learnerId = yield* pathId(c, "id");
        const body = yield* decodeInput(EnrolBody, "enrolment request")(yield* readObject(c, "enrolment request"));
        const result = yield* (yield* Enrolment).enrol({ learnerId, ...body });
        return ok(result, result.dryRun ? 200 : 201);
      }),
  );

  route(
    {
      method: "post",
      path: "/api/v1/learners/:id/onefile/link",
      summary: "ENR-10: link the learner to an existing OneFile learner (creates nothing in OneFile)",
      tag: "enrolment",
      body: { schema: LinkBody },
      responses: {
        200: "linked",
        400: "bad input or not a OneFile learner",
        404: "unknown learner",
        409: "already linked",
        502: "OneFile failed",
        503: "integration disabled",
      },
    },
    (c) =>
      Effect.gen(function* () {
        const learnerId = yield* pathId(c, "id");
        const { onefileId } = yield* decodeInput(LinkBody, "link request")(yield* readObject(c, "link request"));
        const result = yield* (yield* Enrolment).link(learnerId, onefileId).pipe(
          Effect.catchIf(
            (e): e is Extract<typeof e, { _tag: "NotFound" | "Forbidden" }> => e._tag === "NotFound" || e._tag === "Forbidden",
            () =>
              Effect.fail(
                new HttpError({
                  status: 400,
                  code: "invalid_request",
                  text: `OneFile has no learner ${onefileId} for this customer`,
                  details: [{ path: "onefileId", message: "is not a OneFile user of this customer" }],
                }),
              ),
          ),
        );
        return ok(result);
      }),
  );

  // ---------------------------------------------------------------- exchange: refresh and runs

  route(
    {
      method: "post",
      path: "/api/v1/learners/:id/onefile/refresh",
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
        yield* requireEnabled;
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
      path: "/api/v1/sync/runs",
      summary: "Start a full run now (in the background)",
      tag: "sync",
      body: { schema: StartRunBody, required: false },
      responses: { 202: "{runId}", 400: "bad input", 409: "a run is in progress", 503: "integration disabled" },
    },
    (c) =>
      Effect.gen(function* () {
        const body = yield* decodeInput(StartRunBody, "run request")(yield* readOptionalObject(c, "run request"));
        yield* requireEnabled;
        const started = yield* (yield* exchange).startRun({ kind: "full", trigger: "http", dryRun: body.dryRun === true });
        return ok({ runId: started.runId }, 202);
      }),
  );

  route(
    {
      method: "get",
      path: "/api/v1/sync/runs",
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
      path: "/api/v1/sync/runs/:id",
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
      path: "/api/v1/sync/runs/:id/changes",
      summary: "The run's journal rows (JRN-2)",
      tag: "sync",
      responses: { ...getResponses, 200: "{items}" },
    },
    (c) =>
      Effect.gen(function* () {
        const id = yield* pathId(c, "id");
        const runLog = yield* RunLog;
        yield* runLog.get(id);
        return ok({ items: yield* runLog.changes(id) });
      }),
  );

  route(
    {
      method: "get",
      path: "/api/v1/learners/:id/onefile/log",
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

  // ---------------------------------------------------------------- unknown routes

  const known = routes.map((r) => ({
    method: r.method.toUpperCase(),
    pattern: new RegExp(`^${r.path.replace(/:[A-Za-z]+/g, "[^/]+")}$`),
  }));
  app.notFound((c) => {
    const allowed = known.filter((k) => k.pattern.test(c.req.path)).map((k) => k.method);
    if (allowed.length > 0) {
      c.header("Allow", [...new Set(allowed)].join(", "));
      return c.json(
        { error: "method_not_allowed", message: `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(" or ")}` },
        405,
      );
    }
    return c.json({ error: "not_found", message: `no route ${c.req.method} ${c.req.path}; see GET /openapi.json` }, 404);
  });

  app.onError((error, c) => {
    log({
      level: "error",
      msg: "unhandled error",
      requestId: requestIdOf(c),
      path: c.req.path,
      error: error instanceof Error ? error.message : String(error),
    });
    return c.json(
      {
        error: "internal_error",
        message: "something went wrong on our side; the request id in X-Request-Id finds it in the log",
      },
      500,
    );
  });

  return app;
};
