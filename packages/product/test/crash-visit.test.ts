/**
 * ENR-13: a visit cannot be searched in OneFile. When a process dies (kill -9) after recording a
 * visit create as sent and before its answer, the re-run journals that visit as "outcome unknown".
 */
import { Enrolment } from "@pics/core";
import { Intents, RunLog } from "@pics/pics-store";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { CENTRE, openWorld, picsDocument } from "./world.ts";

describe("ENR-13: a visit create left unanswered by a killed process", () => {
  it("is journaled as outcome unknown by the re-run, which then completes the enrolment", async () => {
    const world = await openWorld({ pics: picsDocument(), settings: { uploadReviews: true } });
    try {
      // What a process killed during the visit create of review R1 leaves behind: the intent, sent.
      await world.run(Effect.flatMap(Intents, (i) => i.sent("visit:L1/R1", "L1", "run_killed_process")));
      const result = await world.run(
        Effect.flatMap(Enrolment, (e) =>
          e.enrol({ learnerId: "L1", centreId: CENTRE, classroomId: 110, qualifications: { Q1: {}, Q2: {} } }),
        ),
      );
      const changes = await world.run(Effect.flatMap(RunLog, (l) => l.changes(result.runId)));
      const unknown = changes.filter((c) => c.field === "outcome" && String(c.after).startsWith("unknown:"));
      expect(unknown).toHaveLength(1);
      expect(String(unknown[0]!.after)).toContain("run_killed_process");
      expect((await world.run(Effect.flatMap(Intents, (i) => i.get("visit:L1/R1"))))?.state).toBe("done");
    } finally {
      await world.close();
    }
  }, 60_000);
});
