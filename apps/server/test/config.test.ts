/** Configuration from the environment (src/config.ts): defaults, clear refusals, the generated SECRET_KEY. */
import { Effect, Either } from "effect";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import type { LogEntry } from "../src/log.ts";

const TOKEN = "tok-0123456789abcdef0123456789abcdef";

const load = (env: Record<string, string>) => {
  const logs: Array<LogEntry> = [];
  const result = Effect.runSync(Effect.either(loadConfig(env, (e) => logs.push(e))));
  return { result, logs };
};

describe("configuration", () => {
  it("applies defaults and keeps a generated SECRET_KEY beside a local database", () => {
    const dir = mkdtempSync(join(tmpdir(), "server-config-"));
    const url = `file:${join(dir, "data", "pics.db")}`;
    const first = load({ API_TOKEN: TOKEN, DATABASE_URL: url, UNRELATED: "x" });
    expect(Either.isRight(first.result) && first.result.right).toMatchObject({
      port: 8080,
      host: "0.0.0.0",
      apiToken: TOKEN,
      integration: {
        store: { url, allowCustomOneFileUrl: false },
        rules: undefined,
        publicUrl: "http://localhost:8080",
        processName: "server",
      },
    });
    const key = Either.isRight(first.result) ? first.result.right.integration.store.secretKey : "";
    expect(readFileSync(join(dir, "data", "secret.key"), "utf8").trim()).toBe(key);
    expect(first.logs).toEqual([
      expect.objectContaining({ level: "warn", msg: expect.stringContaining("SECRET_KEY is not set") }),
    ]);
    // The next start reads the same key.
    const second = load({ API_TOKEN: TOKEN, DATABASE_URL: url });
    expect(Either.isRight(second.result) && second.result.right.integration.store.secretKey).toBe(key);
  });

  it("takes every variable, treating blank ones as unset", () => {
    const { result } = load({
      API_TOKEN: ` ${TOKEN} `,
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: "libsql://db.example.test",
      DATABASE_AUTH_TOKEN: "db-token",
      SECRET_KEY: "0123456789abcdef",
      ONEFILE_SYNC_RULES: "officer,organisation",
      LEASE_TTL_MS: "5000",
      PUBLIC_URL: "https://pics.provider.example",
      ALLOW_CUSTOM_ONEFILE_URL: "true",
      SANDBOX_PORT: "",
    });
    expect(Either.isRight(result) && result.right).toEqual({
      port: 0,
      host: "127.0.0.1",
      apiToken: TOKEN,
      integration: {
        store: {
          url: "libsql://db.example.test",
          authToken: "db-token",
          secretKey: "0123456789abcdef",
          allowCustomOneFileUrl: true,
        },
        rules: "officer,organisation",
        leaseTtlMs: 5000,
        publicUrl: "https://pics.provider.example",
        processName: "server",
      },
    });
  });

  it("refuses bad values with one message naming each variable", () => {
    const { result } = load({
      API_TOKEN: "  ",
      PORT: "99999",
      SECRET_KEY: "short",
      DATABASE_URL: "postgres://x",
      LEASE_TTL_MS: "soon",
      PUBLIC_URL: "pics.provider.example",
      ALLOW_CUSTOM_ONEFILE_URL: "yes",
    });
    expect(Either.isLeft(result) && result.left.problems).toEqual([
      "PORT must be a port number 0-65535 (0 = any free port)",
      "API_TOKEN is required: the token clients must send as 'Authorization: Bearer <token>'",
      "DATABASE_URL must be file:…, :memory:, libsql://… or http(s)://…",
      "SECRET_KEY must be at least 16 characters",
      "LEASE_TTL_MS must be a positive whole number",
      "PUBLIC_URL must be an absolute URL, e.g. https://pics.provider.example",
      "ALLOW_CUSTOM_ONEFILE_URL must be true or false",
    ]);
    const remote = load({ API_TOKEN: TOKEN, DATABASE_URL: "libsql://db.example.test" });
    expect(Either.isLeft(remote.result) && remote.result.left.message).toContain("SECRET_KEY is required with a remote database");
  });

  it("refuses an API token shorter than 32 characters, without printing it", () => {
    const { result, logs } = load({ API_TOKEN: "short-but-secret-token", DATABASE_URL: ":memory:" });
    expect(Either.isLeft(result) && result.left.problems).toEqual([
      "API_TOKEN must be at least 32 characters (npm start generates one)",
    ]);
    expect(JSON.stringify([Either.isLeft(result) && result.left.message, logs])).not.toContain("short-but-secret-token");
  });
});
