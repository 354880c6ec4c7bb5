/**
 * Reconciliation (REC-1, REC-2): OneFile already holds learners, some matching PICS learners by MIS
 * reference, by ULN, by email + name, some ambiguous. The run proposes exactly the right pairs, lists
 * the conflicts and the unmatched on both sides, and applying links pairs with no OneFile write.
 */
import { Exchange, matchKeys, Reconciliation, reconcileLearners } from "@pics/core";
import { PicsRecords, RunLog, type LearnerKeys } from "@pics/pics-store";
import type { User } from "@pics/onefile-client";
import { Effect } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { baseSeed, CENTRE, OTHER_CENTRE, openWorld, writeCalls, type World } from "./world.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** A OneFile learner already in the sandbox (the fields a seeded learner needs). */
const onefileLearner = (fields: Record<string, unknown>) => ({
  OrganisationID: CENTRE,
  Role: 1,
  FirstName: "Some",
  LastName: "One",
  Email: `u${String(fields.ID)}@onefile.test`,
  DefaultAssessorID: 130,
  ClassroomID: 110,
  PlacementID: 140,
  ...fields,
});

const picsLearner = (id: string, fields: Record<string, unknown> = {}) => ({
  id,
  firstName: "P",
  surname: id,
  email: `${id.toLowerCase()}@pics.test`,
  ...fields,
});

/**
 * The OneFile side:
 * 501 MIS reference L1 (exact) · 502 ULN of L2 (probable) · 503 email + name of L3 (probable) ·
 * 504 ULN and email + name of L4 (exact) · 505 ULN of L5 and 506 email + name of L5 (conflict: L5 has two) ·
 * 507 ULN shared by L6 and L7 (conflict: 507 has two) · 508, 509 (archived) match nobody ·
 * 510 is linked to L8 already · 512 has L9's email with another name (no match) · 611 MIS reference
 * L10 in the other centre.
 */
const seed = () =>
  baseSeed({
    secondCentre: true,
    users: [
      onefileLearner({ ID: 501, MISID: "l1 ", FirstName: "Ann", LastName: "Other" }),
      onefileLearner({ ID: 502, ULN: "2000000002" }),
      onefileLearner({ ID: 503, FirstName: "lena", LastName: "THREE", Email: "Lena.Three@pics.test" }),
      onefileLearner({ ID: 504, ULN: "4000000004", FirstName: "Finn", LastName: "Four", Email: "finn@pics.test" }),
      onefileLearner({ ID: 505, ULN: "5000000005" }),
      onefileLearner({ ID: 506, FirstName: "Fay", LastName: "Five", Email: "fay@pics.test" }),
      onefileLearner({ ID: 507, ULN: "7000000007" }),
      onefileLearner({ ID: 508, FirstName: "Nob", LastName: "Ody" }),
      onefileLearner({ ID: 509, FirstName: "Old", LastName: "Timer", Archived: true }),
      onefileLearner({ ID: 510, MISID: "L8" }),
      onefileLearner({ ID: 512, FirstName: "Not", LastName: "Nine", Email: "l9@pics.test" }),
      onefileLearner({ ID: 611, OrganisationID: OTHER_CENTRE, MISID: "L10", DefaultAssessorID: null, ClassroomID: null }),
      {
        ID: 131,
        OrganisationID: CENTRE,
        Role: 5,
        FirstName: "Ada",
        LastName: "Again",
        Email: "a2@provider.test",
        MISID: "off-c",
      },
      {
        ID: 132,
        OrganisationID: CENTRE,
        Role: 5,
        FirstName: "Ada",
        LastName: "Third",
        Email: "a3@provider.test",
        MISID: "OFF-C",
      },
    ],
    learningAims: [{ ID: 701, UserID: 501, StandardID: 120, TotalElements: 40, ElementsDone: 10, Progress: 25 }],
  });

