import { canonicalEndpoint } from "./endpoints.ts";
import { AdminError } from "./errors.ts";

export type FaultAction = "status" | "hang" | "malformed" | "dropAfterCommit" | "rateLimit";

const actions: readonly FaultAction[] = ["status", "hang", "malformed", "dropAfterCommit", "rateLimit"];

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
