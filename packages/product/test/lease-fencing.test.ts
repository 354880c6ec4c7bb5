/**
 * SYNC-5 fencing: an operation that loses its learner's lease (another process took it while this
 * one was stuck) stops before its next write, OneFile or PICS.
 */
import { createClient } from "@libsql/client";
import { Enrolment } from "@pics/core";
import { PicsRecords } from "@pics/pics-store";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { CENTRE, openWorld, picsDocument, writeCalls } from "./world.ts";

const waitFor = async <A>(what: string, probe: () => Promise<A | undefined>, timeoutMs = 20_000): Promise<A> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe("SYNC-5: a holder that lost its lease writes nothing more", () => {
  it("an enrolment stuck in a OneFile call while another process takes the learner's lease makes no write after it", async () => {
    // The hung search is answered after the client's timeout by a retry, so the enrolment then goes on to its writes.
    const world = await openWorld({ pics: picsDocument(), requestTimeoutMs: 3_000 });
    try {
      await world.admin("/faults", [{ endpoint: "POST User/Search", nth: 1, action: "hang" }]);
      const enrolment = world.either(
        Effect.flatMap(Enrolment, (e) => e.enrol({ learnerId: "L1", centreId: CENTRE, classroomId: 110 })),
      );
      // The enrolment is blocked in the hung call (ENR-9's search) ...
      await waitFor("the hung call", async () => ((await world.calls()).some((c) => c.fault === "hang") ? true : undefined));
      // ... when another process takes the learner's lease (as after this one stalled past its TTL).
      const other = createClient({ url: world.databaseUrl });
      const taken = await other.execute(
        "UPDATE leases SET owner = 'enrolment@another-process', expires_at = expires_at + 600000 WHERE name = 'learner:L1'",
      );
      other.close();
      expect(taken.rowsAffected).toBe(1);

      const outcome = await enrolment;
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(String((outcome.error as { message?: string }).message)).toContain('lease "learner:L1"');
      // Without the fence it would have created an assessor, a placement, the learner, its aims and reviews.
      expect(writeCalls(await world.calls())).toEqual([]);
      const learner = await world.run(Effect.flatMap(PicsRecords, (r) => r.getLearner("L1")));
      expect(learner.onefileId).toBe(null);
      const officer = await world.run(Effect.flatMap(PicsRecords, (r) => r.getOfficer("O2")));
      expect(officer.onefileId).toBe(null);
    } finally {
      await world.close();
    }
  }, 60_000);
});
