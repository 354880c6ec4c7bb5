/**
 * The API's edges: bearer auth on every route but /health (enumerated from /openapi.json), bad
 * input always 4xx with a clear message (never 500), body limits, unknown routes, request ids and
 * one access-log line per request.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TOKEN, picsDocument, startServer, type TestServer } from "./support.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ pics: picsDocument() });
});
afterAll(() => server.close());

describe("authentication", () => {
  it("answers 401 {error: unauthorized} on every route of /openapi.json but /health", async () => {
    const doc = await server.request("GET", "/openapi.json");
    expect(doc.status).toBe(200);
    const operations = Object.entries(doc.json.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase(),
        path: path.replace(/\{[^}]+\}/g, "X1"),
        open: Array.isArray(op.security) && op.security.length === 0,
      })),
    );
    expect(operations.length).toBeGreaterThan(35);
    expect(operations.filter((o) => o.open).map((o) => o.path)).toEqual(["/health"]);
    for (const { method, path, open } of operations) {
      for (const token of [null, "wrong-token", `${API_TOKEN}x`, API_TOKEN.slice(0, -1)]) {
        const answer = await server.request(method, path, {
          token,
          ...(method === "GET" || method === "DELETE" ? {} : { body: {} }),
        });
        if (open) expect(answer.status).toBe(200);
        else {
          expect(answer.status, `${method} ${path} with ${token}`).toBe(401);
          expect(answer.json).toMatchObject({ error: "unauthorized" });
        }
      }
    }
    // Other schemes and malformed headers are refused too; unknown routes do not reveal themselves.
    for (const authorization of [`Basic ${API_TOKEN}`, `Bearer`, `Bearer ${API_TOKEN} extra`, API_TOKEN]) {
      expect((await server.request("GET", "/api/v1/status", { token: null, headers: { authorization } })).status).toBe(401);
    }
    expect((await server.request("GET", "/api/v1/nothing-here", { token: null })).status).toBe(401);
    expect(
      (await server.request("GET", "/api/v1/status", { token: null, headers: { authorization: `bearer ${API_TOKEN}` } })).status,
    ).toBe(200);
  });

  it("publishes request body schemas generated from the validating Schemas", async () => {
    const doc = (await server.request("GET", "/openapi.json")).json;
    const officerBody = doc.paths["/api/v1/officers"].post.requestBody.content["application/json"].schema;
    expect(officerBody.required).toEqual(["id", "ident", "firstName", "surname"]);
    expect(officerBody.properties.id.pattern).toBe("^[A-Za-z0-9_.-]{1,64}$");
    expect(officerBody.additionalProperties).toBe(false);
    expect(doc.paths["/api/v1/officers/{id}"].patch.requestBody.content["application/json"].schema.required).toBeUndefined();
    expect(doc.paths["/api/v1/learners/{id}/onefile/enrol"].post.requestBody.content["application/json"].schema.required).toEqual(
      ["centreId"],
    );
    expect(Object.keys(doc.paths["/api/v1/settings"])).toEqual(["get", "put"]);
    expect(JSON.stringify(doc)).not.toContain("#/$defs/");
  });
});

describe("bad input is 4xx with a clear message, never 500", () => {
  it("malformed JSON, non-objects, wrong types and unknown fields", async () => {
    const cases: Array<{ method: string; path: string; raw: string; code: string }> = [
      { method: "POST", path: "/api/v1/officers", raw: "{not json", code: "malformed_json" },
      { method: "POST", path: "/api/v1/import", raw: '{"officers": [', code: "malformed_json" },
      { method: "PUT", path: "/api/v1/settings", raw: "[1,2]", code: "invalid_input" },
      { method: "POST", path: "/api/v1/learners", raw: '"a string"', code: "invalid_input" },
      { method: "POST", path: "/api/v1/learners", raw: "", code: "invalid_input" },
      { method: "PATCH", path: "/api/v1/learners/L1", raw: "null", code: "invalid_input" },
      { method: "POST", path: "/api/v1/learners/L1/onefile/enrol", raw: "{}", code: "invalid_input" },
      { method: "POST", path: "/api/v1/sync/runs", raw: "{oops}", code: "malformed_json" },
    ];
    for (const c of cases) {
      const answer = await server.request(c.method, c.path, { raw: c.raw, headers: { "content-type": "application/json" } });
      expect(answer.status, `${c.method} ${c.path} ${c.raw}`).toBe(400);
      expect(answer.json).toMatchObject({ error: c.code, message: expect.any(String), details: expect.any(Array) });
    }
    const wrongTypes = await server.request("POST", "/api/v1/learners", {
      body: { id: "L7", firstName: 7, surname: "X", birthDate: "2001-02-30", systemStatus: "Gone", placements: {}, shoeSize: 44 },
    });
    expect(wrongTypes.status).toBe(400);
    expect(wrongTypes.json.details.map((d: any) => d.path).sort()).toEqual([
      "birthDate",
      "firstName",
      "placements",
      "shoeSize",
      "systemStatus",
    ]);
    expect(wrongTypes.json.details.find((d: any) => d.path === "shoeSize").message).toBe("is not a known field");
    expect(wrongTypes.json.details.find((d: any) => d.path === "systemStatus").message).toMatch(
      /must be "Live" or "Archived" or "Deleted"/,
    );
    const enrol = await server.request("POST", "/api/v1/learners/L1/onefile/enrol", { body: { centreId: "100", classroom: 1 } });
    expect(enrol.json.details.map((d: any) => d.path).sort()).toEqual(["centreId", "classroom"]);
    const settings = await server.request("PUT", "/api/v1/settings", {
      body: { endedWithinDays: -1, dailySync: { cron: "nope", timeZone: "Europe/London" } },
    });
    expect(settings.status).toBe(400);
    expect(settings.json.details.map((d: any) => d.path).sort()).toEqual(["dailySync.cron", "endedWithinDays"]);
  });

  it("invalid ids in the path", async () => {
    for (const path of [
      "/api/v1/officers/bad%20id",
      "/api/v1/learners/" + "x".repeat(65),
      "/api/v1/learners/%C3%A9/placements/P1",
      "/api/v1/learners/L1/reviews/r%24",
      "/api/v1/sync/runs/run%3Bdrop",
    ]) {
      const method = path.includes("/placements/") || path.includes("/reviews/") ? "DELETE" : "GET";
      const answer = await server.request(method, path);
      expect(answer.status, path).toBe(400);
      expect(answer.json.error).toBe("invalid_input");
    }
    expect((await server.request("GET", "/api/v1/officers/O404")).json).toMatchObject({
      error: "not_found",
      details: { entity: "officer", id: "O404" },
    });
    expect((await server.request("GET", "/api/v1/sync/runs/run_404")).status).toBe(404);
    expect((await server.request("GET", "/api/v1/learners/L1/onefile/enrolment-preview")).json.details[0].path).toBe("centreId");
  });

  it("oversized bodies are 413; the import takes more", async () => {
    const big = "x".repeat(1024 * 1024 + 10);
    const tooBig = await server.request("POST", "/api/v1/officers", {
      raw: JSON.stringify({ id: "O5", ident: big }),
      headers: { "content-type": "application/json" },
    });
    expect(tooBig.status).toBe(413);
    expect(tooBig.json).toMatchObject({ error: "payload_too_large" });
    // Without Content-Length (chunked), the limit holds while reading.
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new TextEncoder().encode("y".repeat(300 * 1024)));
        controller.close();
      },
    });
    const chunked = await fetch(`${server.url}/api/v1/settings`, {
      method: "PUT",
      headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    // A 2 MiB import is fine.
    const officers = Array.from({ length: 10_000 }, (_, i) => ({
      id: `B${i}`,
      ident: `BULK-${i}`,
      firstName: "Bulk",
      surname: "Officer".padEnd(190, "r"),
    }));
    const raw = JSON.stringify({ officers });
    expect(raw.length).toBeGreaterThan(2 * 1024 * 1024);
    const imported = await server.request("POST", "/api/v1/import", { raw, headers: { "content-type": "application/json" } });
    expect(imported.status).toBe(200);
    expect(imported.json.officers).toBe(10_000);
  });

  it("unknown routes are 404, wrong methods 405", async () => {
    const unknown = await server.request("GET", "/api/v1/nothing-here");
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: "not_found", message: expect.stringContaining("/api/v1/nothing-here") });
    const wrong = await server.request("DELETE", "/api/v1/settings");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET, PUT");
  });

  it("no answer so far was a 500", () => {
    expect(server.logs.filter((l) => l.level === "error")).toEqual([]);
  });
});

describe("request ids and logs", () => {
  it("echoes a request id and logs one JSON line per request without bodies or tokens", async () => {
    const before = server.logs.length;
    const answer = await server.request("PATCH", "/api/v1/officers/O2?secret=query", {
      // A value no request id or timing can contain by chance.
      body: { phone: "tel-body-value-XQZ" },
      headers: { "x-request-id": "abc-123" },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("x-request-id")).toBe("abc-123");
    const generated = await server.request("GET", "/health");
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const lines = server.logs.slice(before);
    expect(lines).toEqual([
      {
        level: "info",
        msg: "request",
        requestId: "abc-123",
        method: "PATCH",
        path: "/api/v1/officers/O2",
        status: 200,
        ms: expect.any(Number),
      },
      expect.objectContaining({ requestId: generated.headers.get("x-request-id"), path: "/health", status: 200 }),
    ]);
    const all = JSON.stringify(server.logs);
    expect(all).not.toContain(API_TOKEN);
    expect(all).not.toContain("tel-body-value-XQZ");
    expect(all).not.toContain("secret=query");
  });

  it("serves /health without auth and /metrics as Prometheus text", async () => {
    expect((await server.request("GET", "/health", { token: null })).json).toEqual({ status: "ok" });
    const metrics = await server.request("GET", "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toContain("text/plain");
    expect(metrics.text).toContain("# TYPE pics_runs_total counter");
    expect(metrics.text).toMatch(/pics_http_requests_total\{method="GET",route="\/api\/v1\/officers\/:id",status="404"\} \d+/);
    expect(metrics.text).toContain("pics_onefile_http_429_total 0");
  });
});
