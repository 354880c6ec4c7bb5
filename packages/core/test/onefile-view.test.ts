import { describe, expect, it } from "@effect/vitest";
import type { OneFileClientShape, User } from "@pics/onefile-client";
import { Deferred, Effect, Fiber } from "effect";
import { makeOneFileView } from "../src/index.ts";
import { failLoud } from "../src/testing.ts";

/** A OneFile whose `getUser` answers only when the test opens the gate, counting the calls. */
const gatedClient = Effect.gen(function* () {
  const gate = yield* Deferred.make<void>();
  const calls: Array<number> = [];
  const client = failLoud<OneFileClientShape>("OneFileClient", {
    getUser: (id: number) =>
      Effect.sync(() => calls.push(id)).pipe(
        Effect.flatMap((n) => Effect.as(Deferred.await(gate), { ID: id, FirstName: `call ${n}` } as unknown as User)),
      ),
  });
  return { gate, calls, client };
});

describe("OneFile view", () => {
  it.effect("learners asking for the same record at once share one read", () =>
    Effect.gen(function* () {
      const { gate, calls, client } = yield* gatedClient;
      const view = makeOneFileView(client);
      const fibers = yield* Effect.forEach([1, 2, 3], () => Effect.fork(view.user(7)));
      yield* Effect.yieldNow();
      yield* Deferred.succeed(gate, undefined);
      const answers = yield* Effect.forEach(fibers, Fiber.join);
      expect(calls).toEqual([7]);
      expect(answers.map((u) => u.FirstName)).toEqual(["call 1", "call 1", "call 1"]);
      // kept: asked again later, still no call
      yield* view.user(7);
      expect(calls).toEqual([7]);
    }),
  );

  it.effect("a record forgotten while it is being read is read again, and the older answer is not kept", () =>
    Effect.gen(function* () {
      const { gate, calls, client } = yield* gatedClient;
      const view = makeOneFileView(client);
      const first = yield* Effect.fork(view.user(7));
      yield* Effect.yieldNow();
      view.forget({ kind: "user", id: 7 });
      const second = yield* Effect.fork(view.user(7));
      yield* Effect.yieldNow();
      yield* Deferred.succeed(gate, undefined);
      yield* Fiber.join(first);
      expect((yield* Fiber.join(second)).FirstName).toBe("call 2");
      expect(calls).toEqual([7, 7]);
      expect((yield* view.user(7)).FirstName).toBe("call 2");
    }),
  );

  it.effect("a reader interrupted mid-read leaves the others to read for themselves", () =>
    Effect.gen(function* () {
      const { gate, calls, client } = yield* gatedClient;
      const view = makeOneFileView(client);
      const first = yield* Effect.fork(view.user(7));
      yield* Effect.yieldNow();
      const waiter = yield* Effect.fork(view.user(7));
      yield* Effect.yieldNow();
      yield* Fiber.interrupt(first);
      yield* Effect.yieldNow();
      yield* Deferred.succeed(gate, undefined);
      expect((yield* Fiber.join(waiter)).FirstName).toBe("call 2");
      expect(calls).toEqual([7, 7]);
    }),
  );
});
