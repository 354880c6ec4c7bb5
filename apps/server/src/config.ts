/**
 * The server's configuration: the product's variables (packages/product/src/env.ts: database,
 * SECRET_KEY, rule packages, lease lifetime) plus its own, PORT, HOST and API_TOKEN. Start-up fails
 * fast with one message naming every bad variable.
 */
import { ConfigError, decodeEnv, integrationConfig, ProductEnvFields, type Env, type IntegrationConfig } from "@pics/product";
import { Effect, Schema } from "effect";
import type { Logger } from "./log.ts";

export { ConfigError };

const Port = Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 65535)).annotations({
  message: () => ({ message: "must be a port number 0-65535 (0 = any free port)", override: true }),
});

/** A shorter bearer token can be guessed; `npm start` generates 64 hex characters. */
export const MIN_API_TOKEN_LENGTH = 32;

/** The variables the server reads; anything else in the environment is ignored. */
export const ServerEnvFields = {
  PORT: Schema.optionalWith(Port, { default: () => 8080 }),
  HOST: Schema.optionalWith(Schema.String, { default: () => "0.0.0.0" }),
  API_TOKEN: Schema.propertySignature(
    // The characters RFC 6750 allows in a bearer token (hono/bearer-auth refuses any other).
    Schema.String.pipe(
      Schema.filter(
        (s) => /^[A-Za-z0-9._~+/-]+=*$/.test(s) || "must be one word of letters, digits and - . _ ~ + / (then any = padding)",
      ),
      Schema.filter(
        (s) =>
          s.length >= MIN_API_TOKEN_LENGTH || `must be at least ${MIN_API_TOKEN_LENGTH} characters (npm start generates one)`,
      ),
    ),
  ).annotations({
    missingMessage: () => "is required: the token clients must send as 'Authorization: Bearer <token>'",
  }),
  ...ProductEnvFields,
};

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly apiToken: string;
  /** The assembled product: store, rule packages, lease lifetime. */
  readonly integration: IntegrationConfig;
}

/** Reads and checks the configuration; every problem is named in one ConfigError. */
export const loadConfig = (env: Env, log: Logger): Effect.Effect<ServerConfig, ConfigError> =>
  Effect.gen(function* () {
    const e = yield* decodeEnv(ServerEnvFields, env);
    const integration = yield* integrationConfig(e, (msg, fields) => log({ level: "warn", msg, ...fields }));
    return {
      port: e.PORT,
      host: e.HOST,
      apiToken: e.API_TOKEN,
      // PUBLIC_URL (notification links) defaults to this server on this host (http-api.md).
      integration: { ...integration, publicUrl: integration.publicUrl ?? `http://localhost:${e.PORT}`, processName: "server" },
    };
  });
