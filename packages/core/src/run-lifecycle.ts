/**
 * How an operation records itself as a run (JRN-1): open the run, do the work in it, close it —
 * `succeeded` or `partially_succeeded` by what the work reports, `failed` with the failure recorded
 * as the caller's policy says. Every operation that writes a run (an enrolment and a link, a batch,
 * a reconciliation and its apply, a link of an officer or organisation, a refresh) goes through here,
 * so a run is closed the same way wherever it was opened.
 *
 * Where the operations closed their runs differently before this helper existed, the difference is
 * an option here, named at the call (`OnFailure`), so the run records stay what they were.
 */
import type { Change, Run, RunError, RunLogShape, StartRun, StoreError } from "@pics/pics-store";
import { Effect, Either } from "effect";

/** The closing message of a dry run that succeeded. */
export const dryRunMessage = "dry run: nothing was written";

/** The run-error code of a failure: a failed step's OneFile tag (`RejectedByOneFile`, …), else the failure's tag. */
export const runErrorCode = (error: { readonly _tag: string } & object): string =>
  "code" in error && typeof error.code === "string" && error._tag === "StepFailed" ? error.code : error._tag;

/** A failure the work can end with: a tagged error with a message. */
type Failure = { readonly _tag: string; readonly message: string } & object;

/** How a run whose work succeeded is closed: written in this order, then the run is finished. */
export interface RunClosing {
  /** Some of the work failed (a learner, a blocker): `partially_succeeded`; else `succeeded`. */
  readonly partial?: boolean;
  /** The run's message (`dryRunMessage`, a summary, or null). */
  readonly message: string | null;
  /** Run errors to record first (a learner's blockers). */
  readonly errors?: ReadonlyArray<Omit<RunError, "at">>;
  /** Journal rows to write next. */
  readonly journal?: ReadonlyArray<Change>;
  /** Progress to write last (the work may have written its own as it went). */
  readonly progress?: { readonly total?: number; readonly done?: number; readonly failed?: number };
}

/** How a failure of the work closes the run (the work's typed failures, not defects or interruptions). */
export interface WorkFailure {
  readonly catches?: "work";
  /**
   * Record the failure as a run error (code `runErrorCode`, reason its message) of this learner (null:
   * the run's own), and with `countFailed` count one failed in the progress. Absent: not recorded.
   */
  readonly record?: { readonly learnerId: string | null; readonly countFailed: boolean };
  /**
   * Closing is best effort by default (a store failure while closing is ignored, and what follows it
   * skipped, and the work's failure is the answer); `strict`: a store failure while closing is the answer.
   */
  readonly strict?: boolean;
}

export type OnFailure =
  | WorkFailure
  /**
   * Any cause from the work to the answer — a defect, an interruption, a failure while closing —
   * closes the run `failed` with this message, best effort. Nothing is recorded as a run error.
   */
  | { readonly catches: "anyCause"; readonly message: string }
  /** A failure leaves the run `running`, for the stale-heartbeat sweep (`closeAbandoned`) to close. */
  | "leaveRunning";

/** Either a run to open, or one already open (its work is then started in the background). */
export type Opening = StartRun | { readonly run: Run };

export interface RunOptions<A, B, E2, R2> {
  readonly close: (result: A) => RunClosing;
  readonly onFailure: OnFailure;
  /** The answer, once the run is closed (default: the work's result). */
  readonly answer?: (result: A, run: Run) => Effect.Effect<B, E2, R2>;
}

export interface SettleOptions<A, E, B, E2, R2> {
  readonly close: (result: A) => RunClosing;
  readonly onFailure: WorkFailure;
  /** The answer whichever way the work ended, once the run is closed. */
  readonly answer: (outcome: Either.Either<A, E>, run: Run) => Effect.Effect<B, E2, R2>;
}

