/**
 * The product's configuration from the environment, shared by the server and the scheduler so
 * both open the same store the same way (README "Configuration").
 */
import { DEFAULT_DATABASE_URL } from "@pics/pics-store";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { IntegrationConfig } from "./index.ts";

export type Env = Readonly<Record<string, string | undefined>>;

/** A configuration problem found at start-up, named precisely. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

const positiveInt = (env: Env, name: string): number | undefined => {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${name} must be a positive whole number (got "${raw}")`);
  return value;
};

/**
 * SECRET_KEY, or — for the embedded default database only — a key generated once and kept in
 * `secret.key` beside it, so `npm start` works with no set-up. A copied database file alone still
 * does not reveal the token; keep the key file out of backups that leave the machine.
 */
const secretKeyFor = (env: Env, databaseUrl: string, warn: (message: string) => void): string => {
  const configured = env.SECRET_KEY;
  if (configured !== undefined && configured !== "") {
    if (configured.length < 16) throw new ConfigError("SECRET_KEY must be at least 16 characters");
    return configured;
  }
  if (!databaseUrl.startsWith("file:")) throw new ConfigError("SECRET_KEY is required with a database server (DATABASE_URL is not a file)");
  const keyFile = join(dirname(databaseUrl.slice("file:".length)), "secret.key");
  if (!existsSync(keyFile)) {
    mkdirSync(dirname(keyFile), { recursive: true });
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    writeFileSync(keyFile, Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""), { mode: 0o600 });
    warn(`SECRET_KEY is not set: generated one in ${keyFile}; set SECRET_KEY in production`);
  }
  return readFileSync(keyFile, "utf8").trim();
};

export const integrationConfigFromEnv = (env: Env, warn: (message: string) => void = () => undefined): IntegrationConfig => {
  const url = env.DATABASE_URL || DEFAULT_DATABASE_URL;
  return {
    store: { url, authToken: env.DATABASE_AUTH_TOKEN || undefined, secretKey: secretKeyFor(env, url, warn) },
    rules: env.ONEFILE_SYNC_RULES,
    leaseTtlMs: positiveInt(env, "LEASE_TTL_MS"),
  };
};
