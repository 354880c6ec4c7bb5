/**
 * Reconciliation (REC-1, REC-2): for a provider whose OneFile already holds learners, pair the
 * unlinked PICS learners with the OneFile learners no PICS learner is linked to, by the ENR-9 keys,
 * and link the approved pairs as ENR-10 does. A reconciliation run only reads: OneFile centre by
 * centre in paged listings (about one call per 100 learners), PICS in one narrow query. Its
 * findings are stored with the run; applying them is a second run that creates nothing in OneFile.
 */
import { Roles, type OneFileError, type User } from "@pics/onefile-client";
import {
  PicsRecords,
  RunDocuments,
  RunLog,
  type LearnerKeys,
  type Officer,
  type Organisation,
  type Run,
  type RunNotFound,
  type RunTrigger,
  type RunWithErrors,
  type StoreError,
} from "@pics/pics-store";
import { Context, Effect, Layer, Stream } from "effect";
import { OneFileConnection, type ConnectionError } from "./connection.ts";
import { Enrolment, type RunScope } from "./enrolment.ts";
import { InvalidRequest } from "./errors.ts";
import { makeOneFileView } from "./onefile-view.ts";
import { misKey } from "./mis-reference.ts";
import { runLifecycle } from "./run-lifecycle.ts";

export type MatchKey = "misId" | "uln" | "emailName";
export type Confidence = "exact" | "probable";

export interface Proposal {
  readonly learnerId: string;
  readonly onefileId: number;
  readonly centreId: number;
  readonly matchedBy: ReadonlyArray<MatchKey>;
  readonly confidence: Confidence;
}

/** Several candidates on one side: never proposed, listed with every candidate. */
export interface Conflict {
  /** A PICS learner matching several OneFile learners (`onefileIds`)… */
  readonly learnerId?: string;
  readonly onefileIds?: ReadonlyArray<number>;
  /** …or a OneFile learner (`onefileIds`, one id) matching several PICS learners. */
  readonly learnerIds?: ReadonlyArray<string>;
  readonly reason: string;
}

export interface UnmatchedOneFileLearner {
  readonly onefileId: number;
  readonly centreId: number;
  readonly name: string;
  readonly archived: boolean;
}

export interface Candidates {
  readonly centreId: number;
  readonly candidates: ReadonlyArray<number>;
}

export interface ReconciliationReport {
  /** The centre asked for, or null for all the customer's centres. */
  readonly centreId: number | null;
  readonly centres: ReadonlyArray<number>;
  readonly proposals: ReadonlyArray<Proposal>;
  readonly conflicts: ReadonlyArray<Conflict>;
  readonly unmatchedPics: ReadonlyArray<string>;
  readonly unmatchedOneFile: ReadonlyArray<UnmatchedOneFileLearner>;
  readonly officers: ReadonlyArray<Candidates & { readonly officerId: string; readonly ident: string }>;
  readonly organisations: ReadonlyArray<Candidates & { readonly organisationId: string; readonly ident: string }>;
}

export interface ReconciliationView {
  readonly run: RunWithErrors;
  /** Null while the run is going, or when it failed. */
  readonly report: ReconciliationReport | null;
}

export interface ApplyResult {
  readonly learnerId: string;
  readonly onefileId: number | null;
  readonly outcome: "linked" | "refused";
  readonly reason?: string;
}

export interface ApplyOptions {
  /** The pairs to link, by PICS learner; default: every exact proposal. */
  readonly learnerIds?: ReadonlyArray<string> | undefined;
  readonly dryRun?: boolean | undefined;
  readonly trigger?: RunTrigger;
}

export interface ReconcileOptions {
  /** One centre, or (null / absent) every centre of the customer. */
  readonly centreId?: number | null | undefined;
  readonly trigger?: RunTrigger;
}

type StartError = ConnectionError | InvalidRequest | StoreError | OneFileError;
type ReadError = InvalidRequest | RunNotFound | StoreError;

