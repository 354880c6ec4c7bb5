import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { demoCustomerToken, demoSeed, generateDemoData, type RunningSandbox, type SandboxStateDocument } from "../src/index.ts";
import { admin, authenticate, client, start, testSeed } from "./helpers.ts";

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await start();
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await admin(sandbox, "POST", "/seed", testSeed());
});

describe("admin state", () => {
  it("round-trips: the state document seeds an identical state, byte for byte, and reads leave it unchanged", async () => {
    const before = (await admin(sandbox, "GET", "/state")).text;
    const call = client(sandbox, await authenticate(sandbox));
    await call("POST", "User/Search", { Role: 1 });
    await call("GET", "User/51");
    expect((await admin(sandbox, "GET", "/state")).text).toBe(before);

    await admin(sandbox, "POST", "/seed", JSON.parse(before));
    expect((await admin(sandbox, "GET", "/state")).text).toBe(before);

    await call("POST", "Classroom", { OrganisationID: 10, Name: "New" });
    expect((await admin(sandbox, "GET", "/state")).text).not.toBe(before);
  });

  it("reset empties everything; a seed without ids gets ids from 1000", async () => {
    await admin(sandbox, "POST", "/reset");
    expect((await admin(sandbox, "GET", "/state")).json).toEqual({ nextId: 1000, customers: [] });
    const seeded = await admin(sandbox, "POST", "/seed", {
      customers: [{ Name: "C", Token: "t", Organisations: [{ Name: "Only centre" }], Placements: [{ Name: "Employer" }] }],
    });
    expect(seeded.status).toBe(200);
    const state = (await admin(sandbox, "GET", "/state")).json as SandboxStateDocument;
    expect(state.customers[0]).toMatchObject({
      ID: 1000,
      Organisations: [{ ID: 1001 }],
      Placements: [{ ID: 1002, OrganisationID: 1001 }],
    });
  });

  it("refuses a bad seed whole, naming the record", async () => {
    const before = (await admin(sandbox, "GET", "/state")).text;
    const answer = await admin(sandbox, "POST", "/seed", {
      customers: [{ Name: "C", Token: "t", Users: [{ Role: 1, FirstName: "A", LastName: "B", OrganisationID: 5 }] }],
    });
    expect(answer.status).toBe(400);
    expect((answer.json as { message: string }).message).toContain("customers[0].Users[0]");
    expect((await admin(sandbox, "GET", "/state")).text).toBe(before);
  });
});

describe("what a OneFile user does", () => {
  it("records progress, started and signed reviews, demographics and archiving", async () => {
    const call = client(sandbox, await authenticate(sandbox));
    expect((await admin(sandbox, "POST", "/learning-aims/60/elements", { total: 40, done: 10 })).status).toBe(200);
    expect((await call("GET", "LearningAim/60")).json).toMatchObject({ TotalElements: 40, ElementsDone: 10, Progress: 25 });

    await admin(sandbox, "POST", "/reviews/70/started", { date: "2025-03-10T10:05:00" });
    await admin(sandbox, "POST", "/reviews/70/signed", { learner: "2025-03-11", assessor: "2025-03-10T12:00:00Z" });
    expect((await call("GET", "Review/70")).json).toMatchObject({
      StartedOn: "2025-03-10T10:05:00.000Z",
      LearnerSignedOn: "2025-03-11T00:00:00.000Z",
      AssessorSignedOn: "2025-03-10T12:00:00.000Z",
    });
    await admin(sandbox, "POST", "/reviews/70/started", { date: null });
    expect((await call("GET", "Review/70")).json).toMatchObject({ StartedOn: null });

    await admin(sandbox, "POST", "/users/51", { lastname: "Changed", NINO: "AB123456C" });
    await admin(sandbox, "POST", "/placements/30", { Web: "https://acme.example" });
    await admin(sandbox, "POST", "/users/50/archive");
    expect((await call("GET", "User/51")).json).toMatchObject({ LastName: "Changed", NINO: "AB123456C" });
    expect((await call("GET", "Placement/30")).json).toMatchObject({ Web: "https://acme.example" });
    expect((await call("POST", "User/Search", { MISID: "ASR001" })).json).toHaveLength(1);
    expect((await call("GET", "User/50")).json).toMatchObject({ Archived: true });

    expect((await admin(sandbox, "POST", "/users/9999", {})).status).toBe(404);
    expect((await admin(sandbox, "POST", "/learning-aims/60/elements", { total: 1, done: 2 })).status).toBe(400);
  });

  it("logs calls with normalised endpoints, and clears them", async () => {
    await admin(sandbox, "POST", "/calls/clear");
    const call = client(sandbox, await authenticate(sandbox));
    await call("POST", "standard/40/assign/51/", {});
    const log = (await admin(sandbox, "GET", "/calls")).json as {
      endpoint: string;
      path: string;
      status: number;
      token: string;
    }[];
    expect(log.map((c) => [c.endpoint, c.status, c.token])).toEqual([
      ["POST Authentication", 200, "token-a"],
      ["POST Standard/Assign", 200, "token-a"],
    ]);
    expect(log[1]?.path).toBe("/api/v2.1/standard/40/assign/51/");
  });

  it("merges configuration and refuses bad values", async () => {
    const config = (await admin(sandbox, "POST", "/config", { rateLimit: { calls: 10 } })).json as {
      rateLimit: { calls: number; windowMs: number };
    };
    expect(config.rateLimit).toEqual({ calls: 10, windowMs: 60_000 });
    expect((await admin(sandbox, "POST", "/config", { serverErrorRate: 2 })).status).toBe(400);
    await admin(sandbox, "POST", "/config", { rateLimit: { calls: 300 } });
  });
});

