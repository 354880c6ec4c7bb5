/**
 * The OneFile Standards of every centre as last fetched (STAT-3), for the standards list and the
 * status's centre count when OneFile cannot be asked. Enrolment previews do not read it: they
 * search each centre's Standards live (D13).
 */
import { asc } from "drizzle-orm";
import { Context, Effect, Layer } from "effect";
import { Database, type StoreError } from "./database.ts";
import { onefileStandards } from "./schema.ts";

export interface CachedStandard {
  readonly standardId: number;
  readonly centreId: number;
  readonly title: string;
  /** The VQ reference read from the title (ENR-5), null when the title has none. */
  readonly vqReference: string | null;
  readonly pathways: ReadonlyArray<{ readonly id: number; readonly title: string }>;
  readonly refreshedAt: string;
}

export interface StandardsCacheShape {
  /** Replaces the whole cache with a fresh fetch, in one transaction. */
  readonly replace: (standards: ReadonlyArray<Omit<CachedStandard, "refreshedAt">>) => Effect.Effect<string, StoreError>;
  readonly list: Effect.Effect<ReadonlyArray<CachedStandard>, StoreError>;
}

export class StandardsCache extends Context.Tag("pics-store/StandardsCache")<StandardsCache, StandardsCacheShape>() {
  static readonly layer = Layer.effect(
    StandardsCache,
    Effect.gen(function* () {
      const database = yield* Database;
      return {
        replace: (standards) =>
          database.transaction("replace standards cache", async (tx) => {
            const refreshedAt = new Date().toISOString();
            await tx.delete(onefileStandards);
            const rows = standards.map((s) => ({ ...s, pathways: JSON.stringify(s.pathways), refreshedAt }));
            for (let i = 0; i < rows.length; i += 200) await tx.insert(onefileStandards).values(rows.slice(i, i + 200));
            return refreshedAt;
          }),
        list: database.use("read standards cache", async (db) =>
          (
            await db.select().from(onefileStandards).orderBy(asc(onefileStandards.centreId), asc(onefileStandards.standardId))
          ).map((row) => ({ ...row, pathways: JSON.parse(row.pathways) as CachedStandard["pathways"] })),
        ),
      } satisfies StandardsCacheShape;
    }),
  );
}
