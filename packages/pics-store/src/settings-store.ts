/**
 * The settings row of the deployment. The secrets — the customer token, and the webhook secret and
 * SMTP URL of the notifications (NOT-4) — are sealed with the SecretBox before they reach the
 * database and are only ever opened for the code that uses them (`customerToken`,
 * `notificationSecrets`); reads for people (`get`) say whether each is set, never what it is.
 */
import { eq } from "drizzle-orm";
import { Context, Effect, Layer } from "effect";
import { Database, StoreError } from "./database.ts";
import { InvalidInput, type FieldIssue } from "./records.ts";
import { makeSecretBox, type SecretUnreadable } from "./secret-box.ts";
import {
  decodeSettings,
  decodeSettingsPatch,
  defaultSettings,
  mergeSettings,
  type NotificationSettings,
  type Settings,
} from "./settings.ts";
import { settings as settingsTable } from "./schema.ts";

const TENANT = "default";

export interface NotificationSettingsView extends NotificationSettings {
  readonly webhookSecretSet: boolean;
  readonly smtpUrlSet: boolean;
}

export interface SettingsView extends Settings {
  readonly customerTokenSet: boolean;
  readonly notifications: NotificationSettingsView;
}

/** The notification channels' secrets, opened; null when not set. */
export interface NotificationSecrets {
  readonly webhookSecret: string | null;
  readonly smtpUrl: string | null;
}

export interface SettingsStoreShape {
  /** The settings as people see them: defaults where nothing was saved, secrets only as flags. */
  readonly get: Effect.Effect<SettingsView, StoreError>;
  /** Merges a patch (any subset of fields) and saves the validated whole, or refuses it whole. */
  readonly update: (patch: unknown) => Effect.Effect<SettingsView, InvalidInput | StoreError>;
  /** The decrypted customer token, for the OneFile client only; null when none is set. */
  readonly customerToken: Effect.Effect<string | null, SecretUnreadable | StoreError>;
  /** The decrypted webhook secret and SMTP URL, for the notification channels only. */
  readonly notificationSecrets: Effect.Effect<NotificationSecrets, SecretUnreadable | StoreError>;
  /** SEC-1: whether this deployment lets `environment` be `custom` (env ALLOW_CUSTOM_ONEFILE_URL=true). */
  readonly customBaseUrlAllowed: boolean;
}

export interface SettingsStoreOptions {
  /** SEC-1: accept `environment: "custom"` (any base URL); default false. */
  readonly allowCustomOneFileUrl?: boolean;
}

const customRefused = new InvalidInput({
  what: "settings",
  issues: [
    {
      path: "environment",
      message:
        'must be "live", "beta" or "practice": "custom" base URLs are allowed only when the deployment sets ALLOW_CUSTOM_ONEFILE_URL=true',
    },
  ],
});

type Row = typeof settingsTable.$inferSelect;

/** A write-only field of a patch: undefined = keep, null = clear, a string = set. */
const sealedValue = (value: string | null | undefined, seal: (s: string) => Effect.Effect<string>) =>
  value === undefined ? Effect.succeed(undefined) : value === null ? Effect.succeed(null) : seal(value);

