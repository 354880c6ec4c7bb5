/**
 * The OneFile side of a snapshot: read-only, and each distinct read happens at most once per
 * operation (a run never reads the same thing twice). Rules plan from this view; only `apply`
 * writes. Runs over many learners fill it in bulk first (`prime`), so planning one learner then
 * costs no calls for what was listed centre-wide.
 */
import type {
  Centre,
  Classroom,
  LearningAim,
  OneFileClientShape,
  OneFileError,
  Placement,
  Review,
  Standard,
  User,
} from "@pics/onefile-client";
import { Roles } from "@pics/onefile-client";
import { Cause, Deferred, Effect, Exit, FiberId } from "effect";
import { misKey } from "./mis-reference.ts";
import type { Step } from "./plan.ts";

export interface OneFileView {
  readonly centres: Effect.Effect<ReadonlyArray<Centre>, OneFileError>;
  /** Assessors (Role 5) of a centre whose MIS reference is `misId`, archived ones included. */
  readonly assessorsByMisId: (centreId: number, misId: string) => Effect.Effect<ReadonlyArray<User>, OneFileError>;
  readonly placementsByMisId: (centreId: number, misId: string) => Effect.Effect<ReadonlyArray<Placement>, OneFileError>;
  readonly standards: (centreId: number) => Effect.Effect<ReadonlyArray<Standard>, OneFileError>;
  readonly classrooms: (centreId: number) => Effect.Effect<ReadonlyArray<Classroom>, OneFileError>;
  /** Learners of a centre with this MIS reference / ULN / email (three exact searches). */
  readonly learnersBy: (
    centreId: number,
    field: "MISID" | "ULN" | "Email",
    value: string,
  ) => Effect.Effect<ReadonlyArray<User>, OneFileError>;
  readonly user: (id: number) => Effect.Effect<User, OneFileError>;
  readonly placement: (id: number) => Effect.Effect<Placement, OneFileError>;
  readonly learningAims: (learnerId: number) => Effect.Effect<ReadonlyArray<LearningAim>, OneFileError>;
  readonly reviews: (centreId: number, learnerId: number) => Effect.Effect<ReadonlyArray<Review>, OneFileError>;
  /** Seeds an answer read in bulk, so the matching single read costs nothing (MIS ids lower-cased, trimmed). */
  readonly prime: (key: ViewKey, value: unknown) => void;
  /**
   * Drops a kept answer, so the next read asks OneFile again: a finished learner's records (a
   * run's memory stays bounded), or a shared record just claimed (ENR-14: look it up again).
   */
  readonly forget: (key: ViewKey) => void;
}

export type ViewKey =
  | { readonly kind: "user"; readonly id: number }
  | { readonly kind: "assessorsByMisId"; readonly centreId: number; readonly misId: string }
  | { readonly kind: "placementsByMisId"; readonly centreId: number; readonly misId: string }
  | { readonly kind: "placement"; readonly id: number }
  | { readonly kind: "classrooms"; readonly centreId: number }
  | { readonly kind: "learningAims"; readonly learnerId: number }
  | { readonly kind: "reviews"; readonly centreId: number; readonly learnerId: number }
  /**
   * A centre's placements were listed whole: a MIS reference primed for none matches none. (Not
   * for assessors: a listing may leave out archived users, which still count for OFF-5.)
   */
  | { readonly kind: "listed"; readonly what: "placements"; readonly centreId: number };

const keyOf = (key: ViewKey): string => JSON.stringify(key);

