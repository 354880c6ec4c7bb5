/**
 * The PICS records of `shared/spec/http-api.md` as Effect Schemas. The HTTP API, the import and
 * the store all decode through these, so one rule (an id pattern, a date format) lives in one place.
 *
 * Optional fields accept `null` or absence; decoded records carry `null` for "not set" so that a
 * record read back from the store compares equal to the record written.
 */
import { Data, Effect, Either, ParseResult, Schema } from "effect";

// ---------------------------------------------------------------- field rules

/**
 * SEC-3: every string's length is checked before anything else looks at it, so a pattern or a
 * filter only ever sees a short string and validation stays linear in the size of the input.
 */
const MaxLength = (max: number, message = `must be at most ${max} characters`) =>
  Schema.String.pipe(Schema.maxLength(max, { message: () => message }));

export const PicsId = MaxLength(64, "must be 1-64 characters of letters, digits, '_', '.' or '-'").pipe(
  Schema.pattern(/^[A-Za-z0-9_.-]{1,64}$/, {
    message: () => "must be 1-64 characters of letters, digits, '_', '.' or '-'",
  }),
);
export type PicsId = typeof PicsId.Type;

const isCalendarDate = (s: string): boolean => {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};

/** A calendar date `YYYY-MM-DD`. */
export const IsoDate = MaxLength(10, "must be a date YYYY-MM-DD").pipe(
  Schema.filter((s) => (/^\d{4}-\d{2}-\d{2}$/.test(s) && isCalendarDate(s)) || "must be a date YYYY-MM-DD"),
);

/** A time of day `HH:MM` (24 h). */
export const TimeOfDay = MaxLength(5, "must be a time HH:MM").pipe(
  Schema.filter((s) => /^([01]\d|2[0-3]):[0-5]\d$/.test(s) || "must be a time HH:MM"),
);

const Text = (max = 200) => MaxLength(max).pipe(Schema.filter((s) => s.trim().length > 0 || "must not be blank"));

/**
 * `local@domain.tld`: one `@`, no white space, a dot inside the domain. Checked by scanning, not by
 * a pattern that backtracks (`[^\s@]+\.[^\s@]+` is quadratic on `a@....` ), and only after the
 * length limit.
 */
export const isEmailAddress = (s: string): boolean => {
  if (/\s/.test(s)) return false;
  const at = s.indexOf("@");
  if (at < 1 || at !== s.lastIndexOf("@")) return false;
  return s.slice(at + 2, -1).includes(".");
};

export const Email = MaxLength(254).pipe(Schema.filter((s) => isEmailAddress(s) || "must be an email address"));

/** OneFile ids are positive integers. */
export const OneFileId = Schema.Int.pipe(Schema.positive({ message: () => "must be a positive integer" }));

const Count = Schema.Int.pipe(Schema.nonNegative({ message: () => "must be a whole number ≥ 0" }));

/** An optional field: absent or null decodes to null. */
const opt = <A, I, R>(schema: Schema.Schema<A, I, R>) =>
  Schema.optionalWith(Schema.NullOr(schema), { default: () => null, nullable: true });

export const SystemStatus = Schema.Literal("Live", "Archived", "Deleted");
export const LearningStatus = Schema.Literal("InLearning", "Completed", "Withdrawn", "BreakInLearning", "Transferred");
export const ReviewType = Schema.Literal("Normal", "Other");
export const Attendance = Schema.Literal("Yes", "No", "Unknown");
/** A placement type is one capital letter; `P` marks the employer placement (ORG-1). */
export const PlacementType = MaxLength(1, "must be one capital letter (P for the employer)").pipe(
  Schema.filter((s) => /^[A-Z]$/.test(s) || "must be one capital letter (P for the employer)"),
);

// ---------------------------------------------------------------- records

/** OFF-6, ORG-5: the OneFile record an officer or organisation is linked to in one centre. */
export const OneFileLink = Schema.Struct({ centreId: OneFileId, onefileId: OneFileId });
export type OneFileLink = typeof OneFileLink.Type;
const onefileLinks = Schema.optional(Schema.Array(OneFileLink).pipe(Schema.maxItems(100)));

