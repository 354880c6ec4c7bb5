/**
 * The server on Node: `tsx apps/server/src/main.node.ts` (or `npm run server` at the root).
 * Prints one JSON line `{"msg":"listening","port":…}` once it accepts requests. On SIGINT/SIGTERM
 * it stops accepting, lets in-flight requests finish, disposes the runtime and exits 0.
 */
import { serve } from "@hono/node-server";
import { Effect } from "effect";
import type { AddressInfo } from "node:net";
import { makeApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { jsonLogger as log } from "./log.ts";
import { makeRuntime, startNotificationWatch, startRuntime } from "./runtime.ts";

const fail = (message: string): never => {
  log({ level: "error", msg: "start-up failed", reason: message });
  process.exit(1);
};

const config = await Effect.runPromise(Effect.either(loadConfig(process.env, log))).then((result) =>
  result._tag === "Left" ? fail(result.left.message) : result.right,
);

const runtime = makeRuntime(config.integration);
try {
  await startRuntime(runtime);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

const stopNotificationWatch = startNotificationWatch(runtime);
const app = makeApp(runtime, { apiToken: config.apiToken, logger: log });
const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info: AddressInfo) => {
  log({
    level: "info",
    msg: "listening",
    port: info.port,
    host: config.host,
    url: `http://${config.host}:${info.port}`,
    runtime: "node",
  });
});
server.once("error", (error) => fail(`cannot listen on ${config.host}:${config.port}: ${error.message}`));

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log({ level: "info", msg: "stopping", signal });
  // Requests still open after 10 s are cut so the process always ends.
  const force = setTimeout(() => (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.(), 10_000);
  force.unref();
  server.close(async () => {
    await stopNotificationWatch();
    await runtime.dispose();
    log({ level: "info", msg: "stopped" });
    process.exit(0);
  });
  (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
