import { canonicalEndpoint } from "./endpoints.ts";
import { AdminError } from "./errors.ts";

export type FaultAction = "status" | "hang" | "malformed" | "dropAfterCommit" | "rateLimit" | "fieldData" | "rewrite";

const actions: readonly FaultAction[] = ["status", "hang", "malformed", "dropAfterCommit", "rateLimit", "fieldData", "rewrite"];

/**
 * A targeted fault. Every given condition must hold for a call to match. `nth` picks the nth
 * matching call (1-based); `times` is how many matching calls are affected from there on
 * (default: 1 when `nth` is given, otherwise every matching call).
 */
export interface FaultRule {
  method?: string;
  /** An endpoint name as in the call log ("POST User", "POST Standard/Assign"); a path with ids or `{placeholders}` also works. */
  endpoint?: string;
  /** Body fields that must equal these values (keys case-insensitive, strings compared case-insensitively). */
  match?: Record<string, unknown>;
  /** The learner the call is about: a path id, or the body's LearnerID/UserID, or the owner of the learning aim/review in the path. */
  learnerId?: number;
  nth?: number;
  times?: number;
  action: FaultAction;
  /** The status answered by `action: "status"` (e.g. 500, 503, 401, 404). */
  status?: number;
  /** `action: "rewrite"`: fields set verbatim on the records of the answer (any JSON, e.g. `{DOB: "garbage"}`). */
  set?: Record<string, unknown>;
  /** `action: "rewrite"`: only the answer's records with this `ID` (default every record). */
  recordId?: number;
}

export interface FaultRuleState extends FaultRule {
  id: number;
  /** Matching calls seen so far. */
  seen: number;
  /** Calls this rule has affected. */
  applied: number;
}

/** What a rule is matched against. */
export interface CallFacts {
  method: string;
  endpoint: string;
  body: Record<string, unknown> | undefined;
  learnerIds: number[];
}

export class FaultBook {
  private rules: FaultRuleState[] = [];
  private nextRuleId = 1;

