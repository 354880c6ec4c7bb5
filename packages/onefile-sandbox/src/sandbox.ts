import { RequestBody } from "./body.ts";
import { resolveEndpoint, type ResolvedEndpoint } from "./endpoints.ts";
import { AdminError, HttpFailure, OneFileError } from "./errors.ts";
import { FaultBook, rewriteAnswer, type FaultRuleState } from "./faults.ts";
import { CallObserver, type CallRecord } from "./observer.ts";
import { handlers, type Answer } from "./onefile-api.ts";
import { Prng } from "./prng.ts";
import type { Customer } from "./records.ts";
import { SandboxState, type SandboxSeed } from "./state.ts";

export interface SandboxConfig {
  /** Added to every API answer. */
  latencyMs: number;
  /** A uniform random extra delay in [0, jitterMs). */
  jitterMs: number;
  /** Fraction of calls answered 500 or 503. */
  serverErrorRate: number;
  /** Fraction of calls never answered (held until the client gives up or the sandbox closes). */
  hangRate: number;
  /** Fraction of calls answered 200 with a body that does not decode. */
  malformedRate: number;
  sessionLifetimeMs: number;
  /** Per customer token, fixed windows aligned to floor(now / windowMs). */
  rateLimit: { calls: number; windowMs: number };
  /** Seeds the PRNG behind random faults and jitter, so they repeat. */
  seed: number;
  /**
   * A User/Search without a MISID filter (a listing) leaves out archived users, as a OneFile
   * might; a search by MISID still returns them (onefile-api.md §6). Off by default.
   */
  listingsHideArchived: boolean;
}

export const defaultConfig: SandboxConfig = {
  latencyMs: 0,
  jitterMs: 0,
  serverErrorRate: 0,
  hangRate: 0,
  malformedRate: 0,
  sessionLifetimeMs: 24 * 60 * 60 * 1000,
  rateLimit: { calls: 300, windowMs: 60_000 },
  seed: 1,
  listingsHideArchived: false,
};

export interface SandboxOptions {
  seed?: number;
  state?: SandboxSeed;
  config?: Partial<SandboxConfig>;
  /** The sandbox's clock (ms since epoch); tests may pass a fake one. */
  clock?: () => number;
}

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });

const empty = (status: number): Response => new Response(null, { status });

/**
 * The simulated OneFile: state, configuration, faults and observation. `handleApi` answers one
 * `/api/v2.1/…` request; it uses Web-standard APIs only, so it runs on Node and Deno alike.
 */
export class Sandbox {
  readonly state: SandboxState;
  readonly faults = new FaultBook();
  readonly observer = new CallObserver();
  private currentConfig: SandboxConfig;
  private faultRng: Prng;
  private jitterRng: Prng;
  private readonly rateWindows = new Map<string, number>();
  private readonly hung = new Set<() => void>();
  private closed = false;

  constructor(options: SandboxOptions = {}) {
    this.state = new SandboxState(options.clock ?? Date.now);
    this.currentConfig = mergeConfig(defaultConfig, {
      ...options.config,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    });
    this.faultRng = new Prng(this.currentConfig.seed);
    this.jitterRng = new Prng(this.currentConfig.seed ^ 0x9e3779b9);
    if (options.state) this.state.load(options.state);
  }

  get config(): SandboxConfig {
    return structuredClone(this.currentConfig);
  }

  /** Merges a partial configuration; a new `seed` restarts the PRNGs. */
  configure(partial: Partial<SandboxConfig>): SandboxConfig {
    this.currentConfig = mergeConfig(this.currentConfig, partial);
    if (partial.seed !== undefined) {
      this.faultRng = new Prng(this.currentConfig.seed);
      this.jitterRng = new Prng(this.currentConfig.seed ^ 0x9e3779b9);
    }
    return this.config;
  }

  expireSessions(): number {
    const count = this.state.sessions.size;
    this.state.sessions.clear();
    return count;
  }

  /** Releases every held request (they answer 503 if anyone still listens) and refuses new ones. */
  close(): void {
    this.closed = true;
    this.releaseHung();
  }

  releaseHung(): void {
    for (const release of [...this.hung]) release();
  }

  get hungCount(): number {
    return this.hung.size;
  }