const pics = () => ({
  officers: [
    { id: "O1", ident: "OFF-A", firstName: "Ada", surname: "Assessor", email: "ada@provider.test" },
    { id: "O2", ident: "OFF-B", firstName: "Bob", surname: "Builder", email: "bob@provider.test" },
    { id: "O3", ident: "OFF-C", firstName: "Cy", surname: "Coach" },
  ],
  organisations: [
    { id: "G1", ident: "ORG-A", name: "Acme Ltd" },
    { id: "G2", ident: "ORG-B", name: "Bolt Ltd" },
  ],
  learners: [
    picsLearner("L1", { qualifications: [{ id: "Q1", vqReference: "ST0795" }] }),
    picsLearner("L2", { uln: "2000000002" }),
    picsLearner("L3", { firstName: "Lena", surname: "Three", email: "lena.three@pics.test" }),
    picsLearner("L4", { firstName: "Finn", surname: "Four", email: "finn@pics.test", uln: "4000000004" }),
    picsLearner("L5", { firstName: "Fay", surname: "Five", email: "fay@pics.test", uln: "5000000005" }),
    picsLearner("L6", { uln: "7000000007" }),
    picsLearner("L7", { uln: "7000000007" }),
    picsLearner("L8", { onefileId: 510, onefileCentreId: CENTRE }),
    picsLearner("L9", { firstName: "Nina", surname: "Nine" }),
    picsLearner("L10"),
  ],
});

const reconcile = (centreId?: number) => Effect.flatMap(Reconciliation, (r) => r.run({ centreId }));