  list(): FaultRuleState[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  clear(): void {
    this.rules = [];
  }

  add(input: unknown): FaultRuleState[] {
    const list = Array.isArray(input) ? input : ((input as { rules?: unknown })?.rules ?? [input]);
    if (!Array.isArray(list)) throw new AdminError("faults: expected a rule or a list of rules");
    const added = list.map((raw, index) => this.validate(raw, index));
    this.rules.push(...added);
    return added.map((rule) => ({ ...rule }));
  }

  /** The rule to apply to this call, if any. Every matching rule counts the call. */
  decide(call: CallFacts): FaultRuleState | undefined {
    let chosen: FaultRuleState | undefined;
    for (const rule of this.rules) {
      if (!matches(rule, call)) continue;
      rule.seen++;
      const first = rule.nth ?? 1;
      const limit = rule.times ?? (rule.nth !== undefined ? 1 : Number.POSITIVE_INFINITY);
      if (!chosen && rule.seen >= first && rule.applied < limit) {
        rule.applied++;
        chosen = rule;
      }
    }
    return chosen;
  }

  private validate(raw: unknown, index: number): FaultRuleState {
    const where = `faults[${index}]`;
    if (!raw || typeof raw !== "object") throw new AdminError(`${where}: expected an object`);
    const rule = raw as FaultRule;
    if (!actions.includes(rule.action)) throw new AdminError(`${where}: action must be one of ${actions.join(", ")}`);
    if (
      rule.action === "status" &&
      !(Number.isInteger(rule.status) && (rule.status as number) >= 100 && (rule.status as number) <= 599)
    ) {
      throw new AdminError(`${where}: action "status" needs a status between 100 and 599`);
    }
    for (const key of ["nth", "times", "learnerId"] as const) {
      const value = rule[key];
      if (value !== undefined && !(Number.isInteger(value) && value >= 1))
        throw new AdminError(`${where}: ${key} must be a positive integer`);
    }
    if (rule.action === "rewrite" && (typeof rule.set !== "object" || rule.set === null || Array.isArray(rule.set))) {
      throw new AdminError(`${where}: action "rewrite" needs set: an object of fields`);
    }
    if (rule.recordId !== undefined && !(Number.isInteger(rule.recordId) && rule.recordId >= 1))
      throw new AdminError(`${where}: recordId must be a positive integer`);
    if (rule.match !== undefined && (typeof rule.match !== "object" || rule.match === null || Array.isArray(rule.match))) {
      throw new AdminError(`${where}: match must be an object of body fields`);
    }
    return {
      ...rule,
      ...(rule.method ? { method: rule.method.toUpperCase() } : {}),
      ...(rule.endpoint ? { endpoint: canonicalEndpoint(rule.endpoint) } : {}),
      id: this.nextRuleId++,
      seen: 0,
      applied: 0,
    };
  }
}

const matches = (rule: FaultRule, call: CallFacts): boolean => {
  if (rule.method && rule.method !== call.method) return false;
  if (rule.endpoint && rule.endpoint.toLowerCase() !== call.endpoint.toLowerCase()) return false;
  if (rule.learnerId !== undefined && !call.learnerIds.includes(rule.learnerId)) return false;
  if (rule.match) {
    const body = call.body;
    if (!body) return false;
    const lowered = new Map(Object.entries(body).map(([k, v]) => [k.toLowerCase(), v]));
    for (const [key, wanted] of Object.entries(rule.match)) {
      if (!sameValue(lowered.get(key.toLowerCase()), wanted)) return false;
    }
  }
  return true;
};

const sameValue = (actual: unknown, wanted: unknown): boolean => {
  if (typeof actual === "string" && typeof wanted === "string") return actual.toLowerCase() === wanted.toLowerCase();
  if (typeof actual === "object" || typeof wanted === "object") return JSON.stringify(actual) === JSON.stringify(wanted);
  return actual === wanted;
};

// ---------------------------------------------------------------------------------------------
// Field data as real OneFile installations send it (DATA-1, DATA-2)
// ---------------------------------------------------------------------------------------------

/** Date-only fields: real systems send local midnight with an offset for these. */
const CALENDAR_DATE_FIELDS = new Set([
  "DOB",
  "StartOn",
  "PlannedEndDate",
  "StartDate",
  "PlannedEnd",
  "RegistrationDate",
  "CertificateAppliedDate",
  "CertificateReceivedDate",
  "AchievedDate",
]);

/** Fields holding digits that some installations send as JSON numbers. */
const NUMERIC_TEXT_FIELDS = new Set(["ULN", "Telephone", "MobileNumber"]);

/** Id fields other than `ID` that some installations send as numeric strings. */
const ID_FIELDS =
  /^(OrganisationID|UserID|LearnerID|AssessorID|StandardID|VisitID|ClassroomID|PlacementID|DefaultAssessorID|DefaultEmployerID|Role|Status)$/;

const DOTNET_DEFAULT_DATE = "0001-01-01T00:00:00";

/** A field is a date when the sandbox's canonical form is one (`…T…Z`) or its name says so. */
const isDateField = (key: string, value: unknown): boolean =>
  CALENDAR_DATE_FIELDS.has(key) ||
  /(Date|On|For|Time|Modified)$/.test(key) ||
  (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value));

/**
 * One record as a real installation sends it: a date-only value at local midnight with an offset
 * (`2001-02-03T00:00:00+01:00` for 3 February), a blank date as `""` or the .NET default
 * `0001-01-01T00:00:00` (alternately), digits as numbers, ids as numeric strings, an unknown field.
 */
export const asFieldData = (record: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  let blanks = 0;
  for (const [key, value] of Object.entries(record)) {
    if (value === null && isDateField(key, value)) {
      out[key] = blanks++ % 2 === 0 ? DOTNET_DEFAULT_DATE : "";
    } else if (typeof value === "string" && CALENDAR_DATE_FIELDS.has(key) && /^\d{4}-\d{2}-\d{2}/.test(value)) {
      out[key] = `${value.slice(0, 10)}T00:00:00+01:00`;
    } else if (typeof value === "string" && NUMERIC_TEXT_FIELDS.has(key) && /^[1-9]\d{0,14}$/.test(value)) {
      out[key] = Number(value);
    } else if (typeof value === "number" && ID_FIELDS.test(key)) {
      out[key] = String(value);
    } else {
      out[key] = value;
    }
  }
  out.ExtensionData = { Source: "sandbox fieldData fault", Version: 3 };
  return out;
};

/** Applies `f` to each record of an answer (an object, or an array of them). */
export const mapRecords = (answer: unknown, f: (record: Record<string, unknown>) => Record<string, unknown>): unknown => {
  const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (Array.isArray(answer)) return answer.map((item) => (isRecord(item) ? f(item) : item));
  return isRecord(answer) ? f(answer) : answer;
};

/** The answer with a fault's `fieldData` or `rewrite` applied. */
export const rewriteAnswer = (rule: FaultRule, answer: unknown): unknown =>
  rule.action === "fieldData"
    ? mapRecords(answer, asFieldData)
    : mapRecords(answer, (record) =>
        rule.recordId === undefined || record.ID === rule.recordId ? { ...record, ...rule.set } : record,
      );
