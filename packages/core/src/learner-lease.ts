/**
 * SYNC-5: no two operations work on one learner at once, across processes. Each takes the
 * learner's lease in the store; a second one is refused with a clear message rather than
 * interleaving. The lease is renewed while held and lapses if its process dies. The guard it
 * gives is checked before each write (apply's `fence`): a holder that lost the lease stops.
 */
import type { LeaseGuard, LeasesShape, StoreError } from "@pics/pics-store";
import { Context, Effect, type Scope } from "effect";
import { RunInProgress } from "./errors.ts";

export type LearnerBusy = RunInProgress;

/** Who we are in lease records: this process, so a crashed holder is recognisable in logs. */
export const processOwner = (() => {
  const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
  return `pid-${pid}-${crypto.randomUUID().slice(0, 8)}`;
})();

/**
 * How long a lease outlives the process holding it (leases are renewed every third of it). A
 * killed process blocks its learners and its run for at most this long. Tests shorten it.
 */
export class LeaseTtl extends Context.Reference<LeaseTtl>()("core/LeaseTtl", { defaultValue: () => 60_000 }) {}

export const learnerLeaseName = (learnerId: string) => `learner:${learnerId}`;

/**
 * A lease holder: what holds it, for messages, and a unique suffix so that two operations of one
 * process never count as the same holder (only a holder's own renewals do).
 */
export const leaseOwner = (operation: string) => `${operation}@${processOwner}#${crypto.randomUUID().slice(0, 8)}`;

/** The operation part of a holder, for "… is being synchronised by <operation>". */
export const holderOperation = (owner: string) => owner.split("@")[0] || "another process";

export const holdLearner = (
  leases: LeasesShape,
  learnerId: string,
  operation: string,
): Effect.Effect<LeaseGuard, RunInProgress | StoreError, Scope.Scope> =>
  Effect.flatMap(LeaseTtl, (ttlMs) => leases.hold(learnerLeaseName(learnerId), leaseOwner(operation), ttlMs)).pipe(
    Effect.catchTag("LeaseHeld", (held) =>
      Effect.fail(new RunInProgress({ subject: `learner "${learnerId}"`, holder: holderOperation(held.holder) })),
    ),
  );
