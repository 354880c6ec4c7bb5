/**
 * Every failure the HTTP API can answer with, mapped to a status code in ONE place.
 *
 * Body shape (http-api.md): `{"error": "<machine_code>", "message": "<sentence>", "details"?: …}`.
 * Bad input is always 4xx with the offending fields in `details`; only our own faults are 500,
 * and their message never carries internals (those go to the log).
 */
import { Data } from "effect";

export interface ErrorBody {
  readonly error: string;
  readonly message: string;
  readonly details?: unknown;
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

const describeIssues = (what: string, issues: ReadonlyArray<Issue>) => {
  const shown = issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`);
  return `invalid ${what}: ${shown.join("; ")}${issues.length > 5 ? ` (and ${issues.length - 5} more)` : ""}`;
};

export interface Mapped {
  readonly status: number;
  readonly body: ErrorBody;
  /** True when it is our fault: logged with its cause. */
  readonly internal?: boolean;
  /** Extra response headers (Retry-After). */
  readonly headers?: Readonly<Record<string, string>>;
}

type Tagged = { readonly _tag: string; readonly message?: string } & Record<string, unknown>;

const isTagged = (error: unknown): error is Tagged =>
  typeof error === "object" && error !== null && typeof (error as { _tag?: unknown })._tag === "string";

const body = (error: string, message: string, details?: unknown): ErrorBody =>
  details === undefined ? { error, message } : { error, message, details };

/** The OneFile client's errors (packages/onefile-client/src/errors.ts): OneFile failed → 502. */
const ONEFILE_ERRORS: Readonly<Record<string, { code: string; explain: string }>> = {
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

const onefileFailure = (error: Tagged, step?: string): Mapped | undefined => {
  const known = ONEFILE_ERRORS[error._tag];
  if (known === undefined) return undefined;
  const details: Record<string, unknown> = { onefileError: error._tag };
  if (typeof error.endpoint === "string") details.endpoint = error.endpoint;
  if (typeof error.status === "number") details.status = error.status;
  if (typeof error.codeName === "string") details.onefileCode = error.codeName;
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

/** A StoreError (pics-store) whose cause is a lock held past the busy timeout, directly or inside a step or the call budget. */
const isBusyStoreError = (error: Tagged): boolean =>
  (error._tag === "StoreError" && error.busy === true) ||
  ((error._tag === "StepFailed" || error._tag === "CallBudgetFailed") &&
    isTagged(error.reason ?? error.cause) &&
    isBusyStoreError((error.reason ?? error.cause) as Tagged));

/** The single mapping from anything an operation can fail with to an HTTP answer. */
export const toHttpError = (error: unknown): Mapped => {
  if (!isTagged(error)) return INTERNAL;
  if (isBusyStoreError(error)) return DATABASE_BUSY;
  const message = String(error.message ?? error._tag);
  switch (error._tag) {
    case "HttpError": {
      const e = error as unknown as HttpError;
      return { status: e.status, body: body(e.code, e.text, e.details) };
    }
    // ---------------------------------------------------------------- 400 bad input
    case "InvalidInput": {
      const issues = tidyIssues(error.issues as ReadonlyArray<Issue>);
      return { status: 400, body: body("invalid_input", describeIssues(String(error.what), issues), issues) };
    }
    case "InvalidRequest":
      // core's InvalidRequest{field, reason}: the caller asked for something that does not fit.
      if (typeof error.reason === "string") {
        return { status: 400, body: body("invalid_request", message, [{ path: String(error.field), message: error.reason }]) };
      }
      // the OneFile client's InvalidRequest{endpoint, field}: PICS data OneFile's contract cannot take.
      return {
        status: 422,
        body: body("onefile_request_invalid", `the data cannot be sent to OneFile: ${message}`, {
          endpoint: error.endpoint,
          field: error.field,
        }),
      };
    // ---------------------------------------------------------------- 404
    case "RecordNotFound":
      return { status: 404, body: body("not_found", message, { entity: error.entity, id: error.id }) };
    case "RunNotFound":
      return { status: 404, body: body("not_found", message, { entity: "run", id: error.id }) };
    // ---------------------------------------------------------------- 409
    case "LearnerAlreadyEnrolled":
      return {
        status: 409,
        body: body("already_enrolled", message, {
          onefileId: error.onefileId,
          candidates: [{ onefileId: error.onefileId, matchedOn: ["linked"] }],
        }),
      };
    case "OneFileLearnerAlreadyLinked":
      return {
        status: 409,
        body: body("onefile_learner_linked", message, { onefileId: error.onefileId, learnerId: error.learnerId }),
      };
    case "DuplicateLearnerFound":
      return { status: 409, body: body("duplicate_learner", message, { candidates: error.candidates }) };
    case "RunInProgress":
      return { status: 409, body: body("run_in_progress", message, { subject: error.subject, holder: error.holder }) };
    case "LearnerNotLinked":
      return { status: 409, body: body("learner_not_linked", message, { learnerId: error.learnerId }) };
    case "LeaseLost":
      return { status: 409, body: body("lease_lost", message, { lease: error.name }) };
    case "LeaseHeld":
      return {
        status: 409,
        body: body("run_in_progress", "another operation is working on this; try again when it has finished"),
      };
    // ---------------------------------------------------------------- 422
    case "EnrolmentBlocked":
      return { status: 422, body: body("enrolment_blocked", message, { blockers: error.blockers }) };
    // ---------------------------------------------------------------- 502 OneFile failed
    case "StepFailed": {
      const reason = error.reason;
      if (isTagged(reason)) {
        const failed = onefileFailure(reason, String(error.step));
        if (failed) return { ...failed, body: { ...failed.body, message: message } };
        if (reason._tag === "LeaseLost") {
          return { status: 409, body: body("lease_lost", message, { lease: reason.name, step: error.step }) };
        }
        if (reason._tag === "RecordNotFound") {
          return { status: 409, body: body("conflict", `a PICS record changed while the operation ran: ${message}`) };
        }
      }
      return INTERNAL;
    }
    // ---------------------------------------------------------------- 503 switched off / not configured
    case "IntegrationDisabled":
      return { status: 503, body: body("integration_disabled", message) };
    case "OneFileNotConfigured":
    case "InvalidClientConfig":
      return { status: 503, body: body("onefile_not_configured", message) };
    case "SecretUnreadable":
      return { status: 503, body: body("secret_unreadable", message) };
    case "RuleDisabled":
      return { status: 503, body: body("rule_disabled", message, { rule: error.rule }) };
    default:
      return onefileFailure(error) ?? INTERNAL;
  }
};

export const unauthorized: ErrorBody = {
  error: "unauthorized",
  message: "a valid 'Authorization: Bearer <token>' header is required",
};
