/**
 * SYNC-5: no two operations work on one learner at once, across processes. Each takes the
 * learner's lease in the store; a second one is refused with a clear message rather than
 * interleaving. The lease is renewed while held and lapses if its process dies.
 */
import type { LeasesShape, StoreError } from "@pics/pics-store";
import { Effect, type Scope } from "effect";
import { RunInProgress } from "./errors.ts";

export type LearnerBusy = RunInProgress;

/** Who we are in lease records: this process, so a crashed holder is recognisable in logs. */
export const processOwner = (() => {
  const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
  return `pid-${pid}-${crypto.randomUUID().slice(0, 8)}`;
})();

export const LEARNER_LEASE_MS = 60_000;

export const learnerLeaseName = (learnerId: string) => `learner:${learnerId}`;

export const holdLearner = (
  leases: LeasesShape,
  learnerId: string,
  operation: string,
): Effect.Effect<void, RunInProgress | StoreError, Scope.Scope> =>
  leases.hold(learnerLeaseName(learnerId), `${processOwner}:${operation}`, LEARNER_LEASE_MS).pipe(
    Effect.catchTag("LeaseHeld", (held) =>
      Effect.fail(new RunInProgress({ subject: `learner "${learnerId}"`, holder: held.holder.split(":").pop() ?? held.holder })),
    ),
  );
