/**
 * The console in a real browser (CON-1..7, SEC-5): Debian's headless Chromium driven by
 * playwright-core against the real server over HTTP with the real OneFile sandbox. One browser for
 * the file; the flows run in order in one signed-in page, as a person would use the console.
 *
 * Every page visited is checked with axe-core (no serious or critical violation), must raise no
 * Content-Security-Policy violation or script error, and is saved as a screenshot under
 * `apps/server/test/screenshots/` (git-ignored) for a person to look at.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { WEBHOOK_SECRET, webhookReceiver } from "@pics/notifications/testing";
import { Effect, Exit, Scope } from "effect";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TOKEN, baseSeed, CENTRE, onefileLearners, picsDocument, startServer, type TestServer } from "./support.ts";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), "screenshots");
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
/** Waits for conditions, never for time: generous for a loaded 2-core machine. */
const WAIT = Number(process.env.CONSOLE_BROWSER_WAIT ?? 60_000);

let server: TestServer;
let context: BrowserContext;
let page: Page;
const pageErrors: Array<string> = [];

const available = existsSync(CHROMIUM);

beforeAll(async () => {
  if (!available) return;
  // A OneFile assessor made by hand before the integration, under a MIS reference PICS never had:
  // the case "Look Up OneFile ID" exists for (OFF-7).
  const handMadeAssessor = {
    ID: 9140,
    OrganisationID: CENTRE,
    Role: 5,
    FirstName: "Bob",
    LastName: "Builder",
    Email: "bob.builder@provider.test",
    MISID: "LEGACY-17",
  };
  const seed = baseSeed({ users: [...onefileLearners, handMadeAssessor] });
  (seed.customers[0] as any).Standards.push({
    ID: 121,
    OrganisationID: CENTRE,
    Title: "Level 2 Customer Service [ST0072]",
    Pathways: [
      { ID: 1211, Title: "Retail" },
      { ID: 1212, Title: "Hospitality" },
    ],
  });
  const pics = picsDocument();
  pics.learners[0]!.qualifications!.push({ id: "Q2", vqReference: "ST0072", assessorId: "O1", startDate: "2026-09-01" } as never);
  // L4 is already linked, so a full run has a learner to exchange (its NI number is pushed to OneFile).
  Object.assign(pics.learners[3]!, { onefileId: 151, onefileCentreId: CENTRE, niNumber: "QQ123456C" });
  server = await startServer({ seed, pics, settings: { learnerDemographicsMode: "PushToOneFile" } });
  mkdirSync(SCREENSHOTS, { recursive: true });
  // A fresh profile of its own (launchPersistentContext takes the user-data dir).
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "console-chromium-")), {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    viewport: { width: 1280, height: 900 },
    locale: "en-GB",
  });
  context.setDefaultTimeout(WAIT);
  page = context.pages()[0] ?? (await context.newPage());
  // Script errors and CSP violations; a refused page itself (a wrong token is a 401) is not one.
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) pageErrors.push(message.text());
  });
  page.on("response", (response) => {
    const type = response.request().resourceType();
    if (type !== "document" && response.status() >= 400) pageErrors.push(`${response.status()} for ${type} ${response.url()}`);
  });
  page.on("pageerror", (error) => pageErrors.push(error.message));
}, 120_000);

afterAll(async () => {
  await context?.close();
  await server?.close();
});

/** axe-core in the page (evaluated through the DevTools protocol: the page's CSP stays on). */
const checkAccessibility = async (name: string) => {
  await page.evaluate(axeSource);
  const results = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<any> } }).axe;
    const run = await axe.run(document);
    return run.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
  });
  const serious = results.filter((v: { impact: string }) => v.impact === "serious" || v.impact === "critical");
  expect(serious, `${name}: ${JSON.stringify(serious)}`).toEqual([]);
};

/** Every page: accessible, no CSP violation or script error, and a screenshot to look at. */
const visited = async (name: string) => {
  await page.waitForLoadState("load");
  await checkAccessibility(name);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const errors = pageErrors.splice(0);
  expect(errors, `${name}: ${JSON.stringify(errors)}`).toEqual([]);
};

