/**
 * What the exchange's read planner needs from the store: how many records each OneFile centre
 * held when a run last listed it (`onefile_centre_counts`), and a light picture of the scope —
 * which centre each learner in scope is in, which officers and organisations those learners refer
 * to, and how many learners and linked reviews PICS knows per centre (an estimate of a centre
 * nobody has listed yet). Ids only: no learner record is loaded here.
 */
import { and, count, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { Context, Effect, Layer } from "effect";
import { Database, type StoreError } from "./database.ts";
import * as t from "./schema.ts";

export type CountedKind = "learners" | "reviews" | "placements" | "assessors";

/** A learner in scope, as the planner sees it. */
export interface ScopedLearner {
  readonly id: string;
  readonly onefileId: number | null;
  readonly centreId: number | null;
}

/** Per centre: what the learners in scope refer to, and what PICS knows of the whole centre. */
export interface CentreScope {
  readonly centreId: number;
  readonly learners: ReadonlyArray<ScopedLearner>;
  /**
   * Officers the learners in scope refer to: linked to OneFile (read by id) or not (searched by MIS
   * reference), and how many of them have a link in this centre (OFF-6: with several centres only
   * that link spares the MIS-reference search).
   */
  readonly officers: { readonly linked: number; readonly unlinked: number; readonly linkedInCentre: number };
  readonly organisations: { readonly linked: number; readonly unlinked: number };
  /** Learners of PICS linked to this centre, in scope or not, and their reviews linked to OneFile. */
  readonly picsLearners: number;
  readonly picsReviews: number;
}

export interface ScopeProfile {
  readonly centres: ReadonlyArray<CentreScope>;
  /** In scope but without a centre (not linked): the exchange reports them as it always did. */
  readonly withoutCentre: ReadonlyArray<ScopedLearner>;
  /** Officers / organisations of the customer linked to OneFile (a centre's assessors or placements, at most). */
  readonly linkedOfficers: number;
  readonly linkedOrganisations: number;
}

export interface CentreCountsShape {
  /** The counts the last listing of each centre saw. */
  readonly seen: (
    centreIds: ReadonlyArray<number>,
  ) => Effect.Effect<ReadonlyMap<number, Partial<Record<CountedKind, number>>>, StoreError>;
  readonly record: (centreId: number, kind: CountedKind, records: number) => Effect.Effect<void, StoreError>;
  readonly scopeProfile: (learnerIds: ReadonlyArray<string>) => Effect.Effect<ScopeProfile, StoreError>;
}

const CHUNK = 500;
const chunks = <A>(items: ReadonlyArray<A>) =>
  Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK));

