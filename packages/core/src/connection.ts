/**
 * The OneFile client as the current settings describe it: environment and base URL (SET-3), the
 * decrypted customer token (SET-2) and the rate budget (SET-17) shared through the store by every
 * process using the token. The client is kept while the settings that shape it do not change, so
 * its session and limiter carry over from one operation to the next.
 */
import { budgetLimit, makeOneFileClient, type OneFileClientConfig, type OneFileClientShape } from "@pics/onefile-client";
import { CallBudgets, SettingsStore, type SecretUnreadable, type Settings, type StoreError } from "@pics/pics-store";
import { Context, Effect, Layer } from "effect";
import { IntegrationDisabled, OneFileNotConfigured } from "./errors.ts";

export type ConnectionError = IntegrationDisabled | OneFileNotConfigured | SecretUnreadable | StoreError;

/** SET-1, decided here only: an integration switched off in the settings refuses every OneFile operation. */
export const checkIntegrationEnabled = (
  settings: Pick<Settings, "integrationEnabled">,
): Effect.Effect<void, IntegrationDisabled> =>
  settings.integrationEnabled ? Effect.void : Effect.fail(new IntegrationDisabled());

/** SET-1 on the stored settings, for callers that refuse before doing anything else (the HTTP routes). */
export const requireIntegrationEnabled: Effect.Effect<void, IntegrationDisabled | StoreError, SettingsStore> = Effect.flatMap(
  Effect.flatMap(SettingsStore, (store) => store.get),
  checkIntegrationEnabled,
);

export interface OneFileConnectionShape {
  /** The client for operations that SET-1 gates (enrol, refresh, sync). */
  readonly client: Effect.Effect<{ client: OneFileClientShape; settings: Settings }, ConnectionError>;
  /** The client even when the integration is switched off (connection test, reference data). */
  readonly clientEvenIfDisabled: Effect.Effect<
    { client: OneFileClientShape; settings: Settings },
    Exclude<ConnectionError, IntegrationDisabled>
  >;
}

/** Client options that are not settings (timeouts, retries); tests shorten them. */
export type ClientTuning = Omit<OneFileClientConfig, "environment" | "baseUrl" | "customerToken" | "rateLimit" | "callBudget">;

export class OneFileConnection extends Context.Tag("core/OneFileConnection")<OneFileConnection, OneFileConnectionShape>() {
  static layer(tuning: ClientTuning = {}): Layer.Layer<OneFileConnection, never, SettingsStore | CallBudgets> {
    return Layer.effect(
      OneFileConnection,
      Effect.gen(function* () {
        const settingsStore = yield* SettingsStore;
        const budgets = yield* CallBudgets;
        let current: { key: string; client: OneFileClientShape } | undefined;

        const clientEvenIfDisabled = Effect.gen(function* () {
          const { customerTokenSet: _set, ...settings } = yield* settingsStore.get;
          // SEC-1: a custom host saved before the deployment stopped allowing it gets no token.
          if (settings.environment === "custom" && !settingsStore.customBaseUrlAllowed)
            return yield* new OneFileNotConfigured({
              reason: 'environment "custom" is not allowed in this deployment (set ALLOW_CUSTOM_ONEFILE_URL=true to allow it)',
            });
          const token = yield* settingsStore.customerToken;
          if (token === null)
            return yield* new OneFileNotConfigured({ reason: "no customer token is set (settings.customerToken)" });
          const rateLimit = { calls: settings.onefileRateLimit.calls, windowSeconds: settings.onefileRateLimit.windowSeconds };
          const endpoint =
            settings.environment === "custom" ? { baseUrl: settings.baseUrl ?? "" } : { environment: settings.environment };
          const key = JSON.stringify([endpoint, rateLimit, yield* Effect.promise(() => digest(token))]);
          if (current?.key !== key) {
            const callBudget = yield* budgets.forToken(token, budgetLimit(rateLimit));
            const client = yield* makeOneFileClient({ ...tuning, ...endpoint, customerToken: token, rateLimit, callBudget }).pipe(
              Effect.mapError((e) => new OneFileNotConfigured({ reason: e.message })),
            );
            current = { key, client };
          }
          return { client: current.client, settings };
        });

        return {
          clientEvenIfDisabled,
          client: Effect.tap(clientEvenIfDisabled, (connection) => checkIntegrationEnabled(connection.settings)),
        };
      }),
    );
  }
}

const digest = async (text: string): Promise<string> => {
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(bytes.slice(0, 12), (b) => b.toString(16).padStart(2, "0")).join("");
};