export interface ReconciliationShape {
  /** Checks the request, opens the run and reads in the background; the findings are read with `get`. */
  readonly start: (options: ReconcileOptions) => Effect.Effect<{ readonly runId: string }, StartError>;
  /** The same, to its end (tests, the CLI). */
  readonly run: (options: ReconcileOptions) => Effect.Effect<ReconciliationView, StartError | ReadError>;
  readonly get: (runId: string) => Effect.Effect<ReconciliationView, ReadError>;
  /** REC-2: links the approved pairs as ENR-10; a run of kind `reconciliation` journaling every link. */
  readonly apply: (
    runId: string,
    options?: ApplyOptions,
  ) => Effect.Effect<{ readonly run: RunWithErrors; readonly results: ReadonlyArray<ApplyResult> }, ReadError | ConnectionError>;
}

// ---------------------------------------------------------------------------- matching

const norm = misKey;
const normUln = (value: string | null | undefined) => (value ?? "").replace(/\s+/g, "");

/** The ENR-9 keys on which a PICS learner and a OneFile learner agree. */
export const matchKeys = (learner: LearnerKeys, user: User): Array<MatchKey> => {
  const keys: Array<MatchKey> = [];
  if (norm(user.MISID) !== "" && norm(user.MISID) === norm(learner.id)) keys.push("misId");
  if (normUln(learner.uln) !== "" && normUln(learner.uln) === normUln(user.ULN)) keys.push("uln");
  if (
    norm(learner.email) !== "" &&
    norm(learner.email) === norm(user.Email) &&
    norm(learner.firstName) === norm(user.FirstName) &&
    norm(learner.surname) === norm(user.LastName)
  )
    keys.push("emailName");
  return keys;
};

/** REC-1: `exact` when the MIS reference matched, or ULN and email + name both; otherwise `probable`. */
export const confidenceOf = (keys: ReadonlyArray<MatchKey>): Confidence =>
  keys.includes("misId") || (keys.includes("uln") && keys.includes("emailName")) ? "exact" : "probable";

const keyWords: Record<MatchKey, string> = { misId: "MIS reference", uln: "ULN", emailName: "email and name" };
const describe = (keys: ReadonlyArray<MatchKey>) => keys.map((k) => keyWords[k]).join(" + ");

/**
 * Pairs the two sides. Every record of either side ends up in exactly one place: a proposal (one
 * candidate each way), a conflict (several candidates on one side), or unmatched.
 */
