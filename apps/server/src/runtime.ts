/**
 * The product, assembled once at start-up: one ManagedRuntime built from IntegrationLayer. Every
 * request runs its Effect through it, so services (the database, the OneFile client and its
 * limiter, the rule registry) are shared for the life of the process.
 */
import type {
  BulkEnrolment,
  Enrolment,
  OneFileConnection,
  OneFileLookups,
  RecordLinks,
  Reconciliation,
  ReferenceData,
  Rules,
} from "@pics/core";
import { Notifier } from "@pics/notifications";
import { IntegrationLayer, type IntegrationConfig } from "@pics/product";
import type { Database, PicsRecords, RunLog, SettingsStore, StandardsCache } from "@pics/pics-store";
import { Effect, Fiber, ManagedRuntime } from "effect";

/** What the routes use. `Exchange` is looked up optionally (see app.ts). */
export type ServerServices =
  | Database
  | PicsRecords
  | SettingsStore
  | RunLog
  | StandardsCache
  | Rules
  | Enrolment
  | ReferenceData
  | OneFileConnection
  | OneFileLookups
  | Notifier
  | Reconciliation
  | BulkEnrolment
  | RecordLinks;

export type ServerRuntime = ManagedRuntime.ManagedRuntime<ServerServices, unknown>;

export const makeRuntime = (config: IntegrationConfig) => ManagedRuntime.make(IntegrationLayer(config));

/**
 * Builds the runtime now (opens and migrates the database, checks the rule packages), so a bad
 * configuration stops the start-up with its own message instead of failing the first request.
 */
export const startRuntime = async (runtime: ReturnType<typeof makeRuntime>): Promise<void> => {
  await runtime.runtime();
};

/**
 * NOT-1: the server's own notification watch (every 60 s): runs that ended here or anywhere else
 * are notified, and a daily run missing 6 hours after its slot is noticed even when the scheduler
 * is dead. Returns how to stop it (before disposing the runtime).
 */
export const startNotificationWatch = (runtime: ServerRuntime): (() => Promise<void>) => {
  const fiber = runtime.runFork(Effect.flatMap(Notifier, (notifier) => notifier.watch));
  return () => Effect.runPromise(Fiber.interrupt(fiber)).then(() => undefined);
};