export const Officer = Schema.Struct({
  id: PicsId,
  ident: Text(64),
  firstName: Text(),
  surname: Text(),
  email: opt(Email),
  phone: opt(Text(40)),
  mobile: opt(Text(40)),
  birthDate: opt(IsoDate),
  onefileId: opt(OneFileId),
  /** Read back always (one per centre, by centre id); the import may carry them (SEC-4). */
  onefileLinks,
});
export type Officer = typeof Officer.Type;

export const Organisation = Schema.Struct({
  id: PicsId,
  ident: Text(64),
  name: Text(),
  phone: opt(Text(40)),
  email: opt(Email),
  website: opt(Text(300)),
  address1: opt(Text()),
  address2: opt(Text()),
  address3: opt(Text()),
  address4: opt(Text()),
  postcode: opt(Text(16)),
  onefileId: opt(OneFileId),
  onefileLinks,
});
export type Organisation = typeof Organisation.Type;

export const LearnerOfficer = Schema.Struct({
  officerId: PicsId,
  type: Text(64),
});
export type LearnerOfficer = typeof LearnerOfficer.Type;

export const Placement = Schema.Struct({
  id: PicsId,
  organisationId: PicsId,
  type: PlacementType,
  startDate: IsoDate,
  endDate: opt(IsoDate),
});
export type Placement = typeof Placement.Type;

export const Qualification = Schema.Struct({
  id: PicsId,
  vqReference: Text(64),
  title: opt(Text(300)),
  assessorId: opt(PicsId),
  startDate: opt(IsoDate),
  plannedEndDate: opt(IsoDate),
  hasUnits: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  totalElements: opt(Count),
  elementsDone: opt(Count),
  registrationNumber: opt(Text(64)),
  registrationDate: opt(IsoDate),
  certificateAppliedDate: opt(IsoDate),
  certificateReceivedDate: opt(IsoDate),
  onefileStandardId: opt(OneFileId),
  onefileLearningAimId: opt(OneFileId),
});
export type Qualification = typeof Qualification.Type;

export const Review = Schema.Struct({
  id: PicsId,
  type: Schema.optionalWith(ReviewType, { default: () => "Normal" as const }),
  scheduledDate: opt(IsoDate),
  startTime: opt(TimeOfDay),
  officerId: opt(PicsId),
  attended: opt(Attendance),
  actualDate: opt(IsoDate),
  traineeSignedDate: opt(IsoDate),
  /** Read-only through the review routes; accepted by the import so linked PICS data can be migrated. */
  onefileSystemId: opt(OneFileId),
  onefileVisitId: opt(OneFileId),
});
export type Review = typeof Review.Type;

/** Ids of nested records must be unique within their list; the issue points at the repeat. */
const uniqueIds =
  (what: string) =>
  <A extends { readonly id: string }, I, R>(self: Schema.Schema<ReadonlyArray<A>, I, R>) =>
    self.pipe(
      Schema.filter((items) => {
        const seen = new Set<string>();
        for (const [index, item] of items.entries()) {
          if (seen.has(item.id)) return { path: [index, "id"], message: `duplicate ${what} id "${item.id}"` };
          seen.add(item.id);
        }
        return true;
      }),
    );

export const Learner = Schema.Struct({
  id: PicsId,
  firstName: Text(),
  surname: Text(),
  email: opt(Email),
  telephone: opt(Text(40)),
  mobile: opt(Text(40)),
  birthDate: opt(IsoDate),
  uln: opt(MaxLength(10, "must be 10 digits").pipe(Schema.pattern(/^\d{10}$/, { message: () => "must be 10 digits" }))),
  niNumber: opt(Text(16)),
  sex: opt(Text(16)),
  ethnicity: opt(Text(64)),
  disability: opt(Text(64)),
  address1: opt(Text()),
  address2: opt(Text()),
  address3: opt(Text()),
  address4: opt(Text()),
  postcode: opt(Text(16)),
  startDate: opt(IsoDate),
  plannedEndDate: opt(IsoDate),
  actualEndDate: opt(IsoDate),
  systemStatus: Schema.optionalWith(SystemStatus, { default: () => "Live" as const }),
  learningStatus: Schema.optionalWith(LearningStatus, { default: () => "InLearning" as const }),
  mainOfficerId: opt(PicsId),
  mainTag: opt(Text(64)),
  officers: Schema.optionalWith(Schema.Array(LearnerOfficer), { default: () => [] }),
  onefileId: opt(OneFileId),
  onefileCentreId: opt(OneFileId),
  placements: Schema.optionalWith(Schema.Array(Placement).pipe(uniqueIds("placement")), { default: () => [] }),
  qualifications: Schema.optionalWith(Schema.Array(Qualification).pipe(uniqueIds("qualification")), {
    default: () => [],
  }),
  reviews: Schema.optionalWith(Schema.Array(Review).pipe(uniqueIds("review")), { default: () => [] }),
});
export type Learner = typeof Learner.Type;
export type LearnerInput = typeof Learner.Encoded;

