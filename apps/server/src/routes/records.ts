/**
 * PICS records (mounted at /api/v1): the import, officers, organisations and learners, and a
 * learner's placements, qualifications and reviews. The operations themselves are in ../records.ts.
 */
import { ImportDocument, Learner, Officer, Organisation, PicsRecords, Placement, Qualification, Review } from "@pics/pics-store";
import { Effect } from "effect";
import { noContent, ok, subApp, type Bridge } from "../bridge.ts";
import { HttpError } from "../errors.ts";
import { decodeQuery, ListQuery, pathId, readJson, readObject } from "../http.ts";
import * as records from "../records.ts";
import { createResponses, getResponses, listResponses, patchResponses } from "./docs.ts";

const topLevel = [
  {
    entity: "officer",
    plural: "officers",
    ref: "Officer",
    schema: Officer,
    create: records.createOfficer,
    update: records.updateOfficer,
  },
  {
    entity: "organisation",
    plural: "organisations",
    ref: "Organisation",
    schema: Organisation,
    create: records.createOrganisation,
    update: records.updateOrganisation,
  },
  {
    entity: "learner",
    plural: "learners",
    ref: "Learner",
    schema: Learner,
    create: records.createLearner,
    update: records.updateLearner,
  },
] as const;

const nested = [
  { kind: "placement", plural: "placements", schema: Placement, ref: "Placement" },
  { kind: "qualification", plural: "qualifications", schema: Qualification, ref: "Qualification" },
  { kind: "review", plural: "reviews", schema: Review, ref: "Review" },
] as const;

export const recordRoutes = (bridge: Bridge) =>
  subApp(bridge, (route) => {
    route(
      {
        method: "post",
        path: "/import",
        summary: "Upsert officers, organisations and learners (with nested records) in one transaction; all or nothing",
        tag: "records",
        body: { schema: ImportDocument },
        responses: { 200: "counts", 400: "bad input (details = offending paths)", 413: "body too large (20 MiB)" },
      },
      (c) =>
        Effect.gen(function* () {
          const body = yield* readJson(c);
          if (body === undefined)
            return yield* new HttpError({
              status: 400,
              code: "invalid_input",
              text: "the import document is missing",
              details: [{ path: "(body)", message: "is missing" }],
            });
          return ok(yield* (yield* PicsRecords).importDocument(body));
        }),
    );

    for (const t of topLevel) {
      const base = `/${t.plural}`;
      const ref = t.ref;
      route(
        {
          method: "get",
          path: base,
          summary: `List ${t.plural}`,
          tag: "records",
          query: ListQuery,
          returns: { ref, page: true },
          responses: listResponses,
        },
        (c) =>
          Effect.gen(function* () {
            const query = yield* decodeQuery(c, ListQuery, "query");
            const store = yield* PicsRecords;
            const list =
              t.entity === "officer"
                ? store.listOfficers
                : t.entity === "organisation"
                  ? store.listOrganisations
                  : store.listLearners;
            return ok(yield* list(query));
          }),
      );
      route(
        {
          method: "post",
          path: base,
          summary: `Create a ${t.entity}`,
          tag: "records",
          body: { schema: t.schema },
          returns: { ref },
          responses: createResponses,
        },
        (c) =>
          Effect.gen(function* () {
            return ok(yield* t.create(yield* readObject(c, t.entity)), 201);
          }),
      );
      route(
        {
          method: "get",
          path: `${base}/:id`,
          summary: `Read a ${t.entity}`,
          tag: "records",
          returns: { ref },
          responses: getResponses,
        },
        (c) =>
          Effect.gen(function* () {
            const id = yield* pathId(c, "id");
            const store = yield* PicsRecords;
            return ok(
              yield* t.entity === "officer"
                ? store.getOfficer(id)
                : t.entity === "organisation"
                  ? store.getOrganisation(id)
                  : store.getLearner(id),
            );
          }),
      );
      route(
        {
          method: "patch",
          path: `${base}/:id`,
          summary: `Change some fields of a ${t.entity}; the merged whole is validated. Its OneFile ids are read-only (SEC-4): 400 naming the link route`,
          tag: "records",
          body: { schema: t.schema, partial: true },
          returns: { ref },
          responses: patchResponses,
        },
        (c) =>
          Effect.gen(function* () {
            const id = yield* pathId(c, "id");
            return ok(yield* t.update(id, yield* readObject(c, `${t.entity} fields`)));
          }),
      );
      route(
        {
          method: "delete",
          path: `${base}/:id`,
          summary: `Delete a ${t.entity}`,
          tag: "records",
          responses:
            t.entity === "learner"
              ? { 204: "deleted (with its nested records)", 400: "invalid id", 404: "unknown id" }
              : { 204: "deleted", 400: "invalid id", 404: "unknown id", 409: "still referred to by a learner" },
        },
        (c) =>
          Effect.gen(function* () {
            const id = yield* pathId(c, "id");
            if (t.entity === "learner") yield* (yield* PicsRecords).deleteLearner(id);
            else yield* records.deleteReferenced(t.entity, id);
            return noContent;
          }),
      );
    }

    for (const n of nested) {
      const base = `/learners/:id/${n.plural}`;
      const readOnly = n.kind === "review" ? " (onefileSystemId and onefileVisitId are read-only and refused)" : "";
      route(
        {
          method: "post",
          path: base,
          summary: `Add a ${n.kind} to a learner${readOnly}`,
          tag: "records",
          body: { schema: n.schema },
          returns: { ref: n.ref },
          responses: { ...createResponses, 404: "unknown learner" },
        },
        (c) =>
          Effect.gen(function* () {
            const id = yield* pathId(c, "id");
            return ok(yield* records.createNested(n.kind, id, yield* readObject(c, n.kind)), 201);
          }),
      );
      route(
        {
          method: "patch",
          path: `${base}/:subId`,
          summary: `Change some fields of a learner's ${n.kind}${readOnly}`,
          tag: "records",
          body: { schema: n.schema, partial: true },
          returns: { ref: n.ref },
          responses: { ...patchResponses, 404: "unknown learner or " + n.kind },
        },
        (c) =>
          Effect.gen(function* () {
            const id = yield* pathId(c, "id");
            const subId = yield* pathId(c, "subId");
            return ok(yield* records.updateNested(n.kind, id, subId, yield* readObject(c, `${n.kind} fields`)));
          }),
      );
      route(
        {
          method: "delete",
          path: `${base}/:subId`,
          summary: `Delete a learner's ${n.kind}`,
          tag: "records",
          responses: { 204: "deleted", 400: "invalid id", 404: "unknown learner or " + n.kind },
        },
        (c) =>
          Effect.gen(function* () {
            const id = yield* pathId(c, "id");
            const subId = yield* pathId(c, "subId");
            yield* records.deleteNested(n.kind, id, subId);
            return noContent;
          }),
      );
    }
  });
