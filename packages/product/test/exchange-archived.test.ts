/**
 * OFF-5 in the daily exchange: two OneFile assessors with the same MIS reference block the officer
 * "whatever the centre listing shows of archived users". A OneFile whose listings leave archived
 * users out must not make the run pick the one active assessor, nor create a third.
 */
import { bulkStrategy } from "@pics/core";
import { afterEach, describe, expect, it } from "vitest";
import { fullRun, linkedWorld, OF, onefileNow, pair, userIn } from "./exchange-support.ts";
import { CENTRE, type World } from "./world.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe("OFF-5 whatever the listing shows (DEM-M1)", () => {
  it("OFF-5: with several centres and a listing that hides archived users, an active and an archived assessor sharing the officer's MIS reference block the learners; nothing is created or reassigned", async () => {
    const bobs = [
      { ID: 9001, Archived: false },
      { ID: 9002, Archived: true },
    ].map((b) => ({
      ...b,
      OrganisationID: CENTRE,
      Role: 5,
      FirstName: "Bob",
      LastName: "Builder",
      Email: "bob@provider.test",
      MISID: "OFF-B",
    }));
    world = await linkedWorld({
      secondCentre: true,
      settings: { pushMainOfficerChanges: true },
      users: bobs,
      pairs: [1, 2].map((n) => pair(n, { pics: { mainOfficerId: "O2" } })),
      sandboxConfig: { listingsHideArchived: true },
      // Centre-wide listings, so the run's view is primed from what the listing shows.
      exchangeStrategy: { ...bulkStrategy, reads: "listing" },
    });

    const run = await world.run(fullRun());

    // The listing the run read showed only the active Bob; the run still saw both.
    expect(run.status).toBe("partially_succeeded");
    expect(run.errors.map((e: any) => e.learnerId).sort()).toEqual(["L1", "L2"]);
    for (const error of run.errors) expect(error.reason).toContain("OFF-B");
    const of = await onefileNow(world);
    expect(of.Users.filter((u: any) => u.MISID === "OFF-B").map((u: any) => u.ID)).toEqual([9001, 9002]);
    for (const n of [1, 2]) expect(userIn(of, OF.learner(n)).DefaultAssessorID).toBe(OF.ada);
  });
});
