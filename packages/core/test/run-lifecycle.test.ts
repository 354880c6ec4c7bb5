/**
 * The run lifecycle against a real store (libSQL in a temp file): each way of closing a run, as
 * the run record then reads.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "@effect/vitest";
import { PicsStore, RunLog, StoreError, type RunLogShape } from "@pics/pics-store";
import { Cause, Data, Effect, Either, Exit } from "effect";
import { describe, expect } from "vitest";
import { dryRunMessage, runLifecycle, runErrorCode } from "../src/run-lifecycle.ts";

const store = () =>
  PicsStore.layer({
    url: `file:${join(mkdtempSync(join(tmpdir(), "run-lifecycle-")), "pics.db")}`,
    secretKey: "test-secret-key-0123456789",
  });

class Refused extends Data.TaggedError("Refused")<{ readonly why: string }> {
  override get message() {
    return `refused: ${this.why}`;
  }
}
class StepFailed extends Data.TaggedError("StepFailed")<{ readonly code: string }> {
  override get message() {
    return `create learner: ${this.code}`;
  }
}

const start = { kind: "enrolment", trigger: "http", learnerId: "L1", total: 1 } as const;

describe("run lifecycle", () => {
  it.effect("closes a run whose work succeeded: its errors, journal and progress, then succeeded or partially_succeeded", () =>
    Effect.gen(function* () {
      const log = yield* RunLog;
      const lifecycle = runLifecycle(log);
      const answer = yield* lifecycle.run(start, () => Effect.succeed(7), {
        close: (n) => ({
          partial: n > 5,
          message: `${n} done`,
          errors: [{ learnerId: "L1", code: "blocked", reason: "no main officer" }],
          journal: [{ entity: "learner", entityId: "L1", field: "onefileId", before: null, after: n, direction: "toPics" }],
          progress: { done: 1, failed: 1 },
        }),
        onFailure: { catches: "work" },
        answer: (n, run) => Effect.map(log.get(run.id), (closed) => ({ n, closed })),
      });
      expect(answer.n).toBe(7);
      expect(answer.closed).toMatchObject({
        status: "partially_succeeded",
        message: "7 done",
        changes: 1,
        progress: { total: 1, done: 1, failed: 1 },
        errors: [{ learnerId: "L1", code: "blocked", reason: "no main officer" }],
      });
      expect(answer.closed.endedAt).not.toBeNull();

      const dry = yield* lifecycle.run({ ...start, dryRun: true }, (run) => Effect.succeed(run.id), {
        close: () => ({ progress: { done: 1 }, message: dryRunMessage }),
        onFailure: { catches: "work" },
      });
      expect(yield* log.get(dry)).toMatchObject({ status: "succeeded", message: dryRunMessage, dryRun: true, errors: [] });
    }).pipe(Effect.provide(store())),
  );

  it.effect("a failure of the work closes the run failed, recorded as the policy says, and is passed on", () =>
    Effect.gen(function* () {
      const log = yield* RunLog;
      const lifecycle = runLifecycle(log);
      let runId = "";
      const recorded = yield* Effect.either(
        lifecycle.run(
          start,
          (run) => {
            runId = run.id;
            return Effect.fail(new StepFailed({ code: "RejectedByOneFile" }));
          },
          {
            close: () => ({ message: "never" }),
            onFailure: { record: { learnerId: "L1", countFailed: true } },
          },
        ),
      );
      expect(Either.isLeft(recorded) && recorded.left._tag).toBe("StepFailed");
      expect(yield* log.get(runId)).toMatchObject({
        status: "failed",
        message: "create learner: RejectedByOneFile",
        progress: { done: 0, failed: 1 },
        errors: [{ learnerId: "L1", code: "RejectedByOneFile", reason: "create learner: RejectedByOneFile" }],
      });

      // Not recorded: only the run's message says why.
      const bare = yield* Effect.either(
        lifecycle.run(
          start,
          (run) => {
            runId = run.id;
            return Effect.fail(new Refused({ why: "taken" }));
          },
          { close: () => ({ message: "never" }), onFailure: { catches: "work" } },
        ),
      );
      expect(Either.isLeft(bare)).toBe(true);
      expect(yield* log.get(runId)).toMatchObject({
        status: "failed",
        message: "refused: taken",
        progress: { failed: 0 },
        errors: [],
      });
      expect(runErrorCode(new Refused({ why: "x" }))).toBe("Refused");
    }).pipe(Effect.provide(store())),
  );

  it.effect("settle: the outcome is the answer; the run's own error has no learner and counts none failed", () =>
    Effect.gen(function* () {
      const log = yield* RunLog;
      const lifecycle = runLifecycle(log);
      const answer = yield* lifecycle.settle(
        { kind: "reconciliation", trigger: "http", total: 2 },
        () => Effect.fail(new Refused({ why: "centre gone" })),
        {
          close: () => ({ message: "never" }),
          onFailure: { record: { learnerId: null, countFailed: false }, strict: true },
          answer: (outcome, run) => Effect.map(log.get(run.id), (closed) => ({ failed: Either.isLeft(outcome), closed })),
        },
      );
      expect(answer.failed).toBe(true);
      expect(answer.closed).toMatchObject({
        status: "failed",
        message: "refused: centre gone",
        progress: { total: 2, done: 0, failed: 0 },
        errors: [{ learnerId: null, code: "Refused", reason: "refused: centre gone" }],
      });
    }).pipe(Effect.provide(store())),
  );

  it.effect(
    "closing a failed run is best effort unless strict: a store failure while recording skips the rest, or is the answer",
    () =>
      Effect.gen(function* () {
        const log = yield* RunLog;
        const broken: RunLogShape = {
          ...log,
          recordError: () => Effect.fail(new StoreError({ operation: "record run error", cause: new Error("disk full") })),
        };
        const lifecycle = runLifecycle(broken);
        let runId = "";
        const work = (run: { id: string }) => {
          runId = run.id;
          return Effect.fail(new Refused({ why: "no" }));
        };
        const bestEffort = yield* Effect.either(
          lifecycle.run(start, work, {
            close: () => ({ message: null }),
            onFailure: { record: { learnerId: "L1", countFailed: true } },
          }),
        );
        expect(Either.isLeft(bestEffort) && bestEffort.left._tag).toBe("Refused");
        expect((yield* log.get(runId)).status).toBe("running");

        const strict = yield* Effect.either(
          lifecycle.settle(start, work, {
            close: () => ({ message: null }),
            onFailure: { record: { learnerId: null, countFailed: false }, strict: true },
            answer: () => Effect.void,
          }),
        );
        expect(Either.isLeft(strict) && strict.left._tag).toBe("StoreError");
        expect((yield* log.get(runId)).status).toBe("running");
      }).pipe(Effect.provide(store())),
  );

  it.effect(
    "anyCause: a defect after the run closed still closes it failed, with the fixed message; leaveRunning leaves it",
    () =>
      Effect.gen(function* () {
        const log = yield* RunLog;
        const lifecycle = runLifecycle(log);
        const run = yield* log.start({ kind: "enrolment_batch", trigger: "http", total: 2 });
        const exit = yield* Effect.exit(
          lifecycle.run({ run }, () => Effect.succeed(2), {
            close: (n) => ({ message: `${n} learners enrolled` }),
            onFailure: { catches: "anyCause", message: "the batch stopped before its end" },
            answer: () => Effect.die("store gone"),
          }),
        );
        expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true);
        expect(yield* log.get(run.id)).toMatchObject({
          status: "failed",
          message: "the batch stopped before its end",
          errors: [],
        });

        let left = "";
        yield* Effect.either(
          lifecycle.run(
            { kind: "reconciliation", trigger: "http", total: 1 },
            (opened) => {
              left = opened.id;
              return Effect.fail(new Refused({ why: "store gone" }));
            },
            { close: () => ({ message: "never" }), onFailure: "leaveRunning" },
          ),
        );
        expect((yield* log.get(left)).status).toBe("running");
      }).pipe(Effect.provide(store())),
  );
});
