/** A OneFile validation failure: answered 400 `{"code", "message"}`. */
export class OneFileError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** A failure answered with a bare HTTP status (404 unknown id in a path, 403 another customer's record). */
export class HttpFailure extends Error {
  constructor(
    readonly status: 401 | 403 | 404,
    message: string,
  ) {
    super(message);
  }
}

/** The OneFile error codes the sandbox answers (onefile-api.md §3). */
export const Codes = {
  requiredMissing: -1,
  invalidValue: -2,
  assessorNotFound: -3,
  learnerNotFound: -4,
  standardNotFound: -5,
  organisationNotFound: -11,
  placementNotFound: -57,
  classroomNotFound: -58,
  pathwayRequiredOrUnknown: -60,
} as const;

export const missing = (field: string): OneFileError =>
  new OneFileError(Codes.requiredMissing, `Required field missing: ${field}`);

export const invalid = (field: string, why: string): OneFileError =>
  new OneFileError(Codes.invalidValue, `Invalid value for ${field}: ${why}`);

/** A mistake in an admin request or a seed document: answered 400 `{"error", "message"}`. */
export class AdminError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 = 400,
  ) {
    super(message);
  }
}
