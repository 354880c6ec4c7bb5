/**
 * The PICS record routes' operations: create (409 when the id exists), merge-then-validate
 * updates, deletes, and the nested placements / qualifications / reviews of a learner.
 *
 * Decisions (see README):
 * - References (main officer, learner officers, placement organisation, qualification assessor,
 *   review officer) must exist, as for the import; missing ones fail as `UnknownReferences`
 *   (400 `invalid_input` naming their paths).
 * - An officer or organisation still referenced by a learner cannot be deleted (409 `in_use`).
 * - A learner PATCH that carries a nested list replaces that list (records left out are deleted).
 * - Review `onefileSystemId` / `onefileVisitId` belong to the OneFile exchange: the review routes
 *   refuse them; the learner routes accept them only unchanged (so a GET body can be sent back).
 */
import {
  Database,
  decodeInput,
  Learner,
  Officer,
  Organisation,
  PicsRecords,
  Placement,
  Qualification,
  RecordExists,
  RecordNotFound,
  Review,
  tables,
  UnknownReferences,
  type FieldIssue,
  type Reference,
} from "@pics/pics-store";
import { and, eq, inArray } from "drizzle-orm";
import { Effect, type Schema } from "effect";
import { badInput, HttpError } from "./errors.ts";
import { READ_ONLY_REVIEW_FIELDS } from "./schemas.ts";

type Json = Record<string, unknown>;

/** A body may repeat the id of the record it addresses, never change it. */
const checkSameId = (body: Json, id: string, entity: string) =>
  body.id !== undefined && body.id !== id
    ? Effect.fail(
        badInput(`the ${entity} id cannot be changed`, [
          { path: "id", message: `must be "${id}" (the id in the path) or left out` },
        ]),
      )
    : Effect.void;

// ---------------------------------------------------------------- references

interface Ref {
  readonly path: string;
  readonly id: string | null;
}

/** The references must exist, as for the import; the missing ones fail as `UnknownReferences`. */
const checkReferences = (officers: ReadonlyArray<Ref>, organisations: ReadonlyArray<Ref>) =>
  Effect.gen(function* () {
    const records = yield* PicsRecords;
    const wanted = (refs: ReadonlyArray<Ref>) => [...new Set(refs.flatMap((r) => (r.id === null ? [] : [r.id])))];
    const foundOfficers = new Set((yield* records.getOfficers(wanted(officers))).map((o) => o.id));
    const foundOrganisations = new Set((yield* records.getOrganisations(wanted(organisations))).map((o) => o.id));
    const missing = (refs: ReadonlyArray<Ref>, entity: Reference["entity"], found: ReadonlySet<string>): Array<Reference> =>
      refs.flatMap((r) => (r.id !== null && !found.has(r.id) ? [{ path: r.path, entity, id: r.id }] : []));
    const references = [
      ...missing(officers, "officer", foundOfficers),
      ...missing(organisations, "organisation", foundOrganisations),
    ];
    if (references.length > 0) return yield* new UnknownReferences({ references });
  });

const placementRefs = (p: Placement, at = ""): Array<Ref> => [{ path: `${at}organisationId`, id: p.organisationId }];
const qualificationRefs = (q: Qualification, at = ""): Array<Ref> => [{ path: `${at}assessorId`, id: q.assessorId }];
const reviewRefs = (r: Review, at = ""): Array<Ref> => [{ path: `${at}officerId`, id: r.officerId }];

const checkLearnerReferences = (l: Learner) =>
  checkReferences(
    [
      { path: "mainOfficerId", id: l.mainOfficerId },
      ...l.officers.map((o, i) => ({ path: `officers[${i}].officerId`, id: o.officerId })),
      ...l.qualifications.flatMap((q, i) => qualificationRefs(q, `qualifications[${i}].`)),
      ...l.reviews.flatMap((r, i) => reviewRefs(r, `reviews[${i}].`)),
    ],
    l.placements.flatMap((p, i) => placementRefs(p, `placements[${i}].`)),
  );

