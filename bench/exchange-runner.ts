/**
 * One step of a measurement, in its own process so its memory and CPU are its own:
 *
 *   tsx bench/exchange-runner.ts import <jobFile>   # settings, the PICS import, stored centre counts
 *   tsx bench/exchange-runner.ts run <jobFile>      # one full exchange over the same database
 *
 * The job file says the mode (ours | per_learner | record_at_a_time), the sandbox, the database and
 * the rate limit. `run` prints one JSON line: the run's outcome, its wall time, the CPU it used and
 * the process's peak RSS (the exchange's own: the import happened in another process).
 */
import { bulkStrategy, Exchange } from "@pics/core";
import { IntegrationLayer } from "@pics/product";
import { CentreCounts, PicsRecords, SettingsStore, type CountedKind } from "@pics/pics-store";
import { Effect, Logger, LogLevel, ManagedRuntime } from "effect";
import { readFileSync } from "node:fs";
import { perLearnerStrategy, recordAtATimeStrategy } from "./baseline.ts";

export interface Job {
  readonly mode: "ours" | "per_learner" | "record_at_a_time";
  readonly baseUrl: string;
  readonly databaseFile: string;
  readonly dataFile: string;
  readonly limit: { readonly calls: number; readonly windowSeconds: number };
}

const [phase, jobFile] = process.argv.slice(2);
if ((phase !== "import" && phase !== "run") || !jobFile) throw new Error("usage: exchange-runner.ts <import|run> <jobFile>");
const job = JSON.parse(readFileSync(jobFile, "utf8")) as Job;

const strategies = { ours: bulkStrategy, per_learner: perLearnerStrategy, record_at_a_time: recordAtATimeStrategy };
const runtime = ManagedRuntime.make(
  IntegrationLayer({
    store: { url: `file:${job.databaseFile}`, secretKey: "benchmark-secret-key", allowCustomOneFileUrl: true },
    clientTuning: { requestTimeoutMs: 30_000, maxRateLimitWaitMs: 30 * 60_000 },
    exchangeStrategy: strategies[job.mode],
  }),
);
const quiet = Logger.withMinimumLogLevel(LogLevel.Warning);

if (phase === "import") {
  const data = JSON.parse(readFileSync(job.dataFile, "utf8")) as {
    pics: unknown;
    customerToken: string;
    previousCounts?: ReadonlyArray<{ centreId: number; kind: CountedKind; count: number }>;
  };
  await runtime.runPromise(
    Effect.gen(function* () {
      yield* (yield* SettingsStore).update({
        integrationEnabled: true,
        environment: "custom",
        baseUrl: job.baseUrl,
        customerToken: data.customerToken,
        uploadReviews: true,
        downloadReviews: true,
        learnerDemographicsMode: "PushToOneFile",
        officerDemographicsMode: "PullFromOneFile",
        organisationDemographicsMode: "PushToOneFile",
        pushMainOfficerChanges: true,
        pushEmployerChanges: true,
        // Ours and per_learner pace themselves to the limit; record_at_a_time does not and pauses a window per 429.
        onefileRateLimit:
          job.mode === "record_at_a_time" ? { calls: 1_000_000, windowSeconds: job.limit.windowSeconds } : job.limit,
      });
      yield* (yield* PicsRecords).importDocument(data.pics);
      const counts = yield* CentreCounts;
      for (const c of data.previousCounts ?? []) yield* counts.record(c.centreId, c.kind, c.count);
    }).pipe(quiet),
  );
  await runtime.dispose();
  console.log(JSON.stringify({ imported: true }));
} else {
  // The rate limit may differ between runs over the same database (W1's paced run, then W4).
  await runtime.runPromise(
    Effect.flatMap(SettingsStore, (s) =>
      s.update({
        onefileRateLimit:
          job.mode === "record_at_a_time" ? { calls: 1_000_000, windowSeconds: job.limit.windowSeconds } : job.limit,
      }),
    ).pipe(quiet),
  );
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const run = await runtime.runPromise(Effect.flatMap(Exchange, (x) => x.run({ kind: "full", trigger: "cli" })).pipe(quiet));
  const runMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await runtime.dispose();
  console.log(
    JSON.stringify({
      mode: job.mode,
      status: run.status,
      learners: run.progress.total,
      failed: run.progress.failed,
      changes: run.changes,
      runMs: Math.round(runMs),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}
