/**
 * STAT-1 status (status.ts), STAT-2 connection test and STAT-3 refresh of qualification links (the
 * OneFile Standards of every centre, cached for the standards list and, when OneFile cannot be
 * asked, SET-14's centre count; enrolment previews read OneFile live, D13).
 */
import { RunLog, SettingsStore, StandardsCache, type CachedStandard, type StoreError } from "@pics/pics-store";
import { Context, Effect, Layer } from "effect";
import { OneFileConnection, type ConnectionError } from "./connection.ts";
import { Rules } from "./registry.ts";
import { makeMultipleCentres, makeStatus, type IntegrationStatus } from "./status.ts";
import { vqReferenceOf } from "./vq.ts";
import type { OneFileError } from "@pics/onefile-client";

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
  readonly refreshQualificationLinks: Effect.Effect<QualificationLinksResult, Exclude<ConnectionError, never> | OneFileError>;
  readonly standards: Effect.Effect<ReadonlyArray<CachedStandard>, StoreError>;
}

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
      const settings = (yield* SettingsStore).get;
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
        return yield* Effect.gen(function* () {
          yield* client.authenticate();
          const customer = yield* client.getCustomer();
          const centres = yield* client.searchCentres(customer.ID);
          return {
            ok: true as const,
            apiVersion: API_VERSION,
            environment: settings.environment,
            customer: { id: customer.ID, name: customer.Name },
            centres: centres.map((c) => ({ id: c.ID, name: c.Name })),
          };
        }).pipe(
          Effect.catchAll((error) =>
            Effect.succeed({
              ok: false as const,
              apiVersion: API_VERSION,
              environment: settings.environment,
              failure: failureOf(error),
              message: error.message,
            }),
          ),
        );
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
        refreshQualificationLinks,
        standards: cache.list,
      } satisfies ReferenceDataShape;
    }),
  );
}
