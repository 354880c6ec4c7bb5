/**
 * Cross-process locks with expiry, kept in libSQL so the server, the scheduler and any replica
 * see the same ones. A lease is taken in one atomic statement: it is granted when nobody holds
 * it, when its holder's time ran out (a crashed process), or when the caller already holds it.
 * Expiry is on the database's clock (LIM-4), so hosts with skewed clocks agree on it.
 *
 * SYNC-5 fencing: a holder that may have lost its lease (a renewal found it taken, or no renewal
 * succeeded for a whole TTL, so it may have lapsed) must stop before its next write; `hold`
 * returns a guard whose `check` says so, and the writers call it before each write.
 */
import { and, eq, gt, sql } from "drizzle-orm";
import { Clock, Context, Data, Duration, Effect, Layer, Ref, Schedule, type Scope } from "effect";
import { Database, dbNowMs, type StoreError } from "./database.ts";
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

/** The holder can no longer be sure it holds the lease: it stops before writing again. */
export class LeaseLost extends Data.TaggedError("LeaseLost")<{
  readonly name: string;
  readonly reason: "taken" | "lapsed";
}> {
  override get message(): string {
    return this.reason === "taken"
      ? `stopped: the lease "${this.name}" was taken by another process, so this one must not write any more`
      : `stopped: the lease "${this.name}" could not be renewed in time and may have passed to another process`;
  }
}

/** What a holder checks before each write (SYNC-5). */
export interface LeaseGuard {
  readonly name: string;
  /**
   * Fails with LeaseLost once the lease may be someone else's: a renewal or this check found it
   * taken (one indexed read), or no renewal succeeded for the lease's lifetime.
   */
  readonly check: Effect.Effect<void, LeaseLost>;
}

export interface LeasesShape {
  /** Takes or renews the lease for `ttlMs`; false when another owner holds it. */
  readonly tryAcquire: (name: string, owner: string, ttlMs: number) => Effect.Effect<boolean, StoreError>;
  /** Extends a lease the owner still holds; false when it lapsed or another owner has it. */
  readonly renew: (name: string, owner: string, ttlMs: number) => Effect.Effect<boolean, StoreError>;
  readonly release: (name: string, owner: string) => Effect.Effect<void, StoreError>;
  readonly holder: (name: string) => Effect.Effect<{ owner: string; expiresAt: number } | null, StoreError>;
  /**
   * Holds the lease for the life of the scope, renewing it every third of `ttlMs` so a live
   * process keeps it and a dead one frees it within `ttlMs`. Fails with LeaseHeld when taken.
   * The guard it returns tells the holder when it lost the lease.
   */
  readonly hold: (name: string, owner: string, ttlMs: number) => Effect.Effect<LeaseGuard, LeaseHeld | StoreError, Scope.Scope>;
}

