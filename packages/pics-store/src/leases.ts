/**
 * Cross-process locks with expiry, kept in libSQL so the server, the scheduler and any replica
 * see the same ones. A lease is taken in one atomic statement: it is granted when nobody holds
 * it, when its holder's time ran out (a crashed process), or when the caller already holds it.
 */
import { and, eq, sql } from "drizzle-orm";
import { Context, Data, Duration, Effect, Layer, Schedule, type Scope } from "effect";
import { Database, type StoreError } from "./database.ts";
import { leases } from "./schema.ts";

export class LeaseHeld extends Data.TaggedError("LeaseHeld")<{
  readonly name: string;
  readonly holder: string;
  readonly expiresAt: number;
}> {
  override get message(): string {
    return `"${this.name}" is in use by ${this.holder} until ${new Date(this.expiresAt).toISOString()}`;
  }
}

export interface LeasesShape {
  /** Takes or renews the lease for `ttlMs`; false when another owner holds it. */
  readonly tryAcquire: (name: string, owner: string, ttlMs: number) => Effect.Effect<boolean, StoreError>;
  readonly release: (name: string, owner: string) => Effect.Effect<void, StoreError>;
  readonly holder: (name: string) => Effect.Effect<{ owner: string; expiresAt: number } | null, StoreError>;
  /**
   * Holds the lease for the life of the scope, renewing it every third of `ttlMs` so a live
   * process never loses it and a dead one frees it within `ttlMs`. Fails with LeaseHeld when taken.
   */
  readonly hold: (name: string, owner: string, ttlMs: number) => Effect.Effect<void, LeaseHeld | StoreError, Scope.Scope>;
}

export class Leases extends Context.Tag("pics-store/Leases")<Leases, LeasesShape>() {
  static readonly layer = Layer.effect(
    Leases,
    Effect.gen(function* () {
      const database = yield* Database;

      const tryAcquire: LeasesShape["tryAcquire"] = (name, owner, ttlMs) =>
        database.use("take lease", async (db) => {
          const now = Date.now();
          const rows = await db
            .insert(leases)
            .values({ name, owner, expiresAt: now + ttlMs })
            .onConflictDoUpdate({
              target: leases.name,
              set: { owner, expiresAt: now + ttlMs },
              setWhere: sql`${leases.expiresAt} <= ${now} OR ${leases.owner} = ${owner}`,
            })
            .returning({ owner: leases.owner });
          return rows.length === 1;
        });

      const release: LeasesShape["release"] = (name, owner) =>
        database.use("release lease", (db) => db.delete(leases).where(and(eq(leases.name, name), eq(leases.owner, owner))));

      const holder: LeasesShape["holder"] = (name) =>
        database.use("read lease", async (db) => {
          const [row] = await db.select().from(leases).where(eq(leases.name, name));
          return row && row.expiresAt > Date.now() ? { owner: row.owner, expiresAt: row.expiresAt } : null;
        });

      const hold: LeasesShape["hold"] = (name, owner, ttlMs) =>
        Effect.gen(function* () {
          const taken = yield* tryAcquire(name, owner, ttlMs);
          if (!taken) {
            const current = yield* holder(name);
            return yield* Effect.fail(
              new LeaseHeld({ name, holder: current?.owner ?? "another process", expiresAt: current?.expiresAt ?? Date.now() }),
            );
          }
          yield* Effect.addFinalizer(() => release(name, owner).pipe(Effect.ignore));
          yield* tryAcquire(name, owner, ttlMs).pipe(
            Effect.ignore,
            Effect.repeat(Schedule.spaced(Duration.millis(Math.max(1, Math.floor(ttlMs / 3))))),
            Effect.forkScoped,
          );
        });

      return { tryAcquire, release, holder, hold } satisfies LeasesShape;
    }),
  );
}
