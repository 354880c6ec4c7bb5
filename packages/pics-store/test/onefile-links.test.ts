import { it } from "@effect/vitest";
import { Effect, Either } from "effect";
import { describe, expect } from "vitest";
import { PicsRecords } from "../src/index.ts";
import { officer, organisation, testStore } from "./support.ts";

describe("OFF-6, ORG-5: links per centre", () => {
  it.effect("read back as onefileLinks by centre; a link in one centre never changes another's or the single-centre id", () =>
    Effect.gen(function* () {
      const records = yield* PicsRecords;
      yield* records.importDocument({
        officers: [officer("O1", { onefileId: 501, onefileLinks: [{ centreId: 200, onefileId: 601 }] }), officer("O2")],
        organisations: [organisation("G1")],
      });
      expect((yield* records.getOfficer("O1")).onefileLinks).toEqual([{ centreId: 200, onefileId: 601 }]);

      yield* records.patch({ entity: "officer", id: "O1" }, { onefileLink: { centreId: 100, onefileId: 502 } });
      yield* records.patch({ entity: "officer", id: "O1" }, { onefileLink: { centreId: 200, onefileId: 602 } });
      yield* records.patch({ entity: "organisation", id: "G1" }, { onefileLink: { centreId: 100, onefileId: 900 } });
      const o1 = yield* records.getOfficer("O1");
      expect([o1.onefileId, o1.onefileLinks]).toEqual([
        501,
        [
          { centreId: 100, onefileId: 502 },
          { centreId: 200, onefileId: 602 },
        ],
      ]);
      expect((yield* records.getOrganisation("G1")).onefileLinks).toEqual([{ centreId: 100, onefileId: 900 }]);
      expect((yield* records.listOfficers()).items.map((o) => [o.id, o.onefileLinks?.length])).toEqual([
        ["O1", 2],
        ["O2", 0],
      ]);

      // Who holds a OneFile record in a centre: by link, or by the single-centre id.
      expect(yield* records.linkedTo("officer", 200, 602)).toBe("O1");
      expect(yield* records.linkedTo("officer", 300, 501)).toBe("O1");
      expect(yield* records.linkedTo("officer", 100, 999)).toBe(null);
      // One PICS record per OneFile record and centre.
      const twice = yield* Effect.either(
        records.patch({ entity: "officer", id: "O2" }, { onefileLink: { centreId: 100, onefileId: 502 } }),
      );
      expect(Either.isLeft(twice)).toBe(true);

      // A re-import that leaves the links out keeps them; a link removed is gone in that centre only.
      yield* records.importDocument({ officers: [officer("O1")] });
      yield* records.patch({ entity: "officer", id: "O1" }, { onefileLink: { centreId: 100, onefileId: null } });
      expect((yield* records.getOfficer("O1")).onefileLinks).toEqual([{ centreId: 200, onefileId: 602 }]);
    }).pipe(Effect.provide(testStore())),
  );
});
