import { describe, expect, it } from "@effect/vitest";
import { Effect, Either, Layer } from "effect";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  refusedWaitMs,
  CallBudgets,
  Intents,
  Database,
  defaultSettings,
  Leases,
  PicsRecords,
  RunLog,
  SettingsStore,
  StandardsCache,
} from "../src/index.ts";
import { learner, officer, organisation, tempDatabaseUrl, testStore } from "./support.ts";

const baseDocument = () => ({
  officers: [officer("O1", { phone: "0161 000 0000", birthDate: "1980-02-29", onefileId: 501 }), officer("O2")],
  organisations: [organisation("G1", { address1: "1 High St", postcode: "M1 1AA", website: "https://g1.test", onefileId: 900 })],
  learners: [
    learner("L1", {
      uln: "1234567890",
      birthDate: "2004-05-06",
      learningStatus: "Completed",
      actualEndDate: "2026-11-01",
      officers: [
        { officerId: "O1", type: "Assessor" },
        { officerId: "O2", type: "IQA" },
      ],
      qualifications: [
        {
          id: "Q1",
          vqReference: "ST0795",
          title: "Data Technician",
          assessorId: "O2",
          startDate: "2026-01-05",
          plannedEndDate: "2027-06-30",
          hasUnits: true,
          totalElements: 40,
          elementsDone: 12,
          registrationNumber: "REG-1",
          registrationDate: "2026-02-01",
          certificateAppliedDate: null,
          certificateReceivedDate: null,
          onefileStandardId: 77,
          onefileLearningAimId: 7001,
        },
      ],
      reviews: [
        { id: "R1", type: "Normal", scheduledDate: "2026-07-01", startTime: "10:00", officerId: "O1" },
        {
          id: "R2",
          type: "Other",
          attended: "Yes",
          actualDate: "2026-03-01",
          traineeSignedDate: "2026-03-02",
          onefileSystemId: 42,
        },
      ],
    }),
  ],
});

