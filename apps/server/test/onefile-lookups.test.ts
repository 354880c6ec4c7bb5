/**
 * The OneFile look-up routes (http-api.md "OneFile look-ups and links") against the real sandbox
 * over HTTP: what they list, the PICS record linked to each, search, paging, refusals, and that
 * searching and paging a centre's list reads OneFile once (the read-once view).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseSeed, CENTRE, onefileLearners, picsDocument, startServer, type TestServer } from "./support.ts";

let server: TestServer;

const extraUsers = [
  ...onefileLearners,
  { ID: 160, OrganisationID: CENTRE, Role: 4, FirstName: "Tess", LastName: "Trainee", Email: "tess@provider.test", MISID: "T-1" },
  { ID: 161, OrganisationID: CENTRE, Role: 10, FirstName: "Ivy", LastName: "Iqa", Email: "ivy@provider.test" },
];

beforeAll(async () => {
  const pics = picsDocument();
  // O1 is linked to the OneFile assessor 130, L4 to the OneFile learner 151 (the import may carry links).
  pics.officers[0] = { ...pics.officers[0]!, onefileId: 130 } as never;
  (pics.learners[3] as Record<string, unknown>).onefileId = 151;
  (pics.learners[3] as Record<string, unknown>).onefileCentreId = CENTRE;
  server = await startServer({ seed: baseSeed({ users: extraUsers }), pics });
});
afterAll(() => server.close());

const calls = async () => (await (await fetch(`${server.sandbox!.adminUrl}/calls`)).json()) as Array<{ endpoint?: string }>;

describe("OneFile look-ups", () => {
  it("centres, classrooms and placements list the customer's records, with the linked PICS organisation", async () => {
    const centres = await server.request("GET", "/api/v1/onefile/centres");
    expect(centres.status).toBe(200);
    expect(centres.json).toEqual({ items: [{ id: CENTRE, name: "Main Centre" }], nextCursor: null });
    const classrooms = await server.request("GET", `/api/v1/onefile/centres/${CENTRE}/classrooms`);
    expect(classrooms.json).toEqual({ items: [{ id: 110, name: "Cohort A", misId: null }], nextCursor: null });
    const placements = await server.request("GET", `/api/v1/onefile/centres/${CENTRE}/placements`);
    expect(placements.json).toEqual({
      items: [{ id: 140, name: "Acme Ltd", misId: "ORG-A", linkedOrganisationId: null }],
      nextCursor: null,
    });
  });

  it("assessors are the centre's assessors and trainee assessors (not other roles), each with its linked officer", async () => {
    const assessors = await server.request("GET", `/api/v1/onefile/centres/${CENTRE}/assessors`);
    expect(assessors.status).toBe(200);
    expect(assessors.json.items).toEqual([
      {
        id: 130,
        firstName: "Ada",
        surname: "Assessor",
        email: "ada@provider.test",
        misId: "OFF-A",
        role: 5,
        archived: false,
        linkedOfficerId: "O1",
      },
      {
        id: 160,
        firstName: "Tess",
        surname: "Trainee",
        email: "tess@provider.test",
        misId: "T-1",
        role: 4,
        archived: false,
        linkedOfficerId: null,
      },
    ]);
  });

  it("learners carry ULN and the linked PICS learner; search matches part of any name, email, MIS reference or ULN", async () => {
    const all = await server.request("GET", `/api/v1/onefile/centres/${CENTRE}/learners`);
    expect(all.json.items.map((l: any) => [l.id, l.linkedLearnerId])).toEqual([
      [150, null],
      [151, "L4"],
    ]);
    expect(all.json.items[0]).toMatchObject({ uln: "5555555555", firstName: "Dee", surname: "Duplicate", archived: false });
    const search = (q: string) =>
      server
        .request("GET", `/api/v1/onefile/centres/${CENTRE}/learners?search=${encodeURIComponent(q)}`)
        .then((a) => a.json.items.map((l: any) => l.id));
    expect(await search("LIN")).toEqual([151]);
    expect(await search("5555")).toEqual([150]);
    expect(await search("something-else")).toEqual([151]);
    expect(await search("dee duplicate")).toEqual([150]);
    expect(await search("nobody")).toEqual([]);
  });

  it("pages with limit and cursor; searching and paging again reads OneFile no more (read-once view)", async () => {
    const first = await server.request("GET", `/api/v1/onefile/centres/${CENTRE}/assessors?limit=1`);
    expect(first.json.items.map((a: any) => a.id)).toEqual([130]);
    expect(first.json.nextCursor).toEqual(expect.any(String));
    const before = (await calls()).length;
    const second = await server.request(
      "GET",
      `/api/v1/onefile/centres/${CENTRE}/assessors?limit=1&cursor=${first.json.nextCursor}`,
    );
    expect(second.json).toEqual({ items: [expect.objectContaining({ id: 160 })], nextCursor: null });
    await server.request("GET", `/api/v1/onefile/centres/${CENTRE}/assessors?search=tess`);
    await server.request("GET", `/api/v1/onefile/centres/${CENTRE}/learners?search=dee`);
    expect((await calls()).length).toBe(before);
  });

  it("refuses a bad query or centre id (400) and a centre that is not the customer's (404)", async () => {
    const badLimit = await server.request("GET", `/api/v1/onefile/centres/${CENTRE}/learners?limit=1000`);
    expect(badLimit.status).toBe(400);
    expect(badLimit.json.details).toEqual([{ path: "limit", message: "must be a whole number from 1 to 100" }]);
    const badCursor = await server.request("GET", `/api/v1/onefile/centres?cursor=abc`);
    expect(badCursor.status).toBe(400);
    const badCentre = await server.request("GET", `/api/v1/onefile/centres/abc/classrooms`);
    expect(badCentre.status).toBe(400);
    expect(badCentre.json.details[0].path).toBe("centreId");
    const otherCentre = await server.request("GET", `/api/v1/onefile/centres/999/assessors`);
    expect(otherCentre.status).toBe(404);
    expect(otherCentre.json).toMatchObject({
      error: "not_found",
      message: "OneFile centre 999 is not a centre of this customer",
    });
    expect((await server.request("GET", "/api/v1/onefile/centres", { token: null })).status).toBe(401);
  });

  it("are published in the OpenAPI document", async () => {
    const paths = Object.keys((await server.request("GET", "/openapi.json")).json.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/api/v1/onefile/centres",
        "/api/v1/onefile/centres/{centreId}/classrooms",
        "/api/v1/onefile/centres/{centreId}/assessors",
        "/api/v1/onefile/centres/{centreId}/placements",
        "/api/v1/onefile/centres/{centreId}/learners",
      ]),
    );
  });
});
