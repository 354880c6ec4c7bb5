/**
 * STAT-1 status (status.ts), STAT-2 connection test and STAT-3 refresh of qualification links (the
 * OneFile Standards of every centre, cached for the standards list and, when OneFile cannot be
 * asked, SET-14's centre count; enrolment previews read OneFile live, D13).
 */
import {
  CallBudgets,
  RunLog,
  SettingsStore,
  StandardsCache,
  type CachedStandard,
  type Settings,
  type StoreError,
} from "@pics/pics-store";
import { Context, Duration, Effect, Layer, Option } from "effect";
import { OneFileConnection, type ConnectionError } from "./connection.ts";
import { Rules } from "./registry.ts";
import { makeMultipleCentres, makeStatus, type IntegrationStatus } from "./status.ts";
import { vqReferenceOf } from "./vq.ts";
import { budgetLimit, makeOneFileClient, type OneFileClientShape, type OneFileError } from "@pics/onefile-client";

export const API_VERSION = "v2.1";

export type ConnectionTestResult =
  | {
      readonly ok: true;
      readonly apiVersion: string;
      readonly environment: string;
      readonly customer: { readonly id: number; readonly name: string | null };
      readonly centres: ReadonlyArray<{ readonly id: number; readonly name: string | null }>;
    }
  | {
      readonly ok: false;
      readonly apiVersion: string;
      readonly environment: string;
      /** `bad_token`, `unreachable`, `rate_limited`, `not_configured`, `rejected`, `unexpected_answer`. */
      readonly failure: string;
      readonly message: string;
    };

export interface QualificationLinksResult {
  readonly standards: number;
  readonly centres: number;
  readonly refreshedAt: string;
  readonly durationMs: number;
}

export interface ReferenceDataShape {
  /** STAT-1: what is switched on, the last synchronisation and the current run. */
  readonly status: Effect.Effect<IntegrationStatus, StoreError>;
  /** SET-14's effective value (`auto` resolved with the customer's centre count). */
  readonly multipleCentres: Effect.Effect<boolean, StoreError>;
  readonly connectionTest: Effect.Effect<ConnectionTestResult, StoreError>;
  /** STAT-2 with settings not yet saved (CON-2); `customerToken` unset = the stored one. */
  readonly connectionTestWith: (candidate: {
    readonly environment: Settings["environment"];
    readonly baseUrl: string | null;
    readonly onefileRateLimit: Settings["onefileRateLimit"];
    readonly customerToken?: string | null | undefined;
  }) => Effect.Effect<ConnectionTestResult>;
  readonly refreshQualificationLinks: Effect.Effect<QualificationLinksResult, Exclude<ConnectionError, never> | OneFileError>;
  readonly standards: Effect.Effect<ReadonlyArray<CachedStandard>, StoreError>;
}

/** How long a connection test may take before it answers "rate limited" or "unreachable". */
export const CONNECTION_TEST_BOUND_MS = 30_000;

/**
 * STAT-2's three calls: authenticate, the customer, its centres; any failure answered in words.
 * Bounded: a test still waiting after `boundMs` (OneFile answering 429, or not answering) stops
 * and says which, instead of waiting out the client's 5-minute 429 budget.
 */
export const probe = (
  client: OneFileClientShape,
  environment: string,
  boundMs: number = CONNECTION_TEST_BOUND_MS,
): Effect.Effect<ConnectionTestResult> =>
  Effect.gen(function* () {
    const before = (yield* client.counters()).http429;
    const answer = yield* Effect.timeoutOption(unboundedProbe(client, environment), Duration.millis(boundMs));
    if (Option.isSome(answer)) return answer.value;
    const rateLimited = (yield* client.counters()).http429 > before;
    return {
      ok: false as const,
      apiVersion: API_VERSION,
      environment,
      failure: rateLimited ? "rate_limited" : "unreachable",
      message: rateLimited
        ? `OneFile kept answering 429 (rate limited) for ${boundMs / 1000} s; try again in a minute`
        : `OneFile did not answer within ${boundMs / 1000} s`,
    };
  });

const unboundedProbe = (client: OneFileClientShape, environment: string): Effect.Effect<ConnectionTestResult> =>
  Effect.gen(function* () {
    yield* client.authenticate();
    const customer = yield* client.getCustomer();
    const centres = yield* client.searchCentres(customer.ID);
    return {
      ok: true as const,
      apiVersion: API_VERSION,
      environment,
      customer: { id: customer.ID, name: customer.Name },
      centres: centres.map((c) => ({ id: c.ID, name: c.Name })),
    };
  }).pipe(
    Effect.catchAll((error) =>
      Effect.succeed({
        ok: false as const,
        apiVersion: API_VERSION,
        environment,
        failure: failureOf(error),
        message: error.message,
      }),
    ),
  );

