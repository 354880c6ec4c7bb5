/**
 * The benchmark's workloads and the floor each one is measured against.
 *
 * The floor is what any client following ../shared/spec/onefile-api.md must spend on the seeded
 * data: one authentication, the customer's centres (multipleCentres is `auto`), per centre and per
 * kind of record the cheaper of a centre-wide listing and per-learner reads, a learning-aim search
 * per learner in scope (the contract has no other way to read them), a MIS-reference search for each
 * officer without a usable link (a listing may leave out archived assessors, D100), plus one write per OneFile
 * record the run's differences create or change (counted from the sandbox's state before and
 * after, so a record written twice costs more than the floor).
 */
import { generateDemoData, type DemoData } from "@pics/onefile-sandbox";

const PAGE = 100;
const pages = (records: number) => Math.floor(records / PAGE) + 1;

export interface Workload {
  readonly name: string;
  readonly title: string;
  readonly data: DemoData;
  /** What an earlier run of this centre saw, as the product stores it (a centre with history). */
  readonly previousCounts?: ReadonlyArray<{ centreId: number; kind: string; count: number }>;
}

/** W1 and W3: generated data, every centre holding only learners the PICS side has in scope. */
export const freshCentres = (name: string, learners: number, centres: number): Workload => ({
  name,
  title: `${centres === 1 ? "fresh centre" : `${centres} centres`}, ${learners} learners (3 qualifications, 8 reviews each)`,
  data: generateDemoData({
    learners,
    seed: 2026,
    centres,
    qualificationsPerLearner: 3,
    reviewsPerLearner: 8,
    differingShare: 0.25,
  }),
});

/**
 * W2: a centre with years of history. The learners in scope as in W1, plus `historyFactor` times as
 * many finished learners in the same OneFile centre (in PICS too, Completed years ago, so out of
 * scope), 20 reviews each, and archived assessors. The product has run here before, so the counts
 * its last listing saw are stored.
 */
export const centreWithHistory = (learners: number, historyFactor = 10, archivedAssessors = 150): Workload => {
  const data = generateDemoData({
    learners,
    seed: 2027,
    qualificationsPerLearner: 3,
    reviewsPerLearner: 8,
    differingShare: 0.25,
  });
  const customer = data.onefile.customers[0] as any;
  const centreId: number = customer.Organisations[0].ID;
  const stamp = "2019-08-01T06:00:00.000Z";
  let nextId = 5_000_000;
  const assessors = customer.Users.filter((u: any) => u.Role === 5).map((u: any) => u.ID);
  for (let i = 0; i < archivedAssessors; i++) {
    customer.Users.push(oneFileUser(nextId++, centreId, 5, `Former${i}`, `ARCH${String(i).padStart(4, "0")}`, stamp, true));
  }
  customer.Reviews ??= [];
  for (let i = 0; i < learners * historyFactor; i++) {
    const id = nextId++;
    const misId = `H${String(i).padStart(6, "0")}`;
    customer.Users.push(oneFileUser(id, centreId, 1, `Finished${i}`, misId, stamp, false));
    for (let r = 0; r < 20; r++) {
      const day = new Date(Date.UTC(2017, 0, 1) + (i * 20 + r) * 3_600_000).toISOString();
      customer.Reviews.push({
        ID: nextId++,
        LearnerID: id,
        AssessorID: assessors[(i + r) % assessors.length],
        VisitID: null,
        Status: 1,
        ScheduledFor: day,
        EndTime: null,
        StartedOn: day,
        AssessorSignedOn: day,
        LearnerSignedOn: day,
        CreatedOn: day,
      });
    }
    data.pics.learners.push({
      id: misId,
      firstName: "Finished",
      surname: `Learner${i}`,
      email: null,
      telephone: null,
      mobile: null,
      birthDate: null,
      uln: null,
      niNumber: null,
      sex: null,
      ethnicity: null,
      disability: null,
      address1: null,
      address2: null,
      address3: null,
      address4: null,
      postcode: null,
      startDate: "2017-01-01",
      plannedEndDate: "2019-01-01",
      actualEndDate: "2019-01-01",
      systemStatus: "Live",
      learningStatus: "Completed",
      mainOfficerId: null,
      mainTag: null,
      officers: [],
      onefileId: id,
      onefileCentreId: centreId,
      placements: [],
      qualifications: [],
      reviews: [],
    });
  }
  const learnerCount = customer.Users.filter((u: any) => u.Role === 1).length;
  const reviewCount = customer.Reviews.length;
  const placementCount = customer.Placements.length;
  const assessorCount = customer.Users.filter((u: any) => u.Role === 5).length;
  return {
    name: "W2",
    title: `centre with history, ${learners} learners in scope + ${learners * historyFactor} finished (20 reviews each), ${archivedAssessors} archived assessors`,
    data,
    previousCounts: [
      { centreId, kind: "learners", count: learnerCount },
      { centreId, kind: "reviews", count: reviewCount },
      { centreId, kind: "placements", count: placementCount },
      { centreId, kind: "assessors", count: assessorCount },
    ],
  };
};

