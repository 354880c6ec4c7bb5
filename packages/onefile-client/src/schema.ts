/**
 * OneFile records and request bodies as Schemas. Field names stay PascalCase, as on the wire
 * (§6 of the contract), so a reader can hold the contract next to the code. Wire keys graded
 * [I] come from `InferredFields` in contract.ts.
 */
import { ParseResult, Schema } from "effect";
import { InferredFields, ZONELESS_RESPONSE_DATES_ARE } from "./contract.ts";

// ---------------------------------------------------------------------------------------------
// Dates: out as `YYYY-MM-DDTHH:mm:ss.sssZ`; in with or without `Z` (zoneless = UTC, [I]).
// ---------------------------------------------------------------------------------------------

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Normalises an ISO-8601 date or date-time to UTC `YYYY-MM-DDTHH:mm:ss.sssZ`; undefined if invalid. */
export const normaliseDate = (input: string): string | undefined => {
  const m = DATE_RE.exec(input.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "0", zone] = m;
  if (zone === undefined && ZONELESS_RESPONSE_DATES_ARE !== "UTC") return undefined;
  const ms = Math.floor(Number(`0.${frac}`) * 1000);
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const check = new Date(t);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) return undefined;
  if (zone !== undefined && zone.toUpperCase() !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || "0");
    t -= sign * offsetMin * 60_000;
  }
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
};

/** A OneFile date: decoded and encoded as a normalised UTC ISO string (`…Z`). */
export const OneFileDate = Schema.transformOrFail(Schema.String, Schema.String, {
  strict: true,
  decode: (s, _, ast) => {
    const n = normaliseDate(s);
    return n === undefined
      ? ParseResult.fail(new ParseResult.Type(ast, s, `not an ISO-8601 date: ${JSON.stringify(s)}`))
      : ParseResult.succeed(n);
  },
  encode: (s, _, ast) => {
    const n = normaliseDate(s);
    return n === undefined
      ? ParseResult.fail(new ParseResult.Type(ast, s, `not an ISO-8601 date: ${JSON.stringify(s)}`))
      : ParseResult.succeed(n);
  },
}).annotations({ identifier: "OneFileDate" });

// ---------------------------------------------------------------------------------------------
// Answers as real installations send them (DATA-1, DATA-2)
// ---------------------------------------------------------------------------------------------

/** `""` and the .NET default date (`0001-01-01T00:00:00`, DateTime.MinValue) mean "no date". */
const isBlankDate = (s: string): boolean => s === "" || /^0001-01-01(?:[T ]|$)/.test(s);

const MAX_DATE_LENGTH = 64;

const readDate = (
  calendar: boolean,
): Schema.transformOrFail<Schema.NullOr<typeof Schema.String>, Schema.NullOr<typeof Schema.String>> =>
  Schema.transformOrFail(Schema.NullOr(Schema.String), Schema.NullOr(Schema.String), {
    strict: true,
    decode: (raw, _, ast) => {
      if (raw === null) return ParseResult.succeed(null);
      const s = raw.trim();
      if (isBlankDate(s)) return ParseResult.succeed(null);
      const n = s.length > MAX_DATE_LENGTH ? undefined : normaliseDate(s);
      if (n === undefined)
        return ParseResult.fail(new ParseResult.Type(ast, raw, `not an ISO-8601 date: ${JSON.stringify(raw.slice(0, 40))}`));
      // DATA-2: a date-only value is the calendar date written in it, whatever time and offset follow
      // (local midnight `2001-02-03T00:00:00+01:00` is 3 February, not 2 February at 23:00 UTC).
      return ParseResult.succeed(calendar ? `${s.slice(0, 10)}T00:00:00.000Z` : n);
    },
    encode: (s) => ParseResult.succeed(s),
  });

/** An instant in an answer (a review started, a record modified); blanks read as null. */
const ResponseInstant = readDate(false).annotations({ identifier: "OneFileInstant" });
/** A date-only value in an answer (birth, start, planned end, registration, certificate): midnight UTC of its calendar date. */
const ResponseCalendarDate = readDate(true).annotations({ identifier: "OneFileCalendarDate" });

/** A string field some installations send as a number (a ULN, a telephone number). */
const ResponseText = Schema.Union(
  Schema.String,
  Schema.transform(Schema.Number, Schema.String, { strict: true, decode: (n) => String(n), encode: (s) => Number(s) }),
);

const INTEGER_TEXT = /^\s*-?\d{1,15}\s*$/;