describe("PicsRecords", () => {
  it.effect("round-trips every record through libSQL", () =>
    Effect.gen(function* () {
      const records = yield* PicsRecords;
      const counts = yield* records.importDocument(baseDocument());
      expect(counts).toEqual({ officers: 2, organisations: 1, learners: 1, placements: 1, qualifications: 1, reviews: 2 });

      const o1 = yield* records.getOfficer("O1");
      expect(o1).toEqual({
        id: "O1",
        ident: "I-O1",
        firstName: "Olive",
        surname: "Officer O1",
        email: "o1@provider.test",
        phone: "0161 000 0000",
        mobile: null,
        birthDate: "1980-02-29",
        onefileId: 501,
        onefileLinks: [],
      });
      const g1 = yield* records.getOrganisation("G1");
      expect(g1).toMatchObject({
        id: "G1",
        address1: "1 High St",
        postcode: "M1 1AA",
        website: "https://g1.test",
        onefileId: 900,
        address2: null,
      });

      const l1 = yield* records.getLearner("L1");
      expect(l1).toMatchObject({
        id: "L1",
        uln: "1234567890",
        systemStatus: "Live",
        learningStatus: "Completed",
        actualEndDate: "2026-11-01",
        officers: [
          { officerId: "O1", type: "Assessor" },
          { officerId: "O2", type: "IQA" },
        ],
        placements: [{ id: "P1", organisationId: "G1", type: "P", startDate: "2026-01-05", endDate: null }],
      });
      expect(l1.qualifications).toEqual([baseDocument().learners[0]!.qualifications[0]]);
      expect(l1.reviews).toEqual([
        {
          id: "R1",
          type: "Normal",
          scheduledDate: "2026-07-01",
          startTime: "10:00",
          officerId: "O1",
          attended: null,
          actualDate: null,
          traineeSignedDate: null,
          onefileSystemId: null,
          onefileVisitId: null,
        },
        {
          id: "R2",
          type: "Other",
          scheduledDate: null,
          startTime: null,
          officerId: null,
          attended: "Yes",
          actualDate: "2026-03-01",
          traineeSignedDate: "2026-03-02",
          onefileSystemId: 42,
          onefileVisitId: null,
        },
      ]);

      // What is read back can be written back unchanged.
      yield* records.saveLearner(l1);
      expect(yield* records.getLearner("L1")).toEqual(l1);
    }).pipe(Effect.provide(testStore())),
  );

  it.effect("an import of 100 learners with one invalid learner writes nothing and names that learner's bad fields", () =>
    Effect.gen(function* () {
      const records = yield* PicsRecords;
      const doc = baseDocument();
      const learners = Array.from({ length: 100 }, (_, i) => learner(`L${i + 1}`));
      learners[57] = learner("L58", { email: "not-an-email", birthDate: "2004-02-30", favouriteColour: "blue" });
      const result = yield* Effect.either(records.importDocument({ ...doc, learners }));

      expect(Either.isLeft(result)).toBe(true);
      const error = (result as Either.Left<any, any>).left;
      expect(error._tag).toBe("InvalidInput");
      expect(error.issues).toEqual(
        expect.arrayContaining([
          { path: "learners[57].email", message: "must be an email address", recordId: "L58" },
          { path: "learners[57].birthDate", message: "must be a date YYYY-MM-DD", recordId: "L58" },
          { path: "learners[57].favouriteColour", message: "is not a known field", recordId: "L58" },
        ]),
      );
      expect(error.issues.every((i: { recordId?: string }) => i.recordId === "L58")).toBe(true);
      expect(error.message).toContain("learners[57].email");

      const page = yield* records.listLearners();
      expect(page.items).toEqual([]);
      expect((yield* records.listOfficers()).items).toEqual([]);
    }).pipe(Effect.provide(testStore())),
  );

  it.effect("refuses a document whose references point nowhere, and writes nothing", () =>
    Effect.gen(function* () {
      const records = yield* PicsRecords;
      const result = yield* Effect.either(
        records.importDocument({
          officers: [officer("O1")],
          organisations: [],
          learners: [learner("L1", { mainOfficerId: "GHOST" })],
        }),
      );
      expect(Either.isLeft(result) && result.left._tag === "InvalidInput" && result.left.issues).toEqual([
        { path: "learners[0].mainOfficerId", message: 'refers to officer "GHOST", which does not exist', recordId: "L1" },
        {
          path: "learners[0].placements[0].organisationId",
          message: 'refers to organisation "G1", which does not exist',
          recordId: "L1",
        },
      ]);
      expect((yield* records.listOfficers()).items).toEqual([]);
    }).pipe(Effect.provide(testStore())),
  );

  it.effect("keeps OneFile links when a re-import leaves them out, and pages lists by cursor", () =>
    Effect.gen(function* () {
      const records = yield* PicsRecords;
      yield* records.importDocument(baseDocument());
      const again = baseDocument();
      again.officers[0] = officer("O1", { surname: "Renamed" });
      yield* records.importDocument(again);
      const o1 = yield* records.getOfficer("O1");
      expect(o1.surname).toBe("Renamed");
      expect(o1.onefileId).toBe(501);

      yield* records.importDocument({ officers: Array.from({ length: 5 }, (_, i) => officer(`X${i}`)) });
      const first = yield* records.listOfficers({ limit: 3 });
      expect(first.items.map((o) => o.id)).toEqual(["O1", "O2", "X0"]);
      const second = yield* records.listOfficers({ limit: 3, cursor: first.nextCursor });
      expect(second.items.map((o) => o.id)).toEqual(["X1", "X2", "X3"]);
      const third = yield* records.listOfficers({ limit: 3, cursor: second.nextCursor });
      expect(third).toEqual({ items: [expect.objectContaining({ id: "X4" })], nextCursor: null });

      yield* records.deleteLearner("L1");
      expect((yield* Effect.either(records.getLearner("L1")))._tag).toBe("Left");
      const missing = yield* Effect.either(records.deleteOfficer("nobody"));
      expect(Either.isLeft(missing) && missing.left.message).toBe('officer "nobody" does not exist');
    }).pipe(Effect.provide(testStore())),
  );
});

