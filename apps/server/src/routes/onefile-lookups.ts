/**
 * OneFile look-ups (mounted at /api/v1; http-api.md "OneFile look-ups and links"): the customer's
 * centres and, per centre, its classrooms, assessors, placements and learners — paged, searchable,
 * read through the same client, limiter and read-once view as a run (core OneFileLookups).
 */
import { OneFileLookups, type LookupQuery } from "@pics/core";
import { Effect, Schema } from "effect";
import { ok, subApp, type Bridge } from "../bridge.ts";
import { HttpError } from "../errors.ts";
import { decodeQuery } from "../http.ts";

const LookupQuerySchema = Schema.Struct({
  search: Schema.optional(Schema.String.pipe(Schema.maxLength(200, { message: () => "must be at most 200 characters" }))),
  limit: Schema.optional(
    Schema.NumberFromString.pipe(
      Schema.int(),
      Schema.between(1, 100),
      Schema.annotations({ message: () => "must be a whole number from 1 to 100" }),
    ),
  ),
  cursor: Schema.optional(
    Schema.String.pipe(Schema.pattern(/^\d{1,9}$/), Schema.annotations({ message: () => "must be a nextCursor of this list" })),
  ),
});

const CentreId = Schema.NumberFromString.pipe(
  Schema.int(),
  Schema.positive(),
  Schema.annotations({ message: () => "must be a OneFile centre id (a positive whole number)" }),
);

const lookupResponses = {
  200: "a page: {items, nextCursor}",
  400: "bad query or centre id",
  404: "not a centre of this customer",
  502: "OneFile failed",
  503: "OneFile not configured",
};

const centreIdOf = (raw: string) =>
  Schema.decodeUnknown(CentreId)(raw).pipe(
    Effect.mapError(
      () =>
        new HttpError({
          status: 400,
          code: "invalid_input",
          text: "invalid centreId: must be a OneFile centre id (a positive whole number)",
          details: [{ path: "centreId", message: "must be a OneFile centre id (a positive whole number)" }],
        }),
    ),
  );

const KINDS = [
  { kind: "classrooms", summary: "A centre's classrooms {id, name, misId}" },
  {
    kind: "assessors",
    summary: "A centre's assessors and trainee assessors {id, firstName, surname, email, misId, role, archived, linkedOfficerId}",
  },
  { kind: "placements", summary: "A centre's placements {id, name, misId, linkedOrganisationId}" },
  { kind: "learners", summary: "A centre's learners {id, firstName, surname, email, uln, misId, archived, linkedLearnerId}" },
] as const;

export const onefileLookupRoutes = (bridge: Bridge) =>
  subApp(bridge, (route) => {
    route(
      {
        method: "get",
        path: "/onefile/centres",
        summary: "The customer's OneFile centres {id, name}; ?search=&limit=&cursor=",
        tag: "onefile",
        query: LookupQuerySchema,
        responses: lookupResponses,
      },
      (c) =>
        Effect.gen(function* () {
          const query: LookupQuery = yield* decodeQuery(c, LookupQuerySchema, "query");
          return ok(yield* (yield* OneFileLookups).centres(query));
        }),
    );
    for (const { kind, summary } of KINDS) {
      route(
        {
          method: "get",
          path: `/onefile/centres/:centreId/${kind}`,
          summary: `${summary}; ?search=&limit=&cursor=`,
          tag: "onefile",
          query: LookupQuerySchema,
          responses: lookupResponses,
        },
        (c) =>
          Effect.gen(function* () {
            const centreId = yield* centreIdOf(c.req.param("centreId") ?? "");
            const query: LookupQuery = yield* decodeQuery(c, LookupQuerySchema, "query");
            const lookups = yield* OneFileLookups;
            // A centre id that is not the customer's (UnknownCentre) is answered 404 by the error table.
            return ok(yield* lookups[kind](centreId, query));
          }),
      );
    }
  });
