/**
 * The run itself: scope (SYNC-2, SET-16), independence of learners and outcomes (SYNC-3), last
 * synchronised (SYNC-4), no overlap (SYNC-5), and the journal and dry runs (JRN-1..3).
 */
import { Exchange, learnerLeaseName, RUN_LEASE } from "@pics/core";
import { RunLog, SettingsStore } from "@pics/pics-store";
import { Effect } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import {
  callsSince,
  changesOf,
  daysFromToday,
  fullRun,
  lastSynchronised,
  learner,
  linkedWorld,
  OF,
  onefileNow,
  pair,
  refresh,
  releaseLease,
  takeLease,
  writesIn,
} from "./exchange-support.ts";
import { TOKEN, type World } from "./world.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** A linked learner whose learning aim moved on in OneFile: an exchange has one change to make. */
const moved = (n: number, pics: Record<string, unknown> = {}) =>
  pair(n, { pics, aim: { TotalElements: 20, ElementsDone: 10 + n } });
const elementsDoneOf = async (w: World, id: string) => (await w.run(learner(id))).qualifications[0]?.elementsDone;

describe("scope and outcomes (SYNC)", () => {
  it("SYNC-2, SET-16: a run exchanges linked Live learners in learning or ended within endedWithinDays; not unlinked, Archived or ended long ago", async () => {
    world = await linkedWorld({
      settings: { endedWithinDays: 14 },
      pairs: [
        moved(1), // in learning
        moved(2, { onefileId: null, onefileCentreId: null }), // not linked
        moved(3, { systemStatus: "Archived" }),
        moved(4, { learningStatus: "Completed", actualEndDate: daysFromToday(-60) }),
        moved(5, { learningStatus: "Completed", actualEndDate: daysFromToday(-10) }), // within 14 days
        moved(6, { learningStatus: "Withdrawn", actualEndDate: daysFromToday(-20) }), // not within 14 days
        moved(7, { learningStatus: "BreakInLearning" }), // neither in learning nor ended
      ],
    });

    const run = await world.run(fullRun({ kind: "daily" }));

    expect(run).toMatchObject({ status: "succeeded", progress: { total: 2, done: 2, failed: 0 } });
    const touched = new Set((await world.run(changesOf(run.id))).map((c) => c.learnerId));
    expect([...touched].sort()).toEqual(["L1", "L5"]);
    expect(await elementsDoneOf(world, "L1")).toBe(11);
    expect(await elementsDoneOf(world, "L5")).toBe(15);
    for (const id of ["L2", "L3", "L4", "L6", "L7"]) expect(await elementsDoneOf(world, id)).toBe(4);

    // With 31 days (the default) the learner who left 20 days ago is back in scope.
    await world.run(Effect.flatMap(SettingsStore, (s) => s.update({ endedWithinDays: 31 })));
    const wider = await world.run(fullRun({ kind: "daily" }));
    expect(wider.progress.total).toBe(3);
    expect(await elementsDoneOf(world, "L6")).toBe(16);
  });

  it("SYNC-3, JRN-1, LIM-3: chosen learners fail (their reads keep failing, their write is refused); the run goes on, ends partially_succeeded listing exactly them", async () => {
    world = await linkedWorld({
      requestTimeoutMs: 500,
      pairs: [
        moved(1),
        moved(2),
        moved(3),
        // L4's registration number is only in PICS: the exchange writes its learning aim, and that write is refused.
        pair(4, {
          qualification: { registrationNumber: "REG-4" },
          aim: { RegistrationNumber: null, TotalElements: 20, ElementsDone: 14 },
        }),
        moved(5),
        moved(6),
      ],
    });
    await world.admin("/faults", [
      { learnerId: OF.learner(2), endpoint: "POST LearningAim/Search", action: "status", status: 503 },
      { learnerId: OF.learner(5), endpoint: "POST LearningAim/Search", action: "hang" },
      { learnerId: OF.learner(4), endpoint: "POST LearningAim/{id}", action: "status", status: 400 },
    ]);

    const run = await world.run(fullRun());

    expect(run).toMatchObject({
      kind: "full",
      trigger: "cli",
      dryRun: false,
      status: "partially_succeeded",
      progress: { total: 6, done: 6, failed: 3 },
    });
    expect(run.endedAt).not.toBe(null);
    expect(run.message).toContain("3 of 6");
    expect(run.errors.map((e) => e.learnerId).sort()).toEqual(["L2", "L4", "L5"]);
    for (const e of run.errors) expect(e.reason.length).toBeGreaterThan(0);
    expect(run.errors.find((e) => e.learnerId === "L2")?.code).toBe("OneFileUnavailable");
    for (const id of ["L1", "L3", "L6"]) expect(await elementsDoneOf(world, id)).toBeGreaterThan(10);
    for (const id of ["L2", "L5"]) expect(await elementsDoneOf(world, id)).toBe(4);
    // LIM-3: a failing read is tried 1 + maxReadRetries (2) times, no more.
    const faults = await world.admin("/faults");
    const rules = faults.rules ?? faults;
    expect(rules.map((r: any) => r.applied)).toEqual([3, 3, 1]);
    await world.admin("/faults", undefined, "DELETE");
    await world.admin("/hung/release", {});
  });

  it("SYNC-3: a run that cannot authenticate ends failed, changing nothing", async () => {
    world = await linkedWorld({ pairs: [moved(1)] });
    await world.run(Effect.flatMap(SettingsStore, (s) => s.update({ customerToken: "not-the-token" })));
    const before = await world.picsDump();

    const run = await world.run(fullRun());

    expect(run.status).toBe("failed");
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatchObject({ learnerId: null, code: "Unauthorized" });
    expect(await world.picsDump()).toBe(before);
    expect(await world.run(lastSynchronised)).toBe(null);
  });

  it("SYNC-4: last synchronised moves only when a daily or full run completes — not for a refresh, a dry run or a failed run", async () => {
    world = await linkedWorld({ pairs: [moved(1), moved(2)] });
    expect(await world.run(lastSynchronised)).toBe(null);

    await world.run(refresh("L1"));
    expect(await world.run(lastSynchronised)).toBe(null);
    await world.run(fullRun({ dryRun: true }));
    expect(await world.run(lastSynchronised)).toBe(null);

    const full = await world.run(fullRun());
    expect(await world.run(lastSynchronised)).toBe(full.endedAt);
    const daily = await world.run(fullRun({ kind: "daily" }));
    expect(await world.run(lastSynchronised)).toBe(daily.endedAt);

    await world.run(refresh("L2"));
    await world.run(Effect.flatMap(SettingsStore, (s) => s.update({ customerToken: "not-the-token" })));
    expect((await world.run(fullRun())).status).toBe("failed");
    expect(await world.run(lastSynchronised)).toBe(daily.endedAt);
    await world.run(Effect.flatMap(SettingsStore, (s) => s.update({ customerToken: TOKEN })));
  });

  it("SYNC-5: a refresh of a learner whose lease another process holds is refused with RunInProgress, and works once it is free", async () => {
    world = await linkedWorld({ pairs: [moved(1)] });
    const owner = "daily run@pid-4242-scheduler#0a1b2c3d";
    expect(await world.run(takeLease(learnerLeaseName("L1"), owner))).toBe(true);
    const before = await world.picsDump();

    const refused = await world.either(refresh("L1"));

    expect(refused.ok).toBe(false);
    const error = (refused as { ok: false; error: any }).error;
    expect(error._tag).toBe("RunInProgress");
    expect(error.message).toMatch(/learner "L1" is being synchronised by daily run/);
    expect(await world.picsDump()).toBe(before);
    expect(writesIn(await callsSince(world))).toEqual([]);

    await world.run(releaseLease(learnerLeaseName("L1"), owner));
    expect((await world.run(refresh("L1"))).run.status).toBe("succeeded");
  });

  it("SYNC-5: startRun while a daily or full run is going is refused with RunInProgress", async () => {
    world = await linkedWorld({ pairs: [moved(1), moved(2), moved(3)], sandboxConfig: { latencyMs: 40 } });

    const { runId } = await world.run(Effect.flatMap(Exchange, (x) => x.startRun({ kind: "full", trigger: "http" })));
    const second = await world.either(Effect.flatMap(Exchange, (x) => x.startRun({ kind: "daily", trigger: "scheduler" })));
    expect(second.ok).toBe(false);
    expect((second as { ok: false; error: any }).error._tag).toBe("RunInProgress");
    // Also across processes: a lease held by another owner refuses a run.
    let run = await world.run(Effect.flatMap(RunLog, (l) => l.get(runId)));
    for (let i = 0; i < 200 && run.status === "running"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      run = await world.run(Effect.flatMap(RunLog, (l) => l.get(runId)));
    }
    expect(run.status).toBe("succeeded");
    expect(await world.run(takeLease(RUN_LEASE, "pid-1-other:daily run"))).toBe(true);
    const third = await world.either(fullRun());
    expect((third as { ok: false; error: any }).error?._tag).toBe("RunInProgress");
  });
});