describe("SettingsStore", () => {
  it.effect("starts from the documented defaults, merges patches, refuses invalid ones whole", () =>
    Effect.gen(function* () {
      const settings = yield* SettingsStore;
      expect(yield* settings.get).toEqual({
        ...defaultSettings,
        notifications: { ...defaultSettings.notifications, webhookSecretSet: false, smtpUrlSet: false },
        customerTokenSet: false,
      });

      const saved = yield* settings.update({ integrationEnabled: true, uploadReviews: true, customerToken: "cust-token-123" });
      expect(saved).toMatchObject({ integrationEnabled: true, uploadReviews: true, customerTokenSet: true });
      expect(saved).not.toHaveProperty("customerToken");

      const refused = yield* Effect.either(
        settings.update({
          downloadReviews: true,
          environment: "custom",
          dailySync: { cron: "99 2 * * *", timeZone: "Mars/Olympus" },
          endedWithinDays: -1,
          colour: "red",
        }),
      );
      expect(Either.isLeft(refused)).toBe(true);
      const paths = Either.isLeft(refused) && refused.left._tag === "InvalidInput" ? refused.left.issues.map((i) => i.path) : [];
      expect(paths).toEqual(expect.arrayContaining(["dailySync.timeZone", "endedWithinDays", "colour"]));
      // Nothing half-saved: downloadReviews did not change.
      expect((yield* settings.get).downloadReviews).toBe(false);

      const custom = yield* Effect.either(settings.update({ environment: "custom" }));
      expect(Either.isLeft(custom) && custom.left._tag === "InvalidInput" && custom.left.issues).toEqual([
        { path: "baseUrl", message: "is required when environment is custom" },
      ]);
      const badCron = yield* Effect.either(settings.update({ dailySync: { cron: "61 * * * *", timeZone: "Europe/London" } }));
      expect(Either.isLeft(badCron) && badCron.left._tag === "InvalidInput" && badCron.left.issues[0]?.path).toBe(
        "dailySync.cron",
      );

      yield* settings.update({ environment: "custom", baseUrl: "http://127.0.0.1:1234/api/v2.1/" });
      // SEC-1: a token entered for one host is never sent to another.
      expect(yield* settings.customerToken).toBe(null);
      yield* settings.update({ customerToken: "cust-token-456" });
      expect(yield* settings.customerToken).toBe("cust-token-456");
      yield* settings.update({ customerToken: null });
      expect(yield* settings.customerToken).toBe(null);
      expect((yield* settings.get).customerTokenSet).toBe(false);
    }).pipe(Effect.provide(testStore())),
  );

  it.effect("the token column holds no plaintext, and a wrong key cannot read it", () => {
    const url = tempDatabaseUrl();
    const token = "SECRET-customer-token-abcdef";
    return Effect.gen(function* () {
      yield* Effect.gen(function* () {
        const settings = yield* SettingsStore;
        yield* settings.update({ customerToken: token });
        const { client } = yield* Database;
        const rows = yield* Effect.promise(() => client.execute("SELECT * FROM settings"));
        expect(JSON.stringify(rows.rows)).not.toContain(token);
        expect(String(rows.rows[0]?.customer_token_ciphertext)).toMatch(/^v1\./);
      }).pipe(Effect.provide(testStore(url)));

      const file = readFileSync(fileURLToPath(url));
      expect(file.includes(Buffer.from(token))).toBe(false);

      const other = yield* Effect.gen(function* () {
        return yield* Effect.either((yield* SettingsStore).customerToken);
      }).pipe(Effect.provide(Layer.fresh(testStoreWithKey(url, "a-different-secret-key-000"))));
      expect(Either.isLeft(other) && other.left._tag).toBe("SecretUnreadable");
    });
  });
});

import { PicsStore } from "../src/index.ts";
const testStoreWithKey = (url: string, secretKey: string) => PicsStore.layer({ url, secretKey });

