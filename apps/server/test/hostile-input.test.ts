/**
 * Hostile and odd input over HTTP (SEC-1..4, input part of SEC-3): nothing a client sends makes the
 * server answer 500, stall or show a secret.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseSeed, CUSTOMER_TOKEN, picsDocument, startServer, type TestServer } from "./support.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ seed: baseSeed(), pics: picsDocument() });
});
afterAll(() => server.close());

const json = { "content-type": "application/json" };

describe("input limits (SEC-3)", () => {
  it("JSON nested 5,000 deep is a 400 naming the depth, not a 500", async () => {
    for (const raw of ["[".repeat(5000) + "]".repeat(5000), `{"learners":${"[".repeat(5000)}${"]".repeat(5000)}}`]) {
      const answer = await server.request("POST", "/api/v1/import", { raw, headers: json });
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ error: "too_deeply_nested", details: [{ path: "(body)" }] });
    }
    // Brackets inside strings are text, not nesting.
    const named = await server.request("POST", "/api/v1/officers", {
      body: { id: "O9", ident: "X", firstName: "[".repeat(150), surname: "{".repeat(150) },
    });
    expect(named.status).toBe(201);
  });

  it("20,000 bad placements: the first 100 issues and how many there were", async () => {
    const placements = Array.from({ length: 20_000 }, (_, i) => ({
      id: `P${i}`,
      organisationId: "G1",
      type: "?",
      startDate: "x",
    }));
    const answer = await server.request("POST", "/api/v1/import", {
      body: { learners: [{ id: "L9", firstName: "A", surname: "B", placements }] },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.details).toHaveLength(100);
    expect(answer.json.issueCount).toBe(40_000);
    expect(answer.json.message).toMatch(/\(and 39995 more\)$/);
    // The server stayed responsive.
    expect((await server.request("GET", "/health")).status).toBe(200);
  });

  it("a 1,000,000-character e-mail and a 200 KiB customer token are refused by their length", async () => {
    const email = await server.request("PATCH", "/api/v1/officers/O1", { body: { email: `a@${".".repeat(1_000_000)} ` } });
    expect(email.status).toBe(400);
    expect(email.json.details).toEqual([{ path: "email", message: "must be at most 254 characters" }]);
    const token = "T".repeat(200 * 1024);
    const saved = await server.request("PUT", "/api/v1/settings", { body: { customerToken: token } });
    expect(saved.status).toBe(400);
    expect(saved.json.details).toEqual([{ path: "customerToken", message: expect.stringContaining("1-4096 visible ASCII") }]);
    expect(saved.text).not.toContain("TTTTTTTT");
  });
});

describe("secrets (SEC-1, SEC-2)", () => {
  it("a customer token with a line break is refused when saved, and never echoed", async () => {
    const pasted = "pasted-from-email-7f3a9c\r\nsecond-line";
    const answer = await server.request("PUT", "/api/v1/settings", { body: { customerToken: pasted } });
    expect(answer.status).toBe(400);
    expect(answer.json.details).toEqual([{ path: "customerToken", message: expect.stringContaining("no spaces, line breaks") }]);
    expect(answer.text).not.toContain("pasted-from-email");
    // Malformed JSON around a token is not quoted back either.
    const broken = await server.request("PUT", "/api/v1/settings", {
      raw: `{"customerToken": pasted-from-email-7f3a9c}`,
      headers: json,
    });
    expect(broken.status).toBe(400);
    expect(broken.text).not.toContain("pasted-from-email");
    expect((await server.request("GET", "/api/v1/settings")).json.customerTokenSet).toBe(true);
  });

  it("changing baseUrl or environment clears the stored token; it must be entered again for the new host", async () => {
    const before = (await server.request("GET", "/api/v1/settings")).json;
    expect(before.customerTokenSet).toBe(true);
    const moved = await server.request("PUT", "/api/v1/settings", {
      body: { baseUrl: before.baseUrl.replace("127.0.0.1", "localhost") },
    });
    expect(moved.status).toBe(200);
    expect(moved.json.customerTokenSet).toBe(false);
    const test = await server.request("POST", "/api/v1/onefile/connection-test");
    expect(test.json).toMatchObject({ ok: false });
    // Back to the sandbox, with the token given again in the same request.
    const back = await server.request("PUT", "/api/v1/settings", {
      body: { baseUrl: before.baseUrl, customerToken: CUSTOMER_TOKEN },
    });
    expect(back.json.customerTokenSet).toBe(true);
    expect((await server.request("POST", "/api/v1/onefile/connection-test")).json).toMatchObject({ ok: true });
    // A patch that leaves the host alone keeps the token.
    expect((await server.request("PUT", "/api/v1/settings", { body: { uploadReviews: true } })).json.customerTokenSet).toBe(true);
    expect((await server.request("PUT", "/api/v1/settings", { body: { environment: "live" } })).json.customerTokenSet).toBe(
      false,
    );
    const restored = await server.request("PUT", "/api/v1/settings", {
      body: { environment: "custom", baseUrl: before.baseUrl, customerToken: CUSTOMER_TOKEN, uploadReviews: false },
    });
    expect(restored.json.customerTokenSet).toBe(true);
    for (const text of server.bodies) expect(text).not.toContain(CUSTOMER_TOKEN);
    expect(JSON.stringify(server.logs)).not.toContain(CUSTOMER_TOKEN);
  });

  it("custom base URLs are refused unless the deployment sets ALLOW_CUSTOM_ONEFILE_URL=true", async () => {
    const strict = await startServer({ allowCustomOneFileUrl: false });
    try {
      const refused = await strict.request("PUT", "/api/v1/settings", {
        body: { environment: "custom", baseUrl: "http://attacker.example/api/v2.1/", customerToken: "tok-123456" },
      });
      expect(refused.status).toBe(400);
      expect(refused.json.details).toEqual([
        { path: "environment", message: expect.stringContaining("ALLOW_CUSTOM_ONEFILE_URL=true") },
      ]);
      const settings = (await strict.request("GET", "/api/v1/settings")).json;
      expect(settings).toMatchObject({ environment: "practice", baseUrl: null, customerTokenSet: false });
      // The named environments are still accepted.
      expect((await strict.request("PUT", "/api/v1/settings", { body: { environment: "beta" } })).status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describe("OneFile ids are read-only in PATCH (SEC-4)", () => {
  it("refuses a changed onefileId, onefileCentreId, onefileStandardId or onefileLearningAimId, naming the link route", async () => {
    // L4 is linked by the import (which may carry OneFile ids), then someone tries to re-point others at it.
    const imported = await server.request("POST", "/api/v1/import", {
      body: { learners: [{ id: "L4", firstName: "Lin", surname: "Linked", onefileId: 151, onefileCentreId: 100 }] },
    });
    expect(imported.status).toBe(200);
    const stolen = await server.request("PATCH", "/api/v1/learners/L1", { body: { onefileId: 151, onefileCentreId: 100 } });
    expect(stolen.status).toBe(400);
    expect(stolen.json.details).toEqual([
      { path: "onefileId", message: expect.stringContaining("POST /api/v1/learners/L1/onefile/link") },
      { path: "onefileCentreId", message: expect.stringContaining("POST /api/v1/learners/L1/onefile/link") },
    ]);
    expect((await server.request("GET", "/api/v1/learners/L1")).json.onefileId).toBeNull();
    const created = await server.request("POST", "/api/v1/learners", {
      body: { id: "L8", firstName: "A", surname: "B", onefileId: 151 },
    });
    expect(created.status).toBe(400);

    const officer = await server.request("PATCH", "/api/v1/officers/O2", { body: { onefileId: 130 } });
    expect(officer.json.details).toEqual([
      { path: "onefileId", message: expect.stringContaining("POST /api/v1/officers/O2/onefile/link") },
    ]);
    const organisation = await server.request("PATCH", "/api/v1/organisations/G1", { body: { onefileId: 140 } });
    expect(organisation.json.details[0]).toMatchObject({
      path: "onefileId",
      message: expect.stringContaining("/organisations/G1/onefile/link"),
    });
    const qualification = await server.request("PATCH", "/api/v1/learners/L1/qualifications/Q1", {
      body: { onefileStandardId: 120, onefileLearningAimId: 9 },
    });
    expect(qualification.json.details.map((d: any) => d.path)).toEqual(["onefileStandardId", "onefileLearningAimId"]);
    const nested = await server.request("PATCH", "/api/v1/learners/L1", {
      body: { qualifications: [{ id: "Q1", vqReference: "ST0795", onefileLearningAimId: 9 }] },
    });
    expect(nested.json.details).toEqual([
      { path: "qualifications[0].onefileLearningAimId", message: expect.stringContaining("enrol") },
    ]);

    // A GET body sent back unchanged is accepted (its ids equal the stored ones), and other fields still change.
    const linked = (await server.request("GET", "/api/v1/learners/L4")).json;
    const roundTrip = await server.request("PATCH", "/api/v1/learners/L4", { body: { ...linked, surname: "Relinked" } });
    expect(roundTrip.status).toBe(200);
    expect(roundTrip.json).toMatchObject({ surname: "Relinked", onefileId: 151, onefileCentreId: 100 });
    expect((await server.request("PATCH", "/api/v1/learners/L4", { body: { onefileId: null } })).status).toBe(400);
  });
});
