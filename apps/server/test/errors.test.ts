/**
 * The error mapping is a table the compiler checks: every error a route may fail with has an
 * answer, and a handler failing with an error outside ServerError does not compile.
 */
import { IntegrationDisabled, InvalidRequest } from "@pics/core";
import { UnsendableRequest } from "@pics/onefile-client";
import { RecordNotFound } from "@pics/pics-store";
import { Data, Effect } from "effect";
import { describe, expect, it } from "vitest";
import { ok, type Handler } from "../src/bridge.ts";
import { toHttpError } from "../src/errors.ts";

class NotMapped extends Data.TaggedError("NotMapped")<{}> {}

describe("the HTTP error table", () => {
  it("does not compile a handler that can fail with an error it has no answer for", () => {
    // @ts-expect-error NotMapped is not a ServerError: add it to ServerError and ANSWERS first.
    const unmapped: Handler = () => Effect.as(Effect.fail(new NotMapped()), ok({}));
    const mapped: Handler = () => Effect.as(Effect.fail(new RecordNotFound({ entity: "learner", id: "L1" })), ok({}));
    expect([typeof unmapped, typeof mapped]).toEqual(["function", "function"]);
  });

  it("answers core's and the client's request errors differently (they no longer share a tag)", () => {
    expect(toHttpError(new InvalidRequest({ field: "onefileId", reason: "is not a learner" }))).toMatchObject({
      status: 400,
      body: { error: "invalid_request", details: [{ path: "onefileId", message: "is not a learner" }] },
    });
    expect(toHttpError(new UnsendableRequest({ endpoint: "POST User", field: "DOB", message: "bad date" }))).toMatchObject({
      status: 422,
      body: { error: "onefile_request_invalid", details: { endpoint: "POST User", field: "DOB" } },
    });
    expect(toHttpError(new IntegrationDisabled())).toMatchObject({ status: 503, body: { error: "integration_disabled" } });
  });

  it("answers a defect, or a value cast past the types, as our fault", () => {
    expect(toHttpError(undefined)).toMatchObject({ status: 500, internal: true });
    expect(toHttpError(new NotMapped() as never)).toMatchObject({ status: 500, internal: true });
  });
});
