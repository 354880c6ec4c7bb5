/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * The console (CON, http-api.md "Console"): HTML pages served by the server itself, rendered with
 * Hono JSX, made interactive with htmx 2.0.11 served from this deployment (no build step, nothing
 * fetched from elsewhere, the same under Node and Deno).
 *
 * Order: security headers (CSP without unsafe-inline/unsafe-eval, SEC-5) → assets (no session) →
 * sign-in (no session) → session required (else redirect to sign-in) → CSRF on every post → pages.
 * Mounted on the API app with `mountConsole(app, runtime, { apiToken })`.
 */
import { Effect } from "effect";
import { Hono, type Context } from "hono";
import type { HtmlEscapedString } from "hono/utils/html";
import { HTTPException } from "hono/http-exception";
import { csrf } from "hono/csrf";
import { secureHeaders } from "hono/secure-headers";
import { SettingsStore } from "@pics/pics-store";
import type { ServerRuntime } from "../runtime.ts";
import { consoleAsset } from "./assets.ts";
import { makeDeployment, PageFailure, singleDeployment, type Deployment, type Deployments } from "./deployment.ts";
import { CsrfField, Field, formOf, HTMX_FILE, Layout, page, type ConsoleApp, type ConsoleEnv } from "./kit.tsx";
import { registerPages } from "./pages/index.ts";
import {
  checkCsrf,
  checkSignInToken,
  clearSignInCookie,
  endSession,
  readSession,
  signInToken,
  startSession,
  type Session,
} from "./session.ts";

export const CONSOLE_BASE = "/console";

/** SEC-5: everything from this deployment only; no inline script or style, no eval. */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
};

const SignInPage = (props: { deployment: Deployment; token: string; error?: string; status?: string }) => (
  <Layout deployment={props.deployment} session={null} title="Sign in">
    <form method="post" action={props.deployment.href("/sign-in")} class="card narrow">
      <input type="hidden" name="_csrf" value={props.token} />
      {props.status ? (
        <p class="notice ok" role="status">
          {props.status}
        </p>
      ) : null}
      <Field id="token" label="API token" hint="The token this deployment was started with (API_TOKEN)." error={props.error}>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="current-password"
          required
          aria-describedby={props.error ? "token-hint token-error" : "token-hint"}
          aria-invalid={props.error ? "true" : undefined}
        />
      </Field>
      <button type="submit">Sign in</button>
    </form>
  </Layout>
);

const html = (c: Context, body: HtmlEscapedString | Promise<HtmlEscapedString>, status = 200) =>
  c.html("<!doctype html>" + body.toString(), status as 200);