/** An integer some installations send as a numeric string (`"100"`). */
const ResponseInt = Schema.Union(
  Schema.Int,
  Schema.transformOrFail(Schema.String, Schema.Int, {
    strict: true,
    decode: (s, _, ast) =>
      INTEGER_TEXT.test(s)
        ? ParseResult.succeed(Number(s))
        : ParseResult.fail(new ParseResult.Type(ast, s, `not a whole number: ${JSON.stringify(s.slice(0, 40))}`)),
    encode: (n) => ParseResult.succeed(String(n)),
  }),
);

/** A number some installations send as a numeric string. */
const ResponseNumber = Schema.Union(
  Schema.Number,
  Schema.transformOrFail(Schema.String, Schema.Number, {
    strict: true,
    decode: (s, _, ast) => {
      const n = s.trim() === "" || s.length > 40 ? Number.NaN : Number(s);
      return Number.isFinite(n)
        ? ParseResult.succeed(n)
        : ParseResult.fail(new ParseResult.Type(ast, s, `not a number: ${JSON.stringify(s.slice(0, 40))}`));
    },
    encode: (n) => ParseResult.succeed(String(n)),
  }),
);

/** A boolean some installations send as `"true"` / `"false"`. */
const ResponseBoolean = Schema.Union(
  Schema.Boolean,
  Schema.transform(Schema.Literal("true", "false", "True", "False"), Schema.Boolean, {
    strict: true,
    decode: (s) => s.toLowerCase() === "true",
    encode: (b) => (b ? "true" : "false"),
  }),
);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const Id = Schema.Int;
/** A response field that may be `null` or absent ([I]); decoded as `null` when unset. */
const nullable = <A, I, R>(s: Schema.Schema<A, I, R>) => Schema.optionalWith(Schema.NullOr(s), { default: () => null });
/** Response fields, read as DATA-1 and DATA-2 say. */
const text = () => nullable(ResponseText);
const int = () => nullable(ResponseInt);
const bool = () => nullable(ResponseBoolean);
const instant = () => Schema.optionalWith(ResponseInstant, { default: () => null });
const calendarDate = () => Schema.optionalWith(ResponseCalendarDate, { default: () => null });
/** A response record's own id: a number, or a numeric string. */
const RecordId = ResponseInt;
/** A request field that may be omitted, or `null` to clear it (updates are partial). */
const optional = <A, I, R>(s: Schema.Schema<A, I, R>) => Schema.optional(Schema.NullOr(s));
/** A search filter field: omitted or a value. */
const filter = <A, I, R>(s: Schema.Schema<A, I, R>) => Schema.optional(s);
/** OneFile codes whose wire type the contract leaves open (ethnicity, status, …). */
const Code = Schema.Union(Schema.Int, Schema.String);

// ---------------------------------------------------------------------------------------------
// Records (§5/§6)
// ---------------------------------------------------------------------------------------------

export const Customer = Schema.Struct({ ID: RecordId, Name: text() });
export type Customer = typeof Customer.Type;

/** A OneFile Organisation = a centre. */
export const Centre = Schema.Struct({ ID: RecordId, Name: text() });
export type Centre = typeof Centre.Type;

export const User = Schema.Struct({
  ID: RecordId,
  OrganisationID: int(),
  Role: int(),
  Username: text(),
  FirstName: text(),
  LastName: text(),
  Email: text(),
  MISID: text(),
  Telephone: text(),
  MobileNumber: text(),
  DOB: calendarDate(),
  Archived: bool().pipe(Schema.fromKey(InferredFields.userArchived)),
  CreatedOn: instant(),
  LastModified: instant(),
  // learner only
  ULN: text(),
  NINO: text(),
  StartOn: calendarDate(),
  PlannedEndDate: calendarDate(),
  HomeAddress: text(),
  DefaultAssessorID: int(),
  DefaultEmployerID: int(),
  ClassroomID: int(),
  PlacementID: int(),
  L12: nullable(Code),
  L13: nullable(Code),
  L15: nullable(Code),
  LearnerStatusID: int(),
});
export type User = typeof User.Type;

/** [I] Row of an unpaged `User/Search`. */
export const UserSummary = Schema.Struct({
  ID: RecordId,
  FirstName: text(),
  LastName: text(),
  MISID: text(),
  Role: int(),
  OrganisationID: int(),
});
export type UserSummary = typeof UserSummary.Type;

