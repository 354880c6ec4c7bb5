/**
 * PICS record routes over HTTP: import, CRUD of officers / organisations / learners, nested
 * placements / qualifications / reviews, cursor pages.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { picsDocument, startServer, type TestServer } from "./support.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

describe("PICS records", () => {
  it("imports a document all or nothing and answers counts", async () => {
    const bad = picsDocument();
    (bad.learners[0] as any).mainOfficerId = "NOBODY";
    const refused = await server.request("POST", "/api/v1/import", { body: bad });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toBe("invalid_input");
    expect(refused.json.details).toEqual([expect.objectContaining({ path: "learners[0].mainOfficerId", recordId: "L1" })]);
    expect((await server.request("GET", "/api/v1/officers/O1")).status).toBe(404);

    const imported = await server.request("POST", "/api/v1/import", { body: picsDocument() });
    expect(imported.status).toBe(200);
    expect(imported.json).toEqual({ officers: 2, organisations: 1, learners: 4, placements: 3, qualifications: 1, reviews: 0 });
  });

  it("creates, reads, merges and deletes officers and organisations", async () => {
    const created = await server.request("POST", "/api/v1/officers", {
      body: { id: "O7", ident: "OFF-7", firstName: "Sam", surname: "Seven" },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: "O7", email: null, onefileId: null });
    expect(
      (await server.request("POST", "/api/v1/officers", { body: { id: "O7", ident: "X", firstName: "A", surname: "B" } })).status,
    ).toBe(409);

    const patched = await server.request("PATCH", "/api/v1/officers/O7", { body: { email: "sam@provider.test" } });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ id: "O7", firstName: "Sam", email: "sam@provider.test" });
    // The merged whole is validated: blanking a required field is refused, nothing saved.
    const blanked = await server.request("PATCH", "/api/v1/officers/O7", { body: { firstName: "  ", phone: 12 } });
    expect(blanked.status).toBe(400);
    expect(blanked.json.details.map((d: any) => d.path).sort()).toEqual(["firstName", "phone"]);
    expect((await server.request("GET", "/api/v1/officers/O7")).json.firstName).toBe("Sam");
    expect((await server.request("PATCH", "/api/v1/officers/O7", { body: { id: "O8" } })).status).toBe(400);

    expect((await server.request("DELETE", "/api/v1/officers/O7")).status).toBe(204);
    expect((await server.request("GET", "/api/v1/officers/O7")).status).toBe(404);
    expect((await server.request("DELETE", "/api/v1/officers/O7")).status).toBe(404);

    // Still referred to by learners: refused with the learners named.
    const inUse = await server.request("DELETE", "/api/v1/officers/O1");
    expect(inUse.status).toBe(409);
    expect(inUse.json).toMatchObject({ error: "in_use", details: { learners: ["L1", "L3", "L4"] } });

    const org = await server.request("POST", "/api/v1/organisations", { body: { id: "G9", ident: "ORG-9", name: "Nine Ltd" } });
    expect(org.status).toBe(201);
    expect(
      (await server.request("PATCH", "/api/v1/organisations/G9", { body: { website: "https://nine.test" } })).json.website,
    ).toBe("https://nine.test");
    expect((await server.request("GET", "/api/v1/organisations/G9")).json.name).toBe("Nine Ltd");
    expect((await server.request("DELETE", "/api/v1/organisations/G1")).status).toBe(409);
    expect((await server.request("DELETE", "/api/v1/organisations/G9")).status).toBe(204);
  });

  it("lists with ?limit=&cursor= as {items, nextCursor}", async () => {
    const first = await server.request("GET", "/api/v1/learners?limit=3");
    expect(first.status).toBe(200);
    expect(first.json.items.map((l: any) => l.id)).toEqual(["L1", "L2", "L3"]);
    expect(first.json.nextCursor).toBe("L3");
    expect(first.json.items[0].placements).toHaveLength(1);
    const second = await server.request("GET", `/api/v1/learners?limit=3&cursor=${first.json.nextCursor}`);
    expect(second.json).toMatchObject({ items: [expect.objectContaining({ id: "L4" })], nextCursor: null });
    const officers = await server.request("GET", "/api/v1/officers");
    expect(officers.json.items.map((o: any) => o.id)).toEqual(["O1", "O2"]);
    expect((await server.request("GET", "/api/v1/organisations")).json.items).toHaveLength(1);
    for (const bad of ["limit=0", "limit=abc", "limit=501", "limit=1.5", "cursor=%20bad"]) {
      const answer = await server.request("GET", `/api/v1/officers?${bad}`);
      expect(answer.status, bad).toBe(400);
      expect(answer.json.error).toBe("invalid_input");
    }
  });

  it("creates a learner with nested records, refusing unknown references and OneFile review ids", async () => {
    const learner = {
      id: "L9",
      firstName: "Nia",
      surname: "Nine",
      mainOfficerId: "O2",
      placements: [{ id: "P1", organisationId: "G1", type: "P", startDate: "2026-01-05" }],
      reviews: [{ id: "R1", scheduledDate: "2026-03-01", startTime: "10:00" }],
    };
    const missingRef = await server.request("POST", "/api/v1/learners", { body: { ...learner, mainOfficerId: "O404" } });
    expect(missingRef.status).toBe(400);
    expect(missingRef.json.details).toEqual([{ path: "mainOfficerId", message: expect.stringContaining("O404") }]);
    const withLink = await server.request("POST", "/api/v1/learners", {
      body: { ...learner, reviews: [{ ...learner.reviews[0], onefileSystemId: 77 }] },
    });
    expect(withLink.status).toBe(400);
    expect(withLink.json.details[0].path).toBe("reviews[0].onefileSystemId");

    const created = await server.request("POST", "/api/v1/learners", { body: learner });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      id: "L9",
      systemStatus: "Live",
      learningStatus: "InLearning",
      reviews: [{ id: "R1", type: "Normal" }],
    });
    expect((await server.request("POST", "/api/v1/learners", { body: learner })).status).toBe(409);

    // GET → change → PATCH back round-trips, and a nested list in a PATCH replaces the stored one.
    const read = (await server.request("GET", "/api/v1/learners/L9")).json;
    const patched = await server.request("PATCH", "/api/v1/learners/L9", { body: { ...read, surname: "Nines", reviews: [] } });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ surname: "Nines", reviews: [], placements: [expect.objectContaining({ id: "P1" })] });
  });

  it("refuses unknown references with one 400 naming each path, in the order the record holds them", async () => {
    const refused = await server.request("POST", "/api/v1/learners", {
      body: {
        id: "L8",
        firstName: "Ola",
        surname: "Eight",
        mainOfficerId: "O404",
        officers: [{ officerId: "O405", type: "Tutor" }],
        placements: [{ id: "P1", organisationId: "G404", type: "P", startDate: "2026-01-05" }],
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toBe(
      JSON.stringify({
        error: "invalid_input",
        message:
          'invalid references: mainOfficerId refers to officer "O404", which does not exist; officers[0].officerId refers to officer "O405", which does not exist; placements[0].organisationId refers to organisation "G404", which does not exist',
        details: [
          { path: "mainOfficerId", message: 'refers to officer "O404", which does not exist' },
          { path: "officers[0].officerId", message: 'refers to officer "O405", which does not exist' },
          { path: "placements[0].organisationId", message: 'refers to organisation "G404", which does not exist' },
        ],
      }),
    );
    const nested = await server.request("POST", "/api/v1/learners/L1/reviews", {
      body: { id: "R9", scheduledDate: "2026-04-01", startTime: "09:30", officerId: "O404" },
    });
    expect([nested.status, nested.text]).toEqual([
      400,
      JSON.stringify({
        error: "invalid_input",
        message: 'invalid references: officerId refers to officer "O404", which does not exist',
        details: [{ path: "officerId", message: 'refers to officer "O404", which does not exist' }],
      }),
    ]);
  });

  it("adds, changes and deletes placements, qualifications and reviews under a learner", async () => {
    const add = (kind: string, body: unknown) => server.request("POST", `/api/v1/learners/L9/${kind}`, { body });
    expect((await add("placements", { id: "P2", organisationId: "G1", type: "W", startDate: "2026-02-01" })).status).toBe(201);
    expect((await add("placements", { id: "P2", organisationId: "G1", type: "W", startDate: "2026-02-01" })).status).toBe(409);
    expect(
      (await add("placements", { id: "P3", organisationId: "G404", type: "W", startDate: "2026-02-01" })).json.details[0].path,
    ).toBe("organisationId");
    const q = await add("qualifications", { id: "Q1", vqReference: "ST0795", assessorId: "O1" });
    expect(q.status).toBe(201);
    expect(q.json).toMatchObject({ id: "Q1", hasUnits: false, onefileLearningAimId: null });
    const r = await add("reviews", { id: "R2", scheduledDate: "2026-04-01", startTime: "09:30", officerId: "O1" });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ id: "R2", type: "Normal", attended: null });

    // Review OneFile ids are read-only on the review routes.
    const readOnly = await add("reviews", { id: "R3", onefileSystemId: 5 });
    expect(readOnly.status).toBe(400);
    expect(readOnly.json.details).toEqual([{ path: "onefileSystemId", message: expect.stringContaining("read-only") }]);
    expect((await server.request("PATCH", "/api/v1/learners/L9/reviews/R2", { body: { onefileVisitId: 9 } })).status).toBe(400);

    const changed = await server.request("PATCH", "/api/v1/learners/L9/reviews/R2", {
      body: { attended: "Yes", actualDate: "2026-04-01" },
    });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ id: "R2", attended: "Yes", startTime: "09:30" });
    expect((await server.request("PATCH", "/api/v1/learners/L9/reviews/R2", { body: { attended: "Maybe" } })).status).toBe(400);
    expect(
      (await server.request("PATCH", "/api/v1/learners/L9/placements/P2", { body: { endDate: "2026-06-30" } })).json.endDate,
    ).toBe("2026-06-30");
    expect(
      (await server.request("PATCH", "/api/v1/learners/L9/qualifications/Q1", { body: { elementsDone: 3 } })).json.elementsDone,
    ).toBe(3);
    expect((await server.request("PATCH", "/api/v1/learners/L9/qualifications/Q404", { body: { elementsDone: 3 } })).status).toBe(
      404,
    );

    expect((await server.request("DELETE", "/api/v1/learners/L9/placements/P2")).status).toBe(204);
    expect((await server.request("DELETE", "/api/v1/learners/L9/placements/P2")).status).toBe(404);
    expect((await server.request("DELETE", "/api/v1/learners/L404/placements/P1")).status).toBe(404);
    const learner = (await server.request("GET", "/api/v1/learners/L9")).json;
    expect(learner.placements.map((p: any) => p.id)).toEqual(["P1"]);
    expect(learner.qualifications.map((p: any) => p.id)).toEqual(["Q1"]);
    expect(learner.reviews.map((p: any) => p.id)).toEqual(["R2"]);

    expect((await server.request("DELETE", "/api/v1/learners/L9")).status).toBe(204);
    expect((await server.request("GET", "/api/v1/learners/L9")).status).toBe(404);
  });
});
