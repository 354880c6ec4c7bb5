/**
 * SET-14 in status (STAT-1): with `multipleCentres: "auto"`, the effective value follows the
 * customer the token belongs to — at once after the token changes, not after a cache expires.
 */
import { afterEach, describe, expect, it } from "vitest";
import { baseSeed, CUSTOMER_TOKEN, startServer, type TestServer } from "./support.ts";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("status: effective multipleCentres", () => {
  it("after the token changes to a customer with two centres, status shows multipleCentres true", async () => {
    const seed = baseSeed() as unknown as { customers: Array<Record<string, unknown>> };
    seed.customers.push({
      ID: 20,
      Name: "Two Centres Ltd",
      Token: "second-customer-token-0123456789",
      Organisations: [
        { ID: 300, Name: "East" },
        { ID: 301, Name: "West" },
      ],
    });
    server = await startServer({ seed: seed as never, settings: { multipleCentres: "auto" } });
    const s = server;
    expect((await s.request("GET", "/api/v1/status")).json.multipleCentres).toBe(false);
    const saved = await s.request("PUT", "/api/v1/settings", { body: { customerToken: "second-customer-token-0123456789" } });
    expect(saved.status).toBe(200);
    expect((await s.request("GET", "/api/v1/status")).json.multipleCentres).toBe(true);
    // And back.
    await s.request("PUT", "/api/v1/settings", { body: { customerToken: CUSTOMER_TOKEN } });
    expect((await s.request("GET", "/api/v1/status")).json.multipleCentres).toBe(false);
  }, 60_000);
});
