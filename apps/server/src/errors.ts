/**
 * Every failure the HTTP API can answer with, mapped to a status code in ONE place: the ANSWERS
 * table, which has an entry for each tag of ServerError or does not compile.
 *
 * Body shape (http-api.md): `{"error": "<machine_code>", "message": "<sentence>", "details"?: …}`.
 * Bad input is always 4xx with the offending fields in `details`; only our own faults are 500,
 * and their message never carries internals (those go to the log).
 */
import type {
  DuplicateLearnerFound,
  EnrolmentBlocked,
  IntegrationDisabled,
  InvalidRequest,
  LearnerAlreadyEnrolled,
  LearnerNotLinked,
  NotLinkable,
  OneFileLearnerAlreadyLinked,
  OneFileRecordLinked,
  OneFileNotConfigured,
  ProposalOutdated,
  RuleDisabled,
  RunInProgress,
  StepFailed,
  UnknownCentre,
} from "@pics/core";
import type { InvalidClientConfig, OneFileError, UnsendableRequest } from "@pics/onefile-client";
import type {
  InvalidInput,
  LeaseHeld,
  LeaseLost,
  RecordExists,
  RecordInUse,
  RecordNotFound,
  RunNotFound,
  SecretUnreadable,
  StoreError,
  UnknownReferences,
} from "@pics/pics-store";
import { Data } from "effect";

export interface ErrorBody {
  readonly error: string;
  readonly message: string;
  readonly details?: unknown;
  /** SEC-3: how many issues there were when `details` lists only the first 100. */
  readonly issueCount?: number;
}

/** A refusal decided by the HTTP layer itself (bad query, unknown route, conflict found here). */
export class HttpError extends Data.TaggedError("HttpError")<{
  readonly status: number;
  readonly code: string;
  readonly text: string;
  readonly details?: unknown;
}> {
  override get message(): string {
    return this.text;
  }
}

/** 400 with the offending fields, in the same shape as the store's `InvalidInput.issues`. */
export const badInput = (text: string, issues: ReadonlyArray<{ path: string; message: string }>) =>
  new HttpError({ status: 400, code: "invalid_input", text, details: issues });

export interface Issue {
  readonly path: string;
  readonly message: string;
  readonly recordId?: string;
}

/**
 * A literal union fails once per member ("Expected \"live\", actual \"x\"" four times); people
 * need one line: `must be "live" or "beta" …, not "x"`.
 */
export const tidyIssues = (issues: ReadonlyArray<Issue>): Array<Issue> => {
  const expected = /^Expected (.+), actual (.+)$/s;
  const out: Array<Issue> = [];
  const merged = new Map<string, { issue: Issue; wants: Array<string>; actual: string }>();
  for (const issue of issues) {
    const match = expected.exec(issue.message);
    const same = merged.get(issue.path);
    if (match && same && same.actual === match[2]) {
      same.wants.push(match[1]!);
      continue;
    }
    if (match && !same) {
      const entry = { issue: { ...issue }, wants: [match[1]!], actual: match[2]! };
      merged.set(issue.path, entry);
      out.push(entry.issue);
      continue;
    }
    out.push(issue);
  }
  return out.map((issue) => {
    const entry = merged.get(issue.path);
    if (entry?.issue !== issue || entry.wants.length < 2) return issue;
    return { ...issue, message: `must be ${entry.wants.join(" or ")}, not ${entry.actual}` };
  });
};