export const reconcileLearners = (
  pics: ReadonlyArray<LearnerKeys>,
  onefile: ReadonlyArray<{ readonly user: User; readonly centreId: number }>,
): Pick<ReconciliationReport, "proposals" | "conflicts" | "unmatchedPics" | "unmatchedOneFile"> => {
  // Index the OneFile side by each key, so matching is linear in the size of both sides.
  const index = {
    misId: new Map<string, Array<number>>(),
    uln: new Map<string, Array<number>>(),
    email: new Map<string, Array<number>>(),
  };
  const push = (map: Map<string, Array<number>>, key: string, at: number) => {
    if (key !== "") map.set(key, [...(map.get(key) ?? []), at]);
  };
  onefile.forEach(({ user }, at) => {
    push(index.misId, norm(user.MISID), at);
    push(index.uln, normUln(user.ULN), at);
    push(index.email, norm(user.Email), at);
  });

  const candidatesOfPics = new Map<string, Array<{ at: number; keys: Array<MatchKey> }>>();
  const candidatesOfOneFile = new Map<number, Array<string>>();
  for (const learner of pics) {
    const near = new Set([
      ...(index.misId.get(norm(learner.id)) ?? []),
      ...(index.uln.get(normUln(learner.uln)) ?? []),
      ...(index.email.get(norm(learner.email)) ?? []),
    ]);
    const found = [...near]
      .sort((a, b) => a - b)
      .map((at) => ({ at, keys: matchKeys(learner, onefile[at]!.user) }))
      .filter((c) => c.keys.length > 0);
    candidatesOfPics.set(learner.id, found);
    for (const c of found) candidatesOfOneFile.set(c.at, [...(candidatesOfOneFile.get(c.at) ?? []), learner.id]);
  }

  const proposals: Array<Proposal> = [];
  const conflicts: Array<Conflict> = [];
  const unmatchedPics: Array<string> = [];
  for (const learner of pics) {
    const found = candidatesOfPics.get(learner.id)!;
    if (found.length === 0) unmatchedPics.push(learner.id);
    else if (found.length > 1) {
      conflicts.push({
        learnerId: learner.id,
        onefileIds: found.map((c) => onefile[c.at]!.user.ID),
        reason: `learner "${learner.id}" matches ${found.length} OneFile learners: ${found
          .map((c) => `${onefile[c.at]!.user.ID} (${describe(c.keys)})`)
          .join(", ")}`,
      });
    } else {
      const only = found[0]!;
      if (candidatesOfOneFile.get(only.at)!.length === 1) {
        const { user, centreId } = onefile[only.at]!;
        proposals.push({
          learnerId: learner.id,
          onefileId: user.ID,
          centreId,
          matchedBy: only.keys,
          confidence: confidenceOf(only.keys),
        });
      }
    }
  }
  const unmatchedOneFile: Array<UnmatchedOneFileLearner> = [];
  onefile.forEach(({ user, centreId }, at) => {
    const learnerIds = candidatesOfOneFile.get(at) ?? [];
    if (learnerIds.length === 0) {
      unmatchedOneFile.push({
        onefileId: user.ID,
        centreId,
        name: [user.FirstName, user.LastName].filter(Boolean).join(" "),
        archived: user.Archived === true,
      });
    } else if (learnerIds.length > 1) {
      conflicts.push({
        onefileIds: [user.ID],
        learnerIds,
        reason: `OneFile learner ${user.ID} matches ${learnerIds.length} PICS learners: ${learnerIds
          .map(
            (id) =>
              `"${id}" (${describe(
                matchKeys(
                  pics.find((p) => p.id === id)!,
                  user,
                ),
              )})`,
          )
          .join(", ")}`,
      });
    }
  });
  return { proposals, conflicts, unmatchedPics, unmatchedOneFile };
};

// ---------------------------------------------------------------------------- the service

const isReport = (document: unknown): document is { report: ReconciliationReport } =>
  typeof document === "object" && document !== null && "report" in document;

