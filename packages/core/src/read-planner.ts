/**
 * The exchange's read planner: for each OneFile centre and each kind of record a run needs
 * (learners, reviews, placements, assessors) it compares the pages a centre-wide listing would
 * take with the per-learner reads the scope needs, and takes the cheaper — the way a query
 * planner picks a scan or an index. Listing sizes come from what the last run's listing of the
 * centre saw (stored per centre), or, for a centre never listed, from what PICS knows of it.
 * Learning aims have no centre-wide listing in the contract: they are always read per learner.
 */
import type { CentreScope, CountedKind } from "@pics/pics-store";

export type ReadKind = CountedKind;
export const READ_KINDS: ReadonlyArray<ReadKind> = ["learners", "reviews", "placements", "assessors"];

/** The contract's largest page (onefile-api.md §3); a listing stops at a short page or a 204. */
export const LISTING_PAGE_SIZE = 100;

/** Calls a listing of `records` rows takes: full pages, then the short (or empty) page that ends it. */
export const listingPages = (records: number, pageSize = LISTING_PAGE_SIZE) => Math.floor(records / pageSize) + 1;

/** How a run reads: the cheaper per kind (the product), or always one way (tests, the benchmark's baselines). */
export type ReadMode = "cheapest" | "listing" | "perLearner";

export interface KindChoice {
  readonly read: "listing" | "perLearner";
  /** Calls a centre-wide listing would take, from `estimatedRecords`. */
  readonly listingPages: number;
  /** Reads a listing does not spare (assessors: the MIS-reference searches OFF-5 needs anyway). */
  readonly listingExtraCalls: number;
  /** Calls per-learner reads would take for the learners in scope. */
  readonly perLearnerCalls: number;
  readonly estimatedRecords: number;
  /** Where the size estimate came from. */
  readonly estimateFrom: "last listing" | "PICS";
}

export type CentreReadPlan = Partial<Record<ReadKind, KindChoice>>;

export interface PlanInput {
  /** The kinds this run reads at all (enabled rules and settings). */
  readonly needs: Readonly<Record<ReadKind, boolean>>;
  readonly scope: CentreScope;
  /** What the last listing of this centre saw. */
  readonly seen: Partial<Record<ReadKind, number>>;
  /** Officers / organisations of the customer linked to OneFile: the size of a centre never listed, at most. */
  readonly linkedOfficers: number;
  readonly linkedOrganisations: number;
  /** REV-D3 with several centres reads each downloaded review's assessor too. */
  readonly readsReviewAssessors: boolean;
  /** With several centres an officer's single OneFile id is not a match (OFF-3): only a link in the centre is. */
  readonly multipleCentres: boolean;
  readonly mode: ReadMode;
}

export const planCentreReads = (input: PlanInput): CentreReadPlan => {
  const { scope, seen } = input;
  const learners = scope.learners.length;
  // A centre's records only grow between runs (OneFile archives, it rarely deletes), and what PICS
  // links to the centre is in OneFile too: the larger of the two is the better guess.
  const estimate = (kind: ReadKind, pics: number, growsWithPics: boolean) => {
    const last = seen[kind];
    if (last === undefined) return { records: pics, from: "PICS" as const };
    return { records: growsWithPics ? Math.max(last, pics) : last, from: "last listing" as const };
  };
  // OFF-5 (D100): a listing never proves that no archived assessor shares a MIS reference, so the
  // officers this centre has no usable link for are searched by MIS reference either way; a listing
  // only replaces the reads of the linked ones.
  const misSearches = input.multipleCentres
    ? scope.officers.linked + scope.officers.unlinked - scope.officers.linkedInCentre
    : scope.officers.unlinked;
  const listingExtra: Record<ReadKind, number> = { learners: 0, reviews: 0, placements: 0, assessors: misSearches };
  const perLearner: Record<ReadKind, number> = {
    // One GET User/{id} per learner; one Review/Search page per learner.
    learners,
    reviews: learners,
    // One GET per linked record, one MIS-reference search per unlinked one (OFF-2/3, ORG-2/3).
    placements: scope.organisations.linked + scope.organisations.unlinked,
    assessors: scope.officers.linked + misSearches + (input.readsReviewAssessors ? Math.min(input.linkedOfficers, learners) : 0),
  };
  const sizes: Record<ReadKind, { records: number; from: "last listing" | "PICS" }> = {
    learners: estimate("learners", scope.picsLearners, true),
    reviews: estimate("reviews", scope.picsReviews, true),
    placements: estimate("placements", input.linkedOrganisations, false),
    assessors: estimate("assessors", input.linkedOfficers, false),
  };
  const plan: CentreReadPlan = {};
  for (const kind of READ_KINDS) {
    if (!input.needs[kind]) continue;
    const pages = listingPages(sizes[kind].records);
    const cheaper = pages + listingExtra[kind] < perLearner[kind] ? "listing" : "perLearner";
    plan[kind] = {
      read: input.mode === "cheapest" ? cheaper : input.mode,
      listingPages: pages,
      listingExtraCalls: listingExtra[kind],
      perLearnerCalls: perLearner[kind],
      estimatedRecords: sizes[kind].records,
      estimateFrom: sizes[kind].from,
    };
  }
  return plan;
};

/** For logs: "learners: listing (3 pages < 250 reads, 220 records by last listing), …". */
export const describePlan = (plan: CentreReadPlan) =>
  READ_KINDS.filter((k) => plan[k] !== undefined)
    .map((k) => {
      const c = plan[k]!;
      const extra = c.listingExtraCalls > 0 ? ` + ${c.listingExtraCalls} searches` : "";
      return `${k}: ${c.read === "listing" ? "listing" : "per learner"} (${c.listingPages} pages${extra} vs ${c.perLearnerCalls} reads, ~${c.estimatedRecords} records by ${c.estimateFrom})`;
    })
    .join("; ");