/** The body of `POST /api/v1/import`. */
export const ImportDocument = Schema.Struct({
  officers: Schema.optionalWith(Schema.Array(Officer).pipe(uniqueIds("officer")), { default: () => [] }),
  organisations: Schema.optionalWith(Schema.Array(Organisation).pipe(uniqueIds("organisation")), {
    default: () => [],
  }),
  learners: Schema.optionalWith(Schema.Array(Learner).pipe(uniqueIds("learner")), { default: () => [] }),
});
export type ImportDocument = typeof ImportDocument.Type;

// ---------------------------------------------------------------- decoding with clear errors

export interface FieldIssue {
  /** Where the problem is, e.g. `learners[3].email`. */
  readonly path: string;
  readonly message: string;
  /** The id of the enclosing top-level record, when it has one, so a person can find it. */
  readonly recordId?: string;
}

/** SEC-3: an error lists at most this many issues; `issueCount` says how many there were. */
export const MAX_LISTED_ISSUES = 100;

/** Input that does not follow the record rules; `issues` names the bad fields (the first 100). */
export class InvalidInput extends Data.TaggedError("InvalidInput")<{
  readonly what: string;
  readonly issues: ReadonlyArray<FieldIssue>;
  /** How many issues there were in all, when more than `issues` lists. */
  readonly issueCount?: number;
}> {
  override get message(): string {
    const total = this.issueCount ?? this.issues.length;
    const shown = this.issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`);
    const more = total > 5 ? ` (and ${total - 5} more)` : "";
    return `invalid ${this.what}: ${shown.join("; ")}${more}`;
  }
}

/** An InvalidInput listing the first 100 issues and counting the rest. */
export const invalidInput = (what: string, issues: ReadonlyArray<FieldIssue>): InvalidInput =>
  issues.length > MAX_LISTED_ISSUES
    ? new InvalidInput({ what, issues: issues.slice(0, MAX_LISTED_ISSUES), issueCount: issues.length })
    : new InvalidInput({ what, issues });

const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`),
    "",
  ) || "(root)";

const recordIdAt = (input: unknown, path: ReadonlyArray<PropertyKey>): string | undefined => {
  const [collection, index] = path;
  if (typeof collection !== "string" || typeof index !== "number") return undefined;
  const list = (input as Record<string, unknown> | null)?.[collection];
  const item = Array.isArray(list) ? (list[index] as Record<string, unknown> | undefined) : undefined;
  return typeof item?.id === "string" ? item.id : undefined;
};

/**
 * Decodes unknown input, rejecting unknown fields, and reports its problems at once: the first 100
 * and how many there were (SEC-3). Only the issues shown are formatted, so a body with 20,000 bad
 * records costs a walk of the issue tree, not 60,000 formatted messages.
 * `what` names the input in the error message ("learner", "import document").
 */
export const decodeInput =
  <A, I>(schema: Schema.Schema<A, I>, what: string) =>
  (input: unknown): Effect.Effect<A, InvalidInput> => {
    const result = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })(input);
    if (Either.isRight(result)) return Effect.succeed(result.right);
    const tree = result.left.issue;
    const shown = firstIssues(tree, { left: FORMATTED_ISSUES });
    const raw = shown === undefined ? [] : ParseResult.ArrayFormatter.formatIssueSync(shown);
    const issues = withoutUnionNoise(
      raw.map((issue): FieldIssue => {
        const recordId = recordIdAt(input, issue.path);
        const message = issue._tag === "Unexpected" ? "is not a known field" : shorten(issue.message);
        return recordId === undefined
          ? { path: formatPath(issue.path), message }
          : { path: formatPath(issue.path), message, recordId };
      }),
    );
    const total = Math.max(countIssues(tree), issues.length);
    return Effect.fail(
      total > MAX_LISTED_ISSUES
        ? new InvalidInput({ what, issues: issues.slice(0, MAX_LISTED_ISSUES), issueCount: total })
        : new InvalidInput({ what, issues }),
    );
  };

