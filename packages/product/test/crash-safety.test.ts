/**
 * ENR-13: an enrolment whose process dies at any OneFile create is completed by running it again,
 * and nothing is created twice. For every create of a full enrolment in turn, the create is made to
 * land in OneFile with its answer lost (`dropAfterCommit`); the enrolment is then run again by a
 * fresh product runtime on the same database file and the same sandbox — a new process, in effect.
 */
import { Enrolment, type EnrolmentRequest } from "@pics/core";
import { startSandbox } from "@pics/onefile-sandbox";
import { PicsRecords, RunLog } from "@pics/pics-store";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { baseSeed, CENTRE, customerOf, openWorld, picsDocument } from "./world.ts";

const CREATE_ENDPOINTS = new Set([
  "POST User",
  "POST Placement",
  "POST Classroom",
  "POST Standard/Assign",
  "POST Visit",
  "POST Review",
]);

/** A full enrolment: an assessor and a placement to create, a classroom (SET-7), two learning aims, two reviews. */
const pics = () => {
  const doc = picsDocument({
    mainTag: "Cohort B",
    qualifications: [
      { id: "Q1", vqReference: "ST0795", assessorId: "O1", registrationNumber: "REG-9" },
      { id: "Q2", vqReference: "ST9999" },
      { id: "Q3", vqReference: "ST0457", assessorId: "O4" },
    ],
  });
  doc.officers.push({ id: "O4", ident: "OFF-E", firstName: "Eve", surname: "Extra", email: "eve@provider.test" });
  return doc;
};
const settings = { uploadReviews: true, classroomFromMainTag: true, additionalAssessorTypes: ["Mentor"] };
const request: EnrolmentRequest = { learnerId: "L1", centreId: CENTRE, qualifications: { Q3: { pathwayId: 1211 } } };
const enrol = Effect.flatMap(Enrolment, (e) => e.enrol(request));

/** What a completed enrolment must leave in OneFile: each record exactly once. */
const expectExactlyOnce = (state: any, options: { orphanVisits: number }) => {
  const of = customerOf(state);
  const users = (misId: string) => of.Users.filter((u: any) => (u.MISID ?? "").toLowerCase() === misId.toLowerCase());
  const learners = users("L1");
  expect(learners).toHaveLength(1);
  const learner = learners[0];
  for (const misId of ["OFF-A", "OFF-B", "OFF-E"]) expect(users(misId), misId).toHaveLength(1);
  for (const misId of ["ORG-A", "ORG-B"])
    expect(
      of.Placements.filter((p: any) => p.MISID === misId),
      misId,
    ).toHaveLength(1);
  expect(of.Classrooms.filter((c: any) => c.Name === "Cohort B")).toHaveLength(1);
  const aims = of.LearningAims.filter((a: any) => a.UserID === learner.ID);
  expect(aims.map((a: any) => a.StandardID).sort()).toEqual([120, 121]);
  const reviews = of.Reviews.filter((r: any) => r.LearnerID === learner.ID);
  expect(reviews.map((r: any) => r.ScheduledFor).sort()).toEqual(["2026-07-01T09:00:00.000Z", "2026-12-01T14:30:00.000Z"]);
  // Visits cannot be looked up: one whose answer was lost may stay as an orphan (the spec's one exception).
  const visits = of.Visits.filter((v: any) => v.LearnerID === learner.ID);
  expect(visits.length).toBe(2 + options.orphanVisits);
  for (const review of reviews) expect(visits.some((v: any) => v.ID === review.VisitID)).toBe(true);
  expect(learner).toMatchObject({
    DefaultAssessorID: users("OFF-B")[0].ID,
    PlacementID: of.Placements.find((p: any) => p.MISID === "ORG-B").ID,
    ClassroomID: of.Classrooms.find((c: any) => c.Name === "Cohort B").ID,
  });
  return { learner, aims, reviews };
};

