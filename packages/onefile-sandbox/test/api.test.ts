import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningSandbox } from "../src/index.ts";
import { admin, authenticate, client, start, testSeed } from "./helpers.ts";

let sandbox: RunningSandbox;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  sandbox = await start();
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await admin(sandbox, "POST", "/seed", testSeed());
  call = client(sandbox, await authenticate(sandbox));
});

describe("session", () => {
  it("answers the session token as a JSON-encoded string, 401 on a bad or absent customer token", async () => {
    const ok = await fetch(`${sandbox.baseUrl}Authentication`, { method: "POST", headers: { "X-CustomerToken": "token-a" } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/^"[^"]+"$/);
    expect(
      (await fetch(`${sandbox.baseUrl}Authentication`, { method: "POST", headers: { "X-CustomerToken": "nope" } })).status,
    ).toBe(401);
    expect((await fetch(`${sandbox.baseUrl}Authentication`, { method: "POST" })).status).toBe(401);
  });

  it("needs X-TokenID on every other call", async () => {
    expect((await client(sandbox, "unknown")("GET", "Customer")).status).toBe(401);
    expect((await fetch(`${sandbox.baseUrl}Customer`)).status).toBe(401);
    expect((await call("GET", "Customer")).json).toEqual({ ID: 1, Name: "Alpha Training" });
  });

  it("refuses sessions after sessions/expire and after the configured lifetime", async () => {
    await admin(sandbox, "POST", "/sessions/expire");
    expect((await call("GET", "Customer")).status).toBe(401);

    // On a sandbox whose clock the test moves, so a loaded machine's delays cannot end the session early.
    let now = Date.UTC(2026, 0, 5, 9, 0, 0);
    const timed = await start({ clock: () => now, config: { sessionLifetimeMs: 50 } });
    try {
      const short = client(timed, await authenticate(timed));
      now += 49;
      expect((await short("GET", "Customer")).status).toBe(200);
      now += 1;
      expect((await short("GET", "Customer")).status).toBe(401);
    } finally {
      await timed.close();
    }
  });
});

describe("conventions", () => {
  it("matches paths and field names case-insensitively, with or without a trailing slash", async () => {
    const a = await call("POST", "user/search", { misid: "l1", role: 1 });
    const b = await call("POST", "User/Search/", { MISID: "L1", Role: 1 });
    const c = await fetch(`${sandbox.url}/API/V2.1/USER/SEARCH`, {
      method: "POST",
      headers: { "x-tokenid": await authenticate(sandbox) },
      body: JSON.stringify({ MisId: "L1" }),
    });
    expect(a.status).toBe(200);
    expect(a.json).toEqual(b.json);
    expect(c.status).toBe(200);
  });

  it("searches: exact, ANDed, ascending by ID, archived users included, unpaged rows are summaries", async () => {
    const found = await call("POST", "User/Search", { MISID: "L1" });
    expect(found.json).toEqual([
      { ID: 51, FirstName: "Lee", LastName: "Learner", MISID: "L1", Role: 1, OrganisationID: 10 },
      { ID: 52, FirstName: "Old", LastName: "Learner", MISID: "L1", Role: 1, OrganisationID: 10 },
    ]);
    expect((await call("POST", "User/Search", { MISID: "L", Role: 1 })).status).toBe(204);
    expect((await call("POST", "User/Search", { MISID: "L1", FirstName: "lee" })).json).toHaveLength(1);
  });

  it("answers 204 with an empty body when nothing matches", async () => {
    const none = await call("POST", "User/Search", { Email: "nobody@example.org" });
    expect(none.status).toBe(204);
    expect(none.text).toBe("");
  });

  it("pages with /{page}/{size}: full users, stop at a short page or 204; bad paging is 400 −2", async () => {
    const page1 = await call("POST", "User/Search/1/2", { OrganisationID: 10 });
    const page2 = await call("POST", "User/Search/2/2", { OrganisationID: 10 });
    const page3 = await call("POST", "User/Search/3/2", { OrganisationID: 10 });
    expect((page1.json as { ID: number }[]).map((u) => u.ID)).toEqual([50, 51]);
    expect((page2.json as { ID: number }[]).map((u) => u.ID)).toEqual([52, 53]);
    expect(page3.status).toBe(204);
    expect((page1.json as Record<string, unknown>[])[1]).toMatchObject({
      ULN: "1234567890",
      DOB: "2001-02-03T00:00:00.000Z",
      PlacementID: 30,
      Telephone: null,
    });
    for (const bad of ["0/10", "1/101", "x/2", "1/0"]) {
      const answer = await call("POST", `User/Search/${bad}`, {});
      expect(answer.status).toBe(400);
      expect((answer.json as { code: number }).code).toBe(-2);
    }
  });

  it("a listing page asked again after a change shows the change (listings are kept only while nothing changes)", async () => {
    const ids = async (path: string, body: object) =>
      (((await call("POST", path, body)).json ?? []) as { ID: number }[]).map((r) => r.ID);
    expect(await ids("Review/Search/1/10", { OrganisationID: 10 })).toEqual([70]);
    expect(await ids("LearningAim/Search", { UserID: 51 })).toEqual([60]);
    const review = await call("POST", "Review", { LearnerID: 51, AssessorID: 50, ScheduledFor: "2025-06-01T09:00:00Z" });
    const aim = await call("POST", "Standard/40/Assign/51", {});
    expect(await ids("Review/Search/1/10", { OrganisationID: 10 })).toEqual([70, Number(review.text)]);
    expect(await ids("Review/Search", { OrganisationID: 10, LearnerID: 51 })).toEqual([70, Number(review.text)]);
    expect(await ids("LearningAim/Search", { UserID: 51 })).toEqual([60, Number(aim.text)]);
    // the same search with other filters is another search, and another customer's learner has none
    expect(await ids("Review/Search/1/10", { OrganisationID: 10, DateFrom: "2025-05-01" })).toEqual([Number(review.text)]);
    expect((await call("POST", "LearningAim/Search", { UserID: 101 })).status).toBe(204);
    const before = await ids("User/Search/1/10", { OrganisationID: 10 });
    await admin(sandbox, "POST", "/seed", testSeed());
    expect(await ids("Review/Search/1/10", { OrganisationID: 10 })).toEqual([70]);
    expect(await ids("User/Search/1/10", { OrganisationID: 10 })).toEqual(before);
  });

  it("filters LastModified (≥) and Review dates (inclusive, a date-only DateTo covers its day)", async () => {
    expect((await call("POST", "User/Search", { LastModified: "2999-01-01" })).status).toBe(204);
    expect((await call("POST", "User/Search", { LastModified: "2000-01-01T00:00:00" })).json).toHaveLength(4);
    const on = await call("POST", "Review/Search", { OrganisationID: 10, DateFrom: "2025-03-10", DateTo: "2025-03-10" });
    expect((on.json as { ID: number }[]).map((r) => r.ID)).toEqual([70]);
    expect((await call("POST", "Review/Search", { OrganisationID: 10, DateFrom: "2025-03-10T10:00:01Z" })).status).toBe(204);
  });
});

describe("creates and updates", () => {
  it("creates a learner: 200 with the full user, dates in OneFile's form", async () => {
    const created = await call("POST", "User", {
      organisationID: 10,
      firstName: "New",
      lastName: "Learner",
      email: "new@example.org",
      role: 1,
      defaultAssessorID: 50,
      classroomID: 20,
      placementID: 30,
      MISID: "L1",
      StartOn: "2025-01-06T00:00:00",
    });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      ID: 1000,
      FirstName: "New",
      MISID: "L1",
      StartOn: "2025-01-06T00:00:00.000Z",
      Archived: false,
      NINO: null,
    });
    // duplicate MISIDs are allowed
    expect((await call("POST", "User/Search", { MISID: "L1" })).json).toHaveLength(3);
  });

  it("answers the new id as a bare integer for Visit, Review, Placement, Classroom and Standard/Assign", async () => {
    const bare = /^\d+$/;
    const placement = await call("POST", "Placement", { OrganisationID: 10, Name: "New Employer", MISID: "EMP9" });
    const classroom = await call("POST", "Classroom", { OrganisationID: 10, Name: "Cohort B" });
    const visit = await call("POST", "Visit", {
      LearnerID: 51,
      OrganisationID: 10,
      AssessorID: 50,
      DateFrom: "2025-06-01T09:00:00Z",
      DateTo: "2025-06-01T10:00:00Z",
      VisitTypeID: 3,
      SMSReminder: false,
    });
    const review = await call("POST", "Review", {
      LearnerID: 51,
      AssessorID: 50,
      Status: 1,
      ScheduledFor: "2025-06-01T09:00:00Z",
      EndTime: "2025-06-01T10:00:00Z",
      VisitID: visit.json,
    });
    const aim = await call("POST", "Standard/41/Assign/51", { PathwayID: 43 });
    for (const answer of [placement, classroom, visit, review, aim]) {
      expect(answer.status).toBe(200);
      expect(answer.text).toMatch(bare);
    }
    expect((await call("GET", `LearningAim/${aim.text}`)).json).toMatchObject({
      UserID: 51,
      StandardID: 41,
      PathwayID: 43,
      Progress: 0,
    });
    expect((await call("GET", `Review/${review.text}`)).json).toMatchObject({ VisitID: Number(visit.text), StartedOn: null });
    // a single pathway is taken without being named
    expect((await call("GET", `LearningAim/${(await call("POST", "Standard/44/Assign/51", {})).text}`)).json).toMatchObject({
      PathwayID: 45,
    });
  });

  it("updates partially (204): only the fields sent change, LastModified moves", async () => {
    const before = (await call("GET", "User/51")).json as Record<string, unknown>;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const update = await call("POST", "User/51", { lastname: "Renamed", Telephone: "0113" });
    expect(update.status).toBe(204);
    const after = (await call("GET", "User/51")).json as Record<string, unknown>;
    expect(after).toEqual({ ...before, LastName: "Renamed", Telephone: "0113", LastModified: after.LastModified });
    expect(after.LastModified! > before.LastModified!).toBe(true);

    expect((await call("POST", "Placement/30", { Telephone: "0200" })).status).toBe(204);
    expect((await call("GET", "Placement/30")).json).toMatchObject({ Name: "Acme Ltd", Telephone: "0200" });

    expect(
      (await call("POST", "LearningAim/60", { RegistrationNumber: "R1", RegistrationDate: "2025-01-02", TotalElements: 99 }))
        .status,
    ).toBe(204);
    expect((await call("GET", "LearningAim/60")).json).toMatchObject({
      RegistrationNumber: "R1",
      RegistrationDate: "2025-01-02T00:00:00.000Z",
      TotalElements: 10,
      ElementsDone: 3,
      Progress: 30,
    });
  });

  it("assigns assessors: Level 1, and Level 3 with a StandardID", async () => {
    expect((await call("POST", "User/50/Assign", { LearnerID: 51, Level: 1 })).status).toBe(204);
    expect((await call("POST", "User/50/Assign", { LearnerID: 51, Level: 3, StandardID: 40 })).status).toBe(204);
    expect(sandbox.state.assignments).toEqual([
      { AssigneeID: 50, LearnerID: 51, Level: 1, StandardID: null },
      { AssigneeID: 50, LearnerID: 51, Level: 3, StandardID: 40 },
    ]);
  });

  it("lists centres, classrooms, placements, standards and learning aims", async () => {
    expect((await call("POST", "Organisation/Search", { CustomerID: 1 })).json).toEqual([
      { ID: 10, Name: "Centre One" },
      { ID: 11, Name: "Centre Two" },
    ]);
    expect((await call("POST", "Classroom/Search", { OrganisationID: 10, Name: "cohort a" })).json).toEqual([
      { ID: 20, OrganisationID: 10, Name: "Cohort A", MISID: null },
    ]);
    expect((await call("POST", "Placement/Search", { OrganisationID: 10, MISID: "emp001" })).json).toMatchObject([
      { ID: 30, Address: "1 High Street\nLeeds\nLS1 1AA", Active: true },
    ]);
    expect((await call("POST", "Standard/Search", { OrganisationID: 10 })).json).toMatchObject([
      { ID: 40 },
      {
        ID: 41,
        Pathways: [
          { ID: 42, Title: "Hair Services" },
          { ID: 43, Title: "Barbering" },
        ],
      },
    ]);
    expect((await call("POST", "LearningAim/Search", { UserID: 51 })).json).toMatchObject([
      { ID: 60, Progress: 30, TotalElements: 10, ElementsDone: 3 },
    ]);
    expect((await call("POST", "LearningAim/Search/1/1", { UserID: 51 })).json).toHaveLength(1);
  });
});

