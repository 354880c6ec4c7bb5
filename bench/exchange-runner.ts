/**
 * One measured run, in its own process so its peak memory is its own: imports the PICS side,
 * points the product at the sandbox and runs a full exchange with the chosen strategy.
 * Usage: tsx bench/exchange-runner.ts <ours|baseline> <sandboxBaseUrl> <dataFile>
 * Prints one JSON line.
 */
import { bulkStrategy, Exchange } from "@pics/core";
import { IntegrationLayer } from "@pics/product";
import { PicsRecords, SettingsStore } from "@pics/pics-store";
import { Effect, ManagedRuntime } from "effect";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baselineStrategy } from "./baseline.ts";

const [mode, baseUrl, dataFile] = process.argv.slice(2);
if ((mode !== "ours" && mode !== "baseline") || !baseUrl || !dataFile) {
  throw new Error("usage: exchange-runner.ts <ours|baseline> <sandboxBaseUrl> <dataFile>");
}
const data = JSON.parse(readFileSync(dataFile, "utf8")) as {
  pics: unknown;
  customerToken: string;
  limit: { calls: number; windowSeconds: number };
};

const runtime = ManagedRuntime.make(
  IntegrationLayer({
    store: { url: `file:${join(mkdtempSync(join(tmpdir(), "bench-")), "pics.db")}`, secretKey: "benchmark-secret-key" },
    clientTuning: { requestTimeoutMs: 30_000, maxRateLimitWaitMs: 30 * 60_000 },
    exchangeStrategy: mode === "ours" ? bulkStrategy : baselineStrategy,
  }),
);

const result = await runtime.runPromise(
  Effect.gen(function* () {
    yield* (yield* SettingsStore).update({
      integrationEnabled: true,
      environment: "custom",
      baseUrl,
      customerToken: data.customerToken,
      uploadReviews: true,
      downloadReviews: true,
      learnerDemographicsMode: "PushToOneFile",
      officerDemographicsMode: "PullFromOneFile",
      organisationDemographicsMode: "PushToOneFile",
      pushMainOfficerChanges: true,
      pushEmployerChanges: true,
      // Ours paces itself to the limit; the baseline does not pace and pauses a window per 429.
      onefileRateLimit: mode === "ours" ? data.limit : { calls: 1_000_000, windowSeconds: data.limit.windowSeconds },
    });
    yield* (yield* PicsRecords).importDocument(data.pics);
    const started = performance.now();
    const run = yield* (yield* Exchange).run({ kind: "full", trigger: "cli" });
    return { run, runMs: performance.now() - started };
  }),
);
await runtime.dispose();

console.log(
  JSON.stringify({
    mode,
    status: result.run.status,
    learners: result.run.progress.total,
    failed: result.run.progress.failed,
    changes: result.run.changes,
    runMs: Math.round(result.runMs),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
