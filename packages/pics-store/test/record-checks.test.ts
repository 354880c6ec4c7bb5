/** Creates refuse a taken id and deletes refuse a record still referred to, each in one transaction. */
import { describe, expect, it } from "@effect/vitest";
import { Effect } from "effect";
import { Learner, Officer, Organisation, PicsRecords, decodeInput } from "../src/index.ts";
import { learner, officer, organisation, testStore } from "./support.ts";

describe("record existence and in-use checks", () => {
  it.effect("createOfficer/createOrganisation/createLearner insert a new id and refuse a taken one (RecordExists)", () =>
    Effect.gen(function* () {
      const records = yield* PicsRecords;
      const o1 = yield* decodeInput(Officer, "officer")(officer("O1"));
      yield* records.createOfficer(o1);
      expect((yield* records.getOfficer("O1")).ident).toBe("I-O1");
      const taken = yield* Effect.flip(records.createOfficer({ ...o1, firstName: "Other" }));
      expect(taken).toMatchObject({ _tag: "RecordExists", entity: "officer", id: "O1" });
      expect(taken.message).toBe('officer "O1" already exists; PATCH it to change it');
      expect((yield* records.getOfficer("O1")).firstName).toBe("Olive");

      const g1 = yield* decodeInput(Organisation, "organisation")(organisation("G1"));
      yield* records.createOrganisation(g1);
      expect(yield* Effect.flip(records.createOrganisation(g1))).toMatchObject({ _tag: "RecordExists", entity: "organisation" });
      const l1 = yield* decodeInput(Learner, "learner")(learner("L1"));
      yield* records.createLearner(l1);
      expect(yield* Effect.flip(records.createLearner(l1))).toMatchObject({ _tag: "RecordExists", entity: "learner", id: "L1" });
    }).pipe(Effect.provide(testStore())),
  );

  it.effect("deleteUnreferenced refuses a record a learner refers to (RecordInUse, learners named), deletes it once free", () =>
    Effect.gen(function* () {
      const records = yield* PicsRecords;
      yield* records.importDocument({
        officers: [officer("O1"), officer("O2")],
        organisations: [organisation("G1")],
        learners: [learner("L1"), learner("L2")],
      });
      const inUse = yield* Effect.flip(records.deleteUnreferenced("officer", "O1"));
      expect(inUse).toMatchObject({ _tag: "RecordInUse", entity: "officer", id: "O1", learners: ["L1", "L2"] });
      expect(inUse.message).toBe('officer "O1" is still referred to by learners "L1", "L2"; change them first');
      expect(yield* Effect.flip(records.deleteUnreferenced("organisation", "G1"))).toMatchObject({ _tag: "RecordInUse" });
      expect((yield* records.getOfficer("O1")).id).toBe("O1");
      yield* records.deleteUnreferenced("officer", "O2");
      expect(yield* Effect.flip(records.getOfficer("O2"))).toMatchObject({ _tag: "RecordNotFound" });
      expect(yield* Effect.flip(records.deleteUnreferenced("officer", "O2"))).toMatchObject({ _tag: "RecordNotFound" });
    }).pipe(Effect.provide(testStore())),
  );
});
