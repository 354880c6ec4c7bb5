/**
 * The console without a browser (CON, SEC-5): sign-in, session cookie, CSRF, CSP, assets and the
 * pages, through `app.request` against the real runtime and the real sandbox.
 */
import { RunLog } from "@pics/pics-store";
import { Effect } from "effect";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsole, textOf, type ConsoleHarness } from "./console-support.ts";
import { API_TOKEN, baseSeed, onefileLearners, picsDocument } from "./support.ts";

let harness: ConsoleHarness;

beforeAll(async () => {
  harness = await startConsole({ seed: baseSeed({ users: onefileLearners }), pics: picsDocument() });
});
afterAll(() => harness.close());

describe("sign-in and session (SEC-5)", () => {
  it("GET / redirects to the console; a console page without a session redirects to sign-in", async () => {
    const b = harness.browser();
    const root = await b.get("/");
    expect(root.status).toBe(302);
    expect(root.location).toBe("/console");
    const page = await b.get("/console");
    expect(page.status).toBe(303);
    expect(page.location).toBe("/console/sign-in");
    const htmx = await b.get("/console/runs", { "hx-request": "true" });
    expect(htmx.status).toBe(401);
    expect(htmx.headers.get("hx-redirect")).toBe("/console/sign-in");
  });

  it("signing in with the API token sets an HttpOnly, SameSite=Strict session cookie (Secure over HTTPS) and shows the summary", async () => {
    const b = harness.browser();
    const form = await b.get("/console/sign-in");
    expect(form.status).toBe(200);
    expect(form.html).toContain('type="password"');
    const signedIn = await b.post("/console/sign-in", { token: API_TOKEN });
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe("/console");
    const cookie = signedIn.headers.getSetCookie().find((line) => line.startsWith("pics_console="))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/console/);
    expect(cookie).not.toMatch(/Secure/i);
    expect(cookie).not.toContain(API_TOKEN);
    const summary = await b.get("/console");
    expect(summary.status).toBe(200);
    expect(textOf(summary.html)).toContain("OneFile Summary");

    // Over HTTPS (here: behind a proxy that says so) the cookie is also Secure.
    const secure = harness.browser();
    await secure.get("/console/sign-in");
    const overHttps = await secure.post("/console/sign-in", { token: API_TOKEN }, { "x-forwarded-proto": "https" });
    expect(overHttps.headers.getSetCookie().find((line) => line.startsWith("pics_console="))).toMatch(/;\s*Secure/i);
  });

  it("a wrong token is refused with the message beside the field; a forged or tampered cookie is no session", async () => {
    const b = harness.browser();
    await b.get("/console/sign-in");
    const wrong = await b.post("/console/sign-in", { token: "not-the-token" });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toMatch(/id="token-error"[^>]*>That is not the API token of this deployment/);
    expect(wrong.html).toContain('aria-describedby="token-hint token-error"');
    expect(b.cookies.has("pics_console")).toBe(false);

    await b.signIn();
    const real = b.cookies.get("pics_console")!;
    const [v, id, expires, signature] = real.split(".");
    for (const forged of [`${v}.${id}.${Number(expires) + 3600}.${signature}`, `${v}.${id}x.${expires}.${signature}`, "v1.abc"]) {
      const other = harness.browser();
      other.cookies.set("pics_console", forged);
      expect((await other.get("/console")).status).toBe(303);
    }
  });

  it("signing out ends the session: the cookie is cleared and the next page asks to sign in", async () => {
    const b = harness.browser();
    await b.signIn();
    await b.get("/console");
    const out = await b.post("/console/sign-out");
    expect(out.status).toBe(303);
    expect(out.location).toBe("/console/sign-in?signedOut=1");
    expect(out.headers.getSetCookie().find((l) => l.startsWith("pics_console="))).toMatch(/Max-Age=0/i);
    expect(b.cookies.has("pics_console")).toBe(false);
    expect((await b.get("/console")).status).toBe(303);
    expect(textOf((await b.get("/console/sign-in?signedOut=1")).html)).toContain("You are signed out.");
  });

  it("form posts without the session's CSRF token, or from another origin, are refused (nothing happens)", async () => {
    const b = harness.browser();
    await b.signIn();
    await b.get("/console");
    const runsBefore = (await harness.run(Effect.flatMap(RunLog, (r) => r.list({ limit: 100 })))).items.length;
    expect((await b.post("/console/runs", { _csrf: "" })).status).toBe(403);
    expect((await b.post("/console/runs", { _csrf: "forged-token-value" })).status).toBe(403);
    expect((await b.post("/console/runs", {}, { origin: "https://evil.test" })).status).toBe(403);
    // A token of another session does not do either.
    const other = harness.browser();
    await other.signIn();
    await other.get("/console");
    expect((await b.post("/console/runs", { _csrf: other.csrf! })).status).toBe(403);
    // The sign-in form itself is bound to its own cookie: a post without it is refused.
    const stranger = harness.browser();
    expect((await stranger.post("/console/sign-in", { token: API_TOKEN, _csrf: "x" })).status).toBe(403);
    expect(stranger.cookies.has("pics_console")).toBe(false);
    expect((await harness.run(Effect.flatMap(RunLog, (r) => r.list({ limit: 100 })))).items.length).toBe(runsBefore);
  });

  it("every console answer carries a CSP without unsafe-inline or unsafe-eval; pages have no inline script or style", async () => {
    const b = harness.browser();
    for (const path of ["/console/sign-in", "/console/assets/console.css"]) {
      const csp = (await b.get(path)).headers.get("content-security-policy")!;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    }
    await b.signIn();
    const summary = await b.get("/console");
    expect(summary.headers.get("content-security-policy")).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(summary.html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(summary.html).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
    expect(summary.html).not.toMatch(/https?:\/\/(?!console\.test)/);
  });
});