const failureOf = (error: OneFileError | Exclude<ConnectionError, StoreError>): string => {
  switch (error._tag) {
    case "Unauthorized":
      return "bad_token";
    case "OneFileUnavailable":
      return "unreachable";
    case "RateLimited":
      return "rate_limited";
    case "OneFileNotConfigured":
    case "SecretUnreadable":
      return "not_configured";
    case "UndecodableResponse":
      return "unexpected_answer";
    default:
      return "rejected";
  }
};

export class ReferenceData extends Context.Tag("core/ReferenceData")<ReferenceData, ReferenceDataShape>() {
  static readonly layer = Layer.effect(
    ReferenceData,
    Effect.gen(function* () {
      const connection = yield* OneFileConnection;
      const cache = yield* StandardsCache;
      const settingsStore = yield* SettingsStore;
      const budgets = yield* CallBudgets;
      const settings = settingsStore.get;
      const multipleCentres = makeMultipleCentres({ settings, connection, standards: cache });
      const status = makeStatus({ settings, rules: yield* Rules, runLog: yield* RunLog, multipleCentres });

      const connectionTest: ReferenceDataShape["connectionTest"] = Effect.gen(function* () {
        const connected = yield* Effect.either(connection.clientEvenIfDisabled);
        if (connected._tag === "Left") {
          if (connected.left._tag === "StoreError") return yield* connected.left;
          return {
            ok: false as const,
            apiVersion: API_VERSION,
            environment: "unknown",
            failure: failureOf(connected.left),
            message: connected.left.message,
          };
        }
        const { client, settings } = connected.right;
        return yield* probe(client, settings.environment);
      });

      // CON-2: the values typed in the settings form, tested before they are saved. The client is a
      // throw-away one, but it spends the same shared call budget as every client of that token.
      const connectionTestWith: ReferenceDataShape["connectionTestWith"] = (candidate) =>
        Effect.gen(function* () {
          const token =
            candidate.customerToken ??
            (yield* Effect.either(settingsStore.customerToken)).pipe((t) => (t._tag === "Right" ? t.right : null));
          const notConfigured = (message: string): ConnectionTestResult => ({
            ok: false,
            apiVersion: API_VERSION,
            environment: candidate.environment,
            failure: "not_configured",
            message,
          });
          if (token === null)
            return notConfigured("OneFile is not configured: no customer token is set (settings.customerToken)");
          const rateLimit = { calls: candidate.onefileRateLimit.calls, windowSeconds: candidate.onefileRateLimit.windowSeconds };
          const endpoint =
            candidate.environment === "custom" ? { baseUrl: candidate.baseUrl ?? "" } : { environment: candidate.environment };
          const callBudget = yield* budgets.forToken(token, budgetLimit(rateLimit));
          const built = yield* Effect.either(makeOneFileClient({ ...endpoint, customerToken: token, rateLimit, callBudget }));
          if (built._tag === "Left") return notConfigured(`OneFile is not configured: ${built.left.message}`);
          return yield* probe(built.right, candidate.environment);
        });

      const refreshQualificationLinks: ReferenceDataShape["refreshQualificationLinks"] = Effect.gen(function* () {
        const started = Date.now();
        const { client } = yield* connection.clientEvenIfDisabled;
        const centres = yield* client.searchCentres();
        const standards = (yield* Effect.forEach(centres, (centre) =>
          client.searchStandards({ OrganisationID: centre.ID }),
        )).flat();
        const refreshedAt = yield* cache.replace(
          standards.map((s) => ({
            standardId: s.ID,
            centreId: s.OrganisationID ?? 0,
            title: s.Title ?? "",
            vqReference: vqReferenceOf(s.Title),
            pathways: (s.Pathways ?? []).map((p) => ({ id: p.ID, title: p.Title ?? "" })),
          })),
        );
        return { standards: standards.length, centres: centres.length, refreshedAt, durationMs: Date.now() - started };
      });

      return {
        status,
        multipleCentres,
        connectionTest,
        connectionTestWith,
        refreshQualificationLinks,
        standards: cache.list,
      } satisfies ReferenceDataShape;
    }),
  );
}