describe("crash safety (ENR-13)", () => {
  it("ENR-13: for every OneFile create of a full enrolment, losing its answer and re-running in a fresh runtime completes the enrolment with each learner, assessor, placement, classroom, learning aim and review created once", async () => {
    // The reference run: which creates a full enrolment makes, in order.
    const reference = await openWorld({ pics: pics(), settings });
    await reference.run(enrol);
    const creates = (await reference.calls()).filter((c) => CREATE_ENDPOINTS.has(c.endpoint)).map((c) => c.endpoint as string);
    expectExactlyOnce(await reference.onefile(), { orphanVisits: 0 });
    await reference.close();
    // assessor O2, placement G2, classroom, learner, learning aims Q1 and Q3, assessor O4 (of Q3),
    // then visit + review for R1 and R2
    expect(creates).toEqual([
      "POST User",
      "POST Placement",
      "POST Classroom",
      "POST User",
      "POST Standard/Assign",
      "POST Standard/Assign",
      "POST User",
      "POST Visit",
      "POST Review",
      "POST Visit",
      "POST Review",
    ]);

    for (let k = 1; k <= creates.length; k++) {
      const endpoint = creates[k - 1]!;
      const nth = creates.slice(0, k).filter((e) => e === endpoint).length;
      const sandbox = await startSandbox({ port: 0, state: baseSeed() });
      try {
        const first = await openWorld({ sandbox, pics: pics(), settings });
        await first.admin("/faults", { endpoint, nth, action: "dropAfterCommit" });
        const crashed = await first.either(enrol);
        expect(crashed.ok, `create ${k} (${endpoint} #${nth}) should fail`).toBe(false);
        expect((crashed as any).error).toMatchObject({ _tag: "StepFailed", reason: { _tag: "CreateOutcomeUnknown" } });
        await first.close();
        await first.admin("/hung/release", {});
        await first.admin("/faults", undefined, "DELETE");

        // A new process: a fresh runtime on the same database file and the same OneFile.
        const second = await openWorld({ sandbox, databaseUrl: first.databaseUrl, settings });
        try {
          const result = await second.run(enrol);
          const { learner } = expectExactlyOnce(await second.onefile(), { orphanVisits: endpoint === "POST Visit" ? 1 : 0 });
          expect(result.onefileLearnerId).toBe(learner.ID);
          const stored = await second.run(Effect.flatMap(PicsRecords, (r) => r.getLearner("L1")));
          expect(stored.onefileId).toBe(learner.ID);
          expect(stored.reviews.filter((r) => r.onefileSystemId !== null).map((r) => r.id)).toEqual(["R1", "R2"]);
          expect(stored.qualifications.filter((q) => q.onefileLearningAimId !== null).map((q) => q.id)).toEqual(["Q1", "Q3"]);

          const runs = (await second.run(Effect.flatMap(RunLog, (l) => l.list({ learnerId: "L1" })))).items;
          expect(runs.map((r) => r.status)).toEqual(["succeeded", "failed"]);
          if (endpoint === "POST Visit") {
            // The lost visit is journaled as "outcome unknown" in the failed run.
            const changes = await second.run(Effect.flatMap(RunLog, (l) => l.changes(runs[1]!.id)));
            expect(changes.some((c) => c.field === "outcome" && String(c.after).startsWith("unknown:"))).toBe(true);
          }
        } finally {
          await second.close();
        }
      } finally {
        await sandbox.close();
      }
    }
    // Twelve crash-and-re-run rounds against real HTTP and libSQL: generous for a loaded 2-core machine.
  }, 240_000);

  it("ENR-13: a create that never reached OneFile (hang) is sent again on the re-run, once", async () => {
    const sandbox = await startSandbox({ port: 0, state: baseSeed() });
    try {
      const first = await openWorld({ sandbox, pics: pics(), settings });
      await first.admin("/faults", { endpoint: "POST User", match: { Role: 1 }, action: "hang" });
      expect((await first.either(enrol)).ok).toBe(false);
      await first.close();
      await first.admin("/hung/release", {});
      await first.admin("/faults", undefined, "DELETE");
      expect(customerOf(await first.onefile()).Users.filter((u: any) => u.MISID === "L1")).toEqual([]);

      const second = await openWorld({ sandbox, databaseUrl: first.databaseUrl, settings });
      await second.run(enrol);
      expectExactlyOnce(await second.onefile(), { orphanVisits: 0 });
      await second.close();
    } finally {
      await sandbox.close();
    }
  });
});

