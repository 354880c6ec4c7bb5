/**
 * @pics/pics-store — the PICS data and the integration's own state in libSQL, as Effect services.
 * `PicsStore.layer(config)` opens the database, applies pending migrations and provides every
 * service below.
 */
import { Layer } from "effect";
import { CallBudgets } from "./call-budget.ts";
import { CentreCounts } from "./centre-counts.ts";
import { Database, DEFAULT_DATABASE_URL, type DatabaseConfig } from "./database.ts";
import { Intents } from "./intents.ts";
import { Leases } from "./leases.ts";
import { NotificationLog } from "./notification-log.ts";
import { PicsRecords } from "./pics-records.ts";
import { RunDocuments } from "./run-documents.ts";
import { RunLog } from "./run-log.ts";
import { SettingsStore } from "./settings-store.ts";
import { StandardsCache } from "./standards-cache.ts";

export * from "./call-budget.ts";
export * from "./centre-counts.ts";
export * from "./database.ts";
export * from "./intents.ts";
export * from "./leases.ts";
export * from "./notification-log.ts";
export * from "./pics-records.ts";
export * from "./records.ts";
export * from "./run-documents.ts";
export * from "./run-log.ts";
export * from "./schedule.ts";
export * from "./secret-box.ts";
export * from "./settings.ts";
export * from "./settings-store.ts";
export * from "./standards-cache.ts";
export * as tables from "./schema.ts";

export interface PicsStoreConfig extends DatabaseConfig {
  /** Seals the OneFile customer token at rest (env SECRET_KEY); at least 16 characters. */
  readonly secretKey: string;
  /** SEC-1: accept `custom` OneFile base URLs (env ALLOW_CUSTOM_ONEFILE_URL=true); default false. */
  readonly allowCustomOneFileUrl?: boolean;
}

export type PicsStore =
  | Database
  | PicsRecords
  | SettingsStore
  | RunLog
  | Leases
  | CallBudgets
  | StandardsCache
  | Intents
  | CentreCounts
  | NotificationLog
  | RunDocuments;

export const PicsStore = {
  layer: (config: PicsStoreConfig) => {
    if (config.secretKey.length < 16) throw new Error("SECRET_KEY must be at least 16 characters");
    return Layer.mergeAll(
      PicsRecords.layer,
      SettingsStore.layer(config.secretKey, { allowCustomOneFileUrl: config.allowCustomOneFileUrl === true }),
      RunLog.layer,
      Leases.layer,
      CallBudgets.layer,
      StandardsCache.layer,
      Intents.layer,
      CentreCounts.layer,
      NotificationLog.layer,
      RunDocuments.layer,
    ).pipe(Layer.provideMerge(Database.layer(config)));
  },
  defaultUrl: DEFAULT_DATABASE_URL,
};
