/** The rule test kit itself: unsupplied members die naming themselves; the fake view answers like OneFile. */
import { it } from "@effect/vitest";
import { PicsRecords, type PicsRecordsShape } from "@pics/pics-store";
import { Cause, Effect, Exit } from "effect";
import { describe, expect } from "vitest";
import { failLoud, fakeOneFileView, testLayer } from "../src/testing.ts";

const deathOf = (exit: Exit.Exit<unknown, unknown>) => (Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "succeeded");

describe("the fail-loud test layer", () => {
  it.effect("a method the test did not supply dies naming the service and the method; supplied ones answer", () =>
    Effect.gen(function* () {
      const layer = testLayer(PicsRecords)({ getLearners: () => Effect.succeed([]) });
      const records = yield* Effect.provide(PicsRecords, layer);
      expect(yield* records.getLearners(["L1"])).toEqual([]);
      expect(deathOf(yield* Effect.exit(records.getOfficer("O1")))).toContain(
        "pics-store/PicsRecords.getOfficer was used, but the test did not supply it",
      );
    }),
  );

  it.effect("an Effect-valued member the test did not supply dies the same way when run", () =>
    Effect.gen(function* () {
      const service = failLoud<{ readonly status: Effect.Effect<string> }>("Status", {});
      expect(deathOf(yield* Effect.exit(service.status))).toContain("Status.status was used, but the test did not supply it");
    }),
  );
});

describe("the fake OneFile view", () => {
  it.effect("searches by centre, role and MIS reference (trimmed, any case) and records its reads", () =>
    Effect.gen(function* () {
      const view = fakeOneFileView({
        users: [
          { ID: 1, OrganisationID: 100, Role: 5, MISID: "OFF-A" },
          { ID: 2, OrganisationID: 200, Role: 5, MISID: "OFF-A" },
          { ID: 3, OrganisationID: 100, Role: 1, MISID: "OFF-A" },
        ],
      });
      expect((yield* view.assessorsByMisId(100, " off-a ")).map((u) => u.ID)).toEqual([1]);
      expect((yield* view.learnersBy(100, "MISID", "OFF-A")).map((u) => u.ID)).toEqual([3]);
      expect(view.reads).toEqual(["assessorsByMisId(100,  off-a )", "learnersBy(100, MISID, OFF-A)"]);
      expect(deathOf(yield* Effect.exit(view.placementsByMisId(100, "EMP")))).toContain("OneFileView.placementsByMisId was used");
    }),
  );
});
