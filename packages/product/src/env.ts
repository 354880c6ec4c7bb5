/**
 * The product's configuration from the environment, shared by the server and the scheduler so both
 * open the same store the same way (README "Configuration"). Each app adds its own variables to
 * `ProductEnvFields`; `decodeEnv` names every bad variable in one ConfigError.
 *
 * SECRET_KEY seals the OneFile customer token at rest. When it is unset and the database is a local
 * file, a random key is generated once and kept in `secret.key` beside the database file
 * (`./data/secret.key` for the default `file:./data/pics.db`), with a warning: back the two up
 * together. A database server (several replicas) needs SECRET_KEY set, since every replica must use
 * the same key.
 */
import { DEFAULT_DATABASE_URL } from "@pics/pics-store";
import { Data, Effect, Either, ParseResult, Schema } from "effect";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { IntegrationConfig } from "./index.ts";

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Data.TaggedError("ConfigError")<{ readonly problems: ReadonlyArray<string> }> {
  override get message(): string {
    return `invalid configuration:\n  - ${this.problems.join("\n  - ")}`;
  }
}

/** Receives warnings worth a log line (a generated key). */
export type ConfigWarn = (message: string, fields?: Record<string, unknown>) => void;

const PositiveIntFromString = Schema.NumberFromString.pipe(Schema.int(), Schema.positive()).annotations({
  message: () => ({ message: "must be a positive whole number", override: true }),
});

/** The variables every process of the product reads. */
export const ProductEnvFields = {
  DATABASE_URL: Schema.optionalWith(
    Schema.String.pipe(
      Schema.filter(
        (u) =>
          /^(file:|:memory:$|libsql:\/\/|https?:\/\/|wss?:\/\/)/.test(u) || "must be file:…, :memory:, libsql://… or http(s)://…",
      ),
    ),
    { default: () => DEFAULT_DATABASE_URL },
  ),
  DATABASE_AUTH_TOKEN: Schema.optional(Schema.String),
  SECRET_KEY: Schema.optional(Schema.String.pipe(Schema.minLength(16, { message: () => "must be at least 16 characters" }))),
  ONEFILE_SYNC_RULES: Schema.optional(Schema.String),
  LEASE_TTL_MS: Schema.optional(PositiveIntFromString),
  /** The console's base URL, for the links in notifications (NOT-2); default http://localhost:<PORT>. */
  PUBLIC_URL: Schema.optional(
    Schema.String.pipe(
      Schema.filter((u) => {
        if (u.length > 2048) return "must be at most 2048 characters";
        try {
          const url = new URL(u);
          return url.protocol === "http:" || url.protocol === "https:" || "must be an http(s) URL";
        } catch {
          return "must be an absolute URL, e.g. https://pics.provider.example";
        }
      }),
    ),
  ),
  /** SEC-1: `true` lets the settings point OneFile at any base URL (`environment: "custom"`): sandboxes, tests. */
  ALLOW_CUSTOM_ONEFILE_URL: Schema.optionalWith(
    Schema.Literal("true", "false").annotations({ message: () => ({ message: "must be true or false", override: true }) }),
    { default: () => "false" as const },
  ),
};

const ProductEnv = Schema.Struct(ProductEnvFields);
export type ProductEnv = typeof ProductEnv.Type;

/**
 * Decodes the named variables (others are ignored; blank counts as unset) and reports every
 * problem at once, each as "NAME problem".
 */
