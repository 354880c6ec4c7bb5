/**
 * OneFile look-ups (http-api.md "OneFile look-ups and links"): read-only lists of the customer's
 * centres, classrooms, assessors, placements and learners, for "Look Up OneFile ID" (OFF-7, ORG-6),
 * linking a learner (ENR-10) and the enrolment choices of the console (CON-4, CON-5).
 *
 * They read through the same OneFile client (and so the same limiter and call budget) as a run, and
 * through a read-once view: a centre's list is read from OneFile once and kept for a short while,
 * so searching and paging through it (a person typing in a look-up box) costs no further calls.
 * OneFile's searches are exact, so `search` (case-insensitive, part of a word) is applied here.
 */
import { Roles, type OneFileClientShape, type OneFileError, type Standard } from "@pics/onefile-client";
import { PicsRecords, type StoreError } from "@pics/pics-store";
import { Context, Data, Effect, Layer } from "effect";
import { OneFileConnection, type ConnectionError } from "./connection.ts";
import type { IntegrationDisabled } from "./errors.ts";
import { makeOneFileView, type OneFileView } from "./onefile-view.ts";

export interface LookupQuery {
  /** Case-insensitive; matches part of a name, email, MIS reference or ULN. */
  readonly search?: string | undefined;
  readonly limit?: number | undefined;
  /** From the previous page's `nextCursor`. */
  readonly cursor?: string | null | undefined;
}

export interface LookupPage<A> {
  readonly items: ReadonlyArray<A>;
  readonly nextCursor: string | null;
}

export interface CentreItem {
  readonly id: number;
  readonly name: string | null;
}
export interface ClassroomItem {
  readonly id: number;
  readonly name: string | null;
  readonly misId: string | null;
}
export interface AssessorItem {
  readonly id: number;
  readonly firstName: string | null;
  readonly surname: string | null;
  readonly email: string | null;
  readonly misId: string | null;
  readonly role: number | null;
  readonly archived: boolean;
  /** The PICS officer linked to this assessor, if any. */
  readonly linkedOfficerId: string | null;
}
export interface PlacementItem {
  readonly id: number;
  readonly name: string | null;
  readonly misId: string | null;
  readonly linkedOrganisationId: string | null;
}
export interface LearnerItem {
  readonly id: number;
  readonly firstName: string | null;
  readonly surname: string | null;
  readonly email: string | null;
  readonly uln: string | null;
  readonly misId: string | null;
  readonly archived: boolean;
  readonly linkedLearnerId: string | null;
}

/** The centre asked for is not one of the customer's. */
export class UnknownCentre extends Data.TaggedError("UnknownCentre")<{ readonly centreId: number }> {
  override get message(): string {
    return `OneFile centre ${this.centreId} is not a centre of this customer`;
  }
}

export type LookupError = Exclude<ConnectionError, IntegrationDisabled> | OneFileError | StoreError;

export interface OneFileLookupsShape {
  readonly centres: (query: LookupQuery) => Effect.Effect<LookupPage<CentreItem>, LookupError>;
  readonly classrooms: (
    centreId: number,
    query: LookupQuery,
  ) => Effect.Effect<LookupPage<ClassroomItem>, LookupError | UnknownCentre>;
  readonly assessors: (
    centreId: number,
    query: LookupQuery,
  ) => Effect.Effect<LookupPage<AssessorItem>, LookupError | UnknownCentre>;
  readonly placements: (
    centreId: number,
    query: LookupQuery,
  ) => Effect.Effect<LookupPage<PlacementItem>, LookupError | UnknownCentre>;
  /** A centre's Standards with their pathways (the enrolment choices of the console). */
  readonly standards: (centreId: number) => Effect.Effect<ReadonlyArray<Standard>, LookupError | UnknownCentre>;
  readonly learners: (
    centreId: number,
    query: LookupQuery,
  ) => Effect.Effect<LookupPage<LearnerItem>, LookupError | UnknownCentre>;
}