/** Bad values formatted at most (formatting costs far more than decoding): enough for the 100 listed. */
const FORMATTED_ISSUES = 2 * MAX_LISTED_ISSUES;

/** A union member that only says "not null" / "not absent": noise next to the member that explains. */
const isNullishMember = (issue: ParseResult.ParseIssue): boolean =>
  issue._tag === "Type" &&
  (issue.ast._tag === "UndefinedKeyword" || (issue.ast._tag === "Literal" && issue.ast.literal === null));

const childrenOf = (issue: ParseResult.Composite): ReadonlyArray<ParseResult.ParseIssue> =>
  (Array.isArray(issue.issues) ? issue.issues : [issue.issues]) as ReadonlyArray<ParseResult.ParseIssue>;

/** The bad values in an issue tree; the members of a failed union are one bad value, not several. */
const countIssues = (issue: ParseResult.ParseIssue): number => {
  switch (issue._tag) {
    case "Pointer":
    case "Refinement":
    case "Transformation":
      return countIssues(issue.issue);
    case "Composite": {
      let n = 0;
      if (issue.ast._tag === "Union") {
        for (const child of childrenOf(issue)) if (!isNullishMember(child)) n = Math.max(n, countIssues(child));
        return Math.max(n, 1);
      }
      for (const child of childrenOf(issue)) n += countIssues(child);
      return n;
    }
    default:
      return 1;
  }
};

/** The same tree cut after its first `budget.left` bad values. */
const firstIssues = (issue: ParseResult.ParseIssue, budget: { left: number }): ParseResult.ParseIssue | undefined => {
  if (budget.left <= 0) return undefined;
  switch (issue._tag) {
    case "Pointer": {
      const inner = firstIssues(issue.issue, budget);
      return inner && new ParseResult.Pointer(issue.path, issue.actual, inner);
    }
    case "Refinement": {
      const inner = firstIssues(issue.issue, budget);
      return inner && new ParseResult.Refinement(issue.ast, issue.actual, issue.kind, inner);
    }
    case "Transformation": {
      const inner = firstIssues(issue.issue, budget);
      return inner && new ParseResult.Transformation(issue.ast, issue.actual, issue.kind, inner);
    }
    case "Composite": {
      const kept: Array<ParseResult.ParseIssue> = [];
      for (const child of childrenOf(issue)) {
        if (isNullishMember(child)) {
          kept.push(child);
          continue;
        }
        const cut = firstIssues(child, budget);
        if (cut === undefined) break;
        kept.push(cut);
      }
      const [first, ...rest] = kept;
      return first === undefined ? undefined : new ParseResult.Composite(issue.ast, issue.actual, [first, ...rest], issue.output);
    }
    default:
      budget.left -= 1;
      return issue;
  }
};

/**
 * An optional field is a union (value | null | absent), so one bad value yields one issue per
 * member. People need the member that explains it; "Expected null" is noise next to it.
 */
const withoutUnionNoise = (issues: ReadonlyArray<FieldIssue>): Array<FieldIssue> => {
  const isNoise = (i: FieldIssue) => /^Expected (null|undefined), actual/.test(i.message);
  // Every path an explaining issue is at or below, so "is this path explained?" is one look-up
  // (linear in the issues, SEC-3).
  const explained = new Set<string>();
  for (const issue of issues) {
    if (isNoise(issue)) continue;
    for (let end = issue.path.length; end > 0; end -= 1) {
      const cut = issue.path.slice(0, end);
      if (explained.has(cut)) break;
      if (end === issue.path.length || issue.path[end] === "." || issue.path[end] === "[") explained.add(cut);
    }
  }
  const seen = new Set<string>();
  return issues
    .filter((i) => {
      const key = `${i.path}\u0000${isNoise(i) ? "noise" : i.message}`;
      if (seen.has(key) || (isNoise(i) && explained.has(i.path))) return false;
      seen.add(key);
      return true;
    })
    .map((i) =>
      isNoise(i) ? { ...i, message: i.message.replace(/^Expected (null|undefined), actual/, "has an invalid value:") } : i,
    );
};

const shorten = (message: string): string => (message.length > 200 ? `${message.slice(0, 197)}...` : message);