const oneFileUser = (
  id: number,
  centreId: number,
  role: number,
  name: string,
  misId: string,
  stamp: string,
  archived: boolean,
) => ({
  ID: id,
  OrganisationID: centreId,
  Role: role,
  Username: null,
  FirstName: name,
  LastName: "History",
  Email: `${misId.toLowerCase()}@history.example`,
  MISID: misId,
  Telephone: null,
  MobileNumber: null,
  DOB: null,
  Archived: archived,
  CreatedOn: stamp,
  LastModified: stamp,
  ULN: null,
  NINO: null,
  StartOn: null,
  PlannedEndDate: null,
  HomeAddress: null,
  DefaultAssessorID: null,
  DefaultEmployerID: null,
  ClassroomID: null,
  PlacementID: null,
  L12: null,
  L13: null,
  L15: null,
  LearnerStatusID: null,
});

/** SYNC-2 with SET-16's default (31 days), as the run decides it. */
export const inScope = (learner: any, today: string, endedWithinDays = 31) => {
  if (learner.onefileId == null || learner.systemStatus !== "Live") return false;
  if (learner.learningStatus === "InLearning") return true;
  const earliest = new Date(Date.parse(`${today}T00:00:00Z`) - endedWithinDays * 86_400_000).toISOString().slice(0, 10);
  return learner.actualEndDate != null && learner.actualEndDate >= earliest;
};

export interface FloorParts {
  readonly fixed: number;
  readonly learningAims: number;
  readonly learners: number;
  readonly reviews: number;
  readonly placements: number;
  readonly assessors: number;
  readonly reads: number;
}

/** The fewest reads any client could make for this data (see the module comment). */
export const readFloor = (onefileBefore: any, pics: any, today: string): FloorParts => {
  const customer = onefileBefore.customers[0];
  const centres: Array<number> = customer.Organisations.map((o: any) => o.ID);
  const userCentre = new Map<number, number>(customer.Users.map((u: any) => [u.ID, u.OrganisationID]));
  const reviewsOf = new Map<number, number>();
  const centreReviews = new Map<number, number>();
  for (const r of customer.Reviews) {
    reviewsOf.set(r.LearnerID, (reviewsOf.get(r.LearnerID) ?? 0) + 1);
    const c = userCentre.get(r.LearnerID);
    if (c !== undefined) centreReviews.set(c, (centreReviews.get(c) ?? 0) + 1);
  }
  const parts = { fixed: 3, learningAims: 0, learners: 0, reviews: 0, placements: 0, assessors: 0 };
  for (const centreId of centres) {
    const scoped = pics.learners.filter((l: any) => inScope(l, today) && userCentre.get(l.onefileId) === centreId);
    if (scoped.length === 0) continue;
    const officers = new Set<string>();
    const organisations = new Set<string>();
    for (const l of scoped) {
      for (const id of [
        l.mainOfficerId,
        ...l.officers.map((o: any) => o.officerId),
        ...l.qualifications.map((q: any) => q.assessorId),
      ])
        if (id) officers.add(id);
      for (const r of l.reviews) if (r.officerId) officers.add(r.officerId);
      for (const p of l.placements) organisations.add(p.organisationId);
    }
    const inCentre = (role: number) => customer.Users.filter((u: any) => u.Role === role && u.OrganisationID === centreId).length;
    parts.learningAims += scoped.length;
    parts.learners += Math.min(pages(inCentre(1)), scoped.length);
    parts.reviews += Math.min(
      pages(centreReviews.get(centreId) ?? 0),
      scoped.reduce((n: number, l: any) => n + pages(reviewsOf.get(l.onefileId) ?? 0), 0),
    );
    parts.placements += Math.min(
      pages(customer.Placements.filter((p: any) => p.OrganisationID === centreId).length),
      organisations.size,
    );
    // OFF-5 (D100): a listing may leave out archived assessors, so an officer without a usable link
    // (with several centres: a link in this centre, OFF-3/6) is searched by MIS reference whatever
    // else is read; the linked ones are read by id or listed, whichever is cheaper.
    const picsOfficer = new Map<string, any>(pics.officers.map((o: any) => [o.id, o]));
    const usableLink = (id: string) => {
      const o = picsOfficer.get(id);
      if (o === undefined) return false;
      return centres.length > 1 ? (o.onefileLinks ?? []).some((l: any) => l.centreId === centreId) : o.onefileId != null;
    };
    const withId = [...officers].filter((id) => picsOfficer.get(id)?.onefileId != null || usableLink(id)).length;
    const misSearches = [...officers].filter((id) => !usableLink(id)).length;
    parts.assessors += misSearches + Math.min(pages(inCentre(5)), withId);
  }
  const reads = Object.values(parts).reduce((a, b) => a + b, 0);
  return { ...parts, reads };
};

/** One write per OneFile record created or changed between two sandbox states. */
export const writeFloor = (before: any, after: any) => {
  const [b, a] = [before.customers[0], after.customers[0]];
  let writes = 0;
  for (const kind of ["Users", "Placements", "Classrooms", "LearningAims", "Visits", "Reviews", "Standards"]) {
    const old = new Map<number, string>((b[kind] ?? []).map((r: any) => [r.ID, comparable(r)]));
    for (const record of a[kind] ?? []) {
      const was = old.get(record.ID);
      if (was === undefined || was !== comparable(record)) writes++;
    }
  }
  const assignments = new Set((b.Assignments ?? []).map((x: any) => JSON.stringify(x)));
  for (const x of a.Assignments ?? []) if (!assignments.has(JSON.stringify(x))) writes++;
  return writes;
};

const comparable = (record: any) => JSON.stringify({ ...record, LastModified: undefined });
