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
const dataDir = env.DATABASE_URL.startsWith("file:") ? dirname(env.DATABASE_URL.slice("file:".length)) : join(root, "data");
mkdirSync(dataDir, { recursive: true });

// The API token: configured, or generated once and kept beside the database for the next start.
const apiTokenFile = join(dataDir, "api-token");
const apiToken =
  env.API_TOKEN ??
  (existsSync(apiTokenFile)
    ? readFileSync(apiTokenFile, "utf8").trim()
    : (() => {
        const token = crypto.randomUUID().replaceAll("-", "");
        writeFileSync(apiTokenFile, `${token}\n`, { mode: 0o600 });
        return token;
      })());

// Demo mode: a local OneFile sandbox when no real OneFile is configured.
const sandboxStateFile = join(dataDir, "sandbox-state.json");
let sandbox: RunningSandbox | undefined;
const runtime = ManagedRuntime.make(IntegrationLayer(config));
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
  await runtime.runPromise(
    Effect.gen(function* () {
      const records = yield* PicsRecords;
      if (saved === undefined) yield* records.importDocument(data.pics);
      yield* (yield* SettingsStore).update({
        integrationEnabled: true,
        environment: "custom",
        baseUrl: sandbox!.baseUrl,
        customerToken: demoCustomerToken,
      });
    }),
  );
  say(`demo mode: no OneFile token was configured, so a local OneFile sandbox runs at ${sandbox.baseUrl}`);
  say(
    saved ? `  its state was restored from ${sandboxStateFile}` : `  seeded with demo data; the PICS demo records were imported`,
  );
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
say(`API: http://localhost:${env.PORT}/api/v1  (token: ${apiToken})`);
say(`  try: curl -H "Authorization: Bearer ${apiToken}" http://localhost:${env.PORT}/api/v1/status`);
say("Ctrl-C stops everything.");
