import { Effect, Either, ManagedRuntime } from "effect";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CallBudgets, Database, Leases, RunLog } from "../src/index.ts";
import { tempDatabaseUrl, testStore } from "./support.ts";

/** Runs `effect` with this process's clock `skewMs` off, as on a host whose clock is wrong. */
const withClockSkew = <A, E, R>(skewMs: number, effect: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const realNow = Date.now.bind(Date);
      return vi.spyOn(Date, "now").mockImplementation(() => realNow() + skewMs);
    }),
    () => effect,
    (spy) => Effect.sync(() => spy.mockRestore()),
  );

afterEach(() => vi.restoreAllMocks());

describe("LIM-4: leases, heartbeats and the call budget on the database's clock", () => {
  it("two budget instances whose clocks are 30 s apart never grant more than the budget together", async () => {
    const url = tempDatabaseUrl();
    await Effect.runPromise(Effect.provide(Effect.void, testStore(url)));
    // Two connections to one file, as two processes on two hosts.
    const hosts = [ManagedRuntime.make(testStore(url)), ManagedRuntime.make(testStore(url))];
    const [here, there] = await Promise.all(
      hosts.map((host) =>
        host.runPromise(Effect.flatMap(CallBudgets, (b) => b.forToken("customer-token", { calls: 10, windowMs: 20_000 }))),
      ),
    );
    let granted = 0;
    for (let i = 0; i < 10; i++) {
      // Each passes its own clock, 30 s apart (more than the window); the database's clock decides.
      if ((await Effect.runPromise(here!.take(Date.now()))) === 0) granted++;
      if ((await Effect.runPromise(there!.take(Date.now() + 30_000))) === 0) granted++;
    }
    await Promise.all(hosts.map((host) => host.dispose()));
    expect(granted).toBe(10);
  });

  it("a host whose clock runs 90 s ahead neither takes a live lease nor sees a live run as abandoned", async () => {
    const url = tempDatabaseUrl();
    await Effect.runPromise(
      Effect.gen(function* () {
        const leases = yield* Leases;
        const log = yield* RunLog;
        expect(yield* leases.tryAcquire("sync:run", "scheduler-a", 60_000)).toBe(true);
        const run = yield* log.start({ kind: "daily", trigger: "scheduler", owner: "scheduler-a" });
        // Its last heartbeat was 5 s ago, but its process holds the run lease: it is alive.
        const { client } = yield* Database;
        yield* Effect.promise(() =>
          client.execute({
            sql: "UPDATE runs SET heartbeat_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-5 seconds') WHERE id = ?",
            args: [run.id],
          }),
        );

        yield* withClockSkew(
          90_000,
          Effect.gen(function* () {
            expect(yield* leases.tryAcquire("sync:run", "scheduler-b", 60_000)).toBe(false);
            expect((yield* leases.holder("sync:run"))?.owner).toBe("scheduler-a");
            expect(yield* leases.renew("sync:run", "scheduler-b", 60_000)).toBe(false);
            expect(yield* log.closeAbandoned(1_000, "sync:run")).toEqual([]);
          }),
        );
        expect((yield* log.get(run.id)).status).toBe("running");

        // Once nobody holds the run lease, the stale run is closed as interrupted.
        yield* leases.release("sync:run", "scheduler-a");
        expect((yield* log.closeAbandoned(1_000, "sync:run")).map((r) => r.id)).toEqual([run.id]);
      }).pipe(Effect.provide(testStore(url))),
    );
  });
});

describe("SYNC-5: a lease holder knows when it lost the lease", () => {
  it("the guard fails once another process took the lease, and the holder's renewals stop", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const leases = yield* Leases;
          const guard = yield* leases.hold("learner:L1", "holder", 60_000);
          yield* guard.check;
          // Another process takes it over (this one stalled past its TTL, say).
          const { client } = yield* Database;
          yield* Effect.promise(() => client.execute("UPDATE leases SET owner = 'intruder' WHERE name = 'learner:L1'"));
          const checked = yield* Effect.either(guard.check);
          expect(Either.isLeft(checked) && checked.left).toMatchObject({
            _tag: "LeaseLost",
            name: "learner:L1",
            reason: "taken",
          });
          expect(yield* leases.renew("learner:L1", "holder", 60_000)).toBe(false);
          expect((yield* leases.holder("learner:L1"))?.owner).toBe("intruder");
        }),
      ).pipe(Effect.provide(testStore())),
    );
    // Releasing on scope close never removes the new holder's lease (checked by owner).
  });
});
