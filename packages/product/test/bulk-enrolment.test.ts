/**
 * Bulk enrolment (REC-3) and retrying a run's failed learners (REC-4), against the sandbox: a
 * cohort of 30 learners sharing two new officers and one new employer, previewed together and
 * enrolled as one run in which each shared record is created once.
 */
import { BulkEnrolment, Exchange } from "@pics/core";
import { PicsRecords, RunLog } from "@pics/pics-store";
import { Effect } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { baseSeed, CENTRE, customerOf, openWorld, type World } from "./world.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const ids = Array.from({ length: 30 }, (_, i) => `C${String(i + 1).padStart(2, "0")}`);

/** 30 learners: main officer O2 or O4 (neither in OneFile), all placed with G2 (not in OneFile). */
const cohort = () => ({
  officers: [
    { id: "O1", ident: "OFF-A", firstName: "Ada", surname: "Assessor", email: "ada@provider.test" },
    { id: "O2", ident: "OFF-B", firstName: "Bob", surname: "Builder", email: "bob@provider.test" },
    { id: "O4", ident: "OFF-D", firstName: "Dee", surname: "Docent", email: "dee@provider.test" },
  ],
  organisations: [{ id: "G2", ident: "ORG-B", name: "Bolt Ltd" }],
  learners: [
    ...ids.map((id, i) => ({
      id,
      firstName: "Cohort",
      surname: id,
      email: `${id.toLowerCase()}@learner.test`,
      mainOfficerId: i % 2 === 0 ? "O2" : "O4",
      placements: [{ id: "P1", organisationId: "G2", type: "P", startDate: "2026-09-01" }],
      qualifications: [{ id: "Q1", vqReference: "ST0795", assessorId: "O1" }],
    })),
    // No main officer: blocked (ENR-4) until one is set.
    {
      id: "C99",
      firstName: "Cohort",
      surname: "C99",
      email: "c99@learner.test",
      placements: [{ id: "P1", organisationId: "G2", type: "P", startDate: "2026-09-01" }],
    },
  ],
});

const bulk = <A, E>(f: (b: typeof BulkEnrolment.Service) => Effect.Effect<A, E>) => Effect.flatMap(BulkEnrolment, f);

describe("bulk enrolment (REC-3)", () => {
  it("REC-3: the combined preview lists each learner's ENR-1 preview, every blocker naming its learner, and each shared record to create once; it writes nothing", async () => {
    world = await openWorld({ seed: baseSeed(), pics: cohort() });
    const before = await world.onefileText();
    const preview = await world.run(
      bulk((b) => b.preview({ centreId: CENTRE, classroomId: 110, learnerIds: [...ids, "C99", "NOPE"] })),
    );
    expect(preview.learners.map((l) => l.learnerId)).toEqual([...ids, "C99"]);
    expect(preview.learners[0]!.learnerFields).toMatchObject({ FirstName: "Cohort", LastName: "C01", MISID: "C01" });
    expect(preview.shared).toEqual([
      { entity: "officer", id: "O2", learnerIds: ids.filter((_, i) => i % 2 === 0) },
      { entity: "organisation", id: "G2", learnerIds: [...ids, "C99"] },
      { entity: "officer", id: "O4", learnerIds: ids.filter((_, i) => i % 2 === 1) },
    ]);
    expect(preview.blockers.map((b) => [b.learnerId, b.code])).toEqual([
      ["C99", "no_main_officer"],
      ["NOPE", "unknown_learner"],
    ]);
    expect(await world.onefileText()).toBe(before);
  });

  it("REC-3, ENR-14: a batch of 30 learners sharing two new officers and one new employer is one enrolment_batch run that creates each shared record once, with per-learner outcomes", async () => {
    world = await openWorld({ seed: baseSeed(), pics: cohort() });
    const { run, outcomes } = await world.run(
      bulk((b) => b.run({ centreId: CENTRE, classroomId: 110, learnerIds: [...ids, "C99"] })),
    );
    expect(run).toMatchObject({
      kind: "enrolment_batch",
      status: "partially_succeeded",
      progress: { total: 31, done: 31, failed: 1 },
    });

    const of = customerOf(await world.onefile());
    expect(of.Users.filter((u: any) => u.MISID === "OFF-B")).toHaveLength(1);
    expect(of.Users.filter((u: any) => u.MISID === "OFF-D")).toHaveLength(1);
    expect(of.Placements.filter((p: any) => p.MISID === "ORG-B")).toHaveLength(1);
    const created = of.Users.filter((u: any) => u.Role === 1);
    expect(created.map((u: any) => u.MISID).sort()).toEqual(ids);
    const [bob] = of.Users.filter((u: any) => u.MISID === "OFF-B");
    const [dee] = of.Users.filter((u: any) => u.MISID === "OFF-D");
    const [bolt] = of.Placements.filter((p: any) => p.MISID === "ORG-B");
    expect(created.every((u: any) => u.PlacementID === bolt.ID)).toBe(true);
    expect(created.filter((u: any) => u.DefaultAssessorID === bob.ID)).toHaveLength(15);
    expect(created.filter((u: any) => u.DefaultAssessorID === dee.ID)).toHaveLength(15);

    const byLearner = new Map(created.map((u: any) => [u.MISID, u.ID]));
    expect(outcomes.slice(0, 30)).toEqual(
      ids.map((id) => ({ learnerId: id, outcome: "enrolled", onefileId: byLearner.get(id) })),
    );
    expect(outcomes[30]).toMatchObject({ learnerId: "C99", outcome: "blocked", code: "EnrolmentBlocked" });
    expect(run.errors.map((e) => [e.learnerId, e.code])).toEqual([["C99", "no_main_officer"]]);
    const learners = await world.run(Effect.flatMap(PicsRecords, (r) => r.getLearners(ids)));
    expect(learners.every((l) => l.onefileId !== null && l.qualifications[0]!.onefileLearningAimId !== null)).toBe(true);
    // Every learner's creates are journaled in the batch run.
    const journal = await world.run(Effect.flatMap(RunLog, (l) => l.changes(run.id)));
    expect(new Set(journal.filter((j) => j.field === "onefileId" && j.entity === "learner").map((j) => j.learnerId))).toEqual(
      new Set(ids),
    );
  }, 120_000);

  it("REC-3, ENR-14, OFF-3: with several centres (matching by MIS reference only), the batch still creates each shared record once", async () => {
    world = await openWorld({ seed: baseSeed(), pics: cohort(), settings: { multipleCentres: "on" } });
    const { run } = await world.run(bulk((b) => b.run({ centreId: CENTRE, classroomId: 110, learnerIds: ids.slice(0, 6) })));
    expect(run.status).toBe("succeeded");
    const of = customerOf(await world.onefile());
    expect(of.Users.filter((u: any) => u.MISID === "OFF-B")).toHaveLength(1);
    expect(of.Users.filter((u: any) => u.MISID === "OFF-D")).toHaveLength(1);
    expect(of.Placements.filter((p: any) => p.MISID === "ORG-B")).toHaveLength(1);
    expect(of.Users.filter((u: any) => u.Role === 1)).toHaveLength(6);
  });

  it("REC-3, JRN-3: a dry batch plans every learner and writes nothing", async () => {
    world = await openWorld({ seed: baseSeed(), pics: cohort() });
    const before = await world.onefileText();
    const picsBefore = await world.picsDump();
    const { run, outcomes } = await world.run(
      bulk((b) => b.run({ centreId: CENTRE, classroomId: 110, learnerIds: ids.slice(0, 3), dryRun: true })),
    );
    expect(run).toMatchObject({ dryRun: true, status: "succeeded" });
    expect(outcomes.map((o) => o.outcome)).toEqual(["planned", "planned", "planned"]);
    expect(await world.onefileText()).toBe(before);
    expect(await world.picsDump()).toBe(picsBefore);
  });
});

