/**
 * The OneFile wire contract (shared/spec/onefile-api.md) in one place: hosts, paths, and every
 * item graded [I] ("inferred, to be confirmed on OneFile's Beta environment"). Confirming or
 * correcting an [I] item should be a one-line change in this file.
 *
 * Everything here is plain data or a pure function: no Effect, no I/O.
 */

// ---------------------------------------------------------------------------------------------
// §1 Hosts [D]
// ---------------------------------------------------------------------------------------------

export const API_VERSION = "v2.1";

export const BaseUrls = {
  live: "https://wsapi.onefile.co.uk/api/v2.1/",
  beta: "https://wsapibeta.onefile.co.uk/api/v2.1/",
  practice: "https://wsapi2.onefile.co.uk/api/v2.1/",
} as const;

export type Environment = keyof typeof BaseUrls | "custom";

/** SET-3: the default environment. */
export const DEFAULT_ENVIRONMENT: Environment = "practice";

/** A custom base URL must end in `/api/v2.1/` (a trailing slash is added when missing). */
export const CUSTOM_BASE_URL_SUFFIX = "/api/v2.1/";

// ---------------------------------------------------------------------------------------------
// §2 Session [D][C]
// ---------------------------------------------------------------------------------------------

export const Headers = {
  customerToken: "X-CustomerToken",
  session: "X-TokenID",
} as const;

/** [D] A session lasts 24 h from issue. */
export const SESSION_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** [I] Missing/unknown/expired session → this status (the client renews once and retries). */
export const SESSION_EXPIRED_STATUS = 401;

/** [C] The session token is raw text, possibly JSON-encoded (quoted): strip the quotes. */
export const parseSessionToken = (body: string): string | undefined => {
  let token = body.trim();
  if (token.length >= 2 && token.startsWith('"') && token.endsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(token);
      token = typeof parsed === "string" ? parsed.trim() : token.slice(1, -1);
    } catch {
      token = token.slice(1, -1).trim();
    }
  }
  return token.length > 0 ? token : undefined;
};

// ---------------------------------------------------------------------------------------------
// §3 Conventions
// ---------------------------------------------------------------------------------------------

/** [I] Maximum page size of a paged search. */
export const MAX_PAGE_SIZE = 100;

/** [C] A search with no match answers 204 and an empty body. [I] Pages start at 1. */
export const SEARCH_NO_MATCH_STATUS = 204;
export const FIRST_PAGE = 1;

/**
 * [I] Response dates may omit the zone designator; they are then read as UTC.
 * Set to "local" only if OneFile turns out to send UK local time (then decoding needs a zone).
 */
export const ZONELESS_RESPONSE_DATES_ARE = "UTC" as const;

/**
 * [C][I] A create answers the new id as a bare integer body; the client also accepts an
 * object carrying `ID` (any case) and a JSON-quoted integer. Returns undefined when the body
 * carries no id.
 */
export const parseCreatedId = (body: unknown): number | undefined => {
  if (typeof body === "number") return Number.isSafeInteger(body) ? body : undefined;
  if (typeof body === "string" && /^\s*-?\d+\s*$/.test(body)) return Number.parseInt(body, 10);
  if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    for (const [key, value] of Object.entries(body)) {
      if (key.toLowerCase() === "id") return parseCreatedId(value);
    }
  }
  return undefined;
};

/** [C][I] Updates and `User/{id}/Assign` answer 204; a 200 (with any body) is accepted too. */
export const UPDATE_OK_STATUSES: ReadonlyArray<number> = [204, 200];

// ---------------------------------------------------------------------------------------------
// §3 Errors [C][I]
// ---------------------------------------------------------------------------------------------

/** Codes of a 400 `{code, message}` body. [C] for −11/−57/−58, [I] for the rest. */
export const ErrorCodes = {
  requiredFieldMissing: -1, // [I]
  invalidValue: -2, // [I]
  assessorNotFound: -3, // [I] assessor not found / wrong role
  learnerNotFound: -4, // [I] learner not found / wrong role
  standardNotFound: -5, // [I] standard not among the customer's centres
  organisationNotFound: -11, // [C]
  placementNotFound: -57, // [C]
  classroomNotFound: -58, // [C]
  pathwayRequired: -60, // [I] pathway required or unknown
} as const;

export type ErrorCodeName = keyof typeof ErrorCodes;

export const errorCodeName = (code: number | null): ErrorCodeName | undefined =>
  (Object.keys(ErrorCodes) as Array<ErrorCodeName>).find((name) => ErrorCodes[name] === code);

// ---------------------------------------------------------------------------------------------
// §5 Endpoints
// ---------------------------------------------------------------------------------------------

/**
 * How a call may be retried (LIM-3):
 * - `read`, `update`, `auth`: idempotent, retried on 5xx / timeout / connection drop.
 * - `create`: never retried blindly; an unknown outcome surfaces `CreateOutcomeUnknown`.
 * All kinds are retried after a 429 (the server refused the call before doing anything) and
 * after one session renewal on a 401.
 */
