/**
 * Operations started side by side in ONE process (a double click, two requests to the server),
 * retries after a failed review create, and other paths a code review found unguarded.
 */
import { Enrolment, Exchange } from "@pics/core";
import { PicsRecords, RunLog } from "@pics/pics-store";
import { Effect } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { changesOf, fullRun, lastSynchronised, learner, linkedWorld, OF, onefileNow, pair } from "./exchange-support.ts";
import { CENTRE, customerOf, openWorld, picsDocument, type World } from "./world.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe("SYNC-5 within one process", () => {
  it("ENR-9, SYNC-5: two enrolments of one learner started at once: one enrols, the other is refused; OneFile gets one learner, one assessor, one placement", async () => {
    world = await openWorld({ pics: picsDocument() });
    const enrol = Effect.flatMap(Enrolment, (e) => e.enrol({ learnerId: "L1", centreId: CENTRE, classroomId: 110 }));
    const [a, b] = await Promise.all([world.either(enrol), world.either(enrol)]);
    const outcomes = [a, b].map((r) => (r.ok ? "enrolled" : (r.error as { _tag: string })._tag));
    expect(outcomes.filter((o) => o === "enrolled")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "RunInProgress" || o === "LearnerAlreadyEnrolled")).toHaveLength(1);
    const of = customerOf(await world.onefile());
    expect(of.Users.filter((u: any) => u.MISID === "L1")).toHaveLength(1);
    expect(of.Users.filter((u: any) => u.MISID === "OFF-B")).toHaveLength(1);
    expect(of.Placements.filter((p: any) => p.MISID === "ORG-B")).toHaveLength(1);
  });

  it("SYNC-5: a second full run started while one is going is refused with RunInProgress", async () => {
    world = await linkedWorld({ pairs: [pair(1), pair(2)], sandboxConfig: { latencyMs: 30 } });
    const start = Effect.flatMap(Exchange, (x) => x.startRun({ kind: "full", trigger: "http" }));
    const [a, b] = await Promise.all([world.either(start), world.either(start)]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    const refused = (a.ok ? b : a) as { ok: false; error: { _tag: string; message: string } };
    expect(refused.error._tag).toBe("RunInProgress");
    expect(refused.error.message).toContain("full run");
  });
});

describe("retries never duplicate", () => {
  it("REV-U2, ENR-13: when OneFile refuses the review create, the visit made for it is reused by the next run, not made again", async () => {
    const withReview = pair(1, {
      pics: { reviews: [{ id: "R1", type: "Normal", scheduledDate: "2026-12-01", startTime: "10:00", officerId: "O1" }] },
    });
    world = await linkedWorld({ pairs: [withReview], settings: { uploadReviews: true } });
    await world.admin("/faults", { endpoint: "POST Review", action: "status", status: 400, times: 2 });
    const first = await world.run(fullRun());
    const second = await world.run(fullRun());
    expect([first.status, second.status]).toEqual(["partially_succeeded", "partially_succeeded"]);
    expect((await onefileNow(world)).Visits).toHaveLength(1);
    const third = await world.run(fullRun());
    expect(third.status).toBe("succeeded");
    const of = await onefileNow(world);
    expect(of.Visits).toHaveLength(1);
    expect(of.Reviews).toHaveLength(1);
    const review = (await world.run(learner("L1"))).reviews[0]!;
    expect(review).toMatchObject({ onefileSystemId: of.Reviews[0].ID, onefileVisitId: of.Visits[0].ID });
  });
});

describe("exchange outcomes", () => {
  it("DEM-O1, DEM-M1: officer demographics are still pushed when the same learner's plan also creates an assessor", async () => {
    world = await linkedWorld({
      pairs: [pair(1, { pics: { mainOfficerId: "O2" } })],
      officers: [
        {
          id: "O1",
          ident: "OFF-A",
          firstName: "Ada",
          surname: "Assessor",
          email: "ada@provider.test",
          phone: "0123 456",
          onefileId: OF.ada,
        },
        { id: "O2", ident: "OFF-B", firstName: "Bob", surname: "Builder", email: "bob@provider.test" },
      ],
      settings: { officerDemographicsMode: "PushToOneFile", pushMainOfficerChanges: true },
    });
    const run = await world.run(fullRun());
    expect(run.status).toBe("succeeded");
    const of = await onefileNow(world);
    expect(of.Users.find((u: any) => u.ID === OF.ada).Telephone).toBe("0123 456");
    expect(of.Users.filter((u: any) => u.MISID === "OFF-B")).toHaveLength(1);
  });

  it("PRG-1, SYNC-3: a qualification linked to a learning aim OneFile no longer has fails the learner with the reason", async () => {
    world = await linkedWorld({ pairs: [pair(1, { qualification: { onefileLearningAimId: 999999 } }), pair(2)] });
    const run = await world.run(fullRun());
    expect(run.status).toBe("partially_succeeded");
    expect(run.errors).toEqual([expect.objectContaining({ learnerId: "L1", code: "learning_aim_missing" })]);
  });

  it("SYNC-4: a run over named learners does not move last synchronised; a full run does", async () => {
    world = await linkedWorld({ pairs: [pair(1), pair(2)] });
    const named = await world.run(fullRun({ learnerIds: ["L1"] }));
    expect(named).toMatchObject({ status: "succeeded", partialScope: true, progress: { total: 1 } });
    expect(await world.run(lastSynchronised)).toBe(null);
    const full = await world.run(fullRun());
    expect(await world.run(lastSynchronised)).toBe(full.endedAt);
    expect((await world.run(changesOf(full.id))).length).toBe(0);
  });
});

describe("ENR-10 links", () => {
  it("a OneFile learner already linked to another PICS learner cannot be linked again", async () => {
    world = await linkedWorld({ pairs: [pair(1)] });
    await world.run(
      Effect.flatMap(PicsRecords, (r) =>
        r.importDocument({ learners: [{ id: "L9", firstName: "Other", surname: "Person", mainOfficerId: "O1" }] }),
      ),
    );
    const refused = await world.either(Effect.flatMap(Enrolment, (e) => e.link("L9", OF.learner(1))));
    expect(!refused.ok && (refused.error as { _tag: string })._tag).toBe("OneFileLearnerAlreadyLinked");
    expect((await world.run(learner("L9"))).onefileId).toBe(null);
    const runs = await world.run(Effect.flatMap(RunLog, (l) => l.list({ learnerId: "L9" })));
    expect(runs.items).toEqual([]);
  });
});