describe("errors", () => {
  const cases: [string, string, unknown, number][] = [
    ["malformed JSON", "User", "{not json", -2],
    ["a JSON array body", "User", "[1,2]", -2],
    ["learner missing required fields", "User", { Role: 1, OrganisationID: 10, FirstName: "A", LastName: "B", Email: "a@b" }, -1],
    ["other role missing Email", "User", { Role: 5, OrganisationID: 10, FirstName: "A", LastName: "B" }, -1],
    ["wrong type", "User", { Role: "5", OrganisationID: 10, FirstName: "A", LastName: "B", Email: "a@b" }, -2],
    ["unknown role", "User", { Role: 7, OrganisationID: 10, FirstName: "A", LastName: "B", Email: "a@b" }, -2],
    ["bad date", "User", { Role: 5, OrganisationID: 10, FirstName: "A", LastName: "B", Email: "a@b", DOB: "2001-02-30" }, -2],
    [
      "assessor not an assessor",
      "User",
      {
        Role: 1,
        OrganisationID: 10,
        FirstName: "A",
        LastName: "B",
        Email: "a@b",
        DefaultAssessorID: 53,
        ClassroomID: 20,
        PlacementID: 30,
      },
      -3,
    ],
    [
      "assessor of another customer",
      "User",
      {
        Role: 1,
        OrganisationID: 10,
        FirstName: "A",
        LastName: "B",
        Email: "a@b",
        DefaultAssessorID: 101,
        ClassroomID: 20,
        PlacementID: 30,
      },
      -3,
    ],
    ["organisation not found", "User", { Role: 5, OrganisationID: 999, FirstName: "A", LastName: "B", Email: "a@b" }, -11],
    [
      "placement not found",
      "User",
      {
        Role: 1,
        OrganisationID: 10,
        FirstName: "A",
        LastName: "B",
        Email: "a@b",
        DefaultAssessorID: 50,
        ClassroomID: 20,
        PlacementID: 102,
      },
      -57,
    ],
    [
      "classroom not found",
      "User",
      {
        Role: 1,
        OrganisationID: 10,
        FirstName: "A",
        LastName: "B",
        Email: "a@b",
        DefaultAssessorID: 50,
        ClassroomID: 21,
        PlacementID: 30,
      },
      -58,
    ],
    ["blanking a required field", "User/51", { FirstName: "" }, -1],
    [
      "visit for a non-learner",
      "Visit",
      { LearnerID: 50, OrganisationID: 10, AssessorID: 50, DateFrom: "2025-01-01", DateTo: "2025-01-01", VisitTypeID: 1 },
      -4,
    ],
    ["review without ScheduledFor", "Review", { LearnerID: 51, AssessorID: 50 }, -1],
    ["review with a learner as assessor", "Review", { LearnerID: 51, AssessorID: 51, ScheduledFor: "2025-01-01" }, -3],
    ["level 3 without StandardID", "User/50/Assign", { LearnerID: 51, Level: 3 }, -1],
    ["level 3 with an unknown standard", "User/50/Assign", { LearnerID: 51, Level: 3, StandardID: 999 }, -5],
    ["assign a non-learner", "User/50/Assign", { LearnerID: 53, Level: 1 }, -4],
    ["pathway required", "Standard/41/Assign/51", {}, -60],
    ["pathway unknown", "Standard/41/Assign/51", { PathwayID: 45 }, -60],
    ["assign a standard to a non-learner", "Standard/40/Assign/50", {}, -4],
    ["placement create without a name", "Placement", { OrganisationID: 10 }, -1],
    ["classroom search without a centre", "Classroom/Search", {}, -1],
    ["review search in another customer's centre", "Review/Search", { OrganisationID: 100 }, -11],
  ];
  it.each(cases)("%s → 400 with its code and a message", async (_name, path, body, code) => {
    const answer = await call("POST", path, body);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code, message: expect.any(String) });
  });

  it("names the missing fields in the message", async () => {
    const answer = await call("POST", "User", { Role: 1 });
    expect((answer.json as { message: string }).message).toContain("DefaultAssessorID");
  });

  it("404 for an unknown id or endpoint, 403 for another customer's record", async () => {
    expect((await call("GET", "User/9999")).status).toBe(404);
    expect((await call("GET", "Nothing/Here")).status).toBe(404);
    expect((await call("POST", "Standard/9999/Assign/51", {})).status).toBe(404);
    expect((await call("GET", "User/101")).status).toBe(403);
    expect((await call("POST", "Placement/102", { Name: "x" })).status).toBe(403);
    expect((await call("POST", "Organisation/Search", { CustomerID: 2 })).status).toBe(403);
  });

  it("never answered a 500 for any of that input", async () => {
    const counters = (await admin(sandbox, "GET", "/counters")).json as {
      unexpectedErrors: number;
      byStatus: Record<string, number>;
    };
    expect(counters.unexpectedErrors).toBe(0);
    expect(counters.byStatus["500"]).toBeUndefined();
  });
});