describe("crash safety: records looked up again are never claimed twice (ENR-13)", () => {
  it("ENR-13, REV-U2: two reviews at the same time with the same officer each keep their own OneFile review after the second one's answer is lost", async () => {
    const sandbox = await startSandbox({ port: 0, state: baseSeed() });
    const twins = picsDocument({
      reviews: [
        { id: "R1", type: "Normal", scheduledDate: "2026-07-01", startTime: "10:00", officerId: "O1" },
        { id: "R1B", type: "Normal", scheduledDate: "2026-07-01", startTime: "10:00", officerId: "O1" },
      ],
    });
    const request = { learnerId: "L1", centreId: CENTRE, classroomId: 110 };
    try {
      const first = await openWorld({ sandbox, pics: twins, settings: { uploadReviews: true } });
      await first.admin("/faults", { endpoint: "POST Review", nth: 2, action: "dropAfterCommit" });
      expect((await first.either(Effect.flatMap(Enrolment, (e) => e.enrol(request)))).ok).toBe(false);
      await first.close();
      await first.admin("/hung/release", {});
      await first.admin("/faults", undefined, "DELETE");

      const second = await openWorld({ sandbox, databaseUrl: first.databaseUrl, settings: { uploadReviews: true } });
      try {
        await second.run(Effect.flatMap(Enrolment, (e) => e.enrol(request)));
        const of = customerOf(await second.onefile());
        const reviews = of.Reviews.map((r: any) => r.ID);
        expect(reviews).toHaveLength(2);
        const stored = await second.run(Effect.flatMap(PicsRecords, (r) => r.getLearner("L1")));
        expect(stored.reviews.map((r) => r.onefileSystemId).sort()).toEqual([...reviews].sort());
      } finally {
        await second.close();
      }
    } finally {
      await sandbox.close();
    }
  });

  it("ENR-13, ENR-5: two qualifications on the same Standard each keep their own learning aim after the second assignment's answer is lost", async () => {
    const sandbox = await startSandbox({ port: 0, state: baseSeed() });
    const twins = picsDocument({
      reviews: [],
      qualifications: [
        { id: "Q1", vqReference: "ST0795" },
        { id: "Q1B", vqReference: "st0795" },
      ],
    });
    const request = { learnerId: "L1", centreId: CENTRE, classroomId: 110 };
    try {
      const first = await openWorld({ sandbox, pics: twins });
      await first.admin("/faults", { endpoint: "POST Standard/Assign", nth: 2, action: "dropAfterCommit" });
      expect((await first.either(Effect.flatMap(Enrolment, (e) => e.enrol(request)))).ok).toBe(false);
      await first.close();
      await first.admin("/hung/release", {});
      await first.admin("/faults", undefined, "DELETE");

      const second = await openWorld({ sandbox, databaseUrl: first.databaseUrl });
      try {
        await second.run(Effect.flatMap(Enrolment, (e) => e.enrol(request)));
        const aims = customerOf(await second.onefile()).LearningAims.map((a: any) => a.ID);
        expect(aims).toHaveLength(2);
        const stored = await second.run(Effect.flatMap(PicsRecords, (r) => r.getLearner("L1")));
        expect(stored.qualifications.map((q) => q.onefileLearningAimId).sort()).toEqual([...aims].sort());
      } finally {
        await second.close();
      }
    } finally {
      await sandbox.close();
    }
  });
});
