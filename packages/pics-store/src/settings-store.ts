/**
 * The settings row of the deployment. The customer token is sealed with the SecretBox before it
 * reaches the database and is only ever opened for the OneFile client (`customerToken`); reads
 * for people (`get`) say whether it is set, never what it is.
 */
import { eq } from "drizzle-orm";
import { Context, Effect, Layer } from "effect";
import { Database, StoreError } from "./database.ts";
import type { InvalidInput } from "./records.ts";
import { makeSecretBox, type SecretUnreadable } from "./secret-box.ts";
import { decodeSettings, decodeSettingsPatch, defaultSettings, mergeSettings, type Settings } from "./settings.ts";
import { settings as settingsTable } from "./schema.ts";

const TENANT = "default";

export interface SettingsView extends Settings {
  readonly customerTokenSet: boolean;
}

export interface SettingsStoreShape {
  /** The settings as people see them: defaults where nothing was saved, the token only as a flag. */
  readonly get: Effect.Effect<SettingsView, StoreError>;
  /** Merges a patch (any subset of fields) and saves the validated whole, or refuses it whole. */
  readonly update: (patch: unknown) => Effect.Effect<SettingsView, InvalidInput | StoreError>;
  /** The decrypted customer token, for the OneFile client only; null when none is set. */
  readonly customerToken: Effect.Effect<string | null, SecretUnreadable | StoreError>;
}

export class SettingsStore extends Context.Tag("pics-store/SettingsStore")<SettingsStore, SettingsStoreShape>() {
  /** `secretKey` seals the customer token; the same key must be configured to read it back. */
  static layer(secretKey: string) {
    return Layer.effect(
      SettingsStore,
      Effect.gen(function* () {
        const database = yield* Database;
        const secretBox = yield* makeSecretBox(secretKey);

        const readRow = database.use("read settings", async (db) => {
          const [row] = await db.select().from(settingsTable).where(eq(settingsTable.tenant, TENANT));
          return row;
        });

        const toView = (document: string | undefined, ciphertext: string | null | undefined) =>
          Effect.gen(function* () {
            // A stored document is re-read through the current Schema, so a field added later gets
            // its default. One that no longer validates is an error, never silently reset.
            const stored = document === undefined ? {} : (JSON.parse(document) as Record<string, unknown>);
            const decoded = yield* decodeSettings({ ...defaultSettings, ...stored }).pipe(
              Effect.mapError((cause) => new StoreError({ operation: "read settings", cause })),
            );
            return { ...decoded, customerTokenSet: ciphertext != null } satisfies SettingsView;
          });

        const get = Effect.flatMap(readRow, (row) => toView(row?.document, row?.customerTokenCiphertext));

        const update = (input: unknown) =>
          Effect.gen(function* () {
            const patch = yield* decodeSettingsPatch(input);
            const { customerTokenSet: _flag, ...current } = yield* get;
            const merged = yield* decodeSettings(mergeSettings(current, patch));
            const sealed =
              patch.customerToken === undefined
                ? undefined
                : patch.customerToken === null
                  ? null
                  : yield* secretBox.seal(patch.customerToken);
            const document = JSON.stringify(merged);
            yield* database.use("save settings", (db) =>
              db
                .insert(settingsTable)
                .values({ tenant: TENANT, document, customerTokenCiphertext: sealed ?? null })
                .onConflictDoUpdate({
                  target: settingsTable.tenant,
                  set: {
                    document,
                    updatedAt: new Date().toISOString(),
                    ...(sealed === undefined ? {} : { customerTokenCiphertext: sealed }),
                  },
                }),
            );
            return yield* get;
          });

        const customerToken = Effect.flatMap(readRow, (row) =>
          row?.customerTokenCiphertext ? secretBox.open(row.customerTokenCiphertext) : Effect.succeed(null),
        );

        return { get, update, customerToken } satisfies SettingsStoreShape;
      }),
    );
  }
}