export type CallKind = "auth" | "read" | "create" | "update";

export interface EndpointDef {
  readonly method: "GET" | "POST";
  /** Path template relative to the base URL, as named in the contract. */
  readonly path: string;
  readonly kind: CallKind;
}

const def = (method: "GET" | "POST", path: string, kind: CallKind): EndpointDef => ({ method, path, kind });

export const Endpoints = {
  authentication: def("POST", "Authentication", "auth"),
  getCustomer: def("GET", "Customer", "read"),
  searchOrganisations: def("POST", "Organisation/Search", "read"),
  searchUsers: def("POST", "User/Search", "read"),
  getUser: def("GET", "User/{id}", "read"),
  createUser: def("POST", "User", "create"),
  updateUser: def("POST", "User/{id}", "update"),
  /** [I] treated as idempotent (assigning the same link twice changes nothing). */
  assignToLearner: def("POST", "User/{id}/Assign", "update"),
  searchClassrooms: def("POST", "Classroom/Search", "read"),
  createClassroom: def("POST", "Classroom", "create"),
  searchPlacements: def("POST", "Placement/Search", "read"),
  getPlacement: def("GET", "Placement/{id}", "read"),
  createPlacement: def("POST", "Placement", "create"),
  updatePlacement: def("POST", "Placement/{id}", "update"),
  searchStandards: def("POST", "Standard/Search", "read"),
  assignStandard: def("POST", "Standard/{standardId}/Assign/{learnerId}", "create"),
  searchLearningAims: def("POST", "LearningAim/Search", "read"),
  getLearningAim: def("GET", "LearningAim/{id}", "read"),
  updateLearningAim: def("POST", "LearningAim/{id}", "update"),
  createVisit: def("POST", "Visit", "create"),
  createReview: def("POST", "Review", "create"),
  searchReviews: def("POST", "Review/Search", "read"),
  getReview: def("GET", "Review/{id}", "read"),
} as const satisfies Record<string, EndpointDef>;

export type EndpointName = keyof typeof Endpoints;

/** The name a call is counted and reported under, e.g. `POST User/Search`. */
export const endpointLabel = (e: EndpointDef): string => `${e.method} ${e.path}`;

/** Fills `{id}`-style placeholders; `[I]` paging suffix `/{page}/{size}` appended when given. */
export const endpointPath = (
  e: EndpointDef,
  params: Readonly<Record<string, number>> = {},
  page?: { readonly page: number; readonly size: number },
): string => {
  const path = e.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${e.path}`);
    return encodeURIComponent(String(value));
  });
  return page === undefined ? path : `${path}/${page.page}/${page.size}`;
};

// ---------------------------------------------------------------------------------------------
// §5/§6 Field names graded [I]: the wire key on the right. Domain names (left) never change.
// ---------------------------------------------------------------------------------------------

export const InferredFields = {
  /** User/Search filter by ULN. */
  userSearchUln: "ULN",
  /** Placement/Search filter by MIS reference. */
  placementSearchMisId: "MISID",
  /** Standard's list of pathways. */
  standardPathways: "Pathways",
  /** Body of `Standard/{id}/Assign/{learner}`. */
  assignStandardPathwayId: "PathwayID",
  /** User: archived flag (archived users still match MISID searches, OFF-5). */
  userArchived: "Archived",
  /** LearningAim fields. */
  learningAimPathwayId: "PathwayID",
  learningAimTotalElements: "TotalElements",
  learningAimElementsDone: "ElementsDone",
  learningAimCertificateReceivedDate: "CertificateReceivedDate",
} as const;

/** [I] Unset record fields come back as `null`; the client also accepts them absent. */
export const UNSET_FIELD_VALUE = null;

/** [I] Default `VisitTypeID` mapping (SET-8 `visitTypeIds` may override). */
export const DefaultVisitTypeIds = {
  FaceToFace: 1,
  RemoteSession: 2,
  NotSpecified: 3,
} as const;

/** §6 User roles. */
export const Roles = {
  learner: 1,
  traineeAssessor: 4,
  assessor: 5,
  iqa: 10,
  employer: 40,
  observer: 45,
} as const;

/** `User/{id}/Assign` levels [D][C]: 1 additional assessor, 3 learning-aim assessor (needs StandardID). */
export const AssignLevels = {
  additionalAssessor: 1,
  learningAimAssessor: 3,
} as const;

/** Review status 1 = scheduled. */
export const ReviewStatuses = { scheduled: 1 } as const;

// ---------------------------------------------------------------------------------------------
// §4 Rate limit [D]
// ---------------------------------------------------------------------------------------------

export const DEFAULT_RATE_LIMIT = { calls: 300, windowSeconds: 60 } as const;

/** [D] A 429 carries an empty body and no guaranteed `Retry-After` (seconds or an HTTP date). */
export const parseRetryAfterMs = (header: string | null, nowMs: number): number | undefined => {
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
};
