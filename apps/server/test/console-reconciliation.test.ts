/**
 * CON-6 without a browser: the reconciliation page against the real runtime and sandbox — start a
 * reconciliation, review its proposals (exact ones ticked), approve some, apply them; preview the
 * enrolment of unmatched learners together.
 */
import { PicsRecords } from "@pics/pics-store";
import { Effect } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsole, textOf, type ConsoleBrowser, type ConsoleHarness } from "./console-support.ts";
import { baseSeed, CENTRE, onefileLearners, picsDocument } from "./support.ts";

let harness: ConsoleHarness;
let b: ConsoleBrowser;

beforeAll(async () => {
  const seed = baseSeed({
    users: [
      ...onefileLearners,
      { ID: 152, OrganisationID: CENTRE, Role: 1, FirstName: "Lee", LastName: "L", Email: "lee@onefile.test", MISID: "L1" },
    ],
  });
  harness = await startConsole({ seed, pics: picsDocument() });
  b = harness.browser();
  await b.signIn();
});
afterAll(() => harness.close());

const checkbox = (html: string, learnerId: string) =>
  new RegExp(`<input[^>]*name="learnerIds"[^>]*value="${learnerId}"[^>]*>`).exec(html)?.[0] ?? "";

describe("console reconciliation (CON-6)", () => {
  it("CON-6, REC-1, REC-2: run a reconciliation, review it with the exact pairs ticked, approve some and apply them", async () => {
    const start = await b.get("/console/reconciliation");
    expect(start.status).toBe(200);
    expect(start.html).toContain('aria-current="page"');

    const started = await b.post("/console/reconciliation", { centreId: String(CENTRE) });
    expect(started.status).toBe(303);
    const runPath = started.location!;
    expect(runPath).toMatch(/^\/console\/reconciliation\/run_/);

    let review = await b.get(runPath);
    for (let i = 0; i < 200 && !review.html.includes("Proposed pairs"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      review = await b.get(runPath);
    }
    expect(review.status).toBe(200);
    expect(checkbox(review.html, "L1")).toContain("checked");
    expect(checkbox(review.html, "L3")).not.toContain("checked");
    expect(checkbox(review.html, "L4")).not.toContain("checked");
    expect(textOf(review.html)).toContain("Officer O2 (OFF-B) in centre 100: no OneFile assessor with this MIS reference");

    // Approve L1 (exact) and L3 (probable), leave L4 out.
    const applied = await b.post(`${runPath}/apply`, { learnerIds: ["L1", "L3"] });
    expect(applied.status).toBe(200);
    expect(textOf(applied.html)).toContain("2 of 2 pairs linked; nothing was created in OneFile.");
    const learners = await harness.run(Effect.flatMap(PicsRecords, (r) => r.getLearners(["L1", "L3", "L4"])));
    expect(learners.map((l) => [l.id, l.onefileId])).toEqual([
      ["L1", 152],
      ["L3", 150],
      ["L4", null],
    ]);
  });

  it("CON-6, REC-3: unmatched learners are previewed together, with each blocker naming its learner", async () => {
    const preview = await b.post("/console/reconciliation/enrolments/preview", {
      learnerIds: ["L2"],
      centreId: String(CENTRE),
      classroomId: "110",
    });
    expect(preview.status).toBe(200);
    expect(textOf(preview.html)).toContain("L2 :");
    expect(preview.html).toContain('action="/console/reconciliation/enrolments"');
    const none = await b.post("/console/reconciliation/enrolments/preview", { centreId: String(CENTRE) });
    expect(none.status).toBe(400);
    expect(textOf(none.html)).toContain("Choose at least one learner to enrol.");
  });
});
