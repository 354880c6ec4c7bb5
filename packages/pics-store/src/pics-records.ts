/**
 * PICS records in the store: officers, organisations, learners with their nested placements,
 * qualifications, reviews and learner officers; and the all-or-nothing import.
 *
 * Upserts never clear a OneFile link: those ids belong to the integration (it stores them back
 * after enrolment), so an incoming null keeps the stored id. Imports upsert by id and delete
 * nothing; deletion is its own operation.
 */
import { and, asc, eq, gt, inArray, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { getTableConfig } from "drizzle-orm/sqlite-core";
import { Context, Data, Effect, Layer } from "effect";
import { Database, StoreError, type Db, type Executor, type Tx } from "./database.ts";
import {
  decodeInput,
  ImportDocument,
  InvalidInput,
  invalidInput,
  type FieldIssue,
  type Learner,
  type Officer,
  type Organisation,
  type Placement,
  type Qualification,
  type Review,
} from "./records.ts";
import * as t from "./schema.ts";

/** What reconciliation (REC-1) matches a learner by, and its link. */
export interface LearnerKeys {
  readonly id: string;
  readonly firstName: string;
  readonly surname: string;
  readonly email: string | null;
  readonly uln: string | null;
  readonly onefileId: number | null;
  readonly onefileCentreId: number | null;
}

export class RecordNotFound extends Data.TaggedError("RecordNotFound")<{
  readonly entity: "officer" | "organisation" | "learner" | "placement" | "qualification" | "review";
  readonly id: string;
}> {
  override get message(): string {
    return `${this.entity} "${this.id}" does not exist`;
  }
}

/** A PICS record addressed for a field update; nested records are addressed under their learner. */
export type PicsTarget =
  | { readonly entity: "officer" | "organisation" | "learner"; readonly id: string }
  | { readonly entity: "placement" | "qualification" | "review"; readonly learnerId: string; readonly id: string };

const TABLES = {
  officer: t.officers,
  organisation: t.organisations,
  learner: t.learners,
  placement: t.placements,
  qualification: t.qualifications,
  review: t.reviews,
} as const;

const LINK_TABLES = { officer: t.officerOnefileLinks, organisation: t.organisationOnefileLinks } as const;
export type LinkedEntity = keyof typeof LINK_TABLES;

/** Sets (or, with `onefileId: null`, removes) one centre's link of an officer or organisation (OFF-6, ORG-5). */
const setLink = async (ex: Executor, entity: LinkedEntity, entityId: string, centreId: number, onefileId: number | null) => {
  const table = LINK_TABLES[entity];
  if (onefileId === null) {
    await ex.delete(table).where(and(eq(table.entityId, entityId), eq(table.centreId, centreId)));
    return;
  }
  await ex
    .insert(table)
    .values({ entityId, centreId, onefileId })
    .onConflictDoUpdate({
      target: [table.entityId, table.centreId],
      set: { onefileId, linkedAt: sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))` },
    });
};

/** The links of these officers / organisations, by id, in centre order. */
const linksOf = async (ex: Executor, entity: LinkedEntity, ids: ReadonlyArray<string>) => {
  const table = LINK_TABLES[entity];
  const byId = new Map<string, Array<{ centreId: number; onefileId: number }>>();
  for (const c of chunks(ids)) {
    const rows = await ex
      .select()
      .from(table)
      .where(inArray(table.entityId, [...c]))
      .orderBy(asc(table.centreId));
    for (const row of rows)
      byId.set(row.entityId, [...(byId.get(row.entityId) ?? []), { centreId: row.centreId, onefileId: row.onefileId }]);
  }
  return byId;
};

const withLinks = async <A extends { id: string }>(ex: Executor, entity: LinkedEntity, records: Array<A>) => {
  const links = await linksOf(
    ex,
    entity,
    records.map((r) => r.id),
  );
  return records.map((r) => ({ ...r, onefileLinks: links.get(r.id) ?? [] }));
};

/** Sets some fields of one record (the integration's writes: OneFile ids, progression, demographics). */
const patchRecord = async (ex: Executor, target: PicsTarget, fields: Readonly<Record<string, unknown>>) => {
  const table = TABLES[target.entity];
  const columns = table as unknown as Record<string, SQLiteColumn>;
  const set: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    // `onefileLink: {centreId, onefileId | null}`: one centre's link of an officer or organisation.
    if (key === "onefileLink" && (target.entity === "officer" || target.entity === "organisation")) {
      const link = value as { centreId: number; onefileId: number | null };
      const [exists] = await ex
        .select({ id: columns.id! })
        .from(table)
        .where(sql`${columns.id!} = ${target.id}`);
      if (exists === undefined) return 0;
      await setLink(ex, target.entity, target.id, link.centreId, link.onefileId);
      continue;
    }
    if (!(key in columns) || key === "id" || key === "learnerId" || key === "createdAt" || key === "updatedAt") {
      throw new Error(`${target.entity} has no writable field "${key}"`);
    }
    set[key] = value;
  }
  if ("updatedAt" in columns) set.updatedAt = new Date().toISOString();
  const idColumn = columns.id!;
  const where =
    "learnerId" in target
      ? sql`${idColumn} = ${target.id} AND ${columns.learnerId!} = ${target.learnerId}`
      : sql`${idColumn} = ${target.id}`;
  const updated = await ex.update(table).set(set).where(where).returning({ id: idColumn });
  return updated.length;
};

export interface Page<A> {
  readonly items: ReadonlyArray<A>;
  /** Pass back as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export interface ListOptions {
  readonly limit?: number | undefined;
  readonly cursor?: string | null | undefined;
}

export interface ImportCounts {
  readonly officers: number;
  readonly organisations: number;
  readonly learners: number;
  readonly placements: number;
  readonly qualifications: number;
  readonly reviews: number;
}

// ---------------------------------------------------------------- upsert helpers

/** Columns holding OneFile ids: an incoming null never overwrites a stored id. */
const ONEFILE_LINK_COLUMNS = new Set([
  "onefile_id",
  "onefile_centre_id",
  "onefile_standard_id",
  "onefile_learning_aim_id",
  "onefile_system_id",
  "onefile_visit_id",
]);
/** Columns the database fills and an upsert leaves alone. */
const KEEP_ON_UPDATE = new Set(["created_at"]);

/** The `SET` of an `INSERT … ON CONFLICT DO UPDATE` that takes every column from the new row. */
const upsertSet = (table: SQLiteTable): Record<string, SQL> => {
  const { name: tableName, columns } = getTableConfig(table);
  const set: Record<string, SQL> = {};
  for (const [key, column] of Object.entries(table as unknown as Record<string, SQLiteColumn>)) {
    if (!columns.includes(column) || column.primary || KEEP_ON_UPDATE.has(column.name)) continue;
    const incoming = `excluded."${column.name}"`;
    set[key] =
      column.name === "updated_at"
        ? sql.raw(`strftime('%Y-%m-%dT%H:%M:%fZ','now')`)
        : ONEFILE_LINK_COLUMNS.has(column.name)
          ? sql.raw(`coalesce(${incoming}, "${tableName}"."${column.name}")`)
          : sql.raw(incoming);
  }
  return set;
};

const CHUNK = 200;
const chunks = <A>(items: ReadonlyArray<A>): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
};

/** Links a record carries (an import migrating a PICS database, SEC-4) are set; links it leaves out stay. */
const upsertLinks = async (ex: Executor, entity: LinkedEntity, rows: ReadonlyArray<Officer | Organisation>) => {
  for (const row of rows)
    for (const link of row.onefileLinks ?? []) await setLink(ex, entity, row.id, link.centreId, link.onefileId);
};

const upsertOfficers = async (ex: Executor, rows: ReadonlyArray<Officer>) => {
  for (const chunk of chunks(rows)) {
    await ex
      .insert(t.officers)
      .values(chunk.map(({ onefileLinks: _links, ...officer }) => officer))
      .onConflictDoUpdate({ target: t.officers.id, set: upsertSet(t.officers) });
  }
  await upsertLinks(ex, "officer", rows);
};

const upsertOrganisations = async (ex: Executor, rows: ReadonlyArray<Organisation>) => {
  for (const chunk of chunks(rows)) {
    await ex
      .insert(t.organisations)
      .values(chunk.map(({ onefileLinks: _links, ...organisation }) => organisation))
      .onConflictDoUpdate({ target: t.organisations.id, set: upsertSet(t.organisations) });
  }
  await upsertLinks(ex, "organisation", rows);
};

const upsertLearners = async (ex: Executor, rows: ReadonlyArray<Learner>) => {
  const flat = rows.map(({ officers: _o, placements: _p, qualifications: _q, reviews: _r, ...learner }) => learner);
  for (const chunk of chunks(flat)) {
    await ex
      .insert(t.learners)
      .values([...chunk])
      .onConflictDoUpdate({ target: t.learners.id, set: upsertSet(t.learners) });
  }
  const learnerIds = rows.map((l) => l.id);
  // Learner officers are a plain relation without ids of their own: the incoming list replaces it.
  for (const ids of chunks(learnerIds)) {
    await ex.delete(t.learnerOfficers).where(inArray(t.learnerOfficers.learnerId, [...ids]));
  }
  const links = rows.flatMap((l) => l.officers.map((o) => ({ learnerId: l.id, officerId: o.officerId, type: o.type })));
  for (const chunk of chunks(links))
    await ex
      .insert(t.learnerOfficers)
      .values([...chunk])
      .onConflictDoNothing();

  const nested = <R>(pick: (l: Learner) => ReadonlyArray<R>) =>
    rows.flatMap((l) => pick(l).map((r) => ({ ...r, learnerId: l.id })));
  for (const chunk of chunks(nested((l) => l.placements))) {
    await ex
      .insert(t.placements)
      .values([...chunk])
      .onConflictDoUpdate({ target: [t.placements.learnerId, t.placements.id], set: upsertSet(t.placements) });
  }
  for (const chunk of chunks(nested((l) => l.qualifications))) {
    await ex
      .insert(t.qualifications)
      .values([...chunk])
      .onConflictDoUpdate({ target: [t.qualifications.learnerId, t.qualifications.id], set: upsertSet(t.qualifications) });
  }
  for (const chunk of chunks(nested((l) => l.reviews))) {
    await ex
      .insert(t.reviews)
      .values([...chunk])
      .onConflictDoUpdate({ target: [t.reviews.learnerId, t.reviews.id], set: upsertSet(t.reviews) });
  }
};

// ---------------------------------------------------------------- reading

const officerFromRow = ({ createdAt: _c, updatedAt: _u, ...officer }: typeof t.officers.$inferSelect): Officer => officer;
const organisationFromRow = ({
  createdAt: _c,
  updatedAt: _u,
  ...organisation
}: typeof t.organisations.$inferSelect): Organisation => organisation;

type LearnerRows = readonly [
  ReadonlyArray<typeof t.learners.$inferSelect>,
  ReadonlyArray<typeof t.learnerOfficers.$inferSelect>,
  ReadonlyArray<typeof t.placements.$inferSelect>,
  ReadonlyArray<typeof t.qualifications.$inferSelect>,
  ReadonlyArray<typeof t.reviews.$inferSelect>,
];

const readLearners = async (ex: Executor, ids: ReadonlyArray<string>): Promise<Array<Learner>> => {
  if (ids.length === 0) return [];
  const idList = [...ids];
  return assembleLearners(
    await Promise.all([
      ex.select().from(t.learners).where(inArray(t.learners.id, idList)).orderBy(asc(t.learners.id)),
      ex.select().from(t.learnerOfficers).where(inArray(t.learnerOfficers.learnerId, idList)),
      // Placements in creation order (rowid breaks ties within one import, which shares created_at):
      // ORG-1 breaks start-date ties by the latest created, and the Placement record has no
      // creation time of its own.
      ex
        .select()
        .from(t.placements)
        .where(inArray(t.placements.learnerId, idList))
        .orderBy(asc(t.placements.createdAt), sql`rowid`),
      ex.select().from(t.qualifications).where(inArray(t.qualifications.learnerId, idList)).orderBy(asc(t.qualifications.id)),
      ex.select().from(t.reviews).where(inArray(t.reviews.learnerId, idList)).orderBy(asc(t.reviews.id)),
    ]),
  );
};

const assembleLearners = ([rows, officerLinks, placementRows, qualificationRows, reviewRows]: LearnerRows): Array<Learner> => {
  const byLearner = <R extends { learnerId: string }>(items: ReadonlyArray<R>) => {
    const map = new Map<string, Array<Omit<R, "learnerId">>>();
    for (const { learnerId, ...rest } of items) {
      const list = map.get(learnerId) ?? [];
      list.push(rest);
      map.set(learnerId, list);
    }
    return map;
  };
  const links = byLearner(officerLinks);
  const placements = byLearner(placementRows.map(({ createdAt: _c, ...p }) => p));
  const qualifications = byLearner(qualificationRows);
  const reviews = byLearner(reviewRows);
  return rows.map(({ createdAt: _c, updatedAt: _u, ...learner }) => ({
    ...learner,
    systemStatus: learner.systemStatus as Learner["systemStatus"],
    learningStatus: learner.learningStatus as Learner["learningStatus"],
    officers: (links.get(learner.id) ?? []).sort(
      (a, b) => a.officerId.localeCompare(b.officerId) || a.type.localeCompare(b.type),
    ),
    placements: (placements.get(learner.id) ?? []) as Array<Placement>,
    qualifications: (qualifications.get(learner.id) ?? []) as Array<Qualification>,
    reviews: (reviews.get(learner.id) ?? []) as Array<Review>,
  }));
};

/** Rows whose column is one of the ids in the `ids` placeholder (a JSON array: one parameter for any number). */
const inIdList = (column: SQLiteColumn) => sql`${column} IN (SELECT value FROM json_each(${sql.placeholder("ids")}))`;

/**
 * The run's reads of one learner and of the officers and organisations it refers to, built once
 * (drizzle's query building cost more than the queries): the same queries and row order as
 * `readLearners`, `getOfficers` and `getOrganisations`.
 */
const preparedReads = (db: Db) => {
  const learnerId = sql.placeholder("id");
  const links = (table: (typeof LINK_TABLES)[LinkedEntity]) =>
    db.select().from(table).where(inIdList(table.entityId)).orderBy(asc(table.centreId)).prepare();
  return {
    learner: [
      db.select().from(t.learners).where(eq(t.learners.id, learnerId)).prepare(),
      db.select().from(t.learnerOfficers).where(eq(t.learnerOfficers.learnerId, learnerId)).prepare(),
      db
        .select()
        .from(t.placements)
        .where(eq(t.placements.learnerId, learnerId))
        .orderBy(asc(t.placements.createdAt), sql`rowid`)
        .prepare(),
      db
        .select()
        .from(t.qualifications)
        .where(eq(t.qualifications.learnerId, learnerId))
        .orderBy(asc(t.qualifications.id))
        .prepare(),
      db.select().from(t.reviews).where(eq(t.reviews.learnerId, learnerId)).orderBy(asc(t.reviews.id)).prepare(),
    ] as const,
    officers: db.select().from(t.officers).where(inIdList(t.officers.id)).prepare(),
    organisations: db.select().from(t.organisations).where(inIdList(t.organisations.id)).prepare(),
    links: { officer: links(t.officerOnefileLinks), organisation: links(t.organisationOnefileLinks) },
  };
};

const linksById = (rows: ReadonlyArray<{ entityId: string; centreId: number; onefileId: number }>) => {
  const byId = new Map<string, Array<{ centreId: number; onefileId: number }>>();
  for (const row of rows)
    byId.set(row.entityId, [...(byId.get(row.entityId) ?? []), { centreId: row.centreId, onefileId: row.onefileId }]);
  return byId;
};

// ---------------------------------------------------------------- import checks

/** References that must point at an officer or organisation in the document or the store. */
const checkReferences = async (ex: Executor, doc: ImportDocument): Promise<Array<FieldIssue>> => {
  const officerRefs = new Map<string, Array<{ path: string; recordId: string }>>();
  const organisationRefs = new Map<string, Array<{ path: string; recordId: string }>>();
  const refer = (map: typeof officerRefs, id: string | null, path: string, recordId: string) => {
    if (id === null) return;
    const list = map.get(id) ?? [];
    list.push({ path, recordId });
    map.set(id, list);
  };
  doc.learners.forEach((l, i) => {
    const at = `learners[${i}]`;
    refer(officerRefs, l.mainOfficerId, `${at}.mainOfficerId`, l.id);
    l.officers.forEach((o, j) => refer(officerRefs, o.officerId, `${at}.officers[${j}].officerId`, l.id));
    l.qualifications.forEach((q, j) => refer(officerRefs, q.assessorId, `${at}.qualifications[${j}].assessorId`, l.id));
    l.reviews.forEach((r, j) => refer(officerRefs, r.officerId, `${at}.reviews[${j}].officerId`, l.id));
    l.placements.forEach((p, j) => refer(organisationRefs, p.organisationId, `${at}.placements[${j}].organisationId`, l.id));
  });
  const missing = async (
    refs: typeof officerRefs,
    inDocument: ReadonlySet<string>,
    lookup: (ids: Array<string>) => Promise<Array<{ id: string }>>,
    what: string,
  ) => {
    const unknown = [...refs.keys()].filter((id) => !inDocument.has(id));
    const found = new Set<string>();
    for (const ids of chunks(unknown)) for (const row of await lookup([...ids])) found.add(row.id);
    return unknown
      .filter((id) => !found.has(id))
      .flatMap((id) => (refs.get(id) ?? []).map((r) => ({ ...r, message: `refers to ${what} "${id}", which does not exist` })));
  };
  return [
    ...(await missing(
      officerRefs,
      new Set(doc.officers.map((o) => o.id)),
      (ids) => ex.select({ id: t.officers.id }).from(t.officers).where(inArray(t.officers.id, ids)),
      "officer",
    )),
    ...(await missing(
      organisationRefs,
      new Set(doc.organisations.map((o) => o.id)),
      (ids) => ex.select({ id: t.organisations.id }).from(t.organisations).where(inArray(t.organisations.id, ids)),
      "organisation",
    )),
  ];
};

/** Thrown inside a transaction to roll it back with a typed reason. */
/** A create for an id that exists (a nested record names its learner). */
export class RecordExists extends Data.TaggedError("RecordExists")<{
  readonly entity: RecordNotFound["entity"];
  readonly id: string;
  readonly learnerId?: string;
}> {
  override get message(): string {
    return this.learnerId === undefined
      ? `${this.entity} "${this.id}" already exists; PATCH it to change it`
      : `learner "${this.learnerId}" already has ${this.entity} "${this.id}"; PATCH it to change it`;
  }
}

/** An officer or organisation a learner still refers to cannot be deleted (the learners are listed, at most 20). */
export class RecordInUse extends Data.TaggedError("RecordInUse")<{
  readonly entity: "officer" | "organisation";
  readonly id: string;
  readonly learners: ReadonlyArray<string>;
}> {
  override get message(): string {
    const n = this.learners.length;
    return `${this.entity} "${this.id}" is still referred to by learner${n === 1 ? "" : "s"} ${this.learners.map((l) => `"${l}"`).join(", ")}; change them first`;
  }
}

/** A reference from a record to another one, by the path of the field that holds it. */
export interface Reference {
  readonly path: string;
  readonly entity: "officer" | "organisation";
  readonly id: string;
}

/**
 * A record refers to officers or organisations that do not exist (main officer, learner officers,
 * placement organisation, qualification assessor, review officer): each is named with its path.
 */
export class UnknownReferences extends Data.TaggedError("UnknownReferences")<{
  readonly references: ReadonlyArray<Reference>;
}> {
  /** One issue per reference, in the shape of `InvalidInput.issues`. */
  get issues(): Array<FieldIssue> {
    return this.references.map((r) => ({ path: r.path, message: `refers to ${r.entity} "${r.id}", which does not exist` }));
  }
  override get message(): string {
    return `invalid references: ${this.issues.map((i) => `${i.path} ${i.message}`).join("; ")}`;
  }
}

class Abort extends Error {
  constructor(readonly failure: InvalidInput | RecordNotFound) {
    super(failure.message);
  }
}

// ---------------------------------------------------------------- the service

export interface PicsRecordsShape {
  /** Upserts a whole document of officers, organisations and learners in one transaction. */
  readonly importDocument: (input: unknown) => Effect.Effect<ImportCounts, InvalidInput | StoreError>;
  readonly getOfficer: (id: string) => Effect.Effect<Officer, RecordNotFound | StoreError>;
  readonly getOrganisation: (id: string) => Effect.Effect<Organisation, RecordNotFound | StoreError>;
  readonly getLearner: (id: string) => Effect.Effect<Learner, RecordNotFound | StoreError>;
  /** Learners by id, in id order; unknown ids are left out. */
  readonly getLearners: (ids: ReadonlyArray<string>) => Effect.Effect<Array<Learner>, StoreError>;
  readonly getOfficers: (ids: ReadonlyArray<string>) => Effect.Effect<Array<Officer>, StoreError>;
  readonly getOrganisations: (ids: ReadonlyArray<string>) => Effect.Effect<Array<Organisation>, StoreError>;
  readonly listOfficers: (options?: ListOptions) => Effect.Effect<Page<Officer>, StoreError>;
  readonly listOrganisations: (options?: ListOptions) => Effect.Effect<Page<Organisation>, StoreError>;
  readonly listLearners: (options?: ListOptions) => Effect.Effect<Page<Learner>, StoreError>;
  /** Writes records already decoded (the integration's own writes go through here). */
  readonly saveOfficer: (officer: Officer, ex?: Tx) => Effect.Effect<void, StoreError>;
  readonly saveOrganisation: (organisation: Organisation, ex?: Tx) => Effect.Effect<void, StoreError>;
  readonly saveLearner: (learner: Learner, ex?: Tx) => Effect.Effect<void, StoreError>;
  /** Saves a new record; RecordExists when its id is taken. The check and the insert are one transaction. */
  readonly createOfficer: (officer: Officer) => Effect.Effect<void, RecordExists | StoreError>;
  readonly createOrganisation: (organisation: Organisation) => Effect.Effect<void, RecordExists | StoreError>;
  readonly createLearner: (learner: Learner) => Effect.Effect<void, RecordExists | StoreError>;
  /** Sets some fields of one record; unknown fields are a programming error. */
  readonly patch: (
    target: PicsTarget,
    fields: Readonly<Record<string, unknown>>,
    ex?: Tx,
  ) => Effect.Effect<void, RecordNotFound | StoreError>;
  /** The PICS learner linked to a OneFile learner, if any (ENR-10: one link per OneFile learner). */
  /**
   * OFF-7, ORG-6: the officer (organisation) already linked to this OneFile record in this centre —
   * by a centre link, or by its single-centre `onefileId` — or null.
   */
  readonly linkedTo: (entity: LinkedEntity, centreId: number, onefileId: number) => Effect.Effect<string | null, StoreError>;
  readonly learnerIdByOnefileId: (onefileId: number) => Effect.Effect<string | null, StoreError>;
  /** REC-1: every learner's matching keys and OneFile link, in id order (one narrow query, no nested records). */
  readonly learnerKeys: Effect.Effect<Array<LearnerKeys>, StoreError>;
  /** Adds one review to a learner (REV-D1: a OneFile review PICS did not have). */
  readonly insertReview: (learnerId: string, review: Review, ex?: Tx) => Effect.Effect<void, StoreError>;
  /**
   * SYNC-2: ids of learners linked to OneFile, Live, and InLearning or ended within `endedWithinDays`
   * of `today` (YYYY-MM-DD), in id order.
   */
  readonly learnerIdsInScope: (today: string, endedWithinDays: number) => Effect.Effect<Array<string>, StoreError>;
  readonly deleteOfficer: (id: string) => Effect.Effect<void, RecordNotFound | StoreError>;
  readonly deleteOrganisation: (id: string) => Effect.Effect<void, RecordNotFound | StoreError>;
  /** Deletes an officer or organisation no learner refers to; the check and the delete are one transaction. */
  readonly deleteUnreferenced: (
    entity: "officer" | "organisation",
    id: string,
  ) => Effect.Effect<void, RecordNotFound | RecordInUse | StoreError>;
  readonly deleteLearner: (id: string) => Effect.Effect<void, RecordNotFound | StoreError>;
}

const DEFAULT_PAGE = 100;
const MAX_PAGE = 500;

export class PicsRecords extends Context.Tag("pics-store/PicsRecords")<PicsRecords, PicsRecordsShape>() {
  static readonly layer = Layer.effect(
    PicsRecords,
    Effect.gen(function* () {
      const database = yield* Database;
      const decodeDocument = decodeInput(ImportDocument, "import document");
      const prepared = preparedReads(database.db);

      const one = <A>(entity: RecordNotFound["entity"], id: string, rows: ReadonlyArray<A>) =>
        rows[0] === undefined ? Effect.fail(new RecordNotFound({ entity, id })) : Effect.succeed(rows[0]);

      const page = <Row extends { id: string }, A>(
        operation: string,
        query: (db: Executor, after: string | null, limit: number) => Promise<Array<Row>>,
        toRecord: (rows: Array<Row>, db: Executor) => Promise<Array<A>>,
        options: ListOptions = {},
      ) => {
        const limit = Math.min(Math.max(options.limit ?? DEFAULT_PAGE, 1), MAX_PAGE);
        return database.use(operation, async (db) => {
          const rows = await query(db, options.cursor ?? null, limit + 1);
          const shown = rows.slice(0, limit);
          return {
            items: await toRecord(shown, db),
            nextCursor: rows.length > limit ? (shown[shown.length - 1]?.id ?? null) : null,
          };
        });
      };

      const remove =
        (entity: RecordNotFound["entity"], table: typeof t.officers | typeof t.organisations | typeof t.learners) =>
        (id: string) =>
          database
            .use(`delete ${entity}`, (db) => db.delete(table).where(eq(table.id, id)).returning({ id: table.id }))
            .pipe(Effect.flatMap((rows) => (rows.length === 0 ? Effect.fail(new RecordNotFound({ entity, id })) : Effect.void)));

      const createNew = (
        entity: "officer" | "organisation" | "learner",
        table: typeof t.officers | typeof t.organisations | typeof t.learners,
        id: string,
        insert: (tx: Tx) => Promise<void>,
      ): Effect.Effect<void, RecordExists | StoreError> =>
        database
          .transaction(`create ${entity}`, async (tx) => {
            if ((await tx.select({ id: table.id }).from(table).where(eq(table.id, id))).length > 0) return false;
            await insert(tx);
            return true;
          })
          .pipe(Effect.flatMap((created) => (created ? Effect.void : Effect.fail(new RecordExists({ entity, id })))));

      const withExecutor = (operation: string, ex: Tx | undefined, f: (ex: Executor) => Promise<void>) =>
        ex
          ? Effect.tryPromise({ try: () => f(ex), catch: (cause) => new StoreError({ operation, cause }) })
          : database.transaction(operation, f);

      return {
        importDocument: (input) =>
          Effect.gen(function* () {
            const doc = yield* decodeDocument(input);
            return yield* database
              .transaction("import", async (tx) => {
                const problems = await checkReferences(tx, doc);
                if (problems.length > 0) throw new Abort(invalidInput("import document", problems));
                await upsertOfficers(tx, doc.officers);
                await upsertOrganisations(tx, doc.organisations);
                await upsertLearners(tx, doc.learners);
                const nested = (pick: (l: Learner) => ReadonlyArray<unknown>) =>
                  doc.learners.reduce((n, l) => n + pick(l).length, 0);
                return {
                  officers: doc.officers.length,
                  organisations: doc.organisations.length,
                  learners: doc.learners.length,
                  placements: nested((l) => l.placements),
                  qualifications: nested((l) => l.qualifications),
                  reviews: nested((l) => l.reviews),
                };
              })
              .pipe(
                Effect.catchTag("StoreError", (error): Effect.Effect<never, InvalidInput | StoreError> =>
                  error.cause instanceof Abort && error.cause.failure._tag === "InvalidInput"
                    ? Effect.fail(error.cause.failure)
                    : Effect.fail(error),
                ),
              );
          }),

        linkedTo: (entity, centreId, onefileId) =>
          database.use(`find ${entity} linked to OneFile ${onefileId}`, async (db) => {
            const links = LINK_TABLES[entity];
            const [byLink] = await db
              .select({ id: links.entityId })
              .from(links)
              .where(and(eq(links.centreId, centreId), eq(links.onefileId, onefileId)));
            if (byLink) return byLink.id;
            const table = entity === "officer" ? t.officers : t.organisations;
            const [byId] = await db.select({ id: table.id }).from(table).where(eq(table.onefileId, onefileId)).limit(1);
            return byId?.id ?? null;
          }),
        getOfficer: (id) =>
          database
            .use("read officer", async (db) =>
              withLinks(db, "officer", (await db.select().from(t.officers).where(eq(t.officers.id, id))).map(officerFromRow)),
            )
            .pipe(Effect.flatMap((rows) => one("officer", id, rows))),
        getOrganisation: (id) =>
          database
            .use("read organisation", async (db) =>
              withLinks(
                db,
                "organisation",
                (await db.select().from(t.organisations).where(eq(t.organisations.id, id))).map(organisationFromRow),
              ),
            )
            .pipe(Effect.flatMap((rows) => one("organisation", id, rows))),
        getLearner: (id) =>
          database
            .use("read learner", async () => {
              const [learner, officers, placements, qualifications, reviews] = prepared.learner;
              const params = { id };
              return assembleLearners(
                await Promise.all([
                  learner.all(params),
                  officers.all(params),
                  placements.all(params),
                  qualifications.all(params),
                  reviews.all(params),
                ]),
              );
            })
            .pipe(Effect.flatMap((rows) => one("learner", id, rows))),
        getLearners: (ids) =>
          database.use("read learners", async (db) => (await Promise.all(chunks(ids).map((c) => readLearners(db, c)))).flat()),
        getOfficers: (ids) =>
          ids.length <= CHUNK
            ? database.use("read officers", async () => {
                if (ids.length === 0) return [];
                const params = { ids: JSON.stringify(ids) };
                const [rows, links] = await Promise.all([prepared.officers.all(params), prepared.links.officer.all(params)]);
                const byId = linksById(links);
                return rows.map((row) => ({ ...officerFromRow(row), onefileLinks: byId.get(row.id) ?? [] }));
              })
            : database.use("read officers", async (db) =>
                withLinks(
                  db,
                  "officer",
                  (
                    await Promise.all(
                      chunks(ids).map((c) =>
                        db
                          .select()
                          .from(t.officers)
                          .where(inArray(t.officers.id, [...c])),
                      ),
                    )
                  )
                    .flat()
                    .map(officerFromRow),
                ),
              ),
        getOrganisations: (ids) =>
          ids.length <= CHUNK
            ? database.use("read organisations", async () => {
                if (ids.length === 0) return [];
                const params = { ids: JSON.stringify(ids) };
                const [rows, links] = await Promise.all([
                  prepared.organisations.all(params),
                  prepared.links.organisation.all(params),
                ]);
                const byId = linksById(links);
                return rows.map((row) => ({ ...organisationFromRow(row), onefileLinks: byId.get(row.id) ?? [] }));
              })
            : database.use("read organisations", async (db) =>
                withLinks(
                  db,
                  "organisation",
                  (
                    await Promise.all(
                      chunks(ids).map((c) =>
                        db
                          .select()
                          .from(t.organisations)
                          .where(inArray(t.organisations.id, [...c])),
                      ),
                    )
                  )
                    .flat()
                    .map(organisationFromRow),
                ),
              ),
        listOfficers: (options) =>
          page(
            "list officers",
            (db, after, limit) =>
              db
                .select()
                .from(t.officers)
                .where(after === null ? undefined : gt(t.officers.id, after))
                .orderBy(asc(t.officers.id))
                .limit(limit),
            async (rows, db) => withLinks(db, "officer", rows.map(officerFromRow)),
            options,
          ),
        listOrganisations: (options) =>
          page(
            "list organisations",
            (db, after, limit) =>
              db
                .select()
                .from(t.organisations)
                .where(after === null ? undefined : gt(t.organisations.id, after))
                .orderBy(asc(t.organisations.id))
                .limit(limit),
            async (rows, db) => withLinks(db, "organisation", rows.map(organisationFromRow)),
            options,
          ),
        listLearners: (options) =>
          page(
            "list learners",
            (db, after, limit) =>
              db
                .select({ id: t.learners.id })
                .from(t.learners)
                .where(after === null ? undefined : gt(t.learners.id, after))
                .orderBy(asc(t.learners.id))
                .limit(limit),
            (rows, db) =>
              readLearners(
                db,
                rows.map((r) => r.id),
              ),
            options,
          ),

        saveOfficer: (officer, ex) => withExecutor("save officer", ex, (e) => upsertOfficers(e, [officer])),
        saveOrganisation: (organisation, ex) =>
          withExecutor("save organisation", ex, (e) => upsertOrganisations(e, [organisation])),
        saveLearner: (learner, ex) => withExecutor("save learner", ex, (e) => upsertLearners(e, [learner])),

        patch: (target, fields, ex) => {
          const run = (e: Executor) => patchRecord(e, target, fields);
          return (
            ex
              ? Effect.tryPromise({
                  try: () => run(ex),
                  catch: (cause) => new StoreError({ operation: `update ${target.entity}`, cause }),
                })
              : // A OneFile id stored after a create is synced with it (D58): with the create's intent
                // (ENR-13), it is what tells a re-run after a power loss that the record exists.
                Object.keys(fields).some((key) => key.startsWith("onefile"))
                ? database.durably(`update ${target.entity}`, run)
                : database.use(`update ${target.entity}`, run)
          ).pipe(
            Effect.flatMap((n) =>
              n === 0 ? Effect.fail(new RecordNotFound({ entity: target.entity, id: target.id })) : Effect.void,
            ),
          );
        },
        learnerKeys: database.use("read learner keys", (db) =>
          db
            .select({
              id: t.learners.id,
              firstName: t.learners.firstName,
              surname: t.learners.surname,
              email: t.learners.email,
              uln: t.learners.uln,
              onefileId: t.learners.onefileId,
              onefileCentreId: t.learners.onefileCentreId,
            })
            .from(t.learners)
            .orderBy(asc(t.learners.id)),
        ),
        learnerIdByOnefileId: (onefileId) =>
          database.use("find learner by OneFile id", async (db) => {
            const [row] = await db
              .select({ id: t.learners.id })
              .from(t.learners)
              .where(eq(t.learners.onefileId, onefileId))
              .limit(1);
            return row?.id ?? null;
          }),
        insertReview: (learnerId, review, ex) =>
          withExecutor("add review", ex, async (e) => {
            await e.insert(t.reviews).values({ ...review, learnerId });
          }),
        learnerIdsInScope: (today, endedWithinDays) =>
          database.use("read sync scope", async (db) => {
            const earliestEnd = new Date(Date.parse(`${today}T00:00:00Z`) - endedWithinDays * 86_400_000)
              .toISOString()
              .slice(0, 10);
            const rows = await db
              .select({ id: t.learners.id })
              .from(t.learners)
              .where(
                sql`${t.learners.onefileId} IS NOT NULL AND ${t.learners.systemStatus} = 'Live' AND (${t.learners.learningStatus} = 'InLearning' OR (${t.learners.actualEndDate} IS NOT NULL AND ${t.learners.actualEndDate} >= ${earliestEnd}))`,
              )
              .orderBy(asc(t.learners.id));
            return rows.map((r) => r.id);
          }),
        deleteOfficer: remove("officer", t.officers),
        deleteOrganisation: remove("organisation", t.organisations),
        createOfficer: (officer) => createNew("officer", t.officers, officer.id, (tx) => upsertOfficers(tx, [officer])),
        createOrganisation: (organisation) =>
          createNew("organisation", t.organisations, organisation.id, (tx) => upsertOrganisations(tx, [organisation])),
        createLearner: (learner) => createNew("learner", t.learners, learner.id, (tx) => upsertLearners(tx, [learner])),
        deleteUnreferenced: (entity, id) =>
          database
            .transaction(`delete ${entity} unless referred to`, async (tx) => {
              const table = entity === "officer" ? t.officers : t.organisations;
              const found = await tx.select({ id: table.id }).from(table).where(eq(table.id, id));
              if (found.length === 0) return { outcome: "not_found" as const };
              const referring =
                entity === "officer"
                  ? sql`SELECT id AS learner FROM learners WHERE main_officer_id = ${id}
                        UNION SELECT learner_id FROM learner_officers WHERE officer_id = ${id}
                        UNION SELECT learner_id FROM qualifications WHERE assessor_id = ${id}
                        UNION SELECT learner_id FROM reviews WHERE officer_id = ${id}
                        ORDER BY 1 LIMIT 20`
                  : sql`SELECT DISTINCT learner_id AS learner FROM placements WHERE organisation_id = ${id} ORDER BY 1 LIMIT 20`;
              const learners = (await tx.all<{ learner: string }>(referring)).map((row) => String(row.learner));
              if (learners.length > 0) return { outcome: "in_use" as const, learners };
              await tx.delete(table).where(eq(table.id, id));
              return { outcome: "deleted" as const };
            })
            .pipe(
              Effect.flatMap((result): Effect.Effect<void, RecordNotFound | RecordInUse> =>
                result.outcome === "not_found"
                  ? Effect.fail(new RecordNotFound({ entity, id }))
                  : result.outcome === "in_use"
                    ? Effect.fail(new RecordInUse({ entity, id, learners: result.learners }))
                    : Effect.void,
              ),
            ),
        deleteLearner: remove("learner", t.learners),
      } satisfies PicsRecordsShape;
    }),
  );
}