describe("journal and dry runs (JRN)", () => {
  it("JRN-2: every change is journaled with its run, entity, field, before, after, direction and time; no secret appears", async () => {
    world = await linkedWorld({
      settings: { learnerDemographicsMode: "PushToOneFile", officerDemographicsMode: "PullFromOneFile" },
      pairs: [pair(1, { pics: { firstName: "Leo" }, aim: { ElementsDone: 7 } })],
    });
    await world.admin(`/users/${OF.ada}`, { Telephone: "0113 444" });

    const outcome = await world.run(refresh("L1"));
    const journal = await world.run(changesOf(outcome.run.id));

    expect(journal.map((j) => [j.learnerId, j.entity, j.entityId, j.field, j.before, j.after, j.direction]).sort()).toEqual(
      [
        ["L1", "learner", "L1", "firstName", "Lee", "Leo", "toOneFile"],
        ["L1", "qualification", "Q1", "elementsDone", 4, 7, "toPics"],
        // A shared record's change is journaled under the learner whose exchange made it.
        ["L1", "officer", "O1", "phone", null, "0113 444", "toPics"],
      ].sort(),
    );
    for (const j of journal) {
      expect(j.runId).toBe(outcome.run.id);
      expect(Number.isNaN(Date.parse(j.at))).toBe(false);
    }
    expect(outcome.run.changes).toBe(3);
    // The refresh answers the journal's own rows, runId and time included (http-api.md's journal row).
    expect(outcome.changes).toEqual(journal);
    // The journal says what happened on each side.
    expect((await onefileNow(world)).Users.find((u: any) => u.ID === OF.learner(1)).FirstName).toBe("Leo");
    expect(JSON.stringify(journal)).not.toContain(TOKEN);
    expect(JSON.stringify(outcome.run)).not.toContain(TOKEN);
  });

  it("JRN-3: a dry refresh and a dry full run return the planned changes, change nothing on either side, and are recorded as dry runs", async () => {
    world = await linkedWorld({
      settings: {
        learnerDemographicsMode: "PushToOneFile",
        pushMainOfficerChanges: true,
        pushEmployerChanges: true,
        uploadReviews: true,
        downloadReviews: true,
      },
      reviews: [
        {
          ID: 3003,
          LearnerID: OF.learner(2),
          AssessorID: OF.ada,
          ScheduledFor: "2026-12-01T14:30:00Z",
          StartedOn: "2026-12-01T14:40:00Z",
        },
      ],
      pairs: [
        pair(1, {
          pics: {
            firstName: "Leo",
            mainOfficerId: "O2", // an assessor to create
            reviews: [{ id: "R1", scheduledDate: "2026-11-10", startTime: "11:00" }],
          },
          aim: { ElementsDone: 8 },
        }),
        pair(2, { qualification: { certificateAppliedDate: "2026-01-01" } }),
      ],
    });
    const [picsBefore, onefileBefore] = [await world.picsDump(), await world.onefileText()];

    const dryRefresh = await world.run(refresh("L1", { dryRun: true }));
    const dryFull = await world.run(fullRun({ dryRun: true }));

    expect(await world.picsDump()).toBe(picsBefore);
    expect(await world.onefileText()).toBe(onefileBefore);
    expect(writesIn(await callsSince(world))).toEqual([]);
    expect(dryRefresh.run).toMatchObject({ kind: "refresh", dryRun: true, status: "succeeded" });
    expect(dryFull).toMatchObject({ kind: "full", dryRun: true, status: "succeeded" });
    const planned = dryRefresh.changes.map((c) => `${c.entityId}.${c.field}.${c.direction}`);
    expect(planned).toEqual(
      expect.arrayContaining([
        "O2.onefileAssessor.toOneFile",
        "L1.mainOfficerId.toOneFile",
        "L1.firstName.toOneFile",
        "Q1.elementsDone.toPics",
        "R1.scheduledFor.toOneFile",
      ]),
    );
    // Refs to what a dry run would create are shown as new.
    expect(dryRefresh.changes.find((c) => c.field === "mainOfficerId")?.after).toMatch(/^\(new: /);
    // Read back from the journal, as planned.
    expect((await world.run(changesOf(dryRefresh.run.id))).map((c) => `${c.entityId}.${c.field}.${c.direction}`)).toEqual(
      planned,
    );
    const dryFullChanges = await world.run(changesOf(dryFull.id));
    expect(new Set(dryFullChanges.map((c) => c.learnerId))).toEqual(new Set(["L1", "L2"]));
    expect(dryFullChanges.map((c) => `${c.entityId}.${c.field}`)).toEqual(
      expect.arrayContaining(["OF-3003.attended", "Q1.certificateAppliedDate"]),
    );

    // The real run then does what the dry run planned.
    const real = await world.run(fullRun());
    const done = (await world.run(changesOf(real.id)))
      .map((c) => `${c.learnerId}:${c.entityId}.${c.field}.${c.direction}`)
      .sort();
    expect(done).toEqual(dryFullChanges.map((c) => `${c.learnerId}:${c.entityId}.${c.field}.${c.direction}`).sort());
    expect(await world.picsDump()).not.toBe(picsBefore);
  });
});
