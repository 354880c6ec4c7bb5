/**
 * @pics/server — the product's HTTP API. `makeApp(runtime, config)` gives the Hono app; the entry
 * points main.node.ts and main.deno.ts serve it.
 */
export { makeApp, DEFAULT_BODY_LIMIT, DEFAULT_IMPORT_BODY_LIMIT, type AppConfig } from "./app.ts";
export { loadConfig, ConfigError, type ServerConfig } from "./config.ts";
export { makeRuntime, startRuntime, type ServerRuntime, type ServerServices } from "./runtime.ts";
export { toHttpError, HttpError, type ServerError } from "./errors.ts";
export { jsonLogger, silentLogger, type Logger, type LogEntry } from "./log.ts";