describe("reconciliation (REC-1)", () => {
  it("REC-1: proposes pairs by MIS reference, ULN and email + name with their confidence, lists conflicts with their candidates, the unmatched of both sides, and officers and organisations with their candidates; writes nothing", async () => {
    world = await openWorld({ seed: seed(), pics: pics(), settings: { multipleCentres: "on" } });
    const before = await world.onefileText();
    const picsBefore = await world.picsDump();
    await world.admin("/calls/clear", {});

    const { run, report } = await world.run(reconcile(CENTRE));
    expect(run).toMatchObject({ kind: "reconciliation", status: "succeeded", progress: { total: 1, done: 1, failed: 0 } });
    expect(report!.proposals).toEqual([
      { learnerId: "L1", onefileId: 501, centreId: CENTRE, matchedBy: ["misId"], confidence: "exact" },
      { learnerId: "L2", onefileId: 502, centreId: CENTRE, matchedBy: ["uln"], confidence: "probable" },
      { learnerId: "L3", onefileId: 503, centreId: CENTRE, matchedBy: ["emailName"], confidence: "probable" },
      { learnerId: "L4", onefileId: 504, centreId: CENTRE, matchedBy: ["uln", "emailName"], confidence: "exact" },
    ]);
    expect(report!.conflicts.map(({ reason: _r, ...c }) => c)).toEqual([
      { learnerId: "L5", onefileIds: [505, 506] },
      { onefileIds: [507], learnerIds: ["L6", "L7"] },
    ]);
    expect(report!.conflicts[0]!.reason).toBe('learner "L5" matches 2 OneFile learners: 505 (ULN), 506 (email and name)');
    // L10's OneFile learner is in the other centre: not in this centre's reconciliation.
    expect(report!.unmatchedPics).toEqual(["L10", "L9"]);
    expect(report!.unmatchedOneFile).toEqual([
      { onefileId: 508, centreId: CENTRE, name: "Nob Ody", archived: false },
      { onefileId: 509, centreId: CENTRE, name: "Old Timer", archived: true },
      { onefileId: 512, centreId: CENTRE, name: "Not Nine", archived: false },
    ]);
    expect(report!.officers).toEqual([
      { officerId: "O1", ident: "OFF-A", centreId: CENTRE, candidates: [130] },
      { officerId: "O2", ident: "OFF-B", centreId: CENTRE, candidates: [] },
      { officerId: "O3", ident: "OFF-C", centreId: CENTRE, candidates: [131, 132] },
    ]);
    expect(report!.organisations).toEqual([
      { organisationId: "G1", ident: "ORG-A", centreId: CENTRE, candidates: [140] },
      { organisationId: "G2", ident: "ORG-B", centreId: CENTRE, candidates: [] },
    ]);

    // Nothing written on either side; only listings read.
    const calls = await world.calls();
    expect(writeCalls(calls)).toEqual([]);
    expect(await world.onefileText()).toBe(before);
    expect(await world.picsDump()).toBe(picsBefore);
    // Read back later, the same findings (stored with the run).
    const again = await world.run(Effect.flatMap(Reconciliation, (r) => r.get(run.id)));
    expect(again.report).toEqual(report);
  });

  it("REC-1: over all centres, a OneFile learner in any centre of the customer is a candidate", async () => {
    world = await openWorld({ seed: seed(), pics: pics(), settings: { multipleCentres: "on" } });
    const { run, report } = await world.run(reconcile());
    expect(run.progress).toEqual({ total: 2, done: 2, failed: 0 });
    expect(report!.centres).toEqual([CENTRE, OTHER_CENTRE]);
    expect(report!.proposals.find((p) => p.learnerId === "L10")).toEqual({
      learnerId: "L10",
      onefileId: 611,
      centreId: OTHER_CENTRE,
      matchedBy: ["misId"],
      confidence: "exact",
    });
    expect(report!.unmatchedPics).toEqual(["L9"]);
    // Officers and organisations are listed per centre.
    expect(report!.officers.filter((o) => o.centreId === OTHER_CENTRE).map((o) => o.officerId)).toEqual(["O1", "O2", "O3"]);
  });

  it("REC-1: an unknown centre is refused before any run is opened", async () => {
    world = await openWorld({ seed: seed(), pics: pics() });
    const refused = await world.either(reconcile(999));
    expect(!refused.ok && refused.error).toMatchObject({ _tag: "InvalidRequest", field: "centreId" });
    const runs = await world.run(Effect.flatMap(RunLog, (l) => l.list({ kind: "reconciliation" })));
    expect(runs.items).toEqual([]);
  });

  it("REC-1: reading a centre of 20,000 OneFile learners costs one call per 100 learners, not one per learner", async () => {
    const many = Array.from({ length: 20_000 }, (_, i) =>
      onefileLearner({ ID: 10_000 + i, MISID: `X${i}`, ULN: String(3_000_000_000 + i), Email: `x${i}@onefile.test` }),
    );
    world = await openWorld({
      seed: baseSeed({ users: many }),
      pics: { learners: [picsLearner("X7"), picsLearner("X19999"), picsLearner("NOPE")] },
    });
    await world.admin("/calls/clear", {});
    const { report } = await world.run(reconcile(CENTRE));
    expect(report!.proposals.map((p) => [p.learnerId, p.onefileId])).toEqual([
      ["X19999", 29_999],
      ["X7", 10_007],
    ]);
    expect(report!.unmatchedOneFile).toHaveLength(19_998);
    const counters = await world.admin("/counters");
    const learnerPages = counters.byEndpoint["POST User/Search"];
    // 200 full pages and the empty one that ends the listing; a handful of other calls.
    expect(learnerPages).toBe(201);
    expect(counters.total).toBeLessThanOrEqual(201 + 5);
  }, 120_000);
});

