/**
 * The one bridge from Effect to Hono: a route's handler is an Effect run through the server's
 * ManagedRuntime; its success becomes the answer and its failure is mapped in errors.ts only.
 *
 * Each area of the API is a Hono sub-app built with `subApp` (routes/*.ts) and mounted in app.ts
 * with `app.route()`. Every route is declared with its RouteDoc, so the same table serves the
 * requests and `GET /openapi.json`.
 */
import { Cause, Effect, Exit, Option } from "effect";
import { Hono, type Context } from "hono";
import type { RequestIdVariables } from "hono/request-id";
import { toHttpError, type ServerError } from "./errors.ts";
import type { Logger } from "./log.ts";
import type { RouteDoc } from "./openapi.ts";
import type { ServerRuntime, ServerServices } from "./runtime.ts";

/** The Hono environment of every app and sub-app: `c.get("requestId")` (hono/request-id). */
export type AppEnv = { Variables: RequestIdVariables };
export type AppContext = Context<AppEnv>;

/** What a handler answers: JSON with a status, nothing (204), or a ready Response. */
export type Reply = { readonly status: number; readonly body?: unknown } | Response;
export type Handler = (c: AppContext) => Effect.Effect<Reply, ServerError, ServerServices>;

export const ok = (body: unknown, status = 200): Reply => ({ status, body });
export const noContent: Reply = { status: 204 };

/** A route's documentation; `sensitive` routes never log their failure's cause (it may hold what the request carried). */
export type Route = RouteDoc & { readonly sensitive?: boolean };

/** Runs one route's handler for a request and turns its Exit into the answer. */
export type Bridge = (route: Route, handler: Handler) => (c: AppContext) => Promise<Response>;

export const makeBridge =
  (runtime: ServerRuntime, log: Logger): Bridge =>
  (route, handler) =>
  async (c) => {
    const exit = await runtime.runPromiseExit(handler(c));
    if (Exit.isSuccess(exit)) {
      const reply = exit.value;
      if (reply instanceof Response) return reply;
      if (reply.status === 204 || reply.body === undefined) return c.body(null, reply.status as 204);
      return c.json(reply.body as object, reply.status as 200);
    }
    // The runtime's own build failure (typed unknown) cannot occur here: start-up builds it first.
    const mapped = toHttpError(Option.getOrUndefined(Cause.failureOption(exit.cause)) as ServerError | undefined);
    if (mapped.internal) {
      log({
        level: "error",
        msg: "request failed",
        requestId: c.get("requestId") ?? "",
        route: c.req.routePath,
        cause: route.sensitive ? "(not logged for this route)" : Cause.pretty(exit.cause).slice(0, 4000),
      });
    }
    return c.json(mapped.body, mapped.status as 400, mapped.headers);
  };

/** One area of the API: a Hono sub-app and the documentation of its routes (paths relative to its mount point). */
export interface SubApp {
  readonly app: Hono<AppEnv>;
  readonly routes: ReadonlyArray<Route>;
}

/**
 * Builds a sub-app: `define` declares each route once with `route(doc, handler)`.
 * Paths are relative to where app.ts mounts the sub-app.
 */
export const subApp = (bridge: Bridge, define: (route: (doc: Route, handler: Handler) => void) => void): SubApp => {
  const app = new Hono<AppEnv>();
  const routes: Array<Route> = [];
  define((doc, handler) => {
    routes.push(doc);
    app.on(doc.method.toUpperCase(), doc.path, bridge(doc, handler));
  });
  return { app, routes };
};
