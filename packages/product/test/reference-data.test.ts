/**
 * OneFile reference data: the connection test (STAT-2) and the refresh of qualification links
 * (STAT-3).
 */
import { ReferenceData } from "@pics/core";
import { startSandbox } from "@pics/onefile-sandbox";
import { Effect } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { baseSeed, CENTRE, OTHER_CENTRE, openWorld, TOKEN, type World } from "./world.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const connectionTest = Effect.flatMap(ReferenceData, (r) => r.connectionTest);

describe("connection test (STAT-2)", () => {
  it("STAT-2: succeeds with the API version, the customer and its centres — also while the integration is switched off", async () => {
    world = await openWorld({ seed: baseSeed({ secondCentre: true }), settings: { integrationEnabled: false } });
    expect(await world.run(connectionTest)).toEqual({
      ok: true,
      apiVersion: "v2.1",
      environment: "custom",
      customer: { id: 10, name: "Provider Ltd" },
      centres: [
        { id: CENTRE, name: "Main Centre" },
        { id: OTHER_CENTRE, name: "North Centre" },
      ],
    });
    expect((await world.calls()).map((c) => c.endpoint)).toEqual([
      "POST Authentication",
      "GET Customer",
      "POST Organisation/Search",
    ]);
  });

  it("STAT-2: a token OneFile refuses is reported as bad_token, without the token in the message", async () => {
    world = await openWorld({ settings: { customerToken: "not-the-right-token" } });
    const result = await world.run(connectionTest);
    expect(result).toMatchObject({ ok: false, apiVersion: "v2.1", environment: "custom", failure: "bad_token" });
    expect(JSON.stringify(result)).not.toContain("not-the-right-token");
  });

  it("STAT-2: a OneFile that cannot be reached is reported as unreachable", async () => {
    const sandbox = await startSandbox({ port: 0, state: baseSeed() });
    world = await openWorld({ sandbox });
    await sandbox.close();
    expect(await world.run(connectionTest)).toMatchObject({ ok: false, failure: "unreachable" });
  });

  it("STAT-2: a OneFile that keeps answering 429 is reported as rate_limited", async () => {
    world = await openWorld({ clientTuning: { maxRateLimitWaitMs: 300 } });
    await world.admin("/faults", { endpoint: "POST Authentication", action: "rateLimit" });
    expect(await world.run(connectionTest)).toMatchObject({ ok: false, failure: "rate_limited" });
  });

  it("STAT-2: without a customer token it says OneFile is not configured", async () => {
    world = await openWorld({ settings: { customerToken: null } });
    expect(await world.run(connectionTest)).toMatchObject({ ok: false, failure: "not_configured" });
  });
});

describe("qualification links (STAT-3)", () => {
  it("STAT-3: the refresh stores every centre's Standards with their VQ references and pathways, reports count and time, and replaces the previous list", async () => {
    world = await openWorld({ seed: baseSeed({ secondCentre: true }) });
    const refreshed = await world.run(Effect.flatMap(ReferenceData, (r) => r.refreshQualificationLinks));
    expect(refreshed).toMatchObject({ standards: 3, centres: 2 });
    expect(Number.isNaN(Date.parse(refreshed.refreshedAt))).toBe(false);
    expect(refreshed.durationMs).toBeGreaterThanOrEqual(0);
    const stored = await world.run(Effect.flatMap(ReferenceData, (r) => r.standards));
    expect(stored.map(({ refreshedAt, ...s }) => s)).toEqual([
      { standardId: 120, centreId: CENTRE, title: "Level 3 Data Technician [ST0795]", vqReference: "ST0795", pathways: [] },
      {
        standardId: 121,
        centreId: CENTRE,
        title: "Engineering Technician [ST0457]",
        vqReference: "ST0457",
        pathways: [
          { id: 1211, title: "Mechanical" },
          { id: 1212, title: "Electrical" },
        ],
      },
      {
        standardId: 220,
        centreId: OTHER_CENTRE,
        title: "Data Technician (North) [st0795 ]",
        vqReference: "st0795",
        pathways: [],
      },
    ]);
    expect(stored.every((s) => s.refreshedAt === refreshed.refreshedAt)).toBe(true);
    expect(JSON.stringify(stored)).not.toContain(TOKEN);

    // A later refresh replaces the list: the North centre is gone from OneFile.
    await world.admin("/seed", baseSeed());
    const again = await world.run(Effect.flatMap(ReferenceData, (r) => r.refreshQualificationLinks));
    expect(again).toMatchObject({ standards: 2, centres: 1 });
    expect((await world.run(Effect.flatMap(ReferenceData, (r) => r.standards))).map((s) => s.standardId)).toEqual([120, 121]);
  });
});
