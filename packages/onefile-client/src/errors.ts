/**
 * What can go wrong talking to OneFile, each named for what happened. `endpoint` is the call's
 * label, e.g. `POST User/Search`. No error ever carries the customer token or the session token.
 */
import { Data } from "effect";

/** OneFile refused the customer token (401 on Authentication), or a call stayed 401 after one renewal. */
export class Unauthorized extends Data.TaggedError("Unauthorized")<{
  readonly endpoint: string;
  readonly message: string;
}> {}

/** Still 429 after waiting `maxRateLimitWaitMs` in total. */
export class RateLimited extends Data.TaggedError("RateLimited")<{
  readonly endpoint: string;
  readonly waitedMs: number;
  readonly message: string;
}> {}

/** 404: unknown id in a path. */
export class NotFound extends Data.TaggedError("NotFound")<{
  readonly endpoint: string;
  readonly path: string;
  readonly message: string;
}> {}

/** 403: the record belongs to another customer. */
export class Forbidden extends Data.TaggedError("Forbidden")<{
  readonly endpoint: string;
  readonly path: string;
  readonly message: string;
}> {}

/**
 * OneFile refused the request: 400 `{code, message}` (`code` negative, see `ErrorCodes`), or
 * another 4xx the contract does not name (`code` null, `message` = the body, shortened).
 */
export class RejectedByOneFile extends Data.TaggedError("RejectedByOneFile")<{
  readonly endpoint: string;
  readonly status: number;
  readonly code: number | null;
  /** Name from `ErrorCodes` when the code is known, e.g. `pathwayRequired`. */
  readonly codeName: string | null;
  readonly message: string;
}> {}

/** A read/update/authentication kept failing with 5xx, timeouts or dropped connections. */
export class OneFileUnavailable extends Data.TaggedError("OneFileUnavailable")<{
  readonly endpoint: string;
  readonly attempts: number;
  /** The last failure: `status 503`, `timeout`, `network`. */
  readonly reason: string;
  readonly message: string;
}> {}

/**
 * A create got no usable answer (5xx, timeout, dropped connection): the record may or may not
 * exist. It is not retried; look it up again by MIS reference (ENR-13).
 */
export class CreateOutcomeUnknown extends Data.TaggedError("CreateOutcomeUnknown")<{
  readonly endpoint: string;
  readonly reason: string;
  readonly message: string;
}> {}

/**
 * A 2xx answer whose body does not match the contract. `field` is the path of the first bad
 * field (`ID`, `[3].DOB`, …) or `(body)` when the body is not JSON at all. On a create this means
 * the record was created but its id could not be read: look it up again as for CreateOutcomeUnknown.
 */
export class UndecodableResponse extends Data.TaggedError("UndecodableResponse")<{
  readonly endpoint: string;
  readonly field: string;
  readonly message: string;
}> {}

/** A request the client refused to send: it does not match the contract's request schema. */
export class UnsendableRequest extends Data.TaggedError("UnsendableRequest")<{
  readonly endpoint: string;
  readonly field: string;
  readonly message: string;
}> {}

/** The shared call budget (e.g. the libSQL one) failed; the call was not sent. */
export class CallBudgetFailed extends Data.TaggedError("CallBudgetFailed")<{
  readonly message: string;
  readonly cause: unknown;
}> {}

/** The client's configuration is invalid (the layer fails to build). */
export class InvalidClientConfig extends Data.TaggedError("InvalidClientConfig")<{
  readonly message: string;
}> {}

export type OneFileError =
  | Unauthorized
  | RateLimited
  | NotFound
  | Forbidden
  | RejectedByOneFile
  | OneFileUnavailable
  | CreateOutcomeUnknown
  | UndecodableResponse
  | UnsendableRequest
  | CallBudgetFailed;
