/**
 * ENR-15: this product's own unfinished enrolment (ENR-13) is resumed only when it is the only
 * ENR-9 candidate; with any other candidate the enrolment is blocked listing them all.
 */
import { Enrolment } from "@pics/core";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { baseSeed, CENTRE, customerOf, openWorld, picsDocument } from "./world.ts";

const enrol = Effect.flatMap(Enrolment, (e) =>
  e.enrol({ learnerId: "L1", centreId: CENTRE, classroomId: 110, qualifications: { Q1: {}, Q2: {} } }),
);

describe("ENR-15: resuming our own unfinished enrolment", () => {
  it("is blocked, listing every candidate, when another OneFile learner also matches", async () => {
    const other = {
      ID: 777,
      OrganisationID: CENTRE,
      Role: 1,
      FirstName: "Other",
      LastName: "Person",
      Email: "o@x.test",
      ULN: "5555555555",
      MISID: "X-1",
    };
    const world = await openWorld({ seed: baseSeed({ users: [other] }), pics: picsDocument() });
    try {
      // The learner's create lands in OneFile but its answer is lost: our own unfinished enrolment.
      await world.admin("/faults", [{ endpoint: "POST User", match: { MISID: "L1" }, action: "dropAfterCommit" }]);
      const first = await world.either(enrol);
      expect(first.ok).toBe(false);
      await world.admin("/faults", undefined, "DELETE");
      const ours = customerOf(await world.onefile()).Users.find((u: any) => u.MISID === "L1");
      expect(ours).toBeDefined();

      // Meanwhile someone gives the other OneFile learner the same ULN: now there are two candidates.
      await world.admin("/users/777", { ULN: "1234567890" });
      const again = await world.either(enrol);
      expect(again.ok).toBe(false);
      if (!again.ok) {
        const error = again.error as unknown as { _tag: string; candidates: Array<{ onefileId: number }> };
        expect(error._tag).toBe("DuplicateLearnerFound");
        expect(error.candidates.map((c) => c.onefileId).sort()).toEqual([ours.ID, 777].sort());
      }
      // Nothing more was created: still one learner with our MIS reference.
      expect(customerOf(await world.onefile()).Users.filter((u: any) => u.MISID === "L1")).toHaveLength(1);

      // With the other candidate gone, our own enrolment is resumed and completed.
      await world.admin("/users/777", { ULN: "5555555555" });
      const resumed = await world.either(enrol);
      expect(resumed.ok && resumed.value.onefileLearnerId).toBe(ours.ID);
    } finally {
      await world.close();
    }
  }, 60_000);
});
