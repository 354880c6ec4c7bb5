/**
 * The product's HTTP API (shared/spec/http-api.md) as a Hono app: Hono's middleware, then one
 * sub-app per area (routes/*.ts) mounted with `app.route()`. Handlers are Effects run through the
 * one ManagedRuntime built at start-up (bridge.ts); failures are mapped to answers in errors.ts only.
 *
 * Order of middleware: request id (hono/request-id) → access log and counts → 405 for a known path
 * (hono/method-not-allowed) → bearer auth on all but /health (hono/bearer-auth) → body limit
 * (hono/body-limit) → the mounted areas. The mounted routes are also what `GET /openapi.json` publishes.
 *
 * A new area: write `routes/<area>.ts` returning `subApp(bridge, (route) => …)` and add one line
 * to `MOUNTS` below.
 */
import { Hono, type Context } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { bodyLimit } from "hono/body-limit";
import { except } from "hono/combine";
import { HTTPException } from "hono/http-exception";
import { methodNotAllowed } from "hono/method-not-allowed";
import { requestId } from "hono/request-id";
import { makeTokenCheck } from "./auth.ts";
import { makeBridge, type AppEnv, type Bridge, type Route, type SubApp } from "./bridge.ts";
import { CONSOLE_PATHS, mountConsole } from "./console/index.tsx";
import { unauthorized } from "./errors.ts";
import { jsonLogger, type Logger } from "./log.ts";
import { httpKey } from "./metrics.ts";
import { enrolmentRoutes } from "./routes/enrolment.ts";
import { notificationRoutes } from "./routes/notifications.ts";
import { onefileLinkRoutes } from "./routes/onefile-links.ts";
import { onefileRoutes } from "./routes/onefile.ts";
import { onefileLookupRoutes } from "./routes/onefile-lookups.ts";
import { operationRoutes, type OperationsDeps } from "./routes/operations.ts";
import { reconciliationRoutes } from "./routes/reconciliation.ts";
import { recordRoutes } from "./routes/records.ts";
import { settingsRoutes } from "./routes/settings.ts";
import { syncRoutes } from "./routes/sync.ts";
import type { ServerRuntime } from "./runtime.ts";

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

/** What every area is built from. */
interface AreaDeps extends OperationsDeps {
  readonly bridge: Bridge;
}

/** Every area of the API and where it is mounted: the one place a new area is added. */
const MOUNTS: ReadonlyArray<readonly [base: string, build: (deps: AreaDeps) => SubApp]> = [
  ["/", (d) => operationRoutes(d.bridge, d)],
  ["/api/v1", (d) => recordRoutes(d.bridge)],
  ["/api/v1", (d) => settingsRoutes(d.bridge)],
  ["/api/v1", (d) => onefileRoutes(d.bridge)],
  ["/api/v1", (d) => onefileLookupRoutes(d.bridge)],
  ["/api/v1", (d) => enrolmentRoutes(d.bridge)],
  ["/api/v1", (d) => onefileLinkRoutes(d.bridge)],
  ["/api/v1", (d) => syncRoutes(d.bridge)],
  ["/api/v1", (d) => notificationRoutes(d.bridge)],
  ["/api/v1", (d) => reconciliationRoutes(d.bridge)],
];

const joinPath = (base: string, path: string) => (base === "/" ? path : `${base}${path}`);

const INTERNAL_ERROR = {
  error: "internal_error",
  message: "something went wrong on our side; the request id in X-Request-Id finds it in the log",
};

export const makeApp = (runtime: ServerRuntime, config: AppConfig) => {
  const log = config.logger ?? jsonLogger;
  const checkToken = makeTokenCheck(config.apiToken);
  const app = new Hono<AppEnv>();
  const routes: Array<Route> = [];
  const httpCounts = new Map<string, number>();

  // ---------------------------------------------------------------- middleware

  app.use(requestId({ limitLength: 64 }));

  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    // Also on answers built outside the context (auth refusals, errors).
    c.res.headers.set("X-Request-Id", c.get("requestId"));
    const status = c.res.status;
    const route = c.req.routePath && c.req.routePath !== "*" && c.req.routePath !== "/*" ? c.req.routePath : "(unmatched)";
    const key = httpKey(c.req.method, route, status);
    httpCounts.set(key, (httpCounts.get(key) ?? 0) + 1);
    // Path only: never the query string, headers or body.
    log({
      level: status === 500 ? "error" : status >= 500 ? "warn" : "info",
      msg: "request",
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  });

  app.use(
    methodNotAllowed({
      app,
      // Hono answers HEAD for every GET route; the Allow header lists the methods routes declare.
      onMethodNotAllowed: (c, methods) => {
        const allowed = methods.filter((m) => m !== "HEAD");
        return c.json(
          {
            error: "method_not_allowed",
            message: `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(" or ")}`,
          },
          405,
          { Allow: allowed.join(", ") },
        );
      },
    }),
  );

  // Every refusal is the same 401 {"error":"unauthorized"} (http-api.md), a malformed header included.
  const refusal = { message: (c: Context) => c.json(unauthorized, 401), wwwAuthenticateHeader: 'Bearer realm="pics-onefile"' };
  app.use(
    except(
      ["/health", ...CONSOLE_PATHS],
      bearerAuth({
        verifyToken: (token) => checkToken(token),
        noAuthenticationHeader: refusal,
        invalidAuthenticationHeader: refusal,
        invalidToken: refusal,
      }),
    ),
  );

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
  app.use("/api/v1/import", bodyLimit({ maxSize: importLimit, onError: tooLarge(importLimit) }));
  app.use(except("/api/v1/import", bodyLimit({ maxSize: generalLimit, onError: tooLarge(generalLimit) })));

  // ---------------------------------------------------------------- the areas

  const deps: AreaDeps = { bridge: makeBridge(runtime, log), httpCounts, allRoutes: () => routes };
  for (const [base, build] of MOUNTS) {
    const area = build(deps);
    app.route(base, area.app);
    routes.push(...area.routes.map((r) => ({ ...r, path: joinPath(base, r.path) })));
  }

  // The console (HTML, its own sign-in and session): console/index.tsx.
  mountConsole(app, runtime, { apiToken: config.apiToken });

  // ---------------------------------------------------------------- unknown routes, our faults

  // A known path with another method is turned into a 405 by methodNotAllowed above.
  app.notFound((c) =>
    c.json({ error: "not_found", message: `no route ${c.req.method} ${c.req.path}; see GET /openapi.json` }, 404),
  );

  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    log({
      level: "error",
      msg: "unhandled error",
      requestId: c.get("requestId") ?? "",
      path: c.req.path,
      error: error instanceof Error ? error.message : String(error),
    });
    return c.json(INTERNAL_ERROR, 500);
  });

  return app;
};
