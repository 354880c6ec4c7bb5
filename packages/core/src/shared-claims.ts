/**
 * ENR-14: records several learners share (an assessor, a placement, a classroom) are created once
 * however many enrolments, refreshes and runs need them at the same moment, in one process or
 * several. Before applying a plan that creates one, the operation claims it in the store (a lease
 * per centre and MIS reference, or classroom name), then plans again: the look-up is repeated
 * after the claim is taken, so whoever created it meanwhile is found instead of duplicated.
 * Claims are taken in name order, so two operations needing the same records never deadlock.
 */
import { Roles } from "@pics/onefile-client";
import type { LeaseGuard, LeasesShape, StoreError } from "@pics/pics-store";
import { Duration, Effect, Schedule, type Scope } from "effect";
import { leaseOwner } from "./learner-lease.ts";
import type { OneFileView } from "./onefile-view.ts";
import type { Step } from "./plan.ts";
import { misKey } from "./mis-reference.ts";

/** A shared record a plan creates: the claim's lease name and the view entry to read again. */
export interface SharedCreate {
  readonly claim: string;
  readonly centreId: number;
  readonly kind: "assessorsByMisId" | "placementsByMisId" | "classrooms";
  readonly misId: string;
}

const text = (value: unknown) => (typeof value === "string" ? misKey(value) : "");

/** The shared records the steps create, each once, in claim order. */
export const sharedCreates = (steps: ReadonlyArray<Step>): Array<SharedCreate> => {
  const found = new Map<string, SharedCreate>();
  for (const step of steps) {
    if (!("onefile" in step.write)) continue;
    const write = step.write.onefile;
    let create: SharedCreate | null = null;
    if (write.call === "createUser" && write.body.Role === Roles.assessor) {
      const centreId = write.body.OrganisationID;
      create = {
        claim: `create:assessor:${centreId}:${text(write.body.MISID)}`,
        centreId,
        kind: "assessorsByMisId",
        misId: text(write.body.MISID),
      };
    } else if (write.call === "createPlacement") {
      const centreId = write.body.OrganisationID;
      create = {
        claim: `create:placement:${centreId}:${text(write.body.MISID)}`,
        centreId,
        kind: "placementsByMisId",
        misId: text(write.body.MISID),
      };
    } else if (write.call === "createClassroom") {
      const centreId = write.body.OrganisationID;
      create = {
        claim: `create:classroom:${centreId}:${text(write.body.Name)}`,
        centreId,
        kind: "classrooms",
        misId: text(write.body.Name),
      };
    }
    if (create) found.set(create.claim, create);
  }
  return [...found.values()].sort((a, b) => (a.claim < b.claim ? -1 : a.claim > b.claim ? 1 : 0));
};

/** How long an operation waits for another one's claim on a shared record before giving up. */
const CLAIM_WAIT = Schedule.spaced(Duration.millis(100)).pipe(Schedule.upTo(Duration.minutes(5)));

/**
 * Takes the claims (waiting while another operation holds one) for the life of the scope and
 * forgets what the view had read about those records, so the next plan looks them up again.
 * Returns the claims' guards: apply checks them with the operation's own (SYNC-5).
 */
export const claimSharedCreates = (
  leases: LeasesShape,
  ttlMs: number,
  creates: ReadonlyArray<SharedCreate>,
  operation: string,
  view?: OneFileView,
): Effect.Effect<Array<LeaseGuard>, StoreError, Scope.Scope> =>
  Effect.gen(function* () {
    const owner = leaseOwner(operation);
    const guards: Array<LeaseGuard> = [];
    for (const create of creates) {
      guards.push(
        yield* leases.hold(create.claim, owner, ttlMs).pipe(
          Effect.retry({ while: (e) => e._tag === "LeaseHeld", schedule: CLAIM_WAIT }),
          // Waited five minutes for one record: report it as a busy database would be, not a crash.
          Effect.catchTag("LeaseHeld", (held) => Effect.dieMessage(held.message)),
        ),
      );
      view?.forget(
        create.kind === "classrooms"
          ? { kind: "classrooms", centreId: create.centreId }
          : { kind: create.kind, centreId: create.centreId, misId: create.misId },
      );
    }
    return guards;
  });

/** Every guard's check, in order: the fence of an operation holding several leases. */
export const allGuards = (guards: ReadonlyArray<LeaseGuard>): Effect.Effect<void, import("@pics/pics-store").LeaseLost> =>
  Effect.forEach(guards, (g) => g.check, { discard: true });
