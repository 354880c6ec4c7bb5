/**
 * Client configuration: what a caller passes, its defaults, and its validation (Schema).
 */
import { Effect, ParseResult, Redacted, Schema } from "effect";
import {
  BaseUrls,
  CUSTOM_BASE_URL_SUFFIX,
  DEFAULT_ENVIRONMENT,
  DEFAULT_RATE_LIMIT,
  type Environment,
  MAX_PAGE_SIZE,
  SESSION_LIFETIME_MS,
} from "./contract.ts";
import { InvalidClientConfig } from "./errors.ts";
import type { CallBudget, RateLimitSettings } from "./limiter.ts";

export interface OneFileClientConfig {
  /** SET-3; default `practice`. With `custom` (or omitted), `baseUrl` is required. */
  readonly environment?: Environment;
  /** Any base URL ending in `/api/v2.1/` (sandboxes, tests). Only with `custom` or no environment. */
  readonly baseUrl?: string;
  /** SET-2: never logged, never in an error message. */
  readonly customerToken: string | Redacted.Redacted<string>;
  /** SET-17; default 300 calls per 60 s, safety margin 5 % of the window (≤ 1 s). */
  readonly rateLimit?: RateLimitSettings;
  /**
   * The budget shared by every process using this token; default: an in-memory budget built from
   * `budgetLimit(rateLimit)`. A shared budget should be built from `budgetLimit(rateLimit)` too.
   */
  readonly callBudget?: CallBudget;
  /** Per-request timeout, default 30 000 ms. */
  readonly requestTimeoutMs?: number;
  /** Retries of a read/update/authentication after 5xx, timeout or dropped connection; default 3. */
  readonly maxReadRetries?: number;
  /** First backoff delay, doubled per retry, jittered to 50–100 %; default 250 ms, capped at 10 s. */
  readonly retryBaseDelayMs?: number;
  /** Total time one call may spend waiting out 429s before failing `RateLimited`; default 5 min. */
  readonly maxRateLimitWaitMs?: number;
  /** Session lifetime, default 24 h [D]. */
  readonly sessionLifetimeMs?: number;
  /** Renew this long before expiry; default 10 min, never more than a tenth of the lifetime. */
  readonly sessionRenewAheadMs?: number;
  /** Rows per page of a paged search; default and maximum 100. */
  readonly pageSize?: number;
  /** Largest OneFile answer read, in bytes; default 16 MiB (a page of 100 users is about 100 KiB). */
  readonly maxAnswerBytes?: number;
}

const PositiveInt = Schema.Int.pipe(Schema.positive());
const NonNegativeInt = Schema.Int.pipe(Schema.nonNegative());

/** The plain-data part of the configuration, validated with its defaults applied. */
export const ClientSettings = Schema.Struct({
  environment: Schema.optionalWith(Schema.Literal("live", "beta", "practice", "custom"), { default: () => DEFAULT_ENVIRONMENT }),
  baseUrl: Schema.optional(Schema.String),
  rateLimit: Schema.optionalWith(
    Schema.Struct({
      calls: PositiveInt,
      windowSeconds: Schema.Number.pipe(Schema.positive()),
      safetyMarginMs: Schema.optional(NonNegativeInt),
    }),
    { default: () => ({ ...DEFAULT_RATE_LIMIT }) },
  ),
  requestTimeoutMs: Schema.optionalWith(PositiveInt, { default: () => 30_000 }),
  maxReadRetries: Schema.optionalWith(NonNegativeInt, { default: () => 3 }),
  retryBaseDelayMs: Schema.optionalWith(NonNegativeInt, { default: () => 250 }),
  maxRateLimitWaitMs: Schema.optionalWith(NonNegativeInt, { default: () => 5 * 60_000 }),
  sessionLifetimeMs: Schema.optionalWith(PositiveInt, { default: () => SESSION_LIFETIME_MS }),
  sessionRenewAheadMs: Schema.optionalWith(NonNegativeInt, { default: () => 10 * 60_000 }),
  maxAnswerBytes: Schema.optionalWith(PositiveInt, { default: () => 16 * 1024 * 1024 }),
  pageSize: Schema.optionalWith(PositiveInt.pipe(Schema.lessThanOrEqualTo(MAX_PAGE_SIZE)), { default: () => MAX_PAGE_SIZE }),
});
export type ClientSettings = typeof ClientSettings.Type;

export interface ResolvedConfig extends ClientSettings {
  readonly baseUrl: string;
  readonly customerToken: Redacted.Redacted<string>;
  readonly callBudget: CallBudget | undefined;
  /** The session is renewed once it is this old. */
  readonly sessionRenewAfterMs: number;
  readonly retryMaxDelayMs: number;
}

export const resolveBaseUrl = (environment: Environment, baseUrl: string | undefined): string | undefined => {
  if (baseUrl === undefined) return environment === "custom" ? undefined : BaseUrls[environment];
  const withSlash = baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`;
  return withSlash.endsWith(CUSTOM_BASE_URL_SUFFIX) ? withSlash : undefined;
};

export const resolveConfig = (config: OneFileClientConfig): Effect.Effect<ResolvedConfig, InvalidClientConfig> =>
  Effect.gen(function* () {
    const { customerToken, callBudget, ...plain } = config;
    const settings = yield* Schema.decodeUnknown(ClientSettings)(plain, { errors: "all" }).pipe(
      Effect.mapError((e) => new InvalidClientConfig({ message: ParseResult.TreeFormatter.formatErrorSync(e) })),
    );
    const tokenValue = Redacted.isRedacted(customerToken) ? Redacted.value(customerToken) : customerToken;
    if (typeof tokenValue !== "string" || tokenValue.trim() === "") {
      return yield* new InvalidClientConfig({ message: "customerToken is required" });
    }
    // SEC-2: a value no HTTP header can carry would make fetch throw an error quoting it.
    if (!/^[\x21-\x7e]+$/.test(tokenValue)) {
      return yield* new InvalidClientConfig({
        message: "customerToken must be visible ASCII characters only (no spaces, line breaks or control characters)",
      });
    }
    const environment = plain.environment === undefined && plain.baseUrl !== undefined ? "custom" : settings.environment;
    if (environment !== "custom" && plain.baseUrl !== undefined) {
      return yield* new InvalidClientConfig({
        message: `baseUrl is only allowed with environment "custom" (got "${environment}")`,
      });
    }
    const baseUrl = resolveBaseUrl(environment, settings.baseUrl);
    if (baseUrl === undefined) {
      return yield* new InvalidClientConfig({
        message: `environment "custom" needs a baseUrl ending in ${CUSTOM_BASE_URL_SUFFIX} (got ${JSON.stringify(settings.baseUrl)})`,
      });
    }
    return {
      ...settings,
      environment,
      baseUrl,
      customerToken: Redacted.isRedacted(customerToken) ? customerToken : Redacted.make(customerToken),
      callBudget,
      sessionRenewAfterMs:
        settings.sessionLifetimeMs - Math.min(settings.sessionRenewAheadMs, Math.floor(settings.sessionLifetimeMs / 10)),
      retryMaxDelayMs: 10_000,
    };
  });