describe("generateDemoData", () => {
  const options = { learners: 40, seed: 42, centres: 2, qualificationsPerLearner: 2, reviewsPerLearner: 2 };

  it("is deterministic for a seed and differs between seeds", () => {
    expect(JSON.stringify(generateDemoData(options))).toBe(JSON.stringify(generateDemoData(options)));
    expect(JSON.stringify(generateDemoData({ ...options, seed: 43 }))).not.toBe(JSON.stringify(generateDemoData(options)));
  });

  it("gives both sides, linked, loadable, with learners to enrol and differences to sync", async () => {
    const data = generateDemoData(options);
    await admin(sandbox, "POST", "/seed", data.onefile);
    const state = (await admin(sandbox, "GET", "/state")).json as SandboxStateDocument;
    const customer = state.customers[0]!;
    const users = new Map(customer.Users.map((u) => [u.ID, u]));
    const aims = new Map(customer.LearningAims.map((a) => [a.ID, a]));

    expect(data.notEnrolled.length).toBeGreaterThan(0);
    expect(data.differences.length).toBeGreaterThan(0);
    expect(customer.Standards.some((s) => s.Pathways.length >= 2)).toBe(true);
    for (const learner of data.pics.learners) {
      expect(learner.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      for (const review of learner.reviews) expect(review.startTime).toMatch(/^\d{2}:\d{2}$/);
      if (data.notEnrolled.includes(learner.id)) {
        expect(learner.onefileId).toBeNull();
        continue;
      }
      const user = users.get(learner.onefileId!);
      expect(user).toMatchObject({ MISID: learner.id, Role: 1, OrganisationID: learner.onefileCentreId });
      for (const q of learner.qualifications.filter((x) => x.onefileLearningAimId !== null)) {
        expect(aims.get(q.onefileLearningAimId!)).toMatchObject({ UserID: user!.ID, StandardID: q.onefileStandardId });
      }
    }
    for (const officer of data.pics.officers.filter((o) => o.onefileId !== null)) {
      expect(users.get(officer.onefileId!)).toMatchObject({ MISID: officer.ident, Role: 5 });
    }
    for (const organisation of data.pics.organisations.filter((o) => o.onefileId !== null)) {
      expect(customer.Placements.find((p) => p.ID === organisation.onefileId)).toMatchObject({ MISID: organisation.ident });
    }
  });

  it("converts local review times to UTC (10:00 London in July is 09:00Z)", async () => {
    const data = generateDemoData({ learners: 30, seed: 5, today: "2025-09-30" });
    const learner = data.pics.learners.find((l) =>
      l.reviews.some((r) => r.onefileSystemId !== null && r.scheduledDate!.slice(5, 7) === "07"),
    );
    const review = learner?.reviews.find((r) => r.onefileSystemId !== null && r.scheduledDate!.slice(5, 7) === "07");
    const remote = data.onefile.customers[0]!.Reviews!.find((r) => r.ID === review?.onefileSystemId);
    const [h, m] = review!.startTime!.split(":").map(Number);
    expect(remote?.ScheduledFor).toBe(
      `${review!.scheduledDate}T${String(h! - 1).padStart(2, "0")}:${String(m).padStart(2, "0")}:00.000Z`,
    );
  });

  it("demoSeed: token sandbox-token, 2 centres, ~20 learners", () => {
    const customer = demoSeed().customers[0]!;
    expect(customer.Token).toBe(demoCustomerToken);
    expect(customer.Organisations).toHaveLength(2);
    expect(customer.Users!.filter((u) => u.Role === 1).length).toBeGreaterThanOrEqual(12);
  });
});