describe("RunLog", () => {
  it.effect("records runs, errors, progress and journal rows; last synchronised moves only on completed daily/full runs", () =>
    Effect.gen(function* () {
      const log = yield* RunLog;
      const refresh = yield* log.start({ kind: "refresh", trigger: "http", learnerId: "L1" });
      yield* log.journal(refresh.id, [
        {
          learnerId: "L1",
          entity: "qualification",
          entityId: "Q1",
          field: "elementsDone",
          before: 3,
          after: 5,
          direction: "toPics",
          onefileId: 7001,
        },
      ]);
      yield* log.finish(refresh.id, "succeeded");
      expect(yield* log.lastSynchronisedAt).toBe(null);

      const dry = yield* log.start({ kind: "full", trigger: "http", dryRun: true });
      yield* log.finish(dry.id, "succeeded");
      expect(yield* log.lastSynchronisedAt).toBe(null);

      const daily = yield* log.start({ kind: "daily", trigger: "scheduler", total: 3 });
      expect((yield* log.running).map((r) => r.id)).toEqual([daily.id]);
      yield* log.progress(daily.id, { done: 2, failed: 1 });
      yield* log.recordError(daily.id, {
        learnerId: "L2",
        code: "OneFileUnavailable",
        reason: "OneFile answered 503 three times",
      });
      yield* log.journal(daily.id, [
        {
          learnerId: "L1",
          entity: "learner",
          entityId: "L1",
          field: "firstName",
          before: "Lee",
          after: "Leigh",
          direction: "toOneFile",
        },
        {
          learnerId: "L3",
          entity: "review",
          entityId: "R9",
          field: "actualDate",
          before: null,
          after: "2026-11-28",
          direction: "toPics",
        },
      ]);
      yield* log.finish(daily.id, "partially_succeeded", "1 learner failed");

      const read = yield* log.get(daily.id);
      expect(read).toMatchObject({
        kind: "daily",
        trigger: "scheduler",
        status: "partially_succeeded",
        progress: { total: 3, done: 2, failed: 1 },
        changes: 2,
        errors: [{ learnerId: "L2", code: "OneFileUnavailable", reason: "OneFile answered 503 three times" }],
      });
      expect(read.endedAt).not.toBeNull();
      expect(yield* log.lastSynchronisedAt).toBe(read.endedAt);
      expect((yield* log.changes(daily.id)).map((c) => [c.entity, c.field, c.before, c.after, c.direction])).toEqual([
        ["learner", "firstName", "Lee", "Leigh", "toOneFile"],
        ["review", "actualDate", null, "2026-11-28", "toPics"],
      ]);
      expect((yield* log.list()).items.map((r) => r.id)).toEqual([daily.id, dry.id, refresh.id]);
      expect((yield* log.list({ learnerId: "L1" })).items.map((r) => r.id)).toEqual([daily.id, refresh.id]);
      expect((yield* log.list({ learnerId: "L2" })).items.map((r) => r.id)).toEqual([daily.id]);
      expect((yield* log.learnerChanges("L1")).map((c) => c.field)).toEqual(["firstName", "elementsDone"]);
      expect((yield* Effect.either(log.get("run_nope")))._tag).toBe("Left");
    }).pipe(Effect.provide(testStore())),
  );
});

describe("Leases", () => {
  it.live("one owner at a time; expired leases can be taken over; hold releases on scope close", () =>
    Effect.gen(function* () {
      const leases = yield* Leases;
      expect(yield* leases.tryAcquire("learner:L1", "server", 60_000)).toBe(true);
      expect(yield* leases.tryAcquire("learner:L1", "scheduler", 60_000)).toBe(false);
      expect(yield* leases.tryAcquire("learner:L1", "server", 60_000)).toBe(true);

      expect(yield* leases.tryAcquire("daily:2026-11-29", "a", 1)).toBe(true);
      yield* Effect.sleep("5 millis");
      expect(yield* leases.tryAcquire("daily:2026-11-29", "b", 60_000)).toBe(true);

      const held = yield* Effect.either(Effect.scoped(leases.hold("learner:L1", "scheduler", 60_000)));
      expect(Either.isLeft(held) && held.left._tag === "LeaseHeld" && held.left.holder).toBe("server");

      yield* leases.release("learner:L1", "server");
      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* leases.hold("learner:L1", "scheduler", 60_000);
          expect((yield* leases.holder("learner:L1"))?.owner).toBe("scheduler");
        }),
      );
      expect(yield* leases.holder("learner:L1")).toBe(null);
    }).pipe(Effect.provide(testStore())),
  );
});

describe("CallBudgets", () => {
  it("a refusal waits for the grant that must leave the window; if it has left already, hardly at all", () => {
    expect(refusedWaitMs(10_000, 11_000, 2_000)).toBe(1_000);
    expect(refusedWaitMs(9_000, 11_000, 2_000)).toBe(1);
    // Between the refused insert and the read a grant left the window: a slot is free, not a whole window away.
    expect(refusedWaitMs(null, 11_000, 2_000)).toBe(1);
  });

  it.live("grants at most `calls` in any window and says how long to wait", () =>
    Effect.gen(function* () {
      const budgets = yield* CallBudgets;
      const budget = yield* budgets.forToken("token-a", { calls: 3, windowMs: 2_000 });
      const other = yield* budgets.forToken("token-b", { calls: 3, windowMs: 2_000 });
      // Times come from the database's clock (LIM-4); what the caller passes is ignored.
      expect([yield* budget.take(0), yield* budget.take(0), yield* budget.take(0)]).toEqual([0, 0, 0]);
      const wait = yield* budget.take(0);
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(2_000);
      expect(yield* other.take(0)).toBe(0);
      // After waiting what it said, the oldest grant has left the window (a slow machine only waits longer).
      yield* Effect.sleep(wait);
      expect(yield* budget.take(0)).toBe(0);
      const { client } = yield* Database;
      const rows = yield* Effect.promise(() => client.execute("SELECT budget_key FROM rate_limit_calls"));
      expect(JSON.stringify(rows.rows)).not.toContain("token-a");
    }).pipe(Effect.provide(testStore())),
  );
});

