/**
 * @pics/product — the product assembled: the PICS store, the OneFile connection, the enabled
 * rule packages and core's operations, as one Layer. The server, the scheduler and the scenario
 * tests all start from here, so they run the same product.
 */
import {
  BulkEnrolment,
  bulkStrategy,
  Enrolment,
  exchangeLayer,
  LeaseTtl,
  OneFileConnection,
  Reconciliation,
  ReferenceData,
  OneFileLookups,
  RecordLinks,
  Rules,
  type ClientTuning,
  type ExchangeStrategy,
  type RulePackage,
} from "@pics/core";
import { Notifier } from "@pics/notifications";
import { PicsStore, type PicsStoreConfig } from "@pics/pics-store";
import { learnerRules } from "@pics/rules-learner";
import { officerRules } from "@pics/rules-officer";
import { organisationRules } from "@pics/rules-organisation";
import { reviewRules } from "@pics/rules-review";
import { Layer } from "effect";

export {
  ConfigError,
  decodeEnv,
  integrationConfig,
  integrationConfigFromEnv,
  ProductEnvFields,
  type ConfigWarn,
  type Env,
  type ProductEnv,
} from "./env.ts";

/** Every rule package this product ships; ONEFILE_SYNC_RULES picks the enabled ones. */
export const allRulePackages: ReadonlyArray<RulePackage> = [officerRules, organisationRules, learnerRules, reviewRules];

export interface IntegrationConfig {
  readonly store: PicsStoreConfig;
  /** The raw ONEFILE_SYNC_RULES value: a comma list of officer, organisation, learner, review; unset = all. */
  readonly rules?: string | undefined;
  /** Client timeouts and retries (tests shorten them). */
  readonly clientTuning?: ClientTuning;
  /** How runs read OneFile; the benchmark swaps in its baseline. */
  readonly exchangeStrategy?: ExchangeStrategy;
  /** How long a dead process's leases block others (default 60 s; env LEASE_TTL_MS). */
  readonly leaseTtlMs?: number | undefined;
  /** The console's base URL in notification links (env PUBLIC_URL; each app knows its default). */
  readonly publicUrl?: string | undefined;
  /** Which process this is (`server`, `scheduler`), recorded with the notifications it claims. */
  readonly processName?: string | undefined;
}

/** PUBLIC_URL when it is not set: the server on this host at its default port. */
export const DEFAULT_PUBLIC_URL = "http://localhost:8080";

export const IntegrationLayer = (config: IntegrationConfig) => {
  const store = PicsStore.layer(config.store);
  const foundation = Layer.mergeAll(
    OneFileConnection.layer(config.clientTuning),
    Rules.layer(allRulePackages, config.rules),
    config.leaseTtlMs === undefined ? Layer.empty : Layer.succeed(LeaseTtl, config.leaseTtlMs),
  ).pipe(Layer.provideMerge(store));
  // NOT-1..3: every process can notify; the store's claims keep each notification to one.
  const notifier = Notifier.layer({
    publicUrl: config.publicUrl ?? DEFAULT_PUBLIC_URL,
    ...(config.processName === undefined ? {} : { owner: config.processName }),
  });
  const operations = Layer.mergeAll(
    Enrolment.layer,
    ReferenceData.layer,
    OneFileLookups.layer,
    RecordLinks.layer,
    exchangeLayer(config.exchangeStrategy ?? bulkStrategy),
    notifier,
  ).pipe(Layer.provideMerge(foundation));
  // Reconciliation and bulk enrolment (REC) are built on enrolment and the exchange.
  return Layer.mergeAll(Reconciliation.layer, BulkEnrolment.layer).pipe(Layer.provideMerge(operations));
};