describe("matching rules (REC-1)", () => {
  const user = (fields: Partial<User>): User =>
    ({ ID: 1, MISID: null, ULN: null, Email: null, FirstName: null, LastName: null, ...fields }) as User;
  const learner = (fields: Partial<LearnerKeys>): LearnerKeys => ({
    id: "L1",
    firstName: "Lee",
    surname: "Learner",
    email: null,
    uln: null,
    onefileId: null,
    onefileCentreId: null,
    ...fields,
  });

  it("REC-1: keys compare trimmed and case-insensitively; blanks never match; email needs the same name", () => {
    expect(matchKeys(learner({}), user({ MISID: " l1 " }))).toEqual(["misId"]);
    expect(matchKeys(learner({ uln: "" }), user({ ULN: "" }))).toEqual([]);
    expect(matchKeys(learner({ email: "A@B.test" }), user({ Email: "a@b.test", FirstName: "LEE", LastName: "learner" }))).toEqual(
      ["emailName"],
    );
    expect(matchKeys(learner({ email: "a@b.test" }), user({ Email: "a@b.test", FirstName: "Lee", LastName: "Other" }))).toEqual(
      [],
    );
  });

  it("REC-1: every record of either side is in exactly one of proposals, conflicts or unmatched", () => {
    const pics = [
      learner({ id: "A", uln: "1" }),
      learner({ id: "B", uln: "2" }),
      learner({ id: "C", uln: "2" }),
      learner({ id: "D" }),
    ];
    const onefile = [user({ ID: 1, ULN: "1" }), user({ ID: 2, ULN: "2" }), user({ ID: 3, MISID: "B" }), user({ ID: 4 })].map(
      (u) => ({ user: u, centreId: 100 }),
    );
    const found = reconcileLearners(pics, onefile);
    expect(found.proposals.map((p) => [p.learnerId, p.onefileId, p.confidence])).toEqual([["A", 1, "probable"]]);
    // B matches 2 (ULN) and 3 (MIS reference): a conflict on B's side; 2 is also C's: a conflict on 2's side.
    expect(found.conflicts.map(({ reason: _r, ...c }) => c)).toEqual([
      { learnerId: "B", onefileIds: [2, 3] },
      { onefileIds: [2], learnerIds: ["B", "C"] },
    ]);
    expect(found.unmatchedPics).toEqual(["D"]);
    expect(found.unmatchedOneFile.map((u) => u.onefileId)).toEqual([4]);
  });
});