describe.skipIf(!available)("the console in Chromium", () => {
  it("sign in, and the summary shows the status", async () => {
    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/console\/sign-in$/);
    await visited("01-sign-in");
    await page.getByLabel("API token").fill("not the token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.locator("#token-error").textContent(), { timeout: WAIT }).toContain("not the API token");
    await page.getByLabel("API token").fill(API_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/console$/);
    await page.getByRole("heading", { name: "OneFile Summary" }).waitFor();
    expect(await page.locator("#integration-status").textContent()).toBe("Enabled");
    // htmx is loaded from the deployment and works: the connection test answers in place.
    await page.getByRole("button", { name: "Test the connection" }).click();
    await page.locator("#connection-result").getByText("Connected to OneFile").waitFor();
    expect(page.url()).toMatch(/\/console$/);
    await visited("02-summary");
  });

  it("a setting with a bad value shows its message beside the field, and nothing is saved", async () => {
    await page.getByRole("link", { name: "Settings", exact: true }).click();
    await page.waitForURL(/\/console\/settings$/);
    await visited("03-settings");
    await page.getByLabel("Ended within (days)").fill("soon");
    await page.getByRole("button", { name: "Save settings" }).click();
    const message = page.locator("#endedWithinDays-error");
    await message.waitFor();
    expect(await message.textContent()).toBe("must be a whole number");
    expect(await page.getByLabel("Ended within (days)").getAttribute("aria-invalid")).toBe("true");
    await visited("04-settings-refused");
    const stored = await server.request("GET", "/api/v1/settings");
    expect(stored.json.endedWithinDays).toBe(31);
  });

  it("a full sync runs and is watched to its end; its changes show before → after; the back button works", async () => {
    await page.getByRole("link", { name: "Summary" }).click();
    await page.waitForURL(/\/console$/);
    await page.getByRole("button", { name: "Run a full sync now" }).click();
    await page.waitForURL(/\/console\/runs\/[^/]+$/);
    const runUrl = page.url();
    // htmx polls the progress; when the run ends the page reloads with its outcome and changes.
    await page.locator('.run-progress:not([data-status="running"])').waitFor({ timeout: WAIT });
    await page.locator("#changes").waitFor({ timeout: WAIT });
    const status = await page.locator(".run-progress").getAttribute("data-status");
    expect(["succeeded", "partially_succeeded"]).toContain(status);
    expect(await page.locator("#changes").textContent()).toContain("→");
    await visited("05-run");
    await page.getByRole("link", { name: "All runs" }).click();
    await page.waitForURL(/\/console\/runs$/);
    await visited("06-runs");
    await page.getByLabel("Kind").selectOption("daily");
    await page.getByRole("button", { name: "Show runs" }).click();
    await page.getByText("No run matches these filters.").waitFor();
    await page.goBack();
    await page.waitForURL(/\/console\/runs$/);
    await page.goBack();
    await page.waitForURL(runUrl);
    await page.locator("#changes").waitFor();
  });

  it("an unlinked learner is enrolled choosing centre, classroom and pathway", async () => {
    await page.getByRole("link", { name: "Learners" }).click();
    await page.waitForURL(/\/console\/learners$/);
    await visited("07-learners");
    await page.getByLabel("Show").selectOption("unlinked");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("link", { name: "L1" }).click();
    await page.waitForURL(/\/console\/learners\/L1/);
    await page.getByLabel("Centre", { exact: true }).selectOption(String(CENTRE));
    await page.getByRole("button", { name: "Show the preview" }).click();
    await page.locator("#blockers").waitFor();
    await page.getByLabel("Classroom").selectOption("110");
    await page.getByLabel("Pathway for Q2").selectOption("1212");
    await page.getByRole("button", { name: "Show the preview" }).click();
    await page.getByText("Nothing blocks the enrolment.").waitFor();
    await visited("08-learner-preview");
    await page.getByRole("button", { name: "Create in OneFile" }).click();
    await page.getByText("The learner was created in OneFile").waitFor();
    expect(await page.locator("#link-status").textContent()).toBe("linked");
    await visited("09-learner-enrolled");
    const learner = await server.request("GET", "/api/v1/learners/L1");
    expect(learner.json.onefileId).toEqual(expect.any(Number));
  });

  it("an officer is linked by look-up", async () => {
    await page.getByRole("link", { name: "Officers" }).click();
    await page.waitForURL(/\/console\/officers$/);
    await page.getByLabel("Search OneFile assessors").last().fill("builder");
    await page.getByRole("button", { name: "Look Up OneFile ID for officer O2" }).click();
    await page.locator("#lookup-O2").getByText("Bob Builder").waitFor();
    await visited("10-officers-lookup");
    const link = page.locator("#lookup-O2").getByRole("button", { name: "Link O2 to OneFile assessor 9140" });
    await link.click();
    await page.getByText("is now linked to OneFile").waitFor();
    const officer = await server.request("GET", "/api/v1/officers/O2");
    expect(officer.json.onefileLinks).toEqual([{ centreId: CENTRE, onefileId: 9140 }]);
    await visited("11-officer-linked");
  });

  it("a learner is refreshed with OneFile, and its log shows the refresh", async () => {
    await page.goto(`${server.url}/console/learners/L4`);
    await page.getByRole("button", { name: "Refresh with OneFile" }).click();
    await page.locator("#refresh-result").waitFor();
    expect(await page.locator("#refresh-result").textContent()).toMatch(/Refreshed: [\d,]+ changes?/);
    expect(await page.locator("section", { hasText: "Log" }).last().textContent()).toContain("refresh");
    await visited("12-learner-refreshed");
    await page.goto(`${server.url}/console/organisations`);
    await visited("13-organisations");
  });

  it("notifications: a webhook is set with its write-only secret and a test send reports its result in place", async () => {
    const receiver = await Effect.runPromise(
      Scope.make().pipe(
        Effect.flatMap((scope) => Effect.map(Scope.extend(webhookReceiver(), scope), (hook) => ({ hook, scope }))),
      ),
    );
    try {
      await page.getByRole("link", { name: "Notifications", exact: true }).click();
      await page.waitForURL(/\/console\/notifications$/);
      await visited("14-notifications");
      await page.getByLabel("Webhook URL").fill(receiver.hook.url);
      await page.getByLabel("Webhook secret", { exact: true }).fill(WEBHOOK_SECRET);
      await page.getByRole("button", { name: "Save notification settings" }).click();
      await page.waitForURL(/\/console\/notifications\?saved=1$/);
      expect(await page.locator("#webhookSecret-state").textContent()).toBe("Webhook secret: Set");
      expect(await page.content()).not.toContain(WEBHOOK_SECRET);
      await page.getByRole("button", { name: "Send a test notification" }).click();
      await page.locator("#notifications-test").getByText("Webhook: delivered (200)").waitFor();
      expect(page.url()).toMatch(/\/console\/notifications\?saved=1$/);
      expect(receiver.hook.received.map((r) => r.verified.ok)).toEqual([true]);
      // The deliveries log below was refreshed in place with the attempt.
      await page.locator("#deliveries").getByText("test", { exact: true }).waitFor();
      await visited("15-notifications-tested");
    } finally {
      await Effect.runPromise(Scope.close(receiver.scope, Exit.void));
    }
  });

  it("reconciliation: run, review, approve a probable pair, apply (CON-6)", async () => {
    await page.getByRole("link", { name: "Reconciliation", exact: true }).click();
    await page.getByRole("heading", { name: "Reconciliation", exact: true }).waitFor();
    await visited("12-reconciliation");
    await page.getByLabel("OneFile centre id").fill(String(CENTRE));
    await page.getByRole("button", { name: "Start a reconciliation" }).click();
    await page.waitForURL(/\/console\/reconciliation\/run_/);
    // Reload until the run has finished and its findings show.
    await expect
      .poll(
        async () => {
          if (await page.getByRole("heading", { name: "Proposed pairs" }).count()) return true;
          await page.reload();
          return false;
        },
        { timeout: WAIT, interval: 250 },
      )
      .toBe(true);
    await visited("13-reconciliation-review");
    // L3 shares its ULN with OneFile learner 150: probable, so not ticked until approved.
    const approve = page.getByLabel("Approve L3 with OneFile learner 150");
    expect(await approve.isChecked()).toBe(false);
    await approve.check();
    await page.getByRole("button", { name: "Link the approved pairs" }).click();
    await page.getByRole("heading", { name: "Pairs applied" }).waitFor();
    expect(await page.getByRole("status").first().textContent()).toContain("1 of 1 pairs linked");
    await visited("14-reconciliation-applied");
  });

  it("sign out ends the session", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/console\/sign-in\?signedOut=1$/);
    await page.getByText("You are signed out.").waitFor();
    await page.goto(`${server.url}/console/settings`);
    await page.waitForURL(/\/console\/sign-in$/);
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === "pics_console")).toBeUndefined();
    expect(pageErrors).toEqual([]);
  });
});
