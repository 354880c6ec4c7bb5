/**
 * OFF-6, ORG-5: with several centres an officer (organisation) has one OneFile assessor
 * (placement) per centre; matching in one centre never overwrites the link in another, and
 * DEM-O1 / DEM-G go to each linked record.
 */
import { Enrolment, Exchange } from "@pics/core";
import { PicsRecords, SettingsStore } from "@pics/pics-store";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { baseSeed, customerOf, OTHER_CENTRE, openWorld, picsDocument } from "./world.ts";

describe("OFF-6, ORG-5: links per centre", () => {
  it("an enrolment in a second centre links the officer and organisation there, keeps their first centre's links, and demographics go to each", async () => {
    const doc = picsDocument();
    doc.officers[0] = { ...doc.officers[0]!, onefileId: 130, onefileLinks: [{ centreId: 100, onefileId: 130 }] } as never;
    doc.organisations[1] = {
      ...doc.organisations[1]!,
      onefileId: 140,
      onefileLinks: [{ centreId: 100, onefileId: 140 }],
    } as never;
    const world = await openWorld({
      seed: baseSeed({ secondCentre: true, classrooms: [{ ID: 210, OrganisationID: OTHER_CENTRE, Name: "North" }] }),
      pics: doc,
      settings: { multipleCentres: "on", uploadReviews: false },
    });
    try {
      const enrolled = await world.either(
        Effect.flatMap(Enrolment, (e) =>
          e.enrol({
            learnerId: "L1",
            centreId: OTHER_CENTRE,
            classroomId: 210,
            qualifications: { Q1: { centreId: OTHER_CENTRE } },
          }),
        ),
      );
      expect(enrolled.ok ? "ok" : String((enrolled.error as { message?: string }).message)).toBe("ok");
      const customer = customerOf(await world.onefile());
      const north = (role: number, misId: string) =>
        customer.Users.find((u: any) => u.Role === role && u.OrganisationID === OTHER_CENTRE && u.MISID === misId)?.ID;
      const assessorNorth = north(5, "OFF-A");
      const placementNorth = customer.Placements.find((p: any) => p.OrganisationID === OTHER_CENTRE && p.MISID === "ORG-B")?.ID;
      expect(assessorNorth).toBeGreaterThan(0);
      expect(placementNorth).toBeGreaterThan(0);

      const [o1, g2] = await world.run(
        Effect.flatMap(PicsRecords, (r) => Effect.all([r.getOfficer("O1"), r.getOrganisation("G2")])),
      );
      // The first centre's links and the single-centre value are kept.
      expect([o1.onefileId, o1.onefileLinks]).toEqual([
        130,
        [
          { centreId: 100, onefileId: 130 },
          { centreId: OTHER_CENTRE, onefileId: assessorNorth },
        ],
      ]);
      expect([g2.onefileId, g2.onefileLinks]).toEqual([
        140,
        [
          { centreId: 100, onefileId: 140 },
          { centreId: OTHER_CENTRE, onefileId: placementNorth },
        ],
      ]);

      // DEM-O1 / DEM-G push: each linked assessor and placement gets the new values.
      await world.run(
        Effect.gen(function* () {
          const records = yield* PicsRecords;
          yield* records.patch({ entity: "officer", id: "O1" }, { phone: "0161 111 2222" });
          yield* records.patch({ entity: "organisation", id: "G2" }, { phone: "0113 333 4444" });
          yield* (yield* SettingsStore).update({
            officerDemographicsMode: "PushToOneFile",
            organisationDemographicsMode: "PushToOneFile",
          });
          yield* (yield* Exchange).refresh("L1");
        }),
      );
      const after = customerOf(await world.onefile());
      const phoneOf = (list: Array<any>, id: number) => list.find((r: any) => r.ID === id)?.Telephone;
      expect([phoneOf(after.Users, 130), phoneOf(after.Users, assessorNorth)]).toEqual(["0161 111 2222", "0161 111 2222"]);
      expect([phoneOf(after.Placements, 140), phoneOf(after.Placements, placementNorth)]).toEqual([
        "0113 333 4444",
        "0113 333 4444",
      ]);
    } finally {
      await world.close();
    }
  }, 90_000);
});