export const decodeEnv = <Fields extends Schema.Struct.Fields>(
  fields: Fields,
  env: Env,
): Effect.Effect<Schema.Struct.Type<Fields>, ConfigError> =>
  Effect.suspend(() => {
    const picked: Record<string, string> = {};
    for (const name of Object.keys(fields)) {
      const value = env[name];
      if (value !== undefined && value.trim() !== "") picked[name] = value.trim();
    }
    const decoded = Schema.decodeUnknownEither(
      Schema.Struct(fields) as unknown as Schema.Schema<Schema.Struct.Type<Fields>, unknown>,
      {
        errors: "all",
      },
    )(picked);
    if (Either.isRight(decoded)) return Effect.succeed(decoded.right);
    const issues = ParseResult.ArrayFormatter.formatErrorSync(decoded.left);
    // An optional variable fails twice (its value, and "Expected undefined"): keep the first.
    const problems = issues
      .filter(
        (issue, i) =>
          !/^Expected undefined/.test(issue.message) || !issues.some((other, j) => j !== i && other.path[0] === issue.path[0]),
      )
      .map((issue) => `${String(issue.path[0] ?? "(environment)")} ${issue.message}`);
    return Effect.fail(new ConfigError({ problems }));
  });

/** The file path of a `file:` URL; null for other URLs. */
const localFilePath = (url: string): string | null => {
  if (!url.startsWith("file:")) return null;
  const path = url.slice("file:".length).split("?")[0] ?? "";
  return path.startsWith("//") ? fileURLToPath(url) : path;
};

const randomKey = (): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
};

/** SECRET_KEY, or the key kept beside a local database file (generated on first start). */
const resolveSecretKey = (
  secretKey: string | undefined,
  databaseUrl: string,
  warn: ConfigWarn,
): Either.Either<string, string> => {
  if (secretKey !== undefined) return Either.right(secretKey);
  if (databaseUrl === ":memory:") {
    warn("SECRET_KEY is not set: using a random key for this in-memory database (lost on exit)");
    return Either.right(randomKey());
  }
  const file = localFilePath(databaseUrl);
  if (file === null) {
    return Either.left(
      "SECRET_KEY is required with a remote database: every replica must seal the OneFile token with the same key",
    );
  }
  const keyFile = join(dirname(file), "secret.key");
  try {
    if (!existsSync(keyFile)) {
      mkdirSync(dirname(keyFile), { recursive: true });
      try {
        writeFileSync(keyFile, `${randomKey()}\n`, { mode: 0o600, flag: "wx" });
        warn("SECRET_KEY is not set: generated a new key", {
          keyFile,
          advice: "back it up with the database, or set SECRET_KEY",
        });
      } catch (error) {
        // Another process (the server and the scheduler start together) created it first: use theirs.
        if ((error as { code?: string }).code !== "EEXIST") throw error;
      }
    } else {
      warn("SECRET_KEY is not set: using the key kept beside the database", { keyFile });
    }
    const key = readFileSync(keyFile, "utf8").trim();
    return key.length >= 16
      ? Either.right(key)
      : Either.left(`${keyFile} holds a key shorter than 16 characters; delete it or set SECRET_KEY`);
  } catch (error) {
    return Either.left(
      `SECRET_KEY is not set and ${keyFile} cannot be used: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
};

/** The assembled product's configuration from decoded product variables. */
export const integrationConfig = (
  e: ProductEnv,
  warn: ConfigWarn = () => undefined,
): Effect.Effect<IntegrationConfig, ConfigError> => {
  const secret = resolveSecretKey(e.SECRET_KEY, e.DATABASE_URL, warn);
  if (Either.isLeft(secret)) return Effect.fail(new ConfigError({ problems: [secret.left] }));
  return Effect.succeed({
    store: {
      url: e.DATABASE_URL,
      authToken: e.DATABASE_AUTH_TOKEN,
      secretKey: secret.right,
      allowCustomOneFileUrl: e.ALLOW_CUSTOM_ONEFILE_URL === "true",
    },
    rules: e.ONEFILE_SYNC_RULES,
    leaseTtlMs: e.LEASE_TTL_MS,
    publicUrl: e.PUBLIC_URL,
  });
};

export const integrationConfigFromEnv = (
  env: Env,
  warn: ConfigWarn = () => undefined,
): Effect.Effect<IntegrationConfig, ConfigError> =>
  Effect.flatMap(decodeEnv(ProductEnvFields, env), (e) => integrationConfig(e, warn));
