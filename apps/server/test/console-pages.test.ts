/**
 * The console's pages without a browser (CON-2..5): settings with messages beside the field, runs
 * and a run's changes, learners with the enrolment choices, enrol, link, refresh, officers'
 * look-ups — through `app.request` against the real runtime and the real sandbox.
 */
import { PicsRecords, RunLog, SettingsStore } from "@pics/pics-store";
import { Effect } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsole, textOf, type ConsoleBrowser, type ConsoleHarness } from "./console-support.ts";
import { baseSeed, CENTRE, CUSTOMER_TOKEN, onefileLearners, picsDocument } from "./support.ts";

let harness: ConsoleHarness;
let b: ConsoleBrowser;

beforeAll(async () => {
  const seed = baseSeed({ users: onefileLearners });
  // A second pathway-bearing standard, so the pathway control has a choice to make.
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
  harness = await startConsole({ seed, pics });
  b = harness.browser();
  await b.signIn();
});
afterAll(() => harness.close());

/** The text inputs of a form as a browser would send them (unchecked boxes are not sent). */
const textFields = (html: string): Record<string, string> => ({
  ...Object.fromEntries(
    [...html.matchAll(/<input(?![^>]*type="checkbox")[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
  ),
  // Each select's chosen option (or its first), as a browser sends it.
  ...Object.fromEntries(
    [...html.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)].map((m) => {
      const chosen = /<option value="([^"]*)"[^>]*selected/.exec(m[2]!) ?? /<option value="([^"]*)"/.exec(m[2]!);
      return [m[1]!, chosen?.[1] ?? ""];
    }),
  ),
});

const settings = () => harness.run(Effect.flatMap(SettingsStore, (s) => s.get));

/** Polls a run's progress fragment (as htmx would) until it has ended; generous for a loaded machine. */
const waitForRun = async (runId: string) => {
  for (let i = 0; i < 240; i++) {
    const fragment = await b.get(`/console/runs/${runId}/progress`, { "hx-request": "true" });
    if (!fragment.html.includes('data-status="running"')) return fragment;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`run ${runId} did not end`);
};

describe("settings (CON-2)", () => {
  it("shows every setting with its meaning; the token only as set / not set", async () => {
    const html = (await b.get("/console/settings")).html;
    for (const name of [
      "integrationEnabled",
      "customerToken",
      "environment",
      "baseUrl",
      "uploadReviews",
      "downloadReviews",
      "additionalAssessorTypes",
      "classroomFromMainTag",
      "visitTypeForUploadedReviews",
      "visitTypeIds.NotSpecified",
      "visitTypeIds.RemoteSession",
      "visitTypeIds.FaceToFace",
      "learnerDemographicsMode",
      "officerDemographicsMode",
      "organisationDemographicsMode",
      "pushMainOfficerChanges",
      "pushEmployerChanges",
      "multipleCentres",
      "dailySync.cron",
      "dailySync.timeZone",
      "endedWithinDays",
      "onefileRateLimit.calls",
      "onefileRateLimit.windowSeconds",
    ]) {
      expect(html, name).toContain(`name="${name}"`);
      expect(html, name).toContain(`id="${name}-hint"`);
    }
    expect(textOf(html)).toContain("Customer token: Set");
    expect(html).not.toContain(CUSTOMER_TOKEN);
  });

  it("bad values are refused whole, each message beside its field, the typed values kept and nothing saved", async () => {
    const form = await b.get("/console/settings");
    const fields = textFields(form.html);
    const refused = await b.post("/console/settings", {
      ...fields,
      integrationEnabled: "true",
      environment: "custom",
      learnerDemographicsMode: "Ignore",
      officerDemographicsMode: "Ignore",
      organisationDemographicsMode: "Ignore",
      visitTypeForUploadedReviews: "NotSpecified",
      multipleCentres: "auto",
      endedWithinDays: "lots",
      "dailySync.timeZone": "Mars/Olympus",
      "onefileRateLimit.calls": "0",
      customerToken: "a-new-token-typed-here",
    });
    expect(refused.status).toBe(400);
    expect(refused.html).toMatch(/id="endedWithinDays-error"[^>]*>must be a whole number</);
    // The store validates the rest: every message is beside the field it is about.
    expect(refused.html).toMatch(/id="onefileRateLimit\.calls-error"[^>]*>must be a positive whole number</);
    expect(refused.html).toMatch(/aria-describedby="endedWithinDays-hint endedWithinDays-error"/);
    expect(refused.html).toContain('value="lots"');
    expect(refused.html).not.toContain("a-new-token-typed-here");
    // The summary names exactly the refused fields, by their labels.
    expect(textOf(refused.html)).toContain(
      "Nothing was saved. Check Ended within (days), Time zone, OneFile calls per window: the message is beside each.",
    );
    expect((await settings()).endedWithinDays).toBe(31);

    const zone = await b.post("/console/settings", {
      ...fields,
      integrationEnabled: "true",
      environment: "custom",
      "dailySync.timeZone": "Mars/Olympus",
    });
    expect(zone.status).toBe(400);
    expect(zone.html).toMatch(/id="dailySync\.timeZone-error"[^>]*>must be an IANA time zone/);
  });

  it("good values are saved (then the page says so); the token stays write-only", async () => {
    const form = await b.get("/console/settings");
    const fields = textFields(form.html);
    const saved = await b.post("/console/settings", {
      ...fields,
      integrationEnabled: "true",
      environment: "custom",
      learnerDemographicsMode: "Ignore",
      officerDemographicsMode: "Ignore",
      organisationDemographicsMode: "Ignore",
      visitTypeForUploadedReviews: "NotSpecified",
      multipleCentres: "auto",
      endedWithinDays: "45",
      additionalAssessorTypes: "Mentor, Coach",
    });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe("/console/settings?saved=1");
    expect(await settings()).toMatchObject({
      endedWithinDays: 45,
      additionalAssessorTypes: ["Mentor", "Coach"],
      customerTokenSet: true,
    });
    const after = await b.get("/console/settings?saved=1");
    expect(textOf(after.html)).toContain("The settings were saved.");
    // The connection still works with the kept token.
    const test = await b.post("/console/settings/connection-test", textFields(after.html), {
      "hx-request": "true",
      "x-csrf-token": b.csrf!,
    });
    expect(textOf(test.html)).toContain("Connected to OneFile");
  });
});

describe("settings: the connection test before saving (CON-2)", () => {
  it("tests the values typed in the form, saves nothing, and names fields to fix first", async () => {
    const form = await b.get("/console/settings");
    const fields = { ...textFields(form.html), integrationEnabled: "true", environment: "custom", multipleCentres: "auto" };
    const typed = await b.post(
      "/console/settings/connection-test",
      { ...fields, customerToken: "a-token-OneFile-does-not-know" },
      { "hx-request": "true", "x-csrf-token": b.csrf! },
    );
    expect(typed.status).toBe(200);
    expect(typed.html).not.toContain("<html");
    expect(textOf(typed.html)).toMatch(/OneFile refused the connection \(bad token\)/);
    expect(typed.html).not.toContain("a-token-OneFile-does-not-know");
    // The stored token was not replaced: the saved settings still connect.
    const stored = await b.post("/console/settings/connection-test", fields, { "hx-request": "true", "x-csrf-token": b.csrf! });
    expect(textOf(stored.html)).toContain("Connected to OneFile");
    expect((await settings()).customerTokenSet).toBe(true);

    const badUrl = await b.post("/console/settings/connection-test", { ...fields, baseUrl: "not a url" });
    expect(badUrl.status).toBe(400);
    expect(badUrl.html).toMatch(/id="baseUrl-error"[^>]*>must be an absolute URL</);
    expect(textOf(badUrl.html)).toContain("fix the fields marked below first");
  });
});

describe("learners (CON-4)", () => {
  it("search and filters", async () => {
    const all = textOf((await b.get("/console/learners")).html);
    expect(all).toContain("4 of 4 learners");
    const lee = textOf((await b.get("/console/learners?search=lee")).html);
    expect(lee).toContain("1 of 4 learners");
    expect(lee).toContain("Lee Learner");
    const unlinked = textOf((await b.get("/console/learners?filter=unlinked")).html);
    expect(unlinked).toContain("Blocked Learner");
    expect(textOf((await b.get("/console/learners?search=nobody-at-all")).html)).toContain("No learner matches this search.");
  });

  it("a learner's panel offers every choice as a control and previews; then Create in OneFile enrols", async () => {
    const empty = await b.get("/console/learners/L1");
    expect(empty.html).toContain('name="centreId"');
    expect(textOf(empty.html)).toContain("Choose a centre to see what the enrolment would send.");

    const chosen = await b.get(`/console/learners/L1?centreId=${CENTRE}`);
    expect(chosen.html).toMatch(/<option value="110"[^>]*>Cohort A/);
    expect(chosen.html).toContain('name="q.Q2.pathwayId"');
    expect(chosen.html).toMatch(/<option value="1212"[^>]*>Hospitality/);
    // Without classroom and pathway the preview says what is missing, and there is no Create button yet.
    expect(textOf(chosen.html)).toContain("cannot be created in OneFile yet");
    expect(chosen.html).not.toContain(">Create in OneFile</button>");

    const ready = await b.get(`/console/learners/L1?centreId=${CENTRE}&classroomId=110&q.Q2.pathwayId=1212`);
    expect(textOf(ready.html)).toContain("Nothing blocks the enrolment.");
    expect(ready.html).toContain(">Create in OneFile</button>");
    const enrolled = await b.post("/console/learners/L1/enrol", {
      centreId: String(CENTRE),
      classroomId: "110",
      "q.Q2.pathwayId": "1212",
    });
    expect(enrolled.status).toBe(303);
    expect(enrolled.location).toMatch(/^\/console\/learners\/L1\?enrolled=/);
    const learner = await harness.run(Effect.flatMap(PicsRecords, (r) => r.getLearner("L1")));
    expect(learner.onefileId).toEqual(expect.any(Number));
    const after = textOf((await b.get(enrolled.location!)).html);
    expect(after).toContain("The learner was created in OneFile");
    expect(after).toContain("Refresh with OneFile");
  });

  it("a refused enrolment says why beside the button", async () => {
    const refused = await b.post("/console/learners/L2/enrol", { centreId: String(CENTRE) });
    expect(refused.status).toBe(422);
    expect(refused.html).toMatch(/id="enrol-error"/);
    expect(textOf(refused.html)).toContain("The learner was not created");
  });

  it("link with a look-up of OneFile learners, then refresh, and the log shows both", async () => {
    const found = await b.get(`/console/learners/L4/lookup?lookupCentre=${CENTRE}&lookup=lin`, { "hx-request": "true" });
    expect(textOf(found.html)).toContain("Lin Linked");
    expect(found.html).toContain('name="onefileId" value="151"');
    const linked = await b.post("/console/learners/L4/link", { onefileId: "151" });
    expect(linked.status).toBe(303);
    expect((await harness.run(Effect.flatMap(PicsRecords, (r) => r.getLearner("L4")))).onefileId).toBe(151);
    const refreshed = await b.post("/console/learners/L4/refresh");
    expect(refreshed.status).toBe(303);
    expect(refreshed.location).toMatch(/refreshed=/);
    const page = textOf((await b.get(refreshed.location!)).html);
    expect(page).toMatch(/Refreshed: [\d,]+ changes?/);
    expect(page).toMatch(/refresh .*(Succeeded|succeeded)/i);
    expect(page).toMatch(/enrolment/);
  });
});

describe("officers and organisations (CON-5)", () => {
  it("list linked or not, and Look Up OneFile ID finds the centre's assessors and placements", async () => {
    const officers = await b.get("/console/officers");
    const text = textOf(officers.html);
    expect(text).toContain("Look Up OneFile ID");
    expect(text).toMatch(/of 2 officers/);
    const found = await b.get(`/console/officers/O2/lookup?centreId=${CENTRE}&q=ada`, { "hx-request": "true" });
    expect(textOf(found.html)).toContain("Ada Assessor (OneFile id 130)");
    const placements = await b.get(`/console/organisations/G1/lookup?centreId=${CENTRE}&q=acme`, { "hx-request": "true" });
    expect(textOf(placements.html)).toContain("Acme Ltd (OneFile id 140)");
    // Without JavaScript the same look-up is a whole page.
    const whole = await b.get(`/console/officers?lookup=O2&centreId=${CENTRE}&q=ada`);
    expect(textOf(whole.html)).toContain("Ada Assessor (OneFile id 130)");
  });
});

describe("runs (CON-3)", () => {
  let runId = "";

  it("a full run started from the console shows live progress until it ends, then its changes before → after", async () => {
    const started = await b.post("/console/runs");
    expect(started.status).toBe(303);
    runId = started.location!.replace("/console/runs/", "");
    const running = await b.get(started.location!);
    expect(running.status).toBe(200);
    expect(textOf(running.html)).toContain(`Run ${runId}`);
    const ended = await waitForRun(runId);
    expect(ended.html).not.toContain("hx-trigger");
    expect(ended.headers.get("hx-refresh")).toBe("true");
    const done = await b.get(`/console/runs/${runId}`);
    const text = textOf(done.html);
    expect(text).toMatch(/full run/);
    expect(done.html).toMatch(/data-status="(succeeded|partially_succeeded)"/);
    expect(done.html).toContain('id="changes"');
    expect(text).toContain("→");
    expect(text).toMatch(/PICS → OneFile|OneFile → PICS/);
  });

  it("the history lists it with kind, trigger, started, duration, outcome and counts; filters narrow it", async () => {
    const list = textOf((await b.get("/console/runs")).html);
    expect(list).toContain(runId);
    expect(list).toMatch(/full http \d{1,2} [A-Z][a-z]{2} \d{4}/);
    expect(textOf((await b.get("/console/runs?kind=full")).html)).toContain(runId);
    const none = textOf((await b.get("/console/runs?kind=daily")).html);
    expect(none).not.toContain(runId);
    expect(none).toContain("No run matches these filters.");
    expect(textOf((await b.get("/console/runs?status=failed")).html)).not.toContain(runId);
  });

  it("an unknown run is a page in words, not a stack", async () => {
    const missing = await b.get("/console/runs/no-such-run");
    expect(missing.status).toBe(404);
    expect(textOf(missing.html)).toContain('run "no-such-run" does not exist');
    const nowhere = await b.get("/console/no-such-page");
    expect(nowhere.status).toBe(404);
    expect(textOf(nowhere.html)).toContain("There is no console page at /console/no-such-page.");
  });
});

describe("retry failed learners (CON-3, REC-4)", () => {
  it("a run with a failed learner offers the retry; it starts a new run over that learner", async () => {
    // Every OneFile call about L1 (enrolled above; its learning aims are read per learner) fails:
    // its exchange fails, the others' do not.
    const l1 = (await harness.run(Effect.flatMap(PicsRecords, (r) => r.getLearner("L1")))).onefileId!;
    const fault = await fetch(`${harness.sandbox!.adminUrl}/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ learnerId: l1, action: "status", status: 500 }),
    });
    expect(fault.ok).toBe(true);
    const started = await b.post("/console/runs");
    const runId = started.location!.replace("/console/runs/", "");
    await waitForRun(runId);
    const failed = await b.get(`/console/runs/${runId}`);
    expect(failed.html).toContain('<a href="/console/learners/L1">L1</a></td><td class="mono">');
    expect(failed.html).toContain(">Retry the 1 failed learner</button>");
    const retried = await b.post(`/console/runs/${runId}/retry`);
    expect(retried.status).toBe(303);
    const retryId = retried.location!.replace("/console/runs/", "");
    expect(retryId).not.toBe(runId);
    await waitForRun(retryId);
    const run = await harness.run(Effect.flatMap(RunLog, (r) => r.get(retryId)));
    expect(run.progress.total).toBe(1);
    expect(run.errors.map((e) => e.learnerId)).toEqual(["L1"]);
  });
});
