/**
 * apps/scheduler: `tsx apps/scheduler/src/main.ts` runs the daily scheduler; `… run-once
 * [--dry-run] [--learner ID]` runs once and exits (0 succeeded, 2 partially succeeded, 1 failed).
 * Configuration from the environment, as the server (README "Configuration").
 */
import { decodeEnv, integrationConfig, IntegrationLayer, ProductEnvFields } from "@pics/product";
import { Effect, Fiber, ManagedRuntime, Schema } from "effect";
import { daemon } from "./daemon.ts";
import { exitCodeOf, parseRunOnceArgs, runOnce } from "./run-once.ts";

const log = (event: string, fields: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ time: new Date().toISOString(), app: "scheduler", event, ...fields }));

const [command, ...rest] = process.argv.slice(2);

/** The product's variables plus how often the scheduler looks at the clock and the settings. */
const SchedulerEnvFields = {
  ...ProductEnvFields,
  SCHEDULER_TICK_MS: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.positive()), {
    default: () => 30_000,
  }),
  /** The server's port, read only for the default PUBLIC_URL of notification links (http://localhost:<PORT>). */
  PORT: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 65535)), { default: () => 8080 }),
};

const main = async (): Promise<number> => {
  const env = await Effect.runPromise(decodeEnv(SchedulerEnvFields, process.env));
  const config = await Effect.runPromise(
    integrationConfig(env, (warning, fields) => log("config_warning", { warning, ...fields })),
  );
  const runtime = ManagedRuntime.make(
    IntegrationLayer({ ...config, publicUrl: config.publicUrl ?? `http://localhost:${env.PORT}`, processName: "scheduler" }),
  );
  try {
    // JRN-4: build everything now (rule packages checked, database opened and migrated), so a bad
    // ONEFILE_SYNC_RULES or an unopenable DATABASE_URL stops the scheduler at start-up with the
    // reason, instead of a daemon that idles and never runs at 2 a.m.
    await runtime.runtime();
    if (command === "run-once") {
      const args = parseRunOnceArgs(rest);
      const run = await runtime.runPromise(
        runOnce(args, { isTTY: process.stdout.isTTY === true, write: (t) => process.stdout.write(t) }),
      );
      return exitCodeOf(run.status);
    }
    if (command !== undefined && command !== "daemon")
      throw new Error(`unknown command "${command}" (use run-once, or nothing for the daily scheduler)`);
    const tickMs = env.SCHEDULER_TICK_MS;
    const stop = new Promise<number>((resolve) => {
      for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.once(signal, () => {
          log("scheduler_stopping", { signal });
          resolve(0);
        });
      }
    });
    const fiber = runtime.runFork(daemon({ tickMs, log }));
    const code = await stop;
    await runtime.runPromise(Fiber.interrupt(fiber));
    return code;
  } finally {
    await runtime.dispose();
  }
};

main().then(
  (code) => process.exit(code),
  (error) => {
    const reason = error instanceof Error ? error.message : String(error);
    log("scheduler_failed", { reason });
    process.stderr.write(`scheduler: cannot start: ${reason}\n`);
    process.exit(1);
  },
);
