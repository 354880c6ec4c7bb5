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
// Helpers
// ---------------------------------------------------------------------------------------------

const Id = Schema.Int;
/** A response field that may be `null` or absent ([I]); decoded as `null` when unset. */
const nullable = <A, I, R>(s: Schema.Schema<A, I, R>) => Schema.optionalWith(Schema.NullOr(s), { default: () => null });
/** A request field that may be omitted, or `null` to clear it (updates are partial). */
const optional = <A, I, R>(s: Schema.Schema<A, I, R>) => Schema.optional(Schema.NullOr(s));
/** A search filter field: omitted or a value. */
const filter = <A, I, R>(s: Schema.Schema<A, I, R>) => Schema.optional(s);
/** OneFile codes whose wire type the contract leaves open (ethnicity, status, …). */
const Code = Schema.Union(Schema.Int, Schema.String);

// ---------------------------------------------------------------------------------------------
// Records (§5/§6)
// ---------------------------------------------------------------------------------------------

export const Customer = Schema.Struct({ ID: Id, Name: nullable(Schema.String) });
export type Customer = typeof Customer.Type;

/** A OneFile Organisation = a centre. */
export const Centre = Schema.Struct({ ID: Id, Name: nullable(Schema.String) });
export type Centre = typeof Centre.Type;

export const User = Schema.Struct({
  ID: Id,
  OrganisationID: nullable(Id),
  Role: nullable(Schema.Int),
  Username: nullable(Schema.String),
  FirstName: nullable(Schema.String),
  LastName: nullable(Schema.String),
  Email: nullable(Schema.String),
  MISID: nullable(Schema.String),
  Telephone: nullable(Schema.String),
  MobileNumber: nullable(Schema.String),
  DOB: nullable(OneFileDate),
  Archived: nullable(Schema.Boolean).pipe(Schema.fromKey(InferredFields.userArchived)),
  CreatedOn: nullable(OneFileDate),
  LastModified: nullable(OneFileDate),
  // learner only
  ULN: nullable(Schema.String),
  NINO: nullable(Schema.String),
  StartOn: nullable(OneFileDate),
  PlannedEndDate: nullable(OneFileDate),
  HomeAddress: nullable(Schema.String),
  DefaultAssessorID: nullable(Id),
  DefaultEmployerID: nullable(Id),
  ClassroomID: nullable(Id),
  PlacementID: nullable(Id),
  L12: nullable(Code),
  L13: nullable(Code),
  L15: nullable(Code),
  LearnerStatusID: nullable(Schema.Int),
});
export type User = typeof User.Type;

/** [I] Row of an unpaged `User/Search`. */
export const UserSummary = Schema.Struct({
  ID: Id,
  FirstName: nullable(Schema.String),
  LastName: nullable(Schema.String),
  MISID: nullable(Schema.String),
  Role: nullable(Schema.Int),
  OrganisationID: nullable(Id),
});
export type UserSummary = typeof UserSummary.Type;

export const Classroom = Schema.Struct({
  ID: Id,
  OrganisationID: nullable(Id),
  Name: nullable(Schema.String),
  MISID: nullable(Schema.String),
});
export type Classroom = typeof Classroom.Type;

export const Placement = Schema.Struct({
  ID: Id,
  OrganisationID: nullable(Id),
  Name: nullable(Schema.String),
  Address: nullable(Schema.String),
  Telephone: nullable(Schema.String),
  Email: nullable(Schema.String),
  Web: nullable(Schema.String),
  Contact: nullable(Schema.String),
  MISID: nullable(Schema.String),
  Active: nullable(Schema.Boolean),
  LastModified: nullable(OneFileDate),
});
export type Placement = typeof Placement.Type;

export const Pathway = Schema.Struct({ ID: Id, Title: nullable(Schema.String) });
export type Pathway = typeof Pathway.Type;

export const Standard = Schema.Struct({
  ID: Id,
  OrganisationID: nullable(Id),
  Title: nullable(Schema.String),
  Pathways: Schema.optionalWith(Schema.NullOr(Schema.Array(Pathway)), { default: () => null }).pipe(
    Schema.fromKey(InferredFields.standardPathways),
  ),
});
export type Standard = typeof Standard.Type;

export const LearningAim = Schema.Struct({
  ID: Id,
  UserID: nullable(Id),
  StandardID: nullable(Id),
  PathwayID: nullable(Id).pipe(Schema.fromKey(InferredFields.learningAimPathwayId)),
  Status: nullable(Code),
  StartDate: nullable(OneFileDate),
  PlannedEnd: nullable(OneFileDate),
  Progress: nullable(Schema.Number),
  TotalElements: nullable(Schema.Int).pipe(Schema.fromKey(InferredFields.learningAimTotalElements)),
  ElementsDone: nullable(Schema.Int).pipe(Schema.fromKey(InferredFields.learningAimElementsDone)),
  RegistrationNumber: nullable(Schema.String),
  RegistrationDate: nullable(OneFileDate),
  CertificateAppliedDate: nullable(OneFileDate),
  CertificateReceivedDate: nullable(OneFileDate).pipe(Schema.fromKey(InferredFields.learningAimCertificateReceivedDate)),
  AchievedDate: nullable(OneFileDate),
});
export type LearningAim = typeof LearningAim.Type;

export const Review = Schema.Struct({
  ID: Id,
  LearnerID: nullable(Id),
  AssessorID: nullable(Id),
  VisitID: nullable(Id),
  Status: nullable(Schema.Int),
  ScheduledFor: nullable(OneFileDate),
  EndTime: nullable(OneFileDate),
  StartedOn: nullable(OneFileDate),
  AssessorSignedOn: nullable(OneFileDate),
  LearnerSignedOn: nullable(OneFileDate),
  CreatedOn: nullable(OneFileDate),
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
