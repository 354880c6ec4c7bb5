/**
 * The server on Deno: `npx deno run --allow-all apps/server/src/main.deno.ts`.
 * Same configuration and output as main.node.ts; Deno.serve underneath.
 */
import { Effect } from "effect";
import { makeApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { jsonLogger as log } from "./log.ts";
import { makeRuntime, startNotificationWatch, startRuntime } from "./runtime.ts";

// Declared loosely so `tsc` passes without Deno's type definitions.
declare const Deno: any;

const fail = (message: string): never => {
  log({ level: "error", msg: "start-up failed", reason: message });
  Deno.exit(1);
  throw new Error(message);
};

const loaded = await Effect.runPromise(Effect.either(loadConfig(Deno.env.toObject(), log)));
const config = loaded._tag === "Left" ? fail(loaded.left.message) : loaded.right;

const runtime = makeRuntime(config.integration);
try {
  await startRuntime(runtime);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

const stopNotificationWatch = startNotificationWatch(runtime);
const app = makeApp(runtime, { apiToken: config.apiToken, logger: log });
const controller = new AbortController();
const server = Deno.serve(
  {
    port: config.port,
    hostname: config.host,
    signal: controller.signal,
    onListen: ({ hostname, port }: { hostname: string; port: number }) =>
      log({ level: "info", msg: "listening", port, host: hostname, url: `http://${hostname}:${port}`, runtime: "deno" }),
  },
  app.fetch,
);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log({ level: "info", msg: "stopping", signal });
  // Aborting stops accepting; `finished` resolves once in-flight requests are answered.
  controller.abort();
};
Deno.addSignalListener("SIGINT", () => stop("SIGINT"));
Deno.addSignalListener("SIGTERM", () => stop("SIGTERM"));

await server.finished;
await stopNotificationWatch();
await runtime.dispose();
log({ level: "info", msg: "stopped" });
Deno.exit(0);