describe("StandardsCache", () => {
  it.effect("replaces the cache whole", () =>
    Effect.gen(function* () {
      const cache = yield* StandardsCache;
      yield* cache.replace([
        { standardId: 1, centreId: 10, title: "Data Technician [ST0795]", vqReference: "ST0795", pathways: [] },
        { standardId: 2, centreId: 10, title: "Engineer [ST0001]", vqReference: "ST0001", pathways: [{ id: 5, title: "Mech" }] },
      ]);
      yield* cache.replace([
        { standardId: 2, centreId: 10, title: "Engineer [ST0001]", vqReference: "ST0001", pathways: [{ id: 5, title: "Mech" }] },
      ]);
      const list = yield* cache.list;
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ standardId: 2, pathways: [{ id: 5, title: "Mech" }] });
    }).pipe(Effect.provide(testStore())),
  );
});

describe("PicsRecords.patch and Intents", () => {
  it.effect("patches one field of a nested record and refuses unknown fields or records", () =>
    Effect.gen(function* () {
      const records = yield* PicsRecords;
      yield* records.importDocument(baseDocument());
      yield* records.patch(
        { entity: "qualification", learnerId: "L1", id: "Q1" },
        { elementsDone: 20, registrationNumber: "REG-2" },
      );
      yield* records.patch({ entity: "learner", id: "L1" }, { onefileId: 4242, onefileCentreId: 10 });
      const l1 = yield* records.getLearner("L1");
      expect(l1.qualifications[0]).toMatchObject({ elementsDone: 20, registrationNumber: "REG-2", totalElements: 40 });
      expect(l1).toMatchObject({ onefileId: 4242, onefileCentreId: 10 });

      const missing = yield* Effect.either(records.patch({ entity: "review", learnerId: "L1", id: "R404" }, { attended: "Yes" }));
      expect(Either.isLeft(missing) && missing.left._tag).toBe("RecordNotFound");
      const unknownField = yield* Effect.either(records.patch({ entity: "officer", id: "O1" }, { shoeSize: 9 }));
      expect(Either.isLeft(unknownField) && unknownField.left.message).toContain('officer has no writable field "shoeSize"');
    }).pipe(Effect.provide(testStore())),
  );

  it.effect("records intents before a create and their outcome after", () =>
    Effect.gen(function* () {
      const intents = yield* Intents;
      expect(yield* intents.get("learner:L1")).toBe(null);
      yield* intents.sent("learner:L1", "L1", "run_1");
      expect(yield* intents.get("learner:L1")).toMatchObject({ state: "sent", learnerId: "L1", runId: "run_1", onefileId: null });
      yield* intents.done("learner:L1", 777);
      expect(yield* intents.get("learner:L1")).toMatchObject({ state: "done", onefileId: 777 });
      yield* intents.sent("visit:L1/R1", "L1", "run_2");
      yield* intents.unknown("visit:L1/R1");
      expect((yield* intents.get("visit:L1/R1"))?.state).toBe("unknown");
    }).pipe(Effect.provide(testStore())),
  );
});