const describeIssues = (what: string, issues: ReadonlyArray<Issue>, total = issues.length) => {
  const shown = issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`);
  return `invalid ${what}: ${shown.join("; ")}${total > 5 ? ` (and ${total - 5} more)` : ""}`;
};

export interface Mapped {
  readonly status: number;
  readonly body: ErrorBody;
  /** True when it is our fault: logged with its cause. */
  readonly internal?: boolean;
  /** Extra response headers (Retry-After). */
  readonly headers?: Readonly<Record<string, string>>;
}

const body = (error: string, message: string, details?: unknown): ErrorBody =>
  details === undefined ? { error, message } : { error, message, details };

/** The OneFile client's errors (packages/onefile-client/src/errors.ts): OneFile failed → 502. */
type OneFileFailure = Exclude<OneFileError, UnsendableRequest>;

const ONEFILE_ERRORS: { readonly [K in OneFileFailure["_tag"]]: { readonly code: string; readonly explain: string } } = {
  Unauthorized: { code: "onefile_unauthorized", explain: "OneFile refused the customer token" },
  RateLimited: { code: "onefile_rate_limited", explain: "OneFile kept answering 429 (rate limited)" },
  NotFound: { code: "onefile_not_found", explain: "OneFile does not know a record we asked for" },
  Forbidden: { code: "onefile_forbidden", explain: "OneFile refused access to a record of another customer" },
  RejectedByOneFile: { code: "onefile_rejected", explain: "OneFile rejected the request" },
  OneFileUnavailable: { code: "onefile_unavailable", explain: "OneFile could not be reached" },
  CreateOutcomeUnknown: {
    code: "onefile_create_outcome_unknown",
    explain: "OneFile gave no usable answer to a create; running it again is safe",
  },
  UndecodableResponse: { code: "onefile_bad_answer", explain: "OneFile answered something unexpected" },
  CallBudgetFailed: { code: "onefile_budget_failed", explain: "the shared OneFile call budget could not be read" },
};

const onefileFailure = (error: OneFileFailure, step?: string): Mapped => {
  const known = ONEFILE_ERRORS[error._tag];
  const details: Record<string, unknown> = { onefileError: error._tag };
  if ("endpoint" in error) details.endpoint = error.endpoint;
  if ("status" in error) details.status = error.status;
  if ("codeName" in error && typeof error.codeName === "string") details.onefileCode = error.codeName;
  if (step !== undefined) details.step = step;
  return { status: 502, body: body(known.code, `${known.explain}: ${error.message ?? ""}`.trim(), details) };
};

const INTERNAL: Mapped = {
  status: 500,
  body: {
    error: "internal_error",
    message: "something went wrong on our side; the request id in X-Request-Id finds it in the log",
  },
  internal: true,
};

/**
 * SEC-3: another connection (the other process's import, a backup) held the database's lock past
 * the busy timeout. Nothing is wrong with the request: try again shortly (decision D32).
 */
const DATABASE_BUSY: Mapped = {
  status: 503,
  body: body("database_busy", "the database is busy with another writer; try again in a few seconds"),
  headers: { "Retry-After": "5" },
};

const isBusy = (error: unknown): boolean =>
  typeof error === "object" &&
  error !== null &&
  (error as { _tag?: unknown })._tag === "StoreError" &&
  (error as StoreError).busy;

/**
 * Every error a route's Effect may fail with. A handler failing with anything else does not
 * compile (bridge.ts), and each member needs its entry in ANSWERS below.
 */
export type ServerError =
  | HttpError
  | InvalidInput
  | InvalidRequest
  | UnknownReferences
  | RecordNotFound
  | RunNotFound
  | UnknownCentre
  | LearnerAlreadyEnrolled
  | OneFileLearnerAlreadyLinked
  | ProposalOutdated
  | OneFileRecordLinked
  | NotLinkable
  | DuplicateLearnerFound
  | RunInProgress
  | LearnerNotLinked
  | LeaseHeld
  | LeaseLost
  | RecordInUse
  | RecordExists
  | EnrolmentBlocked
  | StepFailed
  | IntegrationDisabled
  | OneFileNotConfigured
  | InvalidClientConfig
  | SecretUnreadable
  | RuleDisabled
  | StoreError
  | OneFileError;

type Answers = { readonly [K in ServerError["_tag"]]: (error: Extract<ServerError, { readonly _tag: K }>) => Mapped };

/** The single mapping from each error to its HTTP answer: the compiler checks that none is missing. */
const ANSWERS: Answers = {
  HttpError: (e) => ({ status: e.status, body: body(e.code, e.text, e.details) }),
  // ---------------------------------------------------------------- 400 bad input
  InvalidInput: (e) => {
    const issues = tidyIssues(e.issues);
    const answer = body("invalid_input", describeIssues(e.what, issues, e.issueCount), issues);
    // SEC-3: `details` lists the first 100; `issueCount` says how many there were.
    return { status: 400, body: e.issueCount === undefined ? answer : { ...answer, issueCount: e.issueCount } };
  },
  // The caller asked for something that does not fit.
  InvalidRequest: (e) => ({
    status: 400,
    body: body("invalid_request", e.message, [{ path: e.field, message: e.reason }]),
  }),
  // A record refers to officers or organisations that do not exist (the record routes, as the import).
  UnknownReferences: (e) => ({ status: 400, body: body("invalid_input", e.message, e.issues) }),
  // ---------------------------------------------------------------- 404
  RecordNotFound: (e) => ({ status: 404, body: body("not_found", e.message, { entity: e.entity, id: e.id }) }),
  RunNotFound: (e) => ({ status: 404, body: body("not_found", e.message, { entity: "run", id: e.id }) }),
  UnknownCentre: (e) => ({ status: 404, body: body("not_found", e.message, { entity: "centre", id: e.centreId }) }),
  // ---------------------------------------------------------------- 409
  LearnerAlreadyEnrolled: (e) => ({
    status: 409,
    body: body("already_enrolled", e.message, {
      onefileId: e.onefileId,
      candidates: [{ onefileId: e.onefileId, matchedOn: ["linked"] }],
    }),
  }),
  OneFileLearnerAlreadyLinked: (e) => ({
    status: 409,
    body: body("onefile_learner_linked", e.message, { onefileId: e.onefileId, learnerId: e.learnerId }),
  }),
  // REC-2: the pair's records changed since the reconciliation proposed it.
  ProposalOutdated: (e) => ({
    status: 409,
    body: body("proposal_outdated", e.message, { learnerId: e.learnerId, onefileId: e.onefileId }),
  }),
  // OFF-7, ORG-6: the chosen assessor/placement is another officer's/organisation's in its centre.
  OneFileRecordLinked: (e) => ({
    status: 409,
    body: body("onefile_record_linked", e.message, { onefileId: e.onefileId, centreId: e.centreId, linkedTo: e.linkedTo }),
  }),
  // OFF-7, ORG-6: not an assessor (placement) of the customer.
  NotLinkable: (e) => ({ status: 422, body: body("not_linkable", e.message, { onefileId: e.onefileId }) }),
  DuplicateLearnerFound: (e) => ({ status: 409, body: body("duplicate_learner", e.message, { candidates: e.candidates }) }),
  RunInProgress: (e) => ({ status: 409, body: body("run_in_progress", e.message, { subject: e.subject, holder: e.holder }) }),
  LearnerNotLinked: (e) => ({ status: 409, body: body("learner_not_linked", e.message, { learnerId: e.learnerId }) }),
  // The operation stopped writing because its lease passed to another process (SYNC-5 fencing).
  LeaseLost: (e) => ({ status: 409, body: body("lease_lost", e.message, { lease: e.name }) }),
  RecordExists: (e) => ({
    status: 409,
    body: body(
      "already_exists",
      e.message,
      e.learnerId === undefined ? { entity: e.entity, id: e.id } : { entity: e.entity, learnerId: e.learnerId, id: e.id },
    ),
  }),
  RecordInUse: (e) => ({ status: 409, body: body("in_use", e.message, { entity: e.entity, id: e.id, learners: e.learners }) }),
  LeaseHeld: () => ({
    status: 409,
    body: body("run_in_progress", "another operation is working on this; try again when it has finished"),
  }),
  // ---------------------------------------------------------------- 422
  EnrolmentBlocked: (e) => ({ status: 422, body: body("enrolment_blocked", e.message, { blockers: e.blockers }) }),
  // PICS data OneFile's contract cannot take (the client refused to send it).
  UnsendableRequest: (e) => ({
    status: 422,
    body: body("onefile_request_invalid", `the data cannot be sent to OneFile: ${e.message}`, {
      endpoint: e.endpoint,
      field: e.field,
    }),
  }),
  // ---------------------------------------------------------------- 502 OneFile failed
  Unauthorized: (e) => onefileFailure(e),
  RateLimited: (e) => onefileFailure(e),
  NotFound: (e) => onefileFailure(e),
  Forbidden: (e) => onefileFailure(e),
  RejectedByOneFile: (e) => onefileFailure(e),
  OneFileUnavailable: (e) => onefileFailure(e),
  CreateOutcomeUnknown: (e) => onefileFailure(e),
  UndecodableResponse: (e) => onefileFailure(e),
  // The shared call budget lives in the store: a busy database is SEC-3's 503, not OneFile's fault.
  CallBudgetFailed: (e) => (isBusy(e.cause) ? DATABASE_BUSY : onefileFailure(e)),
  StepFailed: (e) => {
    const reason = e.reason;
    if (reason._tag === "RecordNotFound")
      return { status: 409, body: body("conflict", `a PICS record changed while the operation ran: ${e.message}`) };
    if (reason._tag === "LeaseLost")
      return { status: 409, body: body("lease_lost", e.message, { lease: reason.name, step: e.step }) };
    if (reason._tag === "StoreError") return reason.busy ? DATABASE_BUSY : INTERNAL;
    if (reason._tag === "UnsendableRequest") return INTERNAL;
    if (reason._tag === "CallBudgetFailed" && isBusy(reason.cause)) return DATABASE_BUSY;
    const failed = onefileFailure(reason, e.step);
    return { ...failed, body: { ...failed.body, message: e.message } };
  },
  // ---------------------------------------------------------------- 503 switched off / not configured
  IntegrationDisabled: (e) => ({ status: 503, body: body("integration_disabled", e.message) }),
  OneFileNotConfigured: (e) => ({ status: 503, body: body("onefile_not_configured", e.message) }),
  InvalidClientConfig: (e) => ({ status: 503, body: body("onefile_not_configured", e.message) }),
  SecretUnreadable: (e) => ({ status: 503, body: body("secret_unreadable", e.message) }),
  RuleDisabled: (e) => ({ status: 503, body: body("rule_disabled", e.message, { rule: e.rule }) }),
  // ---------------------------------------------------------------- 500 our fault
  StoreError: (e) => (e.busy ? DATABASE_BUSY : INTERNAL),
};

/** The answer to a route's failure; `undefined` (a defect or an interruption) is our fault. */
export const toHttpError = (error: ServerError | undefined): Mapped => {
  // Defensive: a value cast past the types (or a tag not listed) is still answered, as our fault.
  const answer = error === undefined ? undefined : (ANSWERS[error._tag] as ((e: ServerError) => Mapped) | undefined);
  return answer === undefined ? INTERNAL : answer(error!);
};

export const unauthorized: ErrorBody = {
  error: "unauthorized",
  message: "a valid 'Authorization: Bearer <token>' header is required",
};