export class CentreCounts extends Context.Tag("pics-store/CentreCounts")<CentreCounts, CentreCountsShape>() {
  static readonly layer = Layer.effect(
    CentreCounts,
    Effect.gen(function* () {
      const database = yield* Database;
      return {
        seen: (centreIds) =>
          database.use("read centre counts", async (db) => {
            const rows =
              centreIds.length === 0
                ? []
                : await db
                    .select()
                    .from(t.onefileCentreCounts)
                    .where(inArray(t.onefileCentreCounts.centreId, [...centreIds]));
            const byCentre = new Map<number, Partial<Record<CountedKind, number>>>();
            for (const row of rows) byCentre.set(row.centreId, { ...byCentre.get(row.centreId), [row.kind]: row.count });
            return byCentre;
          }),
        record: (centreId, kind, records) =>
          database.use("record centre count", (db) =>
            db
              .insert(t.onefileCentreCounts)
              .values({ centreId, kind, count: records, seenAt: new Date().toISOString() })
              .onConflictDoUpdate({
                target: [t.onefileCentreCounts.centreId, t.onefileCentreCounts.kind],
                set: { count: records, seenAt: new Date().toISOString() },
              }),
          ),
        scopeProfile: (learnerIds) =>
          database.use("read scope profile", async (db) => {
            const learners: Array<ScopedLearner> = [];
            const officersByCentre = new Map<number, Set<string>>();
            const organisationsByCentre = new Map<number, Set<string>>();
            const add = (map: Map<number, Set<string>>, centreId: number | undefined, id: string | null) => {
              if (centreId === undefined || id === null) return;
              let set = map.get(centreId);
              if (set === undefined) map.set(centreId, (set = new Set()));
              set.add(id);
            };
            for (const ids of chunks(learnerIds)) {
              const rows = await db
                .select({
                  id: t.learners.id,
                  onefileId: t.learners.onefileId,
                  centreId: t.learners.onefileCentreId,
                  mainOfficerId: t.learners.mainOfficerId,
                })
                .from(t.learners)
                .where(inArray(t.learners.id, ids));
              const centreOf = new Map<string, number>();
              for (const row of rows) {
                learners.push({ id: row.id, onefileId: row.onefileId, centreId: row.centreId });
                if (row.centreId === null || row.onefileId === null) continue;
                centreOf.set(row.id, row.centreId);
                add(officersByCentre, row.centreId, row.mainOfficerId);
              }
              const referenced = await Promise.all([
                db
                  .select({ learnerId: t.learnerOfficers.learnerId, id: t.learnerOfficers.officerId })
                  .from(t.learnerOfficers)
                  .where(inArray(t.learnerOfficers.learnerId, ids)),
                db
                  .selectDistinct({ learnerId: t.qualifications.learnerId, id: t.qualifications.assessorId })
                  .from(t.qualifications)
                  .where(and(inArray(t.qualifications.learnerId, ids), isNotNull(t.qualifications.assessorId))),
                db
                  .selectDistinct({ learnerId: t.reviews.learnerId, id: t.reviews.officerId })
                  .from(t.reviews)
                  .where(and(inArray(t.reviews.learnerId, ids), isNotNull(t.reviews.officerId))),
              ]);
              for (const list of referenced) for (const r of list) add(officersByCentre, centreOf.get(r.learnerId), r.id);
              const placements = await db
                .selectDistinct({ learnerId: t.placements.learnerId, id: t.placements.organisationId })
                .from(t.placements)
                .where(inArray(t.placements.learnerId, ids));
              for (const p of placements) add(organisationsByCentre, centreOf.get(p.learnerId), p.id);
            }
            const linkedOfficerIds = new Set(
              (await db.select({ id: t.officers.id }).from(t.officers).where(isNotNull(t.officers.onefileId))).map((r) => r.id),
            );
            const centreLinks = new Set(
              (
                await db
                  .select({ id: t.officerOnefileLinks.entityId, centreId: t.officerOnefileLinks.centreId })
                  .from(t.officerOnefileLinks)
              ).map((r) => `${r.centreId} ${r.id}`),
            );
            const linkedOrganisationIds = new Set(
              (await db.select({ id: t.organisations.id }).from(t.organisations).where(isNotNull(t.organisations.onefileId))).map(
                (r) => r.id,
              ),
            );
            const picsLearners = new Map(
              (
                await db
                  .select({ centreId: t.learners.onefileCentreId, n: count() })
                  .from(t.learners)
                  .where(isNotNull(t.learners.onefileId))
                  .groupBy(t.learners.onefileCentreId)
              ).map((r) => [r.centreId, r.n]),
            );
            const picsReviews = new Map(
              (
                await db
                  .select({ centreId: t.learners.onefileCentreId, n: count() })
                  .from(t.reviews)
                  .innerJoin(t.learners, eq(t.learners.id, t.reviews.learnerId))
                  .where(sql`${t.reviews.onefileSystemId} IS NOT NULL AND ${t.learners.onefileId} IS NOT NULL`)
                  .groupBy(t.learners.onefileCentreId)
              ).map((r) => [r.centreId, r.n]),
            );
            const split = (ids: ReadonlySet<string> | undefined, linked: ReadonlySet<string>) => {
              let inOneFile = 0;
              for (const id of ids ?? []) if (linked.has(id)) inOneFile++;
              return { linked: inOneFile, unlinked: (ids?.size ?? 0) - inOneFile };
            };
            const byCentre = new Map<number, Array<ScopedLearner>>();
            const withoutCentre: Array<ScopedLearner> = [];
            for (const l of learners) {
              if (l.centreId === null || l.onefileId === null) withoutCentre.push(l);
              else {
                const inCentre = byCentre.get(l.centreId);
                if (inCentre === undefined) byCentre.set(l.centreId, [l]);
                else inCentre.push(l);
              }
            }
            return {
              centres: [...byCentre].map(([centreId, inCentre]) => ({
                centreId,
                learners: inCentre,
                officers: {
                  ...split(officersByCentre.get(centreId), linkedOfficerIds),
                  linkedInCentre: [...(officersByCentre.get(centreId) ?? [])].filter((id) => centreLinks.has(`${centreId} ${id}`))
                    .length,
                },
                organisations: split(organisationsByCentre.get(centreId), linkedOrganisationIds),
                picsLearners: picsLearners.get(centreId) ?? 0,
                picsReviews: picsReviews.get(centreId) ?? 0,
              })),
              withoutCentre,
              linkedOfficers: linkedOfficerIds.size,
              linkedOrganisations: linkedOrganisationIds.size,
            };
          }),
      } satisfies CentreCountsShape;
    }),
  );
}