describe("retrying a run's failed learners (REC-4)", () => {
  it("REC-4: retrying an enrolment batch runs a new batch over exactly the learners that failed, with the same centre and classroom", async () => {
    world = await openWorld({ seed: baseSeed(), pics: cohort() });
    const first = await world.run(bulk((b) => b.run({ centreId: CENTRE, classroomId: 110, learnerIds: ["C01", "C99"] })));
    expect(first.run.status).toBe("partially_succeeded");
    await world.run(Effect.flatMap(PicsRecords, (r) => r.patch({ entity: "learner", id: "C99" }, { mainOfficerId: "O2" })));

    const { runId } = await world.run(bulk((b) => b.retry(first.run.id)));
    const retried = await waitForEnd(world, runId);
    expect(retried).toMatchObject({ kind: "enrolment_batch", status: "succeeded", progress: { total: 1, done: 1, failed: 0 } });
    const view = await world.run(bulk((b) => b.get(runId)));
    expect(view.request).toMatchObject({ centreId: CENTRE, classroomId: 110, learnerIds: ["C99"] });
    expect(view.outcomes).toEqual([{ learnerId: "C99", outcome: "enrolled", onefileId: expect.any(Number) }]);
    // Still one assessor for O2: the retry matched the one the first batch created.
    expect(customerOf(await world.onefile()).Users.filter((u: any) => u.MISID === "OFF-B")).toHaveLength(1);
  });

  it("REC-4: retrying a full run runs the exchange again over exactly the learners that failed; a run with none is refused", async () => {
    world = await openWorld({ seed: baseSeed(), pics: cohort() });
    await world.run(bulk((b) => b.run({ centreId: CENTRE, classroomId: 110, learnerIds: ["C01", "C02", "C03"] })));
    const c02 = await world.run(Effect.flatMap(PicsRecords, (r) => r.getLearner("C02")));
    // C02's OneFile record cannot be read: it fails in the run, the others succeed.
    await world.run(Effect.flatMap(PicsRecords, (r) => r.patch({ entity: "learner", id: "C02" }, { onefileId: 999_999 })));
    const full = await world.run(Effect.flatMap(Exchange, (e) => e.run({ kind: "full", trigger: "http" })));
    expect(full.status).toBe("partially_succeeded");
    expect([...new Set(full.errors.map((e) => e.learnerId))]).toEqual(["C02"]);

    await world.run(Effect.flatMap(PicsRecords, (r) => r.patch({ entity: "learner", id: "C02" }, { onefileId: c02.onefileId })));
    const { runId } = await world.run(bulk((b) => b.retry(full.id)));
    const retried = await waitForEnd(world, runId);
    expect(retried).toMatchObject({
      kind: "full",
      partialScope: true,
      status: "succeeded",
      progress: { total: 1, done: 1, failed: 0 },
    });

    const refused = await world.either(bulk((b) => b.retry(runId)));
    expect(!refused.ok && refused.error).toMatchObject({ _tag: "InvalidRequest", field: "runId" });
  });
});

/** Polls the run log until the run has ended (background runs); generous for a loaded machine. */
const waitForEnd = async (w: World, runId: string) => {
  for (let i = 0; i < 600; i++) {
    const run = await w.run(Effect.flatMap(RunLog, (l) => l.get(runId)));
    if (run.status !== "running") return run;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`run ${runId} did not end`);
};