export const makeOneFileView = (client: OneFileClientShape): OneFileView => {
  // Only answers are kept: a failed read may be tried again later in the same run.
  const cache = new Map<string, { readonly value: unknown }>();
  // Keys forgotten on purpose (a shared-record claim, ENR-14): the next look-up must ask OneFile,
  // even where the centre was listed whole, because the record may have been created since.
  const mustRead = new Set<string>();
  // Reads under way: learners exchanged side by side often need the same record at the same moment
  // (their officer, their employer), and the second waits for the first's answer instead of asking
  // OneFile again.
  const inFlight = new Map<string, Deferred.Deferred<unknown, OneFileError>>();
  const once = <A>(key: string, read: Effect.Effect<A, OneFileError>, listed?: string): Effect.Effect<A, OneFileError> =>
    Effect.suspend(() => {
      const hit = cache.get(key);
      if (hit !== undefined) return Effect.succeed(hit.value as A);
      if (listed !== undefined && cache.has(listed) && !mustRead.has(key)) return Effect.succeed([] as unknown as A);
      const pending = inFlight.get(key);
      if (pending !== undefined)
        return (Deferred.await(pending) as Effect.Effect<A, OneFileError>).pipe(
          // The reader was interrupted (not this fibre): read again.
          Effect.catchAllCause((cause) => (Cause.isInterruptedOnly(cause) ? once(key, read, listed) : Effect.failCause(cause))),
        );
      const mine = Deferred.unsafeMake<unknown, OneFileError>(FiberId.none);
      inFlight.set(key, mine);
      return read.pipe(
        Effect.onExit((exit) =>
          Effect.suspend(() => {
            // Forgotten meanwhile (a claim, ENR-14): the answer may predate the claim and is not kept.
            const current = inFlight.get(key) === mine;
            if (current) inFlight.delete(key);
            if (current && Exit.isSuccess(exit)) cache.set(key, { value: exit.value });
            return Deferred.done(mine, exit);
          }),
        ),
      );
    });

  return {
    centres: once("centres", client.searchCentres()),
    assessorsByMisId: (centreId, misId) =>
      once(
        keyOf({ kind: "assessorsByMisId", centreId, misId: misKey(misId) }),
        client.searchUsers({ OrganisationID: centreId, Role: Roles.assessor, MISID: misId }),
      ),
    placementsByMisId: (centreId, misId) =>
      once(
        keyOf({ kind: "placementsByMisId", centreId, misId: misKey(misId) }),
        client.searchPlacements({ OrganisationID: centreId, MISID: misId }),
        keyOf({ kind: "listed", what: "placements", centreId }),
      ),
    standards: (centreId) => once(`standards:${centreId}`, client.searchStandards({ OrganisationID: centreId })),
    classrooms: (centreId) =>
      once(keyOf({ kind: "classrooms", centreId }), client.searchClassrooms({ OrganisationID: centreId })),
    learnersBy: (centreId, field, value) =>
      once(
        `learners:${centreId}:${field}:${value.toLowerCase()}`,
        client.searchUsers({ OrganisationID: centreId, Role: Roles.learner, [field]: value }),
      ),
    user: (id) => once(keyOf({ kind: "user", id }), client.getUser(id)),
    placement: (id) => once(keyOf({ kind: "placement", id }), client.getPlacement(id)),
    learningAims: (learnerId) =>
      once(keyOf({ kind: "learningAims", learnerId }), client.searchLearningAims({ UserID: learnerId })),
    reviews: (centreId, learnerId) =>
      once(
        keyOf({ kind: "reviews", centreId, learnerId }),
        client.searchReviews({ OrganisationID: centreId, LearnerID: learnerId }),
      ),
    prime: (key, value) => {
      cache.set(keyOf(key), { value });
    },
    forget: (key) => {
      cache.delete(keyOf(key));
      inFlight.delete(keyOf(key));
      if (key.kind === "assessorsByMisId" || key.kind === "placementsByMisId") mustRead.add(keyOf(key));
    },
  };
};

/**
 * After a learner's plan landed: the assessors and placements it created are added to the run's
 * view under their MIS reference, so a later learner matches them (OFF-3, ORG-3) instead of
 * creating them again. A record is only created when its MIS reference matched nothing, so the
 * new record is the whole answer.
 */
export const primeCreated = (view: OneFileView, steps: ReadonlyArray<Step>, results: ReadonlyMap<number, number>) => {
  for (const step of steps) {
    const id = results.get(step.id);
    if (id === undefined || !("onefile" in step.write)) continue;
    const write = step.write.onefile;
    if (write.call !== "createUser" && write.call !== "createPlacement") continue;
    const { body } = write;
    const misId = typeof body.MISID === "string" ? misKey(body.MISID) : "";
    const centreId = body.OrganisationID;
    if (misId === "") continue;
    const created = [{ ...body, ID: id, Archived: false }];
    if (write.call === "createUser" && write.body.Role === Roles.assessor)
      view.prime({ kind: "assessorsByMisId", centreId, misId }, created);
    else if (write.call === "createPlacement") view.prime({ kind: "placementsByMisId", centreId, misId }, created);
  }
};