/** Review OneFile ids in a learner body: accepted only as stored (null for new reviews). */
const checkLearnerReviewLinks = (body: Json, stored: ReadonlyArray<Review>) => {
  if (!Array.isArray(body.reviews)) return Effect.void;
  const issues: Array<FieldIssue> = [];
  body.reviews.forEach((review: unknown, i) => {
    if (typeof review !== "object" || review === null) return;
    const r = review as Json;
    const before = stored.find((s) => s.id === r.id);
    for (const field of READ_ONLY_REVIEW_FIELDS) {
      const value = r[field];
      if (value !== undefined && value !== null && value !== (before?.[field] ?? null)) {
        issues.push({ path: `reviews[${i}].${field}`, message: "is read-only: the OneFile exchange sets it" });
      }
    }
  });
  return issues.length > 0 ? Effect.fail(badInput("review OneFile ids are read-only", issues)) : Effect.void;
};

// ---------------------------------------------------------------- OneFile links (SEC-4)

type Linked = "officer" | "organisation" | "learner" | "qualification";

/** The fields that link a PICS record to OneFile; only enrolment, the link routes and the exchange set them. */
const LINK_FIELDS: Readonly<Record<Linked, ReadonlyArray<string>>> = {
  officer: ["onefileId", "onefileLinks"],
  organisation: ["onefileId", "onefileLinks"],
  learner: ["onefileId", "onefileCentreId"],
  qualification: ["onefileStandardId", "onefileLearningAimId"],
};

const linkRoute = (entity: Linked, id: string, learnerId: string): string =>
  entity === "officer"
    ? `POST /api/v1/officers/${id}/onefile/link`
    : entity === "organisation"
      ? `POST /api/v1/organisations/${id}/onefile/link`
      : entity === "learner"
        ? `POST /api/v1/learners/${id}/onefile/link (or …/onefile/enrol)`
        : `POST /api/v1/learners/${learnerId}/onefile/enrol (the OneFile exchange keeps it)`;

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * SEC-4: OneFile ids in a create or PATCH body are accepted only as stored (so a GET body can be
 * sent back); any other value is refused naming the field and the route that changes it. Otherwise
 * one PATCH could link a second learner to another's OneFile record with none of ENR-10's checks.
 */
const linkIssues = (
  entity: Linked,
  body: Json,
  stored: Json | undefined,
  where: { id: string; learnerId: string; at?: string },
): Array<FieldIssue> =>
  LINK_FIELDS[entity]
    .filter((field) => body[field] !== undefined && !sameValue(body[field], stored?.[field]))
    .map((field) => ({
      path: `${where.at ?? ""}${field}`,
      message: `is read-only: change it with ${linkRoute(entity, where.id, where.learnerId)}`,
    }));

const refuseLinkChanges = (issues: ReadonlyArray<FieldIssue>) =>
  issues.length === 0
    ? Effect.void
    : Effect.fail(
        badInput(`OneFile links are read-only here: ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`, issues),
      );

/** A learner body's own links and those of the qualifications it lists, against what is stored. */
const learnerLinkIssues = (id: string, body: Json, stored: Learner | undefined) => {
  const issues = linkIssues("learner", body, stored as Json | undefined, { id, learnerId: id });
  if (Array.isArray(body.qualifications)) {
    body.qualifications.forEach((q: unknown, i) => {
      if (typeof q !== "object" || q === null) return;
      const before = stored?.qualifications.find((s) => s.id === (q as Json).id);
      issues.push(
        ...linkIssues("qualification", q as Json, before as Json | undefined, { id, learnerId: id, at: `qualifications[${i}].` }),
      );
    });
  }
  return issues;
};

const idOf = (body: unknown) =>
  typeof body === "object" && body !== null && typeof (body as Json).id === "string" ? ((body as Json).id as string) : ":id";

// ---------------------------------------------------------------- officers and organisations

export const createOfficer = (body: unknown) =>
  Effect.gen(function* () {
    const records = yield* PicsRecords;
    const officer = yield* decodeInput(Officer, "officer")(body);
    // Refused as taken before the other checks; the store checks again as it inserts.
    if ((yield* records.getOfficers([officer.id])).length > 0)
      return yield* new RecordExists({ entity: "officer", id: officer.id });
    yield* refuseLinkChanges(linkIssues("officer", body as Json, undefined, { id: officer.id, learnerId: "" }));
    yield* records.createOfficer(officer);
    return yield* records.getOfficer(officer.id);
  });