describe("assets (CON-7: served by the deployment)", () => {
  it("htmx 2.0.11 comes from node_modules/htmx.org/dist and the stylesheet from the console, without a session", async () => {
    const b = harness.browser();
    const htmx = await b.get("/console/assets/htmx-2.0.11.min.js");
    expect(htmx.status).toBe(200);
    expect(htmx.headers.get("content-type")).toContain("javascript");
    const installed = readFileSync(createRequire(import.meta.url).resolve("htmx.org/dist/htmx.min.js"), "utf8");
    expect(htmx.html).toBe(installed);
    expect(htmx.html).toContain('version:"2.0.11"');
    const css = await b.get("/console/assets/console.css");
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toContain("text/css");
    expect((await b.get("/console/assets/..%2Fapp.ts")).status).toBe(404);
    await b.signIn();
    const page = (await b.get("/console")).html;
    expect(page).toContain('src="/console/assets/htmx-2.0.11.min.js"');
    expect(page).toContain('href="/console/assets/console.css"');
  });
});

describe("summary (CON-1)", () => {
  it("shows the status, flags, last synchronised, next daily run and open problems", async () => {
    const b = harness.browser();
    await b.signIn();
    const text = textOf((await b.get("/console")).html);
    expect(text).toContain("Integration Enabled");
    expect(text).toContain("Customer token Set");
    expect(text).toContain("Environment custom");
    expect(text).toContain("Last synchronised Never");
    expect(text).toMatch(/Next daily run \d{1,2} [A-Z][a-z]{2} \d{4}, 02:00:00/);
    expect(text).toContain("Learner demographics Ignore");
    expect(text).toContain("No run is in progress.");
    expect(text).toContain("No daily or full run has happened yet.");
    // Neither officer is linked yet (the exchange links O1 by its MIS reference).
    expect(text).toContain("2 officers are not linked to a OneFile assessor.");
    expect(text).toContain("Times are shown in Europe/London.");
  });

  it("the connection test answers a fragment for htmx and the whole page without JavaScript", async () => {
    const b = harness.browser();
    await b.signIn();
    await b.get("/console");
    const partial = await b.post("/console/connection-test", {}, { "hx-request": "true", "x-csrf-token": b.csrf! });
    expect(partial.status).toBe(200);
    expect(partial.html).not.toContain("<html");
    expect(textOf(partial.html)).toContain(
      "Connected to OneFile (custom, API v2.1) as customer Provider Ltd with 1 centre: Main Centre.",
    );
    const whole = await b.post("/console/connection-test");
    expect(whole.html).toContain("<html");
    expect(textOf(whole.html)).toContain("Connected to OneFile");
  });
});
