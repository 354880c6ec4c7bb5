/**
 * ENR-14: a new assessor and a new placement that many operations need at the same moment —
 * eight enrolments and a refresh in this process, a full run in another process — are created in
 * OneFile exactly once, and every learner is linked to them.
 */
import { Enrolment } from "@pics/core";
import { PicsRecords } from "@pics/pics-store";
import { Effect } from "effect";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { customerOf, CENTRE } from "./world.ts";
import { daysFromToday, linkedWorld, pair, picsReferenceData, refresh } from "./exchange-support.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const fullRun = fileURLToPath(new URL("./fixtures/full-run.ts", import.meta.url));

/** Employed by G9 (ORG-NEW), main officer O9 (OFF-NEW): neither is in OneFile yet. */
const newShared = {
  mainOfficerId: "O9",
  officers: [{ officerId: "O9", type: "Assessor" }],
  placements: [{ id: "P1", organisationId: "G9", type: "P", startDate: "2025-09-01" }],
};

const startOtherProcess = (databaseUrl: string) => {
  const child = spawn(process.execPath, ["--import", "tsx", fullRun, databaseUrl, "integration-test-secret"], {
    cwd: root,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  child.stderr.on("data", (chunk) => (err += chunk));
  const ready = new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => out.includes("ready") && (clearInterval(poll), resolve()), 20);
    child.once("exit", (code) => (clearInterval(poll), reject(new Error(`the other process exited ${code}: ${err}`))));
  });
  const finished = new Promise<any>((resolve, reject) =>
    child.once("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out.slice(out.indexOf("ready") + 5).trim())) : reject(new Error(`exit ${code}: ${err}`)),
    ),
  );
  return { ready, go: () => child.stdin.write("go\n"), finished, kill: () => child.kill("SIGKILL") };
};

describe("ENR-14: shared records are created once across operations and processes", () => {
  it("8 enrolments, a refresh and a full run in another process, all needing the same new assessor and placement at once, create one of each and link every learner to them", async () => {
    const world = await linkedWorld({
      pairs: [
        pair(20, { pics: newShared }),
        pair(21, { pics: newShared }),
        // Out of the run's scope (ended long ago): only the refresh works on it.
        pair(22, { pics: { ...newShared, learningStatus: "Completed", actualEndDate: daysFromToday(-400) } }),
      ],
      officers: [
        ...picsReferenceData().officers,
        { id: "O9", ident: "OFF-NEW", firstName: "Nia", surname: "New", email: "nia@provider.test" },
      ],
      organisations: [...picsReferenceData().organisations, { id: "G9", ident: "ORG-NEW", name: "Newco Ltd" }],
      settings: { pushMainOfficerChanges: true, pushEmployerChanges: true },
      requestTimeoutMs: 5_000,
    });
    const other = startOtherProcess(world.databaseUrl);
    try {
      const enrolled = Array.from({ length: 8 }, (_, i) => `L${i + 1}`);
      await world.run(
        Effect.flatMap(PicsRecords, (records) =>
          records.importDocument({
            learners: enrolled.map((id) => ({
              id,
              firstName: "Ena",
              surname: `Enrolee ${id}`,
              email: `${id.toLowerCase()}@new.test`,
              ...newShared,
            })),
          }),
        ),
      );
      await other.ready;
      other.go();
      const outcomes = await Promise.all([
        ...enrolled.map((learnerId) =>
          world.either(Effect.flatMap(Enrolment, (e) => e.enrol({ learnerId, centreId: CENTRE, classroomId: 110 }))),
        ),
        world.either(refresh("L22")),
      ]);
      const run = await other.finished;

      expect(outcomes.map((o) => (o.ok ? "ok" : String((o.error as { message?: string }).message)))).toEqual(Array(9).fill("ok"));
      expect([run.status, run.errors]).toEqual(["succeeded", []]);

      const customer = customerOf(await world.onefile());
      const assessors = customer.Users.filter((u: any) => u.Role === 5 && u.MISID === "OFF-NEW");
      const placements = customer.Placements.filter((p: any) => p.MISID === "ORG-NEW");
      expect([assessors.length, placements.length]).toEqual([1, 1]);
      const [assessor, placement] = [assessors[0].ID, placements[0].ID];
      const learners = customer.Users.filter((u: any) => u.Role === 1 && /^L(\d|2[0-2])$/.test(u.MISID));
      expect(learners).toHaveLength(11);
      for (const learner of learners)
        expect([learner.MISID, learner.DefaultAssessorID, learner.PlacementID]).toEqual([learner.MISID, assessor, placement]);
      const pics = await world.run(Effect.flatMap(PicsRecords, (r) => Effect.all([r.getOfficer("O9"), r.getOrganisation("G9")])));
      expect([pics[0].onefileId, pics[1].onefileId]).toEqual([assessor, placement]);
    } finally {
      other.kill();
      await world.close();
    }
  }, 180_000);
});