export const updateOfficer = (id: string, body: Json) =>
  Effect.gen(function* () {
    const records = yield* PicsRecords;
    const current = yield* records.getOfficer(id);
    yield* checkSameId(body, id, "officer");
    yield* refuseLinkChanges(linkIssues("officer", body, current as unknown as Json, { id, learnerId: "" }));
    const officer = yield* decodeInput(Officer, "officer")({ ...current, ...body });
    yield* records.saveOfficer(officer);
    return yield* records.getOfficer(id);
  });

export const createOrganisation = (body: unknown) =>
  Effect.gen(function* () {
    const records = yield* PicsRecords;
    const organisation = yield* decodeInput(Organisation, "organisation")(body);
    if ((yield* records.getOrganisations([organisation.id])).length > 0)
      return yield* new RecordExists({ entity: "organisation", id: organisation.id });
    yield* refuseLinkChanges(linkIssues("organisation", body as Json, undefined, { id: organisation.id, learnerId: "" }));
    yield* records.createOrganisation(organisation);
    return yield* records.getOrganisation(organisation.id);
  });

export const updateOrganisation = (id: string, body: Json) =>
  Effect.gen(function* () {
    const records = yield* PicsRecords;
    const current = yield* records.getOrganisation(id);
    yield* checkSameId(body, id, "organisation");
    yield* refuseLinkChanges(linkIssues("organisation", body, current as unknown as Json, { id, learnerId: "" }));
    const organisation = yield* decodeInput(Organisation, "organisation")({ ...current, ...body });
    yield* records.saveOrganisation(organisation);
    return yield* records.getOrganisation(id);
  });

/** An officer or organisation no learner refers to (409 in_use otherwise); checked and deleted in one transaction. */
export const deleteReferenced = (entity: "officer" | "organisation", id: string) =>
  Effect.flatMap(PicsRecords, (records) => records.deleteUnreferenced(entity, id));

// ---------------------------------------------------------------- learners

export const createLearner = (body: unknown) =>
  Effect.gen(function* () {
    const records = yield* PicsRecords;
    const learner = yield* decodeInput(Learner, "learner")(body);
    // Refused as taken before the other checks (as always); the store checks again as it inserts.
    if ((yield* records.getLearners([learner.id])).length > 0)
      return yield* new RecordExists({ entity: "learner", id: learner.id });
    yield* refuseLinkChanges(learnerLinkIssues(learner.id, body as Json, undefined));
    yield* checkLearnerReviewLinks(body as Json, []);
    yield* checkLearnerReferences(learner);
    yield* records.createLearner(learner);
    return yield* records.getLearner(learner.id);
  });

const NESTED_LISTS = {
  placements: tables.placements,
  qualifications: tables.qualifications,
  reviews: tables.reviews,
} as const;

export const updateLearner = (id: string, body: Json) =>
  Effect.gen(function* () {
    const records = yield* PicsRecords;
    const database = yield* Database;
    const current = yield* records.getLearner(id);
    yield* checkSameId(body, id, "learner");
    yield* refuseLinkChanges(learnerLinkIssues(id, body, current));
    yield* checkLearnerReviewLinks(body, current.reviews);
    const learner = yield* decodeInput(Learner, "learner")({ ...current, ...body });
    yield* checkLearnerReferences(learner);
    // A nested list in the body replaces the stored one: what it leaves out is deleted.
    const removed = (Object.keys(NESTED_LISTS) as Array<keyof typeof NESTED_LISTS>).flatMap((list) => {
      const keep = new Set(learner[list].map((r) => r.id));
      const gone = current[list].map((r) => r.id).filter((rid) => !keep.has(rid));
      return gone.length === 0 ? [] : [{ table: NESTED_LISTS[list], ids: gone }];
    });
    yield* database.transaction(`update learner`, async (tx) => {
      for (const { table, ids } of removed) await tx.delete(table).where(and(eq(table.learnerId, id), inArray(table.id, ids)));
      await Effect.runPromise(records.saveLearner(learner, tx));
    });
    return yield* records.getLearner(id);
  });