export const LOOKUP_DEFAULT_LIMIT = 50;
export const LOOKUP_MAX_LIMIT = 100;
/** How long a look-up view is kept (decisions D70): long enough for a person to search and page. */
export const LOOKUP_VIEW_TTL_MS = 60_000;

/** Roles an officer may be linked to (OFF-7): assessor and trainee assessor. */
const ASSESSOR_ROLES = [Roles.assessor, Roles.traineeAssessor] as const;

const matches = (search: string | undefined, ...fields: ReadonlyArray<string | null | undefined>): boolean => {
  const needle = search?.trim().toLowerCase();
  if (!needle) return true;
  const haystack = fields.filter((f): f is string => typeof f === "string").map((f) => f.toLowerCase());
  // Every word of the search must appear somewhere ("ada assessor" finds Ada Assessor).
  return needle.split(/\s+/).every((word) => haystack.some((f) => f.includes(word)));
};

/** Pages an in-memory list: the cursor is the offset of the next item. */
const pageOf = <A>(all: ReadonlyArray<A>, query: LookupQuery): LookupPage<A> => {
  const limit = Math.min(Math.max(1, query.limit ?? LOOKUP_DEFAULT_LIMIT), LOOKUP_MAX_LIMIT);
  const offset = query.cursor && /^\d+$/.test(query.cursor) ? Number(query.cursor) : 0;
  const items = all.slice(offset, offset + limit);
  return { items, nextCursor: offset + limit < all.length ? String(offset + limit) : null };
};

/** An officer or organisation as far as its OneFile links go (`onefileLinks`: per centre, OFF-6/ORG-5). */
interface LinkedRecord {
  readonly id: string;
  readonly onefileId: number | null;
  readonly onefileLinks?: ReadonlyArray<{ readonly onefileId: number }>;
}

interface LookupView {
  readonly view: OneFileView;
  readonly once: <A>(key: string, read: Effect.Effect<A, OneFileError>) => Effect.Effect<A, OneFileError>;
}