describe("applying a reconciliation (REC-2)", () => {
  it("REC-2: applying links every exact proposal as ENR-10 with zero OneFile writes, journals each link, and a following refresh exchanges their data", async () => {
    world = await openWorld({ seed: seed(), pics: pics() });
    const { run: proposedIn } = await world.run(reconcile(CENTRE));
    const before = await world.onefileText();
    await world.admin("/calls/clear", {});

    const applied = await world.run(Effect.flatMap(Reconciliation, (r) => r.apply(proposedIn.id)));
    expect(applied.results).toEqual([
      { learnerId: "L1", onefileId: 501, outcome: "linked" },
      { learnerId: "L4", onefileId: 504, outcome: "linked" },
    ]);
    expect(applied.run).toMatchObject({
      kind: "reconciliation",
      status: "succeeded",
      progress: { total: 2, done: 2, failed: 0 },
    });
    expect(writeCalls(await world.calls())).toEqual([]);
    expect(await world.onefileText()).toBe(before);

    const learners = await world.run(Effect.flatMap(PicsRecords, (r) => r.getLearners(["L1", "L2", "L4"])));
    expect(learners.map((l) => [l.id, l.onefileId, l.onefileCentreId])).toEqual([
      ["L1", 501, CENTRE],
      ["L2", null, null], // probable: not applied by default
      ["L4", 504, CENTRE],
    ]);
    expect(learners[0]!.qualifications[0]).toMatchObject({ onefileLearningAimId: 701, onefileStandardId: 120 });
    const journal = await world.run(Effect.flatMap(RunLog, (l) => l.changes(applied.run.id)));
    expect(journal.map((j) => [j.learnerId, j.entity, j.field, j.after])).toEqual([
      ["L1", "qualification", "onefileLearningAimId", 701],
      ["L1", "learner", "onefileId", 501],
      ["L4", "learner", "onefileId", 504],
    ]);

    // Linked, L1 is now exchanged like an enrolled learner: its progression comes from OneFile.
    const refreshed = await world.run(Effect.flatMap(Exchange, (e) => e.refresh("L1")));
    expect(refreshed.run.status).toBe("succeeded");
    expect(refreshed.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ entity: "qualification", entityId: "Q1", field: "totalElements", after: 40 }),
        expect.objectContaining({ entity: "qualification", entityId: "Q1", field: "elementsDone", after: 10 }),
      ]),
    );
  });

  it("REC-2: chosen pairs only; a pair whose OneFile learner was linked meanwhile is refused, one never proposed is refused, the others are linked", async () => {
    world = await openWorld({ seed: seed(), pics: pics() });
    const { run: proposedIn } = await world.run(reconcile(CENTRE));
    // Meanwhile 502 is linked to L9 by hand.
    await world.run(Effect.flatMap(PicsRecords, (r) => r.patch({ entity: "learner", id: "L9" }, { onefileId: 502 })));

    const applied = await world.run(
      Effect.flatMap(Reconciliation, (r) => r.apply(proposedIn.id, { learnerIds: ["L2", "L3", "L5"] })),
    );
    expect(applied.results).toEqual([
      {
        learnerId: "L2",
        onefileId: 502,
        outcome: "refused",
        reason: 'OneFile learner 502 is already linked to PICS learner "L9"',
      },
      { learnerId: "L3", onefileId: 503, outcome: "linked" },
      {
        learnerId: "L5",
        onefileId: null,
        outcome: "refused",
        reason: `learner "L5" is not one of the pairs reconciliation "${proposedIn.id}" proposed`,
      },
    ]);
    expect(applied.run).toMatchObject({ status: "partially_succeeded", progress: { total: 3, done: 3, failed: 2 } });
    expect(applied.run.errors.map((e) => [e.learnerId, e.code])).toEqual([
      ["L2", "OneFileLearnerAlreadyLinked"],
      ["L5", "not_proposed"],
    ]);
    const l2 = await world.run(Effect.flatMap(PicsRecords, (r) => r.getLearner("L2")));
    expect(l2.onefileId).toBeNull();
  });

  it("REC-2: a pair whose PICS learner was linked meanwhile, or whose keys no longer match, is refused", async () => {
    world = await openWorld({ seed: seed(), pics: pics() });
    const { run: proposedIn } = await world.run(reconcile(CENTRE));
    await world.run(Effect.flatMap(PicsRecords, (r) => r.patch({ entity: "learner", id: "L1" }, { onefileId: 508 })));
    await world.admin("/users/504", { ULN: "4999999999" });

    const applied = await world.run(Effect.flatMap(Reconciliation, (r) => r.apply(proposedIn.id)));
    expect(applied.results).toEqual([
      { learnerId: "L1", onefileId: 501, outcome: "refused", reason: 'learner "L1" is already linked to OneFile learner 508' },
      {
        learnerId: "L4",
        onefileId: 504,
        outcome: "refused",
        reason:
          'learner "L4" and OneFile learner 504 changed since the proposal: matched by ULN + email and name when proposed, by email and name now',
      },
    ]);
    const l4 = await world.run(Effect.flatMap(PicsRecords, (r) => r.getLearner("L4")));
    expect(l4.onefileId).toBeNull();
  });

  it("REC-2, JRN-3: a dry apply journals the planned links and stores nothing", async () => {
    world = await openWorld({ seed: seed(), pics: pics() });
    const { run: proposedIn } = await world.run(reconcile(CENTRE));
    const picsBefore = await world.picsDump();
    const applied = await world.run(Effect.flatMap(Reconciliation, (r) => r.apply(proposedIn.id, { dryRun: true })));
    expect(applied.run).toMatchObject({ dryRun: true, status: "succeeded" });
    expect(applied.results.map((r) => r.outcome)).toEqual(["linked", "linked"]);
    expect(await world.picsDump()).toBe(picsBefore);
    const journal = await world.run(Effect.flatMap(RunLog, (l) => l.changes(applied.run.id)));
    expect(journal.map((j) => [j.learnerId, j.field, j.after])).toEqual([
      ["L1", "onefileLearningAimId", 701],
      ["L1", "onefileId", 501],
      ["L4", "onefileId", 504],
    ]);
  });
});
