/**
 * The daily exchange and "Refresh with OneFile" (SYNC, PRG, REV, DEM) as seen by the apps.
 * Implemented in exchange.ts.
 */
import type { OneFileError } from "@pics/onefile-client";
import type { Change, LeaseLost, RecordNotFound, RunNotFound, RunTrigger, RunWithErrors, StoreError } from "@pics/pics-store";
import { Context, type Effect } from "effect";
import type { StepFailed } from "./apply.ts";
import type { ConnectionError } from "./connection.ts";
import type { LearnerNotLinked, RunInProgress } from "./errors.ts";

/** What the exchange can fail with; a run records a learner's failure instead of failing. */
export type ExchangeError =
  | ConnectionError
  | OneFileError
  | StepFailed
  | StoreError
  | RecordNotFound
  | RunInProgress
  | RunNotFound
  | LearnerNotLinked
  | LeaseLost;

export interface RefreshOutcome {
  /** The run record (JRN-1): outcome, counts, errors. */
  readonly run: RunWithErrors;
  /** The changes made (or, in a dry run, planned), in the journal's shape. */
  readonly changes: ReadonlyArray<Change>;
}

export interface StartRunOptions {
  readonly kind: "daily" | "full";
  readonly trigger: RunTrigger;
  readonly dryRun?: boolean;
  /** Only these learners (the scheduler's `run-once --learner`). */
  readonly learnerIds?: ReadonlyArray<string>;
}

export interface ExchangeShape {
  /** SYNC-1: the exchange for one learner, now; waits for nothing, refused when the learner is busy (SYNC-5). */
  readonly refresh: (
    learnerId: string,
    options?: { readonly dryRun?: boolean; readonly trigger?: RunTrigger },
  ) => Effect.Effect<RefreshOutcome, ExchangeError>;
  /**
   * Starts a daily or full run in the background and returns its id at once; its progress is
   * read from the run log. Refused (RunInProgress) while another daily/full run is going.
   */
  readonly startRun: (options: StartRunOptions) => Effect.Effect<{ readonly runId: string }, ExchangeError>;
  /** Runs a daily or full run to its end (the scheduler and the CLI). */
  readonly run: (options: StartRunOptions) => Effect.Effect<RunWithErrors, ExchangeError>;
}

export class Exchange extends Context.Tag("core/Exchange")<Exchange, ExchangeShape>() {}
