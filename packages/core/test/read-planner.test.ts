import { describe, expect, it } from "@effect/vitest";
import type { CentreScope } from "@pics/pics-store";
import { listingPages, planCentreReads, type PlanInput } from "../src/index.ts";

const scope = (learners: number, extra: Partial<CentreScope> = {}): CentreScope => ({
  centreId: 7,
  learners: Array.from({ length: learners }, (_, i) => ({ id: `L${i}`, onefileId: 1000 + i, centreId: 7 })),
  officers: { linked: 3, unlinked: 1, linkedInCentre: 0 },
  organisations: { linked: 5, unlinked: 0 },
  picsLearners: learners,
  picsReviews: learners * 8,
  ...extra,
});
const all = { learners: true, reviews: true, placements: true, assessors: true };
const input = (over: Partial<PlanInput>): PlanInput => ({
  needs: all,
  scope: scope(10),
  seen: {},
  linkedOfficers: 20,
  linkedOrganisations: 40,
  readsReviewAssessors: false,
  multipleCentres: false,
  mode: "cheapest",
  ...over,
});

describe("read planner", () => {
  it("a listing takes its full pages plus the short (or empty) page that ends it", () => {
    expect([0, 1, 99, 100, 101, 250].map((n) => listingPages(n))).toEqual([1, 1, 1, 2, 2, 3]);
  });

  it("a fresh centre is listed; a centre with years of history is read per learner, kind by kind", () => {
    const fresh = planCentreReads(input({ scope: scope(2000) }));
    expect(fresh.learners).toMatchObject({ read: "listing", listingPages: 21, perLearnerCalls: 2000, estimateFrom: "PICS" });
    expect(fresh.reviews).toMatchObject({ read: "listing", listingPages: 161 });

    // 1,600 in scope, 15,000 finished learners with 20 reviews each, seen by the last listing.
    const history = planCentreReads(input({ scope: scope(1600), seen: { learners: 16_600, reviews: 320_000, assessors: 150 } }));
    expect(history.learners).toMatchObject({ read: "listing", listingPages: 167, estimateFrom: "last listing" });
    expect(history.reviews).toMatchObject({ read: "perLearner", listingPages: 3201, perLearnerCalls: 1600 });
    // Two pages of assessors (archived ones included) beat four officer reads; one officer would not.
    expect(history.assessors).toMatchObject({ read: "listing", listingPages: 2, perLearnerCalls: 4 });
    const oneOfficer = scope(1600, { officers: { linked: 1, unlinked: 0, linkedInCentre: 0 } });
    expect(planCentreReads(input({ scope: oneOfficer, seen: { assessors: 150 } })).assessors?.read).toBe("perLearner");
  });

  it("OFF-5 (D100): the MIS-reference searches a listing cannot spare are counted on its side", () => {
    const seen = { assessors: 150 };
    // One centre: 3 linked officers (read by id) and 1 searched either way; 2 pages + 1 search < 3 reads + 1 search.
    expect(planCentreReads(input({ scope: scope(1600), seen })).assessors).toMatchObject({
      read: "listing",
      listingPages: 2,
      listingExtraCalls: 1,
      perLearnerCalls: 4,
    });
    // Several centres, none of the 4 linked in this one: 4 searches either way, and 3 reads by id for
    // their demographics; 2 pages + 4 searches < 3 + 4.
    const several = planCentreReads(input({ scope: scope(1600), seen, multipleCentres: true })).assessors;
    expect(several).toMatchObject({ read: "listing", listingExtraCalls: 4, perLearnerCalls: 7 });
    // With one officer linked in the centre, the listing's 2 pages do not beat its 1 read.
    const one = scope(1600, { officers: { linked: 1, unlinked: 1, linkedInCentre: 1 } });
    expect(planCentreReads(input({ scope: one, seen, multipleCentres: true })).assessors).toMatchObject({
      read: "perLearner",
      listingExtraCalls: 1,
      perLearnerCalls: 2,
    });
  });

  it("what PICS links to a centre raises a stale count; kinds not needed are not planned; a forced mode wins", () => {
    expect(
      planCentreReads(input({ seen: { learners: 10 }, scope: scope(10, { picsLearners: 5000 }) })).learners?.estimatedRecords,
    ).toBe(5000);
    expect(Object.keys(planCentreReads(input({ needs: { ...all, reviews: false, placements: false } })))).toEqual([
      "learners",
      "assessors",
    ]);
    const forced = planCentreReads(input({ mode: "perLearner", scope: scope(2000) }));
    expect(Object.values(forced).map((c) => c.read)).toEqual(["perLearner", "perLearner", "perLearner", "perLearner"]);
    // A tie reads per learner: the same calls, less held in memory.
    expect(planCentreReads(input({ scope: scope(1) })).learners?.read).toBe("perLearner");
  });
});