export class Leases extends Context.Tag("pics-store/Leases")<Leases, LeasesShape>() {
  static readonly layer = Layer.effect(
    Leases,
    Effect.gen(function* () {
      const database = yield* Database;

      // Built once (placeholders), not per call: a run takes, checks and releases a lease per learner.
      const db = database.db;
      const [name_, owner_, ttl_] = [sql.placeholder("name"), sql.placeholder("owner"), sql.placeholder("ttlMs")];
      const takeQuery = db
        .insert(leases)
        .values({ name: name_, owner: owner_, expiresAt: sql`${dbNowMs} + ${ttl_}` })
        .onConflictDoUpdate({
          target: leases.name,
          set: { owner: sql`excluded.owner`, expiresAt: sql`excluded.expires_at` },
          setWhere: sql`${leases.expiresAt} <= ${dbNowMs} OR ${leases.owner} = ${owner_}`,
        })
        .returning({ owner: leases.owner })
        .prepare();
      const renewQuery = db
        .update(leases)
        .set({ expiresAt: sql`${dbNowMs} + ${ttl_}` })
        .where(and(eq(leases.name, name_), eq(leases.owner, owner_), gt(leases.expiresAt, dbNowMs)))
        .returning({ owner: leases.owner })
        .prepare();
      const releaseQuery = db
        .delete(leases)
        .where(and(eq(leases.name, name_), eq(leases.owner, owner_)))
        .prepare();
      const holderQuery = db
        .select()
        .from(leases)
        .where(and(eq(leases.name, name_), gt(leases.expiresAt, dbNowMs)))
        .prepare();

      const tryAcquire: LeasesShape["tryAcquire"] = (name, owner, ttlMs) =>
        database.use("take lease", async () => (await takeQuery.all({ name, owner, ttlMs })).length === 1);

      const renew: LeasesShape["renew"] = (name, owner, ttlMs) =>
        database.use("renew lease", async () => (await renewQuery.all({ name, owner, ttlMs })).length === 1);

      const release: LeasesShape["release"] = (name, owner) =>
        database.use("release lease", async () => void (await releaseQuery.run({ name, owner })));

      const holder: LeasesShape["holder"] = (name) =>
        database.use("read lease", async () => {
          const [row] = await holderQuery.all({ name });
          return row ? { owner: row.owner, expiresAt: row.expiresAt } : null;
        });

      const hold: LeasesShape["hold"] = (name, owner, ttlMs) =>
        Effect.gen(function* () {
          // The lease runs at least `ttlMs` from when a successful take or renewal was SENT: the
          // guard counts from then on this process's clock (a duration, so clock skew between
          // hosts does not matter), with a margin for the two clocks' rates.
          const safeFor = ttlMs - Math.min(1_000, Math.ceil(ttlMs / 10));
          const sentAt = yield* Clock.currentTimeMillis;
          const taken = yield* tryAcquire(name, owner, ttlMs);
          if (!taken) {
            const current = yield* holder(name);
            return yield* Effect.fail(
              new LeaseHeld({ name, holder: current?.owner ?? "another process", expiresAt: current?.expiresAt ?? Date.now() }),
            );
          }
          const confirmedAt = yield* Ref.make(sentAt);
          const takenAway = yield* Ref.make(false);
          yield* Effect.addFinalizer(() => release(name, owner).pipe(Effect.ignore));
          const renewOnce = Effect.gen(function* () {
            const sent = yield* Clock.currentTimeMillis;
            // A failed renewal (a busy database) is tried again next time; the guard stops the
            // holder once no renewal succeeded for the lease's lifetime.
            const renewed = yield* Effect.either(renew(name, owner, ttlMs));
            if (renewed._tag === "Left") return true;
            if (renewed.right) return yield* Ref.set(confirmedAt, sent).pipe(Effect.as(true));
            return yield* Ref.set(takenAway, true).pipe(Effect.as(false));
          });
          yield* renewOnce.pipe(
            Effect.repeat({
              schedule: Schedule.spaced(Duration.millis(Math.max(1, Math.floor(ttlMs / 3)))),
              while: (stillOurs) => stillOurs,
            }),
            Effect.delay(Duration.millis(Math.max(1, Math.floor(ttlMs / 3)))),
            Effect.forkScoped,
          );
          const check = Effect.gen(function* () {
            if (yield* Ref.get(takenAway)) return yield* new LeaseLost({ name, reason: "taken" });
            const now = yield* Clock.currentTimeMillis;
            if (now - (yield* Ref.get(confirmedAt)) >= safeFor) return yield* new LeaseLost({ name, reason: "lapsed" });
            // The renewal runs every third of the TTL; the database says at once if someone took it
            // meanwhile. A busy database proves nothing either way: the deadline above decides then.
            const current = yield* Effect.either(holder(name));
            if (current._tag === "Right" && current.right?.owner !== owner) {
              yield* Ref.set(takenAway, true);
              return yield* new LeaseLost({ name, reason: current.right === null ? "lapsed" : "taken" });
            }
          });
          return { name, check } satisfies LeaseGuard;
        });

      return { tryAcquire, renew, release, holder, hold } satisfies LeasesShape;
    }),
  );
}
