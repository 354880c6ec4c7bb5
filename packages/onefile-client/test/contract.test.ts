import { describe, expect, it } from "@effect/vitest";
import { Effect } from "effect";
import { Contract, normaliseDate, resolveConfig } from "../src/index.ts";

describe("contract helpers", () => {
  it("dates: with or without Z, offsets, fractions, date-only; invalid refused", () => {
    expect(normaliseDate("2024-03-01")).toBe("2024-03-01T00:00:00.000Z");
    expect(normaliseDate("2024-03-01T10:20:30")).toBe("2024-03-01T10:20:30.000Z");
    expect(normaliseDate("2024-03-01T10:20:30Z")).toBe("2024-03-01T10:20:30.000Z");
    expect(normaliseDate("2024-03-01T10:20:30.5z")).toBe("2024-03-01T10:20:30.500Z");
    expect(normaliseDate("2024-03-01T10:20:30.1234567")).toBe("2024-03-01T10:20:30.123Z");
    expect(normaliseDate("2024-07-01T10:00:00+01:00")).toBe("2024-07-01T09:00:00.000Z");
    expect(normaliseDate("2024-07-01T00:30:00-0130")).toBe("2024-07-01T02:00:00.000Z");
    expect(normaliseDate("2024-02-30")).toBeUndefined();
    expect(normaliseDate("01/02/2024")).toBeUndefined();
    expect(normaliseDate("")).toBeUndefined();
  });

  it("session token: raw or JSON-quoted", () => {
    expect(Contract.parseSessionToken("abc-123")).toBe("abc-123");
    expect(Contract.parseSessionToken('"abc-123"\n')).toBe("abc-123");
    expect(Contract.parseSessionToken("  ")).toBeUndefined();
  });

  it("created id: bare integer, quoted integer or {ID}", () => {
    expect(Contract.parseCreatedId(42)).toBe(42);
    expect(Contract.parseCreatedId("42")).toBe(42);
    expect(Contract.parseCreatedId({ ID: 43 })).toBe(43);
    expect(Contract.parseCreatedId({ id: 44, Name: "x" })).toBe(44);
    expect(Contract.parseCreatedId({ Name: "x" })).toBeUndefined();
    expect(Contract.parseCreatedId(4.5)).toBeUndefined();
  });

  it("Retry-After: seconds or an HTTP date", () => {
    expect(Contract.parseRetryAfterMs(null, 0)).toBeUndefined();
    expect(Contract.parseRetryAfterMs("7", 0)).toBe(7000);
    expect(Contract.parseRetryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
  });

  it("paths and paging suffix", () => {
    expect(Contract.endpointPath(Contract.Endpoints.assignStandard, { standardId: 3, learnerId: 4 })).toBe("Standard/3/Assign/4");
    expect(Contract.endpointPath(Contract.Endpoints.searchUsers, {}, { page: 2, size: 100 })).toBe("User/Search/2/100");
    expect(Contract.errorCodeName(-57)).toBe("placementNotFound");
  });
});

describe("SET-3 environments", () => {
  it("live, beta and practice have their base URLs, practice is the default, custom needs a base URL ending in /api/v2.1/", () => {
    const url = (config: Parameters<typeof resolveConfig>[0]) => Effect.runSync(Effect.either(resolveConfig(config)));
    const ok = (config: Parameters<typeof resolveConfig>[0]) => {
      const result = url(config);
      return result._tag === "Right" ? result.right.baseUrl : `error: ${result.left.message}`;
    };
    expect(ok({ customerToken: "t", environment: "live" })).toBe("https://wsapi.onefile.co.uk/api/v2.1/");
    expect(ok({ customerToken: "t", environment: "beta" })).toBe("https://wsapibeta.onefile.co.uk/api/v2.1/");
    expect(ok({ customerToken: "t", environment: "practice" })).toBe("https://wsapi2.onefile.co.uk/api/v2.1/");
    expect(ok({ customerToken: "t" })).toBe("https://wsapi2.onefile.co.uk/api/v2.1/");
    expect(ok({ customerToken: "t", environment: "custom", baseUrl: "http://127.0.0.1:4010/api/v2.1" })).toBe(
      "http://127.0.0.1:4010/api/v2.1/",
    );
    expect(ok({ customerToken: "t", environment: "custom", baseUrl: "http://127.0.0.1:4010/" })).toMatch(
      /^error: environment "custom" needs a baseUrl ending in/,
    );
  });
});