  async handleApi(request: Request): Promise<Response> {
    const startedAt = this.state.clock();
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const endpoint = resolveEndpoint(method, url.pathname);
    // A client that aborts while sending its body leaves nothing to read; treat it as empty.
    const bodyText = method === "GET" || method === "HEAD" ? "" : await request.text().catch(() => "");
    const customer = this.callerOf(endpoint, request);
    const record = this.observer.begin({
      time: new Date(startedAt).toISOString(),
      method,
      endpoint: endpoint.name,
      path: url.pathname,
      token: customer?.Token ?? null,
    });
    const finish = (response: Response, fault: string | null = null): Response => {
      this.observer.finish(record, response.status, fault, this.state.clock(), startedAt);
      return response;
    };

    if (customer && this.overRateLimit(customer, startedAt)) return finish(empty(429));
    await this.delay();
    if (this.closed) return finish(empty(503));

    const rule = this.faults.decide({
      method,
      endpoint: endpoint.name,
      body: looseObject(bodyText),
      learnerIds: this.learnerIdsOf(endpoint, bodyText),
    });
    const randomFault = rule ? undefined : this.randomFault();
    const action = rule?.action ?? randomFault;

    switch (action) {
      case "status":
        return finish(empty((rule as FaultRuleState).status ?? 500), "status");
      case "rateLimit":
        return finish(empty(429), "rateLimit");
      case "random5xx":
        return finish(this.faultRng.chance(0.5) ? json(500, { Message: "An error has occurred." }) : empty(503), "random5xx");
      case "hang":
        return this.hang(request, record, startedAt, "hang");
      case "dropAfterCommit":
        await this.answer(endpoint, request, bodyText, customer, record);
        return this.hang(request, record, startedAt, "dropAfterCommit");
      case "malformed": {
        const real = await this.answer(endpoint, request, bodyText, customer, record);
        const text = await real.text();
        return finish(
          new Response(corrupt(text, this.faultRng), {
            status: 200,
            headers: { "content-type": "application/json; charset=utf-8" },
          }),
          "malformed",
        );
      }
      case "fieldData":
      case "rewrite": {
        const real = await this.answer(endpoint, request, bodyText, customer, record);
        const text = await real.text();
        let answer: unknown;
        try {
          answer = real.status >= 200 && real.status < 300 && text !== "" ? JSON.parse(text) : undefined;
        } catch {
          answer = undefined;
        }
        const body = answer === undefined ? text : JSON.stringify(rewriteAnswer(rule as FaultRuleState, answer));
        return finish(
          new Response(body === "" ? null : body, {
            status: real.status,
            headers: { "content-type": real.headers.get("content-type") ?? "application/json; charset=utf-8" },
          }),
          action,
        );
      }
      default:
        return finish(await this.answer(endpoint, request, bodyText, customer, record));
    }
  }

  /** The customer a call is made for: by customer token on Authentication, else by session (even expired). */
  private callerOf(endpoint: ResolvedEndpoint, request: Request): Customer | undefined {
    if (endpoint.name === "POST Authentication") {
      const token = request.headers.get("x-customertoken");
      return token ? this.state.customerByToken(token) : undefined;
    }
    const session = this.state.sessions.get(request.headers.get("x-tokenid") ?? "");
    return session ? this.state.customers.get(session.customerId) : undefined;
  }

  private overRateLimit(customer: Customer, now: number): boolean {
    const { calls, windowMs } = this.currentConfig.rateLimit;
    const start = Math.floor(now / windowMs) * windowMs;
    this.observer.countInWindow(customer.Token, start, windowMs);
    const key = `${customer.Token}|${windowMs}|${start}`;
    const count = (this.rateWindows.get(key) ?? 0) + 1;
    this.rateWindows.set(key, count);
    // Old windows are of no use to the limiter; forget them so long benchmarks stay small.
    if (this.rateWindows.size > 1000) {
      for (const k of this.rateWindows.keys()) if (!k.endsWith(`|${start}`)) this.rateWindows.delete(k);
    }
    return count > calls;
  }