export const Classroom = Schema.Struct({
  ID: RecordId,
  OrganisationID: int(),
  Name: text(),
  MISID: text(),
});
export type Classroom = typeof Classroom.Type;

export const Placement = Schema.Struct({
  ID: RecordId,
  OrganisationID: int(),
  Name: text(),
  Address: text(),
  Telephone: text(),
  Email: text(),
  Web: text(),
  Contact: text(),
  MISID: text(),
  Active: bool(),
  LastModified: instant(),
});
export type Placement = typeof Placement.Type;

export const Pathway = Schema.Struct({ ID: RecordId, Title: text() });
export type Pathway = typeof Pathway.Type;

export const Standard = Schema.Struct({
  ID: RecordId,
  OrganisationID: int(),
  Title: text(),
  Pathways: Schema.optionalWith(Schema.NullOr(Schema.Array(Pathway)), { default: () => null }).pipe(
    Schema.fromKey(InferredFields.standardPathways),
  ),
});
export type Standard = typeof Standard.Type;

export const LearningAim = Schema.Struct({
  ID: RecordId,
  UserID: int(),
  StandardID: int(),
  PathwayID: int().pipe(Schema.fromKey(InferredFields.learningAimPathwayId)),
  Status: nullable(Code),
  StartDate: calendarDate(),
  PlannedEnd: calendarDate(),
  Progress: nullable(ResponseNumber),
  TotalElements: int().pipe(Schema.fromKey(InferredFields.learningAimTotalElements)),
  ElementsDone: int().pipe(Schema.fromKey(InferredFields.learningAimElementsDone)),
  RegistrationNumber: text(),
  RegistrationDate: calendarDate(),
  CertificateAppliedDate: calendarDate(),
  CertificateReceivedDate: calendarDate().pipe(Schema.fromKey(InferredFields.learningAimCertificateReceivedDate)),
  AchievedDate: calendarDate(),
});
export type LearningAim = typeof LearningAim.Type;

export const Review = Schema.Struct({
  ID: RecordId,
  LearnerID: int(),
  AssessorID: int(),
  VisitID: int(),
  Status: int(),
  ScheduledFor: instant(),
  EndTime: instant(),
  StartedOn: instant(),
  AssessorSignedOn: instant(),
  LearnerSignedOn: instant(),
  CreatedOn: instant(),
});
export type Review = typeof Review.Type;

// ---------------------------------------------------------------------------------------------
// Requests: search filters
// ---------------------------------------------------------------------------------------------

export const CentreSearch = Schema.Struct({ CustomerID: Id });

export const UserFilter = Schema.Struct({
  OrganisationID: filter(Id),
  Role: filter(Schema.Int),
  FirstName: filter(Schema.String),
  LastName: filter(Schema.String),
  Email: filter(Schema.String),
  MISID: filter(Schema.String),
  ULN: filter(Schema.String).pipe(Schema.fromKey(InferredFields.userSearchUln)),
  /** Users modified at or after this instant. */
  LastModified: filter(OneFileDate),
});
export type UserFilter = typeof UserFilter.Type;

export const ClassroomFilter = Schema.Struct({ OrganisationID: Id, Name: filter(Schema.String) });
export type ClassroomFilter = typeof ClassroomFilter.Type;

export const PlacementFilter = Schema.Struct({
  OrganisationID: Id,
  Name: filter(Schema.String),
  MISID: filter(Schema.String).pipe(Schema.fromKey(InferredFields.placementSearchMisId)),
});
export type PlacementFilter = typeof PlacementFilter.Type;

export const StandardFilter = Schema.Struct({ OrganisationID: Id, Title: filter(Schema.String) });
export type StandardFilter = typeof StandardFilter.Type;

export const LearningAimFilter = Schema.Struct({ UserID: Id });
export type LearningAimFilter = typeof LearningAimFilter.Type;

/** Dates filter `ScheduledFor`, inclusive. */
export const ReviewFilter = Schema.Struct({
  OrganisationID: Id,
  LearnerID: filter(Id),
  DateFrom: filter(OneFileDate),
  DateTo: filter(OneFileDate),
});
export type ReviewFilter = typeof ReviewFilter.Type;

// ---------------------------------------------------------------------------------------------
// Requests: creates and partial updates
// ---------------------------------------------------------------------------------------------