export class SettingsStore extends Context.Tag("pics-store/SettingsStore")<SettingsStore, SettingsStoreShape>() {
  /** `secretKey` seals the secrets; the same key must be configured to read them back. */
  static layer(secretKey: string, options: SettingsStoreOptions = {}) {
    return Layer.effect(
      SettingsStore,
      Effect.gen(function* () {
        const database = yield* Database;
        const secretBox = yield* makeSecretBox(secretKey);

        const readRow = database.use("read settings", async (db): Promise<Row | undefined> => {
          const [row] = await db.select().from(settingsTable).where(eq(settingsTable.tenant, TENANT));
          return row;
        });

        // A stored document is re-read through the current Schema, so a field added later gets its
        // default. One that no longer validates is an error, never silently reset.
        const readDocument = (row: Row | undefined) => {
          const stored = row === undefined ? {} : (JSON.parse(row.document) as Record<string, unknown>);
          return decodeSettings({ ...defaultSettings, ...stored }).pipe(
            Effect.mapError((cause) => new StoreError({ operation: "read settings", cause })),
          );
        };

        const toView = (row: Row | undefined) =>
          Effect.map(readDocument(row), (document): SettingsView => ({
            ...document,
            notifications: {
              ...document.notifications,
              webhookSecretSet: row?.webhookSecretCiphertext != null,
              smtpUrlSet: row?.smtpUrlCiphertext != null,
            },
            customerTokenSet: row?.customerTokenCiphertext != null,
          }));

        const get = Effect.flatMap(readRow, toView);

        /** A channel needs its secret and sender; checked on the merged whole, secrets as flags. */
        const channelProblems = (merged: Settings, webhookSecretSet: boolean, smtpUrlSet: boolean): Array<FieldIssue> => {
          const n = merged.notifications;
          const problems: Array<FieldIssue> = [];
          if (n.webhookUrl !== null && !webhookSecretSet)
            problems.push({
              path: "notifications.webhookSecret",
              message: "is required with webhookUrl: every delivery is signed",
            });
          if (n.emailTo.length > 0 && !smtpUrlSet)
            problems.push({ path: "notifications.smtpUrl", message: "is required to send e-mail to emailTo" });
          if (n.emailTo.length > 0 && n.emailFrom === null)
            problems.push({ path: "notifications.emailFrom", message: "is required to send e-mail to emailTo" });
          return problems;
        };

        const customBaseUrlAllowed = options.allowCustomOneFileUrl === true;

        const update = (input: unknown) =>
          Effect.gen(function* () {
            const patch = yield* decodeSettingsPatch(input);
            const row = yield* readRow;
            const current = yield* readDocument(row);
            const merged = yield* decodeSettings(mergeSettings(current, patch));
            const movesHost = patch.environment !== undefined || patch.baseUrl !== undefined;
            if (merged.environment === "custom" && !customBaseUrlAllowed && movesHost) return yield* customRefused;
            // SEC-1: the token belongs to the host it was entered for. A new environment or base URL
            // clears it unless the same patch sets one for the new host.
            const hostChanged = merged.environment !== current.environment || merged.baseUrl !== current.baseUrl;
            const token =
              patch.customerToken === undefined && hostChanged ? null : yield* sealedValue(patch.customerToken, secretBox.seal);
            const webhookSecret = yield* sealedValue(patch.notifications?.webhookSecret, secretBox.seal);
            const smtpUrl = yield* sealedValue(patch.notifications?.smtpUrl, secretBox.seal);
            const problems = channelProblems(
              merged,
              webhookSecret === undefined ? row?.webhookSecretCiphertext != null : webhookSecret !== null,
              smtpUrl === undefined ? row?.smtpUrlCiphertext != null : smtpUrl !== null,
            );
            if (problems.length > 0) return yield* new InvalidInput({ what: "settings", issues: problems });
            const document = JSON.stringify(merged);
            const secrets = {
              ...(token === undefined ? {} : { customerTokenCiphertext: token }),
              ...(webhookSecret === undefined ? {} : { webhookSecretCiphertext: webhookSecret }),
              ...(smtpUrl === undefined ? {} : { smtpUrlCiphertext: smtpUrl }),
            };
            yield* database.use("save settings", (db) =>
              db
                .insert(settingsTable)
                .values({ tenant: TENANT, document, ...secrets })
                .onConflictDoUpdate({
                  target: settingsTable.tenant,
                  set: { document, updatedAt: new Date().toISOString(), ...secrets },
                }),
            );
            return yield* get;
          });

        const open = (sealed: string | null | undefined) => (sealed ? secretBox.open(sealed) : Effect.succeed(null));

        const customerToken = Effect.flatMap(readRow, (row) => open(row?.customerTokenCiphertext));

        const notificationSecrets = Effect.flatMap(readRow, (row) =>
          Effect.all({ webhookSecret: open(row?.webhookSecretCiphertext), smtpUrl: open(row?.smtpUrlCiphertext) }),
        );

        return { get, update, customerToken, notificationSecrets, customBaseUrlAllowed } satisfies SettingsStoreShape;
      }),
    );
  }
}
