/**
 * SEC-3, input part: validation stays cheap and bounded whatever is sent. Lengths are checked
 * before patterns, the e-mail check does not backtrack, error lists are capped (first 100 issues,
 * then a count) and cost grows linearly with the number of bad records.
 */
import { Effect, Either } from "effect";
import { describe, expect, it } from "vitest";
import {
  decodeInput,
  ImportDocument,
  isEmailAddress,
  Learner,
  MAX_LISTED_ISSUES,
  Officer,
  type InvalidInput,
} from "../src/index.ts";

const refused = <A, I>(schema: Parameters<typeof decodeInput<A, I>>[0], input: unknown): InvalidInput => {
  const result = Effect.runSync(Effect.either(decodeInput(schema, "input")(input)));
  if (Either.isRight(result)) throw new Error("expected the input to be refused");
  return result.left;
};

const timed = <A>(f: () => A): { value: A; ms: number } => {
  const started = performance.now();
  const value = f();
  return { value, ms: performance.now() - started };
};

const officer = (email: string) => ({ id: "O1", ident: "OFF-1", firstName: "Ada", surname: "Assessor", email });

const badPlacements = (n: number) => ({
  learners: [
    {
      id: "L1",
      firstName: "Lee",
      surname: "Learner",
      placements: Array.from({ length: n }, (_, i) => ({
        id: `P${i}`,
        organisationId: "G1",
        type: "bad",
        startDate: "x",
        endDate: 5,
      })),
    },
  ],
});

describe("validation cost and limits (SEC-3)", () => {
  it("refuses a 1 MiB e-mail by its length, in about the time of a short one", () => {
    // `a@` + dots + a space made the old pattern backtrack quadratically (40 minutes for 1 MiB).
    const huge = `a@${".".repeat(1024 * 1024)} `;
    const short = `a@${".".repeat(300)} `;
    for (let i = 0; i < 3; i += 1) refused(Officer, officer(short)); // warm up
    const small = timed(() => refused(Officer, officer(short)));
    const big = timed(() => refused(Officer, officer(huge)));
    expect(big.value.issues).toEqual([{ path: "email", message: "must be at most 254 characters" }]);
    // The old pattern took about 40 minutes here; a length check first takes about a millisecond.
    // The bound sits between the two, far from both, so no scheduler jitter on a loaded CI reaches it.
    expect(big.ms).toBeLessThan(Math.max(2_000, small.ms * 50));
    // The scan itself is linear too, for strings that do reach it.
    const scanned = timed(() => isEmailAddress(`a@${".".repeat(1024 * 1024)} `));
    expect(scanned.value).toBe(false);
    expect(scanned.ms).toBeLessThan(2_000);
  });

  it("checks the e-mail shape as before: one @, no white space, a dot inside the domain", () => {
    for (const good of ["a@b.co", "first.last+tag@sub.example.org", "a@b.c."]) expect(isEmailAddress(good), good).toBe(true);
    for (const bad of ["", "a", "@b.co", "a@b", "a@.b", "a@b.", "a@@b.co", "a@b@c.co", "a b@c.co", "a@b.co\n"])
      expect(isEmailAddress(bad), bad).toBe(false);
  });

  it("checks every string's length before its pattern", () => {
    const long = "A".repeat(100_000);
    const issues = refused(Learner, {
      id: long,
      firstName: long,
      surname: "S",
      uln: long,
      birthDate: long,
      mainOfficerId: long,
    }).issues;
    expect(Object.fromEntries(issues.map((i) => [i.path, i.message]))).toEqual({
      id: "must be 1-64 characters of letters, digits, '_', '.' or '-'",
      firstName: "must be at most 200 characters",
      uln: "must be 10 digits",
      birthDate: "must be a date YYYY-MM-DD",
      mainOfficerId: "must be 1-64 characters of letters, digits, '_', '.' or '-'",
    });
  });

  it("lists the first 100 issues and counts the rest; 20,000 bad placements cost about 10x 2,000 (linear)", () => {
    const small = badPlacements(2_000);
    const big = badPlacements(20_000);
    refused(ImportDocument, small); // warm up
    const smallRun = timed(() => refused(ImportDocument, small));
    const bigRun = timed(() => refused(ImportDocument, big));
    expect(bigRun.value.issues).toHaveLength(MAX_LISTED_ISSUES);
    // Three bad fields per placement; the optional endDate's "not null" noise is not counted.
    expect(bigRun.value.issueCount).toBe(60_000);
    expect(bigRun.value.issues[0]).toEqual({
      path: "learners[0].placements[0].type",
      message: "must be one capital letter (P for the employer)",
      recordId: "L1",
    });
    expect(bigRun.value.message).toMatch(/\(and 59995 more\)$/);
    // Quadratic would be ~100x (minutes: 8,000 bad placements once took 68 s). 40x, or 5 s, leaves
    // room for a busy machine and the garbage collector.
    expect(bigRun.ms).toBeLessThan(Math.max(smallRun.ms * 40, 5_000));
  });

  it("a short list is not capped and carries no count", () => {
    const invalid = refused(ImportDocument, badPlacements(3));
    expect(invalid.issues).toHaveLength(9);
    expect(invalid.issueCount).toBeUndefined();
  });
});