  private async delay(): Promise<void> {
    const { latencyMs, jitterMs } = this.currentConfig;
    const ms = latencyMs + (jitterMs > 0 ? this.jitterRng.next() * jitterMs : 0);
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  private randomFault(): "random5xx" | "hang" | "malformed" | undefined {
    const { serverErrorRate, hangRate, malformedRate } = this.currentConfig;
    if (serverErrorRate + hangRate + malformedRate <= 0) return undefined;
    const draw = this.faultRng.next();
    if (draw < serverErrorRate) return "random5xx";
    if (draw < serverErrorRate + hangRate) return "hang";
    if (draw < serverErrorRate + hangRate + malformedRate) return "malformed";
    return undefined;
  }

  private hang(request: Request, record: CallRecord, startedAt: number, fault: string): Promise<Response> {
    this.observer.finish(record, "hang", fault, this.state.clock(), startedAt);
    return new Promise((resolve) => {
      const release = () => {
        this.hung.delete(release);
        resolve(empty(503));
      };
      this.hung.add(release);
      if (this.closed) release();
      request.signal?.addEventListener("abort", release, { once: true });
    });
  }

  /** Ids of the learners a call is about, for fault rules with `learnerId`. */
  private learnerIdsOf(endpoint: ResolvedEndpoint, bodyText: string): number[] {
    const ids: number[] = [];
    const [first, second] = endpoint.ids;
    switch (endpoint.name) {
      case "GET User/{id}":
      case "POST User/{id}":
        if (first !== undefined) ids.push(first);
        break;
      case "POST Standard/Assign":
        if (second !== undefined) ids.push(second);
        break;
      case "GET LearningAim/{id}":
      case "POST LearningAim/{id}": {
        const aim = first !== undefined ? this.state.learningAims.get(first) : undefined;
        if (aim) ids.push(aim.UserID);
        break;
      }
      case "GET Review/{id}": {
        const review = first !== undefined ? this.state.reviews.get(first) : undefined;
        if (review) ids.push(review.LearnerID);
        break;
      }
    }
    const body = looseObject(bodyText);
    if (body) {
      for (const [key, value] of Object.entries(body)) {
        const k = key.toLowerCase();
        if ((k === "learnerid" || k === "userid") && typeof value === "number") ids.push(value);
      }
    }
    return ids;
  }

  /** Authentication, session check and the endpoint itself; bad input never escapes as a 500. */
  private async answer(
    endpoint: ResolvedEndpoint,
    request: Request,
    bodyText: string,
    customer: Customer | undefined,
    record: CallRecord,
  ): Promise<Response> {
    try {
      if (endpoint.name === "POST Authentication") {
        if (!customer) return json(401, { Message: "Invalid customer token." });
        const session = crypto.randomUUID();
        this.state.sessions.set(session, {
          customerId: customer.ID,
          expiresAt: this.state.clock() + this.currentConfig.sessionLifetimeMs,
        });
        return json(200, session);
      }
      const session = this.state.sessions.get(request.headers.get("x-tokenid") ?? "");
      if (!session || !customer || session.expiresAt <= this.state.clock()) {
        return json(401, { Message: "Authorization has been denied for this request." });
      }
      const handler = handlers[endpoint.name];
      if (!endpoint.known || !handler)
        return json(404, { Message: `No endpoint ${request.method} ${new URL(request.url).pathname}` });
      if (endpoint.paging && "invalid" in endpoint.paging)
        throw new OneFileError(-2, `Invalid value for paging: ${endpoint.paging.invalid}`);
      const body = RequestBody.parse(bodyText);
      const answer: Answer = handler({
        state: this.state,
        customer,
        body,
        ids: endpoint.ids,
        listingsHideArchived: this.currentConfig.listingsHideArchived,
        ...(endpoint.paging && !("invalid" in endpoint.paging) ? { paging: endpoint.paging } : {}),
      });
      return answer.status === 204 ? empty(204) : json(200, answer.json);
    } catch (error) {
      if (error instanceof OneFileError) return json(400, { code: error.code, message: error.message });
      if (error instanceof HttpFailure) return json(error.status, { Message: error.message });
      this.observer.unexpectedErrors++;
      record.fault = "unexpectedError";
      console.error("onefile-sandbox: unexpected error", error);
      return json(500, { Message: "An error has occurred." });
    }
  }
}

const mergeConfig = (base: SandboxConfig, partial: Partial<SandboxConfig>): SandboxConfig => {
  const merged: SandboxConfig = { ...base, ...stripUndefined(partial), rateLimit: { ...base.rateLimit, ...partial.rateLimit } };
  const problems: string[] = [];
  for (const key of ["latencyMs", "jitterMs", "sessionLifetimeMs", "seed"] as const) {
    if (typeof merged[key] !== "number" || !Number.isFinite(merged[key]) || merged[key] < 0)
      problems.push(`${key} must be a number ≥ 0`);
  }
  for (const key of ["serverErrorRate", "hangRate", "malformedRate"] as const) {
    if (typeof merged[key] !== "number" || merged[key] < 0 || merged[key] > 1)
      problems.push(`${key} must be a fraction between 0 and 1`);
  }
  if (!(Number.isInteger(merged.rateLimit.calls) && merged.rateLimit.calls >= 0))
    problems.push("rateLimit.calls must be an integer ≥ 0");
  if (typeof merged.listingsHideArchived !== "boolean") problems.push("listingsHideArchived must be true or false");
  if (!(typeof merged.rateLimit.windowMs === "number" && merged.rateLimit.windowMs > 0))
    problems.push("rateLimit.windowMs must be > 0");
  if (problems.length > 0) throw new AdminError(`config: ${problems.join("; ")}`);
  return merged;
};

const stripUndefined = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;

const looseObject = (text: string): Record<string, unknown> | undefined => {
  if (text.trim() === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** A body that does not decode as the real answer: truncated JSON, or the right shape with the wrong types. */
export const corrupt = (text: string, rng: Prng): string => {
  if (text !== "" && rng.chance(0.5)) {
    const retyped = JSON.stringify(retype(JSON.parse(text)));
    if (retyped !== text) return retyped;
  }
  const base = text === "" ? '[{"ID":1,"Name":"x"}]' : text;
  const cut = base.slice(0, Math.max(1, Math.floor(base.length / 2)));
  return parses(cut) ? `{"ID":${cut}` : cut;
};

const retype = (value: unknown): unknown => {
  if (typeof value === "number") return `#${value}`;
  if (typeof value === "string") return value.length;
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) return value.map(retype);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, retype(v)]));
  return value;
};