export class Reconciliation extends Context.Tag("core/Reconciliation")<Reconciliation, ReconciliationShape>() {
  static readonly layer = Layer.effect(
    Reconciliation,
    Effect.gen(function* () {
      const records = yield* PicsRecords;
      const runLog = yield* RunLog;
      const lifecycle = runLifecycle(runLog);
      const documents = yield* RunDocuments;
      const connection = yield* OneFileConnection;
      const enrolment = yield* Enrolment;

      const everyPage = <A>(
        list: (cursor: string | null) => Effect.Effect<{ items: ReadonlyArray<A>; nextCursor: string | null }, StoreError>,
      ) =>
        Effect.gen(function* () {
          const all: Array<A> = [];
          let cursor: string | null = null;
          do {
            const page: { items: ReadonlyArray<A>; nextCursor: string | null } = yield* list(cursor);
            all.push(...page.items);
            cursor = page.nextCursor;
          } while (cursor !== null);
          return all;
        });

      /** MIS reference → ids, for one centre's paged listing. */
      const byMisId = <A extends { ID: number; MISID: string | null }>(stream: Stream.Stream<A, OneFileError>) =>
        Stream.runFold(stream, new Map<string, Array<number>>(), (map, row) => {
          const misId = norm(row.MISID);
          if (misId !== "") map.set(misId, [...(map.get(misId) ?? []), row.ID]);
          return map;
        });

      /** Checks the request before the run exists, so a wrong centre is a 4xx, not a failed run. */
      const prepare = (options: ReconcileOptions) =>
        Effect.gen(function* () {
          const { client, settings } = yield* connection.client;
          const view = makeOneFileView(client);
          const centres = yield* view.centres;
          const centreId = options.centreId ?? null;
          if (centreId !== null && !centres.some((c) => c.ID === centreId)) {
            return yield* new InvalidRequest({
              field: "centreId",
              reason: `OneFile centre ${centreId} is not one of the customer's centres (${centres.map((c) => c.ID).join(", ")})`,
            });
          }
          const inScope = centreId === null ? centres.map((c) => c.ID) : [centreId];
          const run = yield* runLog.start({ kind: "reconciliation", trigger: options.trigger ?? "http", total: inScope.length });
          return { scope: { client, settings, view } satisfies RunScope, run, centreId, inScope };
        });

      /** The report: PICS's unlinked learners, officers and organisations against each centre's listings. */
      const findings = ({ scope, run, centreId, inScope }: Effect.Effect.Success<ReturnType<typeof prepare>>) =>
        Effect.gen(function* () {
          const keys = yield* records.learnerKeys;
          const linkedOneFile = new Set(keys.flatMap((k) => (k.onefileId === null ? [] : [k.onefileId])));
          const unlinkedPics = keys.filter((k) => k.onefileId === null);
          const officers = (yield* everyPage<Officer>((cursor) => records.listOfficers({ limit: 500, cursor }))).filter(
            (o) => o.onefileId === null,
          );
          const organisations = (yield* everyPage<Organisation>((cursor) =>
            records.listOrganisations({ limit: 500, cursor }),
          )).filter((o) => o.onefileId === null);

          const onefileSide: Array<{ user: User; centreId: number }> = [];
          const officerRows: Array<ReconciliationReport["officers"][number]> = [];
          const organisationRows: Array<ReconciliationReport["organisations"][number]> = [];
          let done = 0;
          for (const centre of inScope) {
            // Paged listings: a call per 100 learners of the centre, not one per learner.
            yield* Stream.runForEach(scope.client.streamUsers({ OrganisationID: centre, Role: Roles.learner }), (user) =>
              Effect.sync(() => {
                if (!linkedOneFile.has(user.ID)) onefileSide.push({ user, centreId: centre });
              }),
            );
            if (officers.length > 0) {
              // OFF-5: archived assessors count, so every candidate is listed.
              const assessors = yield* byMisId(scope.client.streamUsers({ OrganisationID: centre, Role: Roles.assessor }));
              for (const o of officers)
                officerRows.push({
                  officerId: o.id,
                  ident: o.ident,
                  centreId: centre,
                  candidates: assessors.get(norm(o.ident)) ?? [],
                });
            }
            if (organisations.length > 0) {
              const placements = yield* byMisId(scope.client.streamPlacements({ OrganisationID: centre }));
              for (const o of organisations)
                organisationRows.push({
                  organisationId: o.id,
                  ident: o.ident,
                  centreId: centre,
                  candidates: placements.get(norm(o.ident)) ?? [],
                });
            }
            done += 1;
            yield* runLog.progress(run.id, { done });
          }
          const report: ReconciliationReport = {
            centreId,
            centres: inScope,
            ...reconcileLearners(unlinkedPics, onefileSide),
            officers: officerRows,
            organisations: organisationRows,
          };
          yield* documents.put(run.id, { report });
          return report;
        });

      // Once the run is recorded, its outcome is the answer: a failure is recorded as the run's own
      // error (recording it must succeed), with no learner counted failed.
      const execute = (prepared: Effect.Effect.Success<ReturnType<typeof prepare>>) =>
        lifecycle.settle({ run: prepared.run }, () => findings(prepared), {
          close: (r) => {
            const exact = r.proposals.filter((p) => p.confidence === "exact").length;
            return {
              message: `${r.proposals.length} pairs proposed (${exact} exact), ${r.conflicts.length} conflicts, ${r.unmatchedPics.length} PICS and ${r.unmatchedOneFile.length} OneFile learners unmatched; nothing was written`,
            };
          },
          onFailure: { record: { learnerId: null, countFailed: false }, strict: true },
          answer: (_, run) => get(run.id),
        });

      const get: ReconciliationShape["get"] = (runId) =>
        Effect.gen(function* () {
          const run = yield* runLog.get(runId);
          if (run.kind !== "reconciliation")
            return yield* new InvalidRequest({
              field: "runId",
              reason: `run "${runId}" is a ${run.kind} run, not a reconciliation`,
            });
          const document = yield* documents.get(runId);
          return { run, report: isReport(document) ? document.report : null };
        });

      const apply: ReconciliationShape["apply"] = (runId, options = {}) =>
        Effect.gen(function* () {
          const { run: proposedIn, report } = yield* get(runId);
          if (report === null) {
            return yield* new InvalidRequest({
              field: "runId",
              reason:
                proposedIn.status === "running"
                  ? `reconciliation "${runId}" is still running; apply it when it has finished`
                  : `reconciliation "${runId}" has no proposals to apply (${proposedIn.status}${proposedIn.message ? `: ${proposedIn.message}` : ""})`,
            });
          }
          const proposalOf = new Map(report.proposals.map((p) => [p.learnerId, p]));
          const asked = options.learnerIds ?? report.proposals.filter((p) => p.confidence === "exact").map((p) => p.learnerId);
          const chosen = [...new Set(asked)];
          const { client, settings } = yield* connection.client;
          const scope: RunScope = { client, settings, view: makeOneFileView(client) };
          const dryRun = options.dryRun === true;
          return yield* lifecycle.run(
            { kind: "reconciliation", trigger: options.trigger ?? "http", dryRun, total: chosen.length },
            (run) => linkChosen(scope, run, runId, chosen, proposalOf, dryRun),
            {
              close: ({ results, failed }) => ({
                partial: failed > 0,
                message: `${dryRun ? "dry run: " : ""}${results.length - failed} of ${results.length} pairs of reconciliation ${runId} ${dryRun ? "would be " : ""}linked${failed > 0 ? `, ${failed} refused` : ""}; nothing was created in OneFile`,
              }),
              // As before this helper: a failure here (the store gone) leaves the run to the stale-run sweep.
              onFailure: "leaveRunning",
              answer: ({ results }, run) => Effect.map(runLog.get(run.id), (closed) => ({ run: closed, results })),
            },
          );
        });

      /** REC-2: each chosen pair through ENR-10's link, refused when it no longer fits its proposal. */
      const linkChosen = (
        scope: RunScope,
        run: Run,
        runId: string,
        chosen: ReadonlyArray<string>,
        proposalOf: ReadonlyMap<string, Proposal>,
        dryRun: boolean,
      ) =>
        Effect.gen(function* () {
          const results: Array<ApplyResult> = [];
          let failed = 0;
          for (const learnerId of chosen) {
            const proposal = proposalOf.get(learnerId);
            const refuse = (reason: string, code: string) =>
              Effect.gen(function* () {
                failed += 1;
                results.push({ learnerId, onefileId: proposal?.onefileId ?? null, outcome: "refused", reason });
                yield* runLog.recordError(run.id, { learnerId, code, reason });
              });
            if (proposal === undefined) {
              yield* refuse(`learner "${learnerId}" is not one of the pairs reconciliation "${runId}" proposed`, "not_proposed");
            } else {
              // REC-2: the pair still fits only if the same keys match as when it was proposed.
              const check = (learner: LearnerKeys, user: User) => {
                const now = matchKeys(learner, user);
                const same = now.length === proposal.matchedBy.length && now.every((k) => proposal.matchedBy.includes(k));
                return same
                  ? null
                  : `matched by ${describe(proposal.matchedBy) || "nothing"} when proposed, by ${describe(now) || "nothing"} now`;
              };
              const linked = yield* Effect.either(
                enrolment.inRun.link(scope, run.id, learnerId, proposal.onefileId, { dryRun, check }),
              );
              if (linked._tag === "Right") results.push({ learnerId, onefileId: proposal.onefileId, outcome: "linked" });
              else yield* refuse(linked.left.message, linked.left._tag);
            }
            yield* runLog.progress(run.id, { done: results.length, failed });
          }
          yield* documents.put(run.id, { appliedFrom: runId, results });
          return { results, failed };
        });

      return {
        start: (options) =>
          Effect.gen(function* () {
            const prepared = yield* prepare(options);
            yield* Effect.forkDaemon(execute(prepared).pipe(Effect.ignoreLogged));
            return { runId: prepared.run.id };
          }),
        run: (options) => Effect.flatMap(prepare(options), execute),
        get,
        apply,
      } satisfies ReconciliationShape;
    }),
  );
}
