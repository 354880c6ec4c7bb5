/**
 * STAT-1: what is switched on, the last synchronisation and the current run, and SET-14's
 * effective multiple-centres value, beside STAT-2/3 (reference-data.ts, which serves both).
 */
import type { OneFileClientShape } from "@pics/onefile-client";
import type { Run, RunLogShape, Settings, SettingsView, StandardsCacheShape, StoreError } from "@pics/pics-store";
import { Duration, Effect, Option } from "effect";
import type { OneFileConnectionShape } from "./connection.ts";
import { effectiveMultipleCentres } from "./enrolment.ts";
import type { RuleRegistry } from "./rules.ts";

export interface IntegrationStatus {
  readonly integrationEnabled: boolean;
  readonly customerTokenSet: boolean;
  readonly environment: Settings["environment"];
  readonly learnerDemographicsMode: Settings["learnerDemographicsMode"];
  readonly officerDemographicsMode: Settings["officerDemographicsMode"];
  readonly organisationDemographicsMode: Settings["organisationDemographicsMode"];
  readonly pushMainOfficerChanges: boolean;
  readonly pushEmployerChanges: boolean;
  readonly uploadReviews: boolean;
  readonly downloadReviews: boolean;
  readonly additionalAssessorTypes: Settings["additionalAssessorTypes"];
  /** SET-14's effective value (`auto` resolved). */
  readonly multipleCentres: boolean;
  readonly enabledRules: RuleRegistry["enabled"];
  readonly lastSynchronisedAt: string | null;
  /** The daily or full run going now, if any (the newest when several are marked running). */
  readonly currentRun: { readonly id: string; readonly kind: Run["kind"]; readonly progress: Run["progress"] } | null;
}

/** How long the customer's centre count read from OneFile is kept for `auto`. */
const CENTRE_COUNT_TTL_MS = 300_000;
/** How long the status waits for OneFile's centres before falling back to the cached standards. */
const CENTRE_COUNT_TIMEOUT = Duration.seconds(3);

/**
 * SET-14 effective value: `on`/`off` as set; `auto` needs the customer's centre count — from
 * OneFile (kept 5 minutes per environment, base URL and token), or when OneFile cannot be asked
 * the centres of the cached standards (STAT-3).
 */
export const makeMultipleCentres = (deps: {
  readonly settings: Effect.Effect<SettingsView, StoreError>;
  readonly connection: OneFileConnectionShape;
  readonly standards: StandardsCacheShape;
}): Effect.Effect<boolean, StoreError> => {
  // Keyed by the client itself: the connection makes a new one whenever the environment, base
  // URL or token changes, so a new customer's centres are counted at once.
  let centresCache: { client: OneFileClientShape; count: number; at: number } | undefined;
  return Effect.gen(function* () {
    const settings = yield* deps.settings;
    if (settings.multipleCentres !== "auto") return settings.multipleCentres === "on";
    const connected = yield* Effect.option(deps.connection.clientEvenIfDisabled);
    const client = Option.isSome(connected) ? connected.value.client : null;
    if (client !== null && centresCache?.client === client && Date.now() - centresCache.at < CENTRE_COUNT_TTL_MS)
      return effectiveMultipleCentres(settings, centresCache.count);
    const fromOneFile =
      client === null
        ? Option.none<number>()
        : yield* client.searchCentres().pipe(
            Effect.map((centres) => centres.length),
            Effect.timeout(CENTRE_COUNT_TIMEOUT),
            Effect.option,
          );
    if (client !== null && Option.isSome(fromOneFile)) {
      centresCache = { client, count: fromOneFile.value, at: Date.now() };
      return effectiveMultipleCentres(settings, fromOneFile.value);
    }
    const standards = yield* deps.standards.list;
    return effectiveMultipleCentres(settings, new Set(standards.map((s) => s.centreId)).size);
  });
};

/** STAT-1, assembled from the settings, the enabled rule packages and the run log. */
export const makeStatus = (deps: {
  readonly settings: Effect.Effect<SettingsView, StoreError>;
  readonly rules: RuleRegistry;
  readonly runLog: RunLogShape;
  readonly multipleCentres: Effect.Effect<boolean, StoreError>;
}): Effect.Effect<IntegrationStatus, StoreError> =>
  Effect.gen(function* () {
    const settings = yield* deps.settings;
    const running = (yield* deps.runLog.running).filter((r) => r.kind === "daily" || r.kind === "full");
    const current = running[running.length - 1];
    return {
      integrationEnabled: settings.integrationEnabled,
      customerTokenSet: settings.customerTokenSet,
      environment: settings.environment,
      learnerDemographicsMode: settings.learnerDemographicsMode,
      officerDemographicsMode: settings.officerDemographicsMode,
      organisationDemographicsMode: settings.organisationDemographicsMode,
      pushMainOfficerChanges: settings.pushMainOfficerChanges,
      pushEmployerChanges: settings.pushEmployerChanges,
      uploadReviews: settings.uploadReviews,
      downloadReviews: settings.downloadReviews,
      additionalAssessorTypes: settings.additionalAssessorTypes,
      multipleCentres: yield* deps.multipleCentres,
      enabledRules: deps.rules.enabled,
      lastSynchronisedAt: yield* deps.runLog.lastSynchronisedAt,
      currentRun: current ? { id: current.id, kind: current.kind, progress: current.progress } : null,
    };
  });
