/**
 * `npm start`: the whole product on embedded defaults — the HTTP server and the daily scheduler as
 * two processes sharing one libSQL file (`./data/pics.db` unless DATABASE_URL says otherwise).
 *
 * Demo mode: when no OneFile customer token is configured (or the one configured is the demo
 * sandbox's), it also runs a local OneFile sandbox seeded with demo data, imports the matching
 * PICS demo records, points the settings at the sandbox and switches the integration on. The
 * sandbox's state is saved to `sandbox-state.json` beside the database so a restart finds the
 * OneFile side as it was. It prints the URL and the API token to use.
 */
import { decodeEnv, integrationConfig, IntegrationLayer, ProductEnvFields } from "@pics/product";
import { demoCustomerToken, demoData, startSandbox, type RunningSandbox, type SandboxSeed } from "@pics/onefile-sandbox";
import { PicsRecords, SettingsStore } from "@pics/pics-store";
import { Effect, ManagedRuntime, Schema } from "effect";
import { MIN_API_TOKEN_LENGTH } from "./config.ts";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const say = (line: string) => console.log(`[start] ${line}`);

const env = await Effect.runPromise(
  decodeEnv(
    {
      ...ProductEnvFields,
      PORT: Schema.optionalWith(Schema.String, { default: () => "8080" }),
      API_TOKEN: Schema.optional(Schema.String),
      SANDBOX_PORT: Schema.optionalWith(Schema.NumberFromString, { default: () => 0 }),
    },
    process.env,
  ),
).catch((error) => {
  console.error(`[start] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
const config = await Effect.runPromise(integrationConfig(env, (message) => say(message)));
if (env.API_TOKEN !== undefined && env.API_TOKEN.length < MIN_API_TOKEN_LENGTH) {
  // Never echo it: a supplied token is a secret.
  console.error(`[start] API_TOKEN must be at least ${MIN_API_TOKEN_LENGTH} characters; unset it to have one generated`);
  process.exit(1);
}
const dataDir = env.DATABASE_URL.startsWith("file:") ? dirname(env.DATABASE_URL.slice("file:".length)) : join(root, "data");
mkdirSync(dataDir, { recursive: true });

// The API token: configured, or generated once and kept beside the database for the next start.
const apiTokenFile = join(dataDir, "api-token");
const generateApiToken = () => {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const token = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  writeFileSync(apiTokenFile, `${token}\n`, { mode: 0o600 });
  return token;
};
const kept = existsSync(apiTokenFile) ? readFileSync(apiTokenFile, "utf8").trim() : "";
// A kept token from an older version may be too short: replace it.
const apiToken = env.API_TOKEN ?? (kept.length >= MIN_API_TOKEN_LENGTH ? kept : generateApiToken());

// Demo mode: a local OneFile sandbox when no real OneFile is configured.
const sandboxStateFile = join(dataDir, "sandbox-state.json");
let sandbox: RunningSandbox | undefined;
// The launcher itself may point the settings at the demo sandbox (SEC-1 `custom`).
const runtime = ManagedRuntime.make(IntegrationLayer({ ...config, store: { ...config.store, allowCustomOneFileUrl: true } }));
const demo = await runtime.runPromise(
  Effect.gen(function* () {
    const settings = yield* SettingsStore;
    const token = yield* settings.customerToken;
    const current = yield* settings.get;
    return token === null || (token === demoCustomerToken && current.environment === "custom");
  }),
);
if (demo) {
  const data = demoData();
  const saved = existsSync(sandboxStateFile) ? (JSON.parse(readFileSync(sandboxStateFile, "utf8")) as SandboxSeed) : undefined;
  sandbox = await startSandbox({ port: env.SANDBOX_PORT, state: saved ?? data.onefile });
  const imported = await runtime.runPromise(
    Effect.gen(function* () {
      const records = yield* PicsRecords;
      // Demo records go only into an empty database: never mixed into a provider's own PICS data.
      const empty =
        (yield* records.listOfficers({ limit: 1 })).items.length === 0 &&
        (yield* records.listOrganisations({ limit: 1 })).items.length === 0 &&
        (yield* records.listLearners({ limit: 1 })).items.length === 0;
      if (saved === undefined && empty) yield* records.importDocument(data.pics);
      yield* (yield* SettingsStore).update({
        integrationEnabled: true,
        environment: "custom",
        baseUrl: sandbox!.baseUrl,
        customerToken: demoCustomerToken,
      });
      return saved === undefined && empty;
    }),
  );
  const banner = "=".repeat(78);
  say(banner);
  say("DEMO MODE: this is NOT connected to a real OneFile. No OneFile customer token is configured,");
  say(`so a local OneFile sandbox with made-up data runs at ${sandbox.baseUrl}`);
  say(
    saved
      ? `  its state was restored from ${sandboxStateFile}`
      : imported
        ? "  seeded with demo data; the PICS demo records were imported into the empty database"
        : "  seeded with demo data; the database already holds PICS records, so no demo records were imported",
  );
  say("  To use a real OneFile, PUT /api/v1/settings with environment and customerToken, then restart.");
  say(banner);
}
await runtime.dispose();

const saveSandbox = async () => {
  if (!sandbox) return;
  const state = await (await fetch(`${sandbox.adminUrl}/state`)).text();
  writeFileSync(sandboxStateFile, state);
};
const saver = sandbox ? setInterval(() => void saveSandbox().catch(() => undefined), 60_000) : undefined;

// The server and the scheduler, each its own process (they coordinate through the database).
const childEnv = {
  ...process.env,
  API_TOKEN: apiToken,
  PORT: env.PORT,
  SECRET_KEY: config.store.secretKey,
  DATABASE_URL: env.DATABASE_URL,
  ALLOW_CUSTOM_ONEFILE_URL: demo ? "true" : env.ALLOW_CUSTOM_ONEFILE_URL,
};
const children: Array<ChildProcess> = [];
const launch = (name: string, script: string) => {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, script)], {
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) if (line.trim()) console.log(`[${name}] ${line}`);
    });
  }
  child.on("exit", (code, signal) => {
    if (!stopping) {
      say(`${name} stopped unexpectedly (${signal ?? `exit ${code}`}); stopping everything`);
      void stop(1);
    }
  });
  children.push(child);
  return child;
};

let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  if (saver) clearInterval(saver);
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        }),
    ),
  );
  await saveSandbox().catch(() => undefined);
  await sandbox?.close();
  process.exit(code);
};
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

launch("server", "apps/server/src/main.node.ts");
launch("scheduler", "apps/scheduler/src/main.ts");
// The token itself is never printed (SEC-2): it is in the environment or in the file.
say(`API: http://localhost:${env.PORT}/api/v1  (token: ${env.API_TOKEN !== undefined ? "the API_TOKEN you set" : apiTokenFile})`);
if (env.API_TOKEN === undefined)
  say(`  try: curl -H "Authorization: Bearer $(cat ${apiTokenFile})" http://localhost:${env.PORT}/api/v1/status`);
say(`Console: http://localhost:${env.PORT}/console  (sign in with the API token)`);
say("Ctrl-C stops everything.");
