/**
 * The ONE place that knows which deployment (provider) a console request is for. Every console link
 * (`href`) and every page's data access (`attempt`) goes through the Deployment found here, so a
 * second provider can be added by returning another Deployment from `Deployments.current` (its own
 * runtime, base path and token) without touching any page.
 */
import { Cause, Effect, Exit, Option } from "effect";
import type { Context } from "hono";
import { makeTokenCheck } from "../auth.ts";
import { toHttpError, type ServerError } from "../errors.ts";
import type { ServerRuntime, ServerServices } from "../runtime.ts";

/** A failure in words, as the API would answer it (errors.ts is the one mapping). */
export interface Failure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly details?: unknown;
}

export type Outcome<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly failure: Failure };

export type Query = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Deployment {
  /** Stable id (cookie and CSRF tokens are bound to it). */
  readonly id: string;
  /** Shown in the header. */
  readonly name: string;
  /** The console's base path, e.g. `/console`. */
  readonly basePath: string;
  /** A console link: `href("/runs/r1", { tab: "changes" })` → `/console/runs/r1?tab=changes`. Empty query values are left out. */
  readonly href: (path?: string, query?: Query) => string;
  /** Runs a service Effect of this deployment's product; failures come back in words, never thrown. */
  readonly attempt: <A, E extends ServerError>(effect: Effect.Effect<A, E, ServerServices>) => Promise<Outcome<A>>;
  /** Checks an API token presented at sign-in (constant time, see auth.ts). */
  readonly checkToken: (presented: string) => Promise<boolean>;
  /** Key material for the session cookie and CSRF tokens (derived from the API token). */
  readonly secret: string;
  /**
   * Calls this deployment's own HTTP API (`/api/v1/...`, bearer auth added), for actions whose
   * checks live in a route (the link routes, retry): the console then does exactly what the API does.
   */
  readonly api: (method: string, path: string, body?: unknown) => Promise<Outcome<any>>;
  /** Whether this build has the API route (`POST`, `/api/v1/sync/runs/:id/retry`): pages show an action only if it does. */
  readonly hasRoute: (method: string, path: string) => boolean;
}

/** The API app the console calls (`api`), as far as the console needs it. */
export interface ApiApp {
  readonly request: (input: string, init?: RequestInit) => Response | Promise<Response>;
  readonly routes: ReadonlyArray<{ readonly method: string; readonly path: string }>;
}

export interface Deployments {
  /** The deployment of this request. */
  readonly current: (c: Context) => Deployment;
}

const queryString = (query: Query | undefined): string => {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "" || value === false) continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
};

export const makeDeployment = (options: {
  readonly id: string;
  readonly name: string;
  readonly basePath: string;
  readonly runtime: ServerRuntime;
  readonly apiToken: string;
  readonly apiApp: ApiApp;
}): Deployment => {
  const check = makeTokenCheck(options.apiToken);
  return {
    id: options.id,
    name: options.name,
    basePath: options.basePath,
    href: (path = "", query) => `${options.basePath}${path === "/" ? "" : path}${queryString(query)}`,
    attempt: async (effect) => {
      const exit = await options.runtime.runPromiseExit(effect);
      if (Exit.isSuccess(exit)) return { ok: true, value: exit.value };
      const mapped = toHttpError(Option.getOrUndefined(Cause.failureOption(exit.cause)) as ServerError | undefined);
      const body = mapped.body as { error: string; message: string; details?: unknown };
      return {
        ok: false,
        failure: {
          status: mapped.status,
          code: body.error,
          message: mapped.internal ? "something went wrong on our side; the server log has the details" : body.message,
          details: body.details,
        },
      };
    },
    checkToken: (presented) => check(presented),
    api: async (method, path, body) => {
      const response = await options.apiApp.request(path, {
        method,
        headers: {
          authorization: `Bearer ${options.apiToken}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      let json: any = undefined;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      if (response.ok) return { ok: true, value: json };
      return {
        ok: false,
        failure: {
          status: response.status,
          code: json?.error ?? "error",
          message: json?.message ?? `the API answered ${response.status}`,
          details: json?.details,
        },
      };
    },
    hasRoute: (method, path) => options.apiApp.routes.some((r) => r.method === method.toUpperCase() && r.path === path),
    secret: `pics-console:${options.id}:${options.apiToken}`,
  };
};

/** Today: one deployment serves one provider. */
export const singleDeployment = (deployment: Deployment): Deployments => ({ current: () => deployment });

/** Unwraps an outcome whose failure the page cannot show in place (it shows an error page instead). */
export class PageFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}
export const orFail = <A>(outcome: Outcome<A>): A => {
  if (outcome.ok) return outcome.value;
  throw new PageFailure(outcome.failure);
};

/** Runs several reads and gives each outcome (a page shows what it could read and says what it could not). */
export const attemptAll = <T extends Record<string, Effect.Effect<any, any, ServerServices>>>(
  deployment: Deployment,
  effects: T,
): Promise<{ [K in keyof T]: Outcome<Effect.Effect.Success<T[K]>> }> =>
  Promise.all(Object.entries(effects).map(async ([key, effect]) => [key, await deployment.attempt(effect)] as const)).then(
    (entries) => Object.fromEntries(entries) as never,
  );

export { Effect };