describe("exchange support", () => {
  it.effect("SYNC-2 scope: linked, Live, and in learning or ended within the window", () =>
    Effect.gen(function* () {
      const records = yield* PicsRecords;
      const base = { officers: [officer("O1")], organisations: [organisation("G1")] };
      yield* records.importDocument({
        ...base,
        learners: [
          learner("A-in", { onefileId: 1 }),
          learner("B-unlinked"),
          learner("C-archived", { onefileId: 3, systemStatus: "Archived" }),
          learner("D-ended-recently", { onefileId: 4, learningStatus: "Completed", actualEndDate: "2026-11-01" }),
          learner("E-ended-long-ago", { onefileId: 5, learningStatus: "Withdrawn", actualEndDate: "2026-09-01" }),
          learner("F-break", { onefileId: 6, learningStatus: "BreakInLearning" }),
          learner("G-ended-on-the-edge", { onefileId: 7, learningStatus: "Completed", actualEndDate: "2026-10-29" }),
        ],
      });
      expect(yield* records.learnerIdsInScope("2026-11-29", 31)).toEqual(["A-in", "D-ended-recently", "G-ended-on-the-edge"]);
      expect(yield* records.learnerIdsInScope("2026-11-29", 0)).toEqual(["A-in"]);
    }).pipe(Effect.provide(testStore())),
  );

  it.effect("adds a review to a learner; closes runs whose process stopped", () =>
    Effect.gen(function* () {
      const records = yield* PicsRecords;
      yield* records.importDocument(baseDocument());
      yield* records.insertReview("L1", {
        id: "OF-77",
        type: "Normal",
        scheduledDate: "2026-12-01",
        startTime: "09:00",
        officerId: null,
        attended: "Unknown",
        actualDate: null,
        traineeSignedDate: null,
        onefileSystemId: 77,
        onefileVisitId: null,
      });
      expect((yield* records.getLearner("L1")).reviews.map((r) => r.id)).toEqual(["OF-77", "R1", "R2"]);

      const log = yield* RunLog;
      const run = yield* log.start({ kind: "daily", trigger: "scheduler" });
      const refresh = yield* log.start({ kind: "refresh", trigger: "http", learnerId: "L1" });
      expect(yield* log.closeAbandoned(60_000)).toEqual([]);
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)));
      const closed = yield* log.closeAbandoned(1);
      // Only daily and full runs: a refresh or an enrolment is closed by the request running it.
      expect(closed.map((r) => [r.id, r.status])).toEqual([[run.id, "failed"]]);
      expect((yield* log.get(refresh.id)).status).toBe("running");
      expect((yield* log.get(run.id)).message).toContain("interrupted");
    }).pipe(Effect.provide(testStore())),
  );
});

describe("one process, many fibres", () => {
  it.live("concurrent transactions and writes in one process never wait on each other's locks", () =>
    Effect.gen(function* () {
      const log = yield* RunLog;
      const records = yield* PicsRecords;
      const budget = yield* (yield* CallBudgets).forToken("t", { calls: 1_000, windowMs: 60_000 });
      const run = yield* log.start({ kind: "full", trigger: "cli" });
      // With a 50 ms busy timeout, a write queued behind this process's own open transaction
      // would fail with SQLITE_BUSY; serialised, every one succeeds.
      yield* Effect.forEach(
        Array.from({ length: 40 }, (_, i) => i),
        (i) =>
          i % 3 === 0
            ? log.journal(run.id, [
                { entity: "learner", entityId: `L${i}`, field: "x", before: null, after: i, direction: "toPics" },
              ])
            : i % 3 === 1
              ? budget.take(Date.now())
              : records.importDocument({ officers: [officer(`C${i}`)] }),
        { concurrency: "unbounded", discard: true },
      );
      expect((yield* log.changes(run.id)).length).toBe(14);
      expect((yield* records.listOfficers({ limit: 100 })).items.length).toBe(13);
    }).pipe(Effect.provide(PicsStore.layer({ url: tempDatabaseUrl(), secretKey: "x".repeat(20), busyTimeoutMs: 50 }))),
  );
});

describe("settings defaults (integration.md §1)", () => {
  it("SET-1..17: the documented defaults", () => {
    expect(defaultSettings).toEqual({
      integrationEnabled: false,
      environment: "practice",
      baseUrl: null,
      uploadReviews: false,
      downloadReviews: false,
      additionalAssessorTypes: [],
      classroomFromMainTag: false,
      visitTypeForUploadedReviews: "NotSpecified",
      visitTypeIds: { FaceToFace: 1, RemoteSession: 2, NotSpecified: 3 },
      learnerDemographicsMode: "Ignore",
      officerDemographicsMode: "Ignore",
      organisationDemographicsMode: "Ignore",
      pushMainOfficerChanges: false,
      pushEmployerChanges: false,
      multipleCentres: "auto",
      dailySync: { cron: "0 2 * * *", timeZone: "Europe/London" },
      endedWithinDays: 31,
      onefileRateLimit: { calls: 300, windowSeconds: 60 },
      // http-api.md "Notifications": no webhook, no e-mail, all three events.
      notifications: {
        webhookUrl: null,
        emailTo: [],
        emailFrom: null,
        events: ["run_failed", "run_partially_succeeded", "daily_run_missed"],
      },
    });
  });
});
