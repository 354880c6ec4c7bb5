/**
 * generateDemoData's output, pinned byte for byte: for each option set its callers use (the demo
 * mode, the bench's workloads at their quick sizes, the tests across the repo) and a few edge cases,
 * the SHA-256 of JSON.stringify of the whole output and (its first 16 hex digits) of each section. A refactoring of the
 * generator must leave every hash as it is; when one moves, the failing diff names the section
 * (`onefile.Users`, `pics.learners`, …) that changed.
 *
 * Regenerate (only for an intended change of the demo data): GOLDEN_UPDATE=1 npx vitest run test/generator-golden.test.ts
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { demoData, generateDemoData, type DemoData } from "../src/index.ts";

const goldenPath = new URL("./generator-golden.json", import.meta.url);

const cases: Record<string, () => DemoData> = {
  // apps/server demo mode, `npm run sandbox`
  demo: () => demoData(),
  // bench/workloads.ts at the bench's quick sizes (W1 300, W2 100 before its history, W3 200 over 2 centres)
  benchW1: () =>
    generateDemoData({
      learners: 300,
      seed: 2026,
      centres: 1,
      qualificationsPerLearner: 3,
      reviewsPerLearner: 8,
      differingShare: 0.25,
    }),
  benchW2: () =>
    generateDemoData({ learners: 100, seed: 2027, qualificationsPerLearner: 3, reviewsPerLearner: 8, differingShare: 0.25 }),
  benchW3: () =>
    generateDemoData({
      learners: 200,
      seed: 2026,
      centres: 2,
      qualificationsPerLearner: 3,
      reviewsPerLearner: 8,
      differingShare: 0.25,
    }),
  // the tests
  sandboxAdmin: () => generateDemoData({ learners: 40, seed: 42, centres: 2, qualificationsPerLearner: 2, reviewsPerLearner: 2 }),
  sandboxAdminSeed43: () =>
    generateDemoData({ learners: 40, seed: 43, centres: 2, qualificationsPerLearner: 2, reviewsPerLearner: 2 }),
  sandboxTimeZone: () => generateDemoData({ learners: 30, seed: 5, today: "2025-09-30" }),
  exchangeRun: () => generateDemoData({ learners: 30, seed: 7 }),
  fieldData: () => generateDemoData({ learners: 40, seed: 11, centres: 1 }),
  exchangeLimits: () => generateDemoData({ learners: 80, seed: 11, centres: 2 }),
  exchangeLimitsSmall: () => generateDemoData({ learners: 12, seed: 11, centres: 1 }),
  exchangeReads: () => generateDemoData({ learners: 60, seed: 23, centres: 2, reviewsPerLearner: 3 }),
  schedulerProcesses: () => generateDemoData({ learners: 25, seed: 11, reviewsPerLearner: 3, differingShare: 0.5 }),
  schedulerNotifications: () => generateDemoData({ learners: 4, seed: 5, reviewsPerLearner: 1, differingShare: 0.5 }),
  // edges: every option, the clamps, the special learners (first and last)
  noLearners: () => generateDemoData({ learners: 0, seed: 1 }),
  oneLearner: () => generateDemoData({ learners: 1, seed: 1 }),
  noneEnrolled: () => generateDemoData({ learners: 12, seed: 3, enrolledShare: 0 }),
  allEnrolledAllDiffering: () =>
    generateDemoData({ learners: 150, seed: 9, centres: 2, enrolledShare: 1, differingShare: 1, reviewsPerLearner: 4 }),
  nothingDiffers: () => generateDemoData({ learners: 20, seed: 9, differingShare: 0 }),
  bareLearners: () => generateDemoData({ learners: 15, seed: 4, qualificationsPerLearner: 0, reviewsPerLearner: 0 }),
  manyQualificationsManyCentres: () => generateDemoData({ learners: 50, seed: 8, centres: 9, qualificationsPerLearner: 10 }),
  otherZoneAndCustomer: () =>
    generateDemoData({
      learners: 25,
      seed: 77,
      centres: 2,
      timeZone: "America/New_York",
      today: "2025-03-10",
      customerToken: "other-token",
      customerName: "Other Provider",
    }),
};

const sha256 = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex");
/** A section's hash, cut to 16 hex digits (64 bits) to keep the golden file small. */
const short = (value: unknown) => sha256(value).slice(0, 16);

/** The whole output's hash and one per section, so a difference says where it is. */
const hashes = (data: DemoData): Record<string, string> => {
  const { customers, ...seedRest } = data.onefile;
  const out: Record<string, string> = { whole: sha256(data), customerToken: short(data.customerToken) };
  out["onefile (without customers)"] = short(seedRest);
  customers.forEach((customer, i) => {
    for (const [key, value] of Object.entries(customer)) out[`onefile.customers[${i}].${key}`] = short(value);
  });
  for (const [key, value] of Object.entries(data.pics)) out[`pics.${key}`] = short(value);
  out.notEnrolled = short(data.notEnrolled);
  out.differences = short(data.differences);
  return out;
};

describe("generateDemoData golden output", () => {
  const actual = Object.fromEntries(Object.entries(cases).map(([name, make]) => [name, hashes(make())]));

  if (process.env.GOLDEN_UPDATE === "1") {
    writeFileSync(goldenPath, `${JSON.stringify(actual, null, 2)}\n`);
  }
  const golden = JSON.parse(readFileSync(goldenPath, "utf8")) as Record<string, Record<string, string>>;

  it("covers the same cases as the golden file", () => {
    expect(Object.keys(actual).sort()).toEqual(Object.keys(golden).sort());
  });

  for (const name of Object.keys(cases)) {
    it(`${name}: the same bytes as before, section by section`, () => {
      // On failure the diff lists the sections whose hash moved; `whole` moves with any of them.
      expect(actual[name]).toEqual(golden[name]);
    });
  }
});