const userWritable = {
  Username: optional(Schema.String),
  MISID: optional(Schema.String),
  Telephone: optional(Schema.String),
  MobileNumber: optional(Schema.String),
  DOB: optional(OneFileDate),
  ULN: optional(Schema.String),
  NINO: optional(Schema.String),
  StartOn: optional(OneFileDate),
  PlannedEndDate: optional(OneFileDate),
  HomeAddress: optional(Schema.String),
  DefaultAssessorID: optional(Id),
  DefaultEmployerID: optional(Id),
  ClassroomID: optional(Id),
  PlacementID: optional(Id),
  L12: optional(Code),
  L13: optional(Code),
  L15: optional(Code),
  LearnerStatusID: optional(Schema.Int),
};

/**
 * [D] Required for every role: OrganisationID, FirstName, LastName, Email, Role; a learner (Role 1)
 * also needs DefaultAssessorID, ClassroomID, PlacementID (OneFile answers −1 when missing).
 */
export const NewUser = Schema.Struct({
  OrganisationID: Id,
  FirstName: Schema.String,
  LastName: Schema.String,
  Email: Schema.String,
  Role: Schema.Int,
  ...userWritable,
});
export type NewUser = typeof NewUser.Type;

export const UserChanges = Schema.Struct({
  OrganisationID: optional(Id),
  FirstName: optional(Schema.String),
  LastName: optional(Schema.String),
  Email: optional(Schema.String),
  Role: optional(Schema.Int),
  Archived: optional(Schema.Boolean).pipe(Schema.fromKey(InferredFields.userArchived)),
  ...userWritable,
});
export type UserChanges = typeof UserChanges.Type;

/** `User/{assigneeId}/Assign`: Level 1 additional assessor, 3 learning-aim assessor (needs StandardID). */
export const Assignment = Schema.Struct({
  LearnerID: Id,
  Level: Schema.Int,
  StandardID: Schema.optional(Id),
});
export type Assignment = typeof Assignment.Type;

export const NewClassroom = Schema.Struct({
  OrganisationID: Id,
  Name: Schema.String,
  MISID: Schema.optional(Schema.String),
});
export type NewClassroom = typeof NewClassroom.Type;

const placementWritable = {
  MISID: optional(Schema.String),
  Address: optional(Schema.String),
  Telephone: optional(Schema.String),
  Email: optional(Schema.String),
  Web: optional(Schema.String),
  Contact: optional(Schema.String),
};

export const NewPlacement = Schema.Struct({ OrganisationID: Id, Name: Schema.String, ...placementWritable });
export type NewPlacement = typeof NewPlacement.Type;

export const PlacementChanges = Schema.Struct({
  Name: optional(Schema.String),
  Active: optional(Schema.Boolean),
  ...placementWritable,
});
export type PlacementChanges = typeof PlacementChanges.Type;

/** [I] Body of `Standard/{id}/Assign/{learner}`; PathwayID required for a Standard with 2+ pathways (−60). */
export const StandardAssignment = Schema.Struct({
  PathwayID: Schema.optional(Id).pipe(Schema.fromKey(InferredFields.assignStandardPathwayId)),
});
export type StandardAssignment = typeof StandardAssignment.Type;

/** Learning aim dates, registration and certificate fields (element counts are never written). */
export const LearningAimChanges = Schema.Struct({
  Status: optional(Code),
  StartDate: optional(OneFileDate),
  PlannedEnd: optional(OneFileDate),
  RegistrationNumber: optional(Schema.String),
  RegistrationDate: optional(OneFileDate),
  CertificateAppliedDate: optional(OneFileDate),
  CertificateReceivedDate: optional(OneFileDate).pipe(Schema.fromKey(InferredFields.learningAimCertificateReceivedDate)),
  AchievedDate: optional(OneFileDate),
});
export type LearningAimChanges = typeof LearningAimChanges.Type;

export const NewVisit = Schema.Struct({
  LearnerID: Id,
  OrganisationID: Id,
  AssessorID: Id,
  DateFrom: OneFileDate,
  DateTo: OneFileDate,
  VisitTypeID: Schema.Int,
  SMSReminder: Schema.Boolean,
});
export type NewVisit = typeof NewVisit.Type;

export const NewReview = Schema.Struct({
  LearnerID: Id,
  AssessorID: Id,
  Status: Schema.Int,
  ScheduledFor: OneFileDate,
  EndTime: OneFileDate,
  VisitID: Id,
});
export type NewReview = typeof NewReview.Type;

/** A 400 answer body `{code, message}` [C] (key case tolerated). */
export const OneFileErrorBody = Schema.Struct({
  code: Schema.Int,
  message: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
});