export class OneFileLookups extends Context.Tag("core/OneFileLookups")<OneFileLookups, OneFileLookupsShape>() {
  static readonly layer = Layer.effect(
    OneFileLookups,
    Effect.gen(function* () {
      const connection = yield* OneFileConnection;
      const records = yield* PicsRecords;
      // One view per client (a settings change builds a new client, and so a new view).
      let current: { client: OneFileClientShape; view: LookupView; until: number } | undefined;

      const lookupView = Effect.gen(function* () {
        const { client } = yield* connection.clientEvenIfDisabled;
        const now = Date.now();
        if (current?.client !== client || current.until < now) {
          const cache = new Map<string, unknown>();
          const once = <A>(key: string, read: Effect.Effect<A, OneFileError>) =>
            Effect.suspend(() =>
              cache.has(key) ? Effect.succeed(cache.get(key) as A) : Effect.tap(read, (value) => cache.set(key, value)),
            );
          current = { client, view: { view: makeOneFileView(client), once }, until: now + LOOKUP_VIEW_TTL_MS };
        }
        return { client, ...current.view };
      });

      const centreOf = (lv: LookupView, centreId: number) =>
        Effect.flatMap(lv.view.centres, (centres) =>
          centres.some((c) => c.ID === centreId) ? Effect.void : Effect.fail(new UnknownCentre({ centreId })),
        );

      /** PICS records linked to OneFile ids (the single-centre id and any per-centre links). */
      const linkedIds = (
        list: (options: {
          limit: number;
          cursor: string | null;
        }) => Effect.Effect<{ readonly items: ReadonlyArray<LinkedRecord>; readonly nextCursor: string | null }, StoreError>,
      ): Effect.Effect<Map<number, string>, StoreError> =>
        Effect.gen(function* () {
          const byOnefileId = new Map<number, string>();
          let cursor: string | null = null;
          do {
            const page: { readonly items: ReadonlyArray<LinkedRecord>; readonly nextCursor: string | null } = yield* list({
              limit: 500,
              cursor,
            });
            for (const record of page.items) {
              if (typeof record.onefileId === "number") byOnefileId.set(record.onefileId, record.id);
              for (const link of record.onefileLinks ?? []) byOnefileId.set(link.onefileId, record.id);
            }
            cursor = page.nextCursor;
          } while (cursor !== null);
          return byOnefileId;
        });

      return {
        centres: (query) =>
          Effect.gen(function* () {
            const { view } = yield* lookupView;
            const centres = yield* view.centres;
            return pageOf(
              centres.filter((c) => matches(query.search, c.Name, String(c.ID))).map((c) => ({ id: c.ID, name: c.Name })),
              query,
            );
          }),
        classrooms: (centreId, query) =>
          Effect.gen(function* () {
            const lv = yield* lookupView;
            yield* centreOf(lv, centreId);
            const rows = yield* lv.view.classrooms(centreId);
            return pageOf(
              rows.filter((r) => matches(query.search, r.Name, r.MISID)).map((r) => ({ id: r.ID, name: r.Name, misId: r.MISID })),
              query,
            );
          }),
        assessors: (centreId, query) =>
          Effect.gen(function* () {
            const lv = yield* lookupView;
            yield* centreOf(lv, centreId);
            const users = (yield* Effect.forEach(ASSESSOR_ROLES, (role) =>
              lv.once(`users:${centreId}:${role}`, lv.client.searchUsers({ OrganisationID: centreId, Role: role })),
            ))
              .flat()
              .sort((a, b) => a.ID - b.ID);
            const found = users.filter((u) => matches(query.search, u.FirstName, u.LastName, u.Email, u.MISID));
            const page = pageOf(found, query);
            const linked = yield* linkedIds(records.listOfficers);
            return {
              items: page.items.map((u) => ({
                id: u.ID,
                firstName: u.FirstName,
                surname: u.LastName,
                email: u.Email,
                misId: u.MISID,
                role: u.Role,
                archived: u.Archived === true,
                linkedOfficerId: linked.get(u.ID) ?? null,
              })),
              nextCursor: page.nextCursor,
            };
          }),
        placements: (centreId, query) =>
          Effect.gen(function* () {
            const lv = yield* lookupView;
            yield* centreOf(lv, centreId);
            const rows = yield* lv.once(`placements:${centreId}`, lv.client.searchPlacements({ OrganisationID: centreId }));
            const page = pageOf(
              rows.filter((r) => matches(query.search, r.Name, r.MISID, r.Email)),
              query,
            );
            const linked = yield* linkedIds(records.listOrganisations);
            return {
              items: page.items.map((r) => ({
                id: r.ID,
                name: r.Name,
                misId: r.MISID,
                linkedOrganisationId: linked.get(r.ID) ?? null,
              })),
              nextCursor: page.nextCursor,
            };
          }),
        standards: (centreId) =>
          Effect.gen(function* () {
            const lv = yield* lookupView;
            yield* centreOf(lv, centreId);
            return yield* lv.view.standards(centreId);
          }),
        learners: (centreId, query) =>
          Effect.gen(function* () {
            const lv = yield* lookupView;
            yield* centreOf(lv, centreId);
            const rows = yield* lv.once(
              `users:${centreId}:${Roles.learner}`,
              lv.client.searchUsers({ OrganisationID: centreId, Role: Roles.learner }),
            );
            const page = pageOf(
              rows.filter((u) => matches(query.search, u.FirstName, u.LastName, u.Email, u.MISID, u.ULN)),
              query,
            );
            const items = yield* Effect.forEach(page.items, (u) =>
              Effect.map(records.learnerIdByOnefileId(u.ID), (linkedLearnerId) => ({
                id: u.ID,
                firstName: u.FirstName,
                surname: u.LastName,
                email: u.Email,
                uln: u.ULN,
                misId: u.MISID,
                archived: u.Archived === true,
                linkedLearnerId,
              })),
            );
            return { items, nextCursor: page.nextCursor };
          }),
      } satisfies OneFileLookupsShape;
    }),
  );
}