// ---------------------------------------------------------------- nested records

export type NestedKind = "placement" | "qualification" | "review";

const NESTED = {
  placement: { list: "placements", schema: Placement as Schema.Schema<any, any> },
  qualification: { list: "qualifications", schema: Qualification as Schema.Schema<any, any> },
  review: { list: "reviews", schema: Review as Schema.Schema<any, any> },
} as const;

const checkNestedReferences = (kind: NestedKind, record: any) =>
  kind === "placement"
    ? checkReferences([], placementRefs(record))
    : checkReferences(kind === "qualification" ? qualificationRefs(record) : reviewRefs(record), []);

/** The review routes never take the OneFile ids of a review. */
const refuseReadOnly = (kind: NestedKind, body: Json) => {
  if (kind !== "review") return Effect.void;
  const present = READ_ONLY_REVIEW_FIELDS.filter((f) => f in body);
  return present.length === 0
    ? Effect.void
    : Effect.fail(
        badInput(
          `${present.join(" and ")} ${present.length === 1 ? "is" : "are"} read-only: the OneFile exchange sets ${present.length === 1 ? "it" : "them"}`,
          present.map((path) => ({ path, message: "is read-only: the OneFile exchange sets it" })),
        ),
      );
};

const listOf = (learner: Learner, kind: NestedKind): ReadonlyArray<{ id: string }> => learner[NESTED[kind].list];

export const createNested = (kind: NestedKind, learnerId: string, body: Json) =>
  Effect.gen(function* () {
    const records = yield* PicsRecords;
    const learner = yield* records.getLearner(learnerId);
    yield* refuseReadOnly(kind, body);
    if (kind === "qualification")
      yield* refuseLinkChanges(linkIssues("qualification", body, undefined, { id: idOf(body), learnerId }));
    const record = yield* decodeInput(NESTED[kind].schema, kind)(body);
    if (listOf(learner, kind).some((r) => r.id === record.id)) {
      return yield* new RecordExists({ entity: kind, id: record.id, learnerId });
    }
    yield* checkNestedReferences(kind, record);
    yield* records.saveLearner({ ...learner, [NESTED[kind].list]: [...listOf(learner, kind), record] } as Learner);
    return (listOf(yield* records.getLearner(learnerId), kind) as ReadonlyArray<{ id: string }>).find((r) => r.id === record.id);
  });

export const updateNested = (kind: NestedKind, learnerId: string, id: string, body: Json) =>
  Effect.gen(function* () {
    const records = yield* PicsRecords;
    const learner = yield* records.getLearner(learnerId);
    const current = listOf(learner, kind).find((r) => r.id === id);
    if (current === undefined) return yield* new RecordNotFound({ entity: kind, id });
    yield* refuseReadOnly(kind, body);
    if (kind === "qualification") yield* refuseLinkChanges(linkIssues("qualification", body, current as Json, { id, learnerId }));
    yield* checkSameId(body, id, kind);
    const record = yield* decodeInput(NESTED[kind].schema, kind)({ ...current, ...body });
    yield* checkNestedReferences(kind, record);
    yield* records.saveLearner({
      ...learner,
      [NESTED[kind].list]: listOf(learner, kind).map((r) => (r.id === id ? record : r)),
    } as Learner);
    return listOf(yield* records.getLearner(learnerId), kind).find((r) => r.id === id);
  });

export const deleteNested = (kind: NestedKind, learnerId: string, id: string) =>
  Effect.gen(function* () {
    const records = yield* PicsRecords;
    const database = yield* Database;
    yield* records.getLearner(learnerId);
    const table = NESTED_LISTS[NESTED[kind].list];
    const deleted = yield* database.use(`delete ${kind}`, (db) =>
      db
        .delete(table)
        .where(and(eq(table.learnerId, learnerId), eq(table.id, id)))
        .returning({ id: table.id }),
    );
    if (deleted.length === 0) return yield* new RecordNotFound({ entity: kind, id });
  });