export const makeConsole = (deployments: Deployments): ConsoleApp => {
  const app = new Hono<ConsoleEnv>();

  app.use("*", secureHeaders({ contentSecurityPolicy: CONTENT_SECURITY_POLICY, referrerPolicy: "same-origin" }));
  app.use("*", async (c, next) => {
    c.set("deployment", deployments.current(c));
    await next();
    // Pages show live data: never from a cache, and the back button asks again.
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  });

  app.get("/assets/:file", (c) => {
    const asset = consoleAsset(c.req.param("file"));
    if (!asset) return c.text("no such file", 404);
    return c.body(asset.body, 200, { "Content-Type": asset.type, "Cache-Control": "public, max-age=3600" });
  });

  // Cross-site form posts are refused by origin first (hono/csrf), then by token below.
  const sameOrigin = csrf();
  app.use("*", async (c, next) => {
    try {
      return await sameOrigin(c, next);
    } catch (error) {
      if (error instanceof HTTPException && error.status === 403) return c.text("cross-site form posts are refused", 403);
      throw error;
    }
  });

  app.get("/sign-in", async (c) => {
    const d = c.var.deployment;
    if (await readSession(c, d)) return c.redirect(d.href("/"), 303);
    const signedOut = c.req.query("signedOut") === "1";
    return html(
      c,
      <SignInPage deployment={d} token={await signInToken(c, d)} status={signedOut ? "You are signed out." : undefined} />,
    );
  });

  app.post("/sign-in", async (c) => {
    const d = c.var.deployment;
    const form = await formOf(c);
    if (!(await checkSignInToken(c, d, form.text("_csrf")))) {
      return html(
        c,
        <SignInPage deployment={d} token={await signInToken(c, d)} error="The form had expired. Please enter the token again." />,
        403,
      );
    }
    if (!(await d.checkToken(form.text("token").trim()))) {
      return html(
        c,
        <SignInPage deployment={d} token={await signInToken(c, d)} error="That is not the API token of this deployment." />,
        401,
      );
    }
    clearSignInCookie(c, d);
    await startSession(c, d);
    return c.redirect(d.href("/"), 303);
  });

  // Every page below needs a session; posts also need the session's CSRF token.
  app.use("*", async (c, next) => {
    const d = c.var.deployment;
    const session = await readSession(c, d);
    if (!session) {
      if (c.req.header("hx-request") === "true") {
        // htmx follows HX-Redirect with a whole-page navigation.
        c.header("HX-Redirect", d.href("/sign-in"));
        return c.body(null, 401);
      }
      return c.redirect(d.href("/sign-in"), 303);
    }
    c.set("session", session);
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      const header = c.req.header("x-csrf-token");
      const presented = header ?? (await formOf(c)).text("_csrf");
      if (!checkCsrf(session, presented))
        return c.text("this form is not from this console session (CSRF token missing or wrong)", 403);
    }
    const settings = await d.attempt(Effect.flatMap(SettingsStore, (s) => s.get));
    c.set("timeZone", settings.ok ? settings.value.dailySync.timeZone : "UTC");
    await next();
  });

  app.post("/sign-out", (c) => {
    const d = c.var.deployment;
    endSession(c, d);
    return c.redirect(d.href("/sign-in", { signedOut: 1 }), 303);
  });

  registerPages(app);

  // An unknown console address is a page in words, with the navigation (not the API's JSON 404).
  app.get("*", (c) =>
    page(
      c,
      { title: "Not found", status: 404 },
      <div class="card">
        <p class="error" role="alert">
          There is no console page at {c.req.path}.
        </p>
        <p>
          <a href={c.var.deployment.href("/")}>Back to the summary</a>
        </p>
      </div>,
    ),
  );

  app.onError((error, c) => {
    const failure =
      error instanceof PageFailure
        ? error.failure
        : { status: 500, code: "internal_error", message: "something went wrong on our side; the server log has the details" };
    if (!(error instanceof PageFailure)) console.error(error);
    const status = failure.status >= 400 ? failure.status : 500;
    return page(
      c as Context<ConsoleEnv>,
      { title: status === 404 ? "Not found" : "Something went wrong", status },
      <div class="card">
        <p class="error" role="alert">
          {failure.message}
        </p>
        <p>
          <a href={c.var.deployment.href("/")}>Back to the summary</a>
        </p>
      </div>,
    );
  });

  return app;
};

/**
 * Mounts the console on the API app: `GET /` redirects to it, `/console/*` serves it. The API's
 * bearer auth must let `/` and `/console` through (`CONSOLE_PATHS`): the console has its own
 * sign-in.
 */
export const mountConsole = (app: Hono<any>, runtime: ServerRuntime, config: { readonly apiToken: string }) => {
  const deployment = makeDeployment({
    apiApp: app,
    id: "default",
    name: "This provider",
    basePath: CONSOLE_BASE,
    runtime,
    apiToken: config.apiToken,
  });
  app.get("/", (c) => c.redirect(CONSOLE_BASE, 302));
  app.route(CONSOLE_BASE, makeConsole(singleDeployment(deployment)));
};

/** Paths the console answers with its own session instead of the API's bearer auth (hono/combine patterns). */
export const CONSOLE_PATHS = ["/", CONSOLE_BASE, `${CONSOLE_BASE}/*`];

export { HTMX_FILE, CsrfField };
export type { Session };