export interface RunLifecycle {
  /** Opens the run (or takes the open one), runs the work, closes the run; the work's failure is passed on. */
  readonly run: <A, E extends Failure, R, B = A, E2 = never, R2 = never>(
    opening: Opening,
    work: (run: Run) => Effect.Effect<A, E, R>,
    options: RunOptions<A, B, E2, R2>,
  ) => Effect.Effect<B, E | E2 | StoreError, R | R2>;
  /** The same, but once the run is recorded its outcome is the answer: a failure of the work closes it and is answered. */
  readonly settle: <A, E extends Failure, R, B, E2 = never, R2 = never>(
    opening: Opening,
    work: (run: Run) => Effect.Effect<A, E, R>,
    options: SettleOptions<A, E, B, E2, R2>,
  ) => Effect.Effect<B, E2 | StoreError, R | R2>;
  /** Closes a run as failed, best effort, recording the failure as `record` says (for work not wrapped by `run` or `settle`). */
  readonly closeFailed: (runId: string, error: Failure, record: WorkFailure["record"]) => Effect.Effect<void>;
  /** Records run errors one after another. */
  readonly recordErrors: (runId: string, errors: ReadonlyArray<Omit<RunError, "at">>) => Effect.Effect<void, StoreError>;
}

export const runLifecycle = (runLog: RunLogShape): RunLifecycle => {
  const open = (opening: Opening) => ("run" in opening ? Effect.succeed(opening.run) : runLog.start(opening));

  const recordErrors: RunLifecycle["recordErrors"] = (runId, errors) =>
    Effect.forEach(errors, (error) => runLog.recordError(runId, error), { discard: true });

  const closeSucceeded = (runId: string, closing: RunClosing) =>
    Effect.gen(function* () {
      yield* recordErrors(runId, closing.errors ?? []);
      if (closing.journal !== undefined) yield* runLog.journal(runId, closing.journal);
      if (closing.progress !== undefined) yield* runLog.progress(runId, closing.progress);
      yield* runLog.finish(runId, closing.partial === true ? "partially_succeeded" : "succeeded", closing.message);
    });

  const closeFailedBy = (runId: string, error: Failure, policy: WorkFailure): Effect.Effect<void, StoreError> => {
    const closing = Effect.gen(function* () {
      if (policy.record !== undefined) {
        yield* runLog.recordError(runId, {
          learnerId: policy.record.learnerId,
          code: runErrorCode(error),
          reason: error.message,
        });
        if (policy.record.countFailed) yield* runLog.progress(runId, { failed: 1 });
      }
      yield* runLog.finish(runId, "failed", error.message);
    });
    return policy.strict === true ? closing : Effect.ignore(closing);
  };

  const closeFailed: RunLifecycle["closeFailed"] = (runId, error, record) =>
    Effect.ignore(closeFailedBy(runId, error, { record }));

  function run<A, E extends Failure, R, B = A, E2 = never, R2 = never>(
    opening: Opening,
    work: (run: Run) => Effect.Effect<A, E, R>,
    options: RunOptions<A, B, E2, R2>,
  ): Effect.Effect<B, E | E2 | StoreError, R | R2> {
    return Effect.flatMap(open(opening), (opened) => {
      const closed = (result: A) => closeSucceeded(opened.id, options.close(result));
      const answer = (result: A): Effect.Effect<B, E2, R2> =>
        options.answer === undefined ? Effect.succeed(result as unknown as B) : options.answer(result, opened);
      const onFailure = options.onFailure;
      if (onFailure === "leaveRunning") return work(opened).pipe(Effect.tap(closed), Effect.flatMap(answer));
      if (onFailure.catches === "anyCause") {
        return work(opened).pipe(
          Effect.tap(closed),
          Effect.flatMap(answer),
          Effect.tapErrorCause(() => runLog.finish(opened.id, "failed", onFailure.message).pipe(Effect.ignore)),
        );
      }
      return Effect.flatMap(Effect.either(work(opened)), (outcome): Effect.Effect<B, E | E2 | StoreError, R2> =>
        Either.isLeft(outcome)
          ? Effect.zipRight(closeFailedBy(opened.id, outcome.left, onFailure), Effect.fail(outcome.left))
          : Effect.flatMap(closed(outcome.right), () => answer(outcome.right)),
      );
    });
  }

  const settle: RunLifecycle["settle"] = (opening, work, options) =>
    Effect.flatMap(open(opening), (opened) =>
      Effect.flatMap(Effect.either(work(opened)), (outcome) =>
        Effect.flatMap(
          Either.isLeft(outcome)
            ? closeFailedBy(opened.id, outcome.left, options.onFailure)
            : closeSucceeded(opened.id, options.close(outcome.right)),
          () => options.answer(outcome, opened),
        ),
      ),
    );

  return { run, settle, closeFailed, recordErrors };
};
