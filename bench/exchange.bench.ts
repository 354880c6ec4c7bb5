/**
 * Benchmark (not a test): a full exchange of N learners (3 qualifications and 8 reviews each, a
 * share changed on either side) against the sandbox with a scaled rate limit, for our product and
 * for the PICSWeb-like baseline, each in a fresh sandbox and a fresh process.
 *
 *   npm run bench                      # 2,000 learners
 *   BENCH_LEARNERS=200 npm run bench   # a quick look
 *   BENCH_MODES=ours npm run bench     # only ours (while tuning; the JSON line needs both)
 *
 * Prints OneFile calls per learner, 429s, run time ÷ the rate-limit bound (calls ÷ limit × window)
 * and peak memory for both, and ends with one JSON line for machines.
 */
import { generateDemoData } from "@pics/onefile-sandbox";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const learners = Number(process.env.BENCH_LEARNERS ?? 2000);
const limit = { calls: 300, windowSeconds: 2 };
const root = fileURLToPath(new URL("..", import.meta.url));
const tsx = join(root, "node_modules/.bin/tsx");

const data = generateDemoData({ learners, seed: 2026, qualificationsPerLearner: 3, reviewsPerLearner: 8, differingShare: 0.25 });
const folder = mkdtempSync(join(tmpdir(), "bench-data-"));
const dataFile = join(folder, "data.json");
writeFileSync(dataFile, JSON.stringify({ pics: data.pics, customerToken: data.customerToken, limit }));

/** Starts a sandbox process and waits for its base URL. */
const startSandbox = () =>
  new Promise<{ baseUrl: string; adminUrl: string; stop: () => void }>((resolve, reject) => {
    const child = spawn(tsx, [join(root, "packages/onefile-sandbox/src/main.ts")], {
      env: { ...process.env, SANDBOX_PORT: "0" },
    });
    child.on("error", reject);
    createInterface({ input: child.stdout }).on("line", (line) => {
      const match = /base URL:\s+(\S+)/.exec(line);
      if (match?.[1])
        resolve({
          baseUrl: match[1],
          adminUrl: match[1].replace(/api\/v2\.1\/$/, "__sandbox"),
          stop: () => child.kill("SIGTERM"),
        });
    });
  });

const admin = async (adminUrl: string, path: string, body?: unknown) => {
  const response = await fetch(`${adminUrl}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`sandbox ${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<any>;
};

const runChild = (mode: string, baseUrl: string) =>
  new Promise<any>((resolve, reject) => {
    const profile = process.env.BENCH_CPU_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : [];
    const child = spawn(
      process.execPath,
      [...profile, "--import", "tsx", join(root, "bench/exchange-runner.ts"), mode, baseUrl, dataFile],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!)) : reject(new Error(`${mode} run exited ${code}`)),
    );
  });

const measure = async (mode: "ours" | "baseline") => {
  const sandbox = await startSandbox();
  try {
    await admin(sandbox.adminUrl, "/seed", data.onefile);
    // A little network latency, and OneFile's limit scaled to a 2-second window.
    await admin(sandbox.adminUrl, "/config", {
      latencyMs: 5,
      jitterMs: 5,
      rateLimit: { calls: limit.calls, windowMs: limit.windowSeconds * 1000 },
    });
    await admin(sandbox.adminUrl, "/calls/clear", {});
    const run = await runChild(mode, sandbox.baseUrl);
    const counters = await admin(sandbox.adminUrl, "/counters");
    const bound = (counters.total / limit.calls) * limit.windowSeconds * 1000;
    return {
      ...run,
      calls: counters.total,
      http429: counters.http429,
      maxCallsInWindow: counters.maxCallsInWindow,
      callsPerLearner: counters.total / Math.max(1, run.learners),
      ratioToBound: run.runMs / bound,
    };
  } finally {
    sandbox.stop();
  }
};

console.log(
  `Full exchange of ${learners} learners (3 qualifications, 8 reviews each); OneFile limit ${limit.calls} calls per ${limit.windowSeconds} s.`,
);
const modes = (process.env.BENCH_MODES ?? "baseline,ours").split(",").map((m) => m.trim());
if (modes.length === 1) {
  console.log(JSON.stringify(await measure(modes[0] === "baseline" ? "baseline" : "ours")));
  process.exit(0);
}
const baseline = await measure("baseline");
const ours = await measure("ours");
const round = (n: number, digits = 2) => Number(n.toFixed(digits));
for (const r of [baseline, ours]) {
  console.log(
    `${r.mode.padEnd(9)} ${r.status}, ${r.learners} learners, ${r.failed} failed, ${r.changes} changes | ` +
      `${r.calls} calls (${round(r.callsPerLearner)} per learner), ${r.http429} × 429, max ${r.maxCallsInWindow} calls in a window | ` +
      `${round(r.runMs / 1000, 1)} s = ${round(r.ratioToBound)} × the rate-limit bound | peak RSS ${r.peakRssMb} MB`,
  );
}
console.log(
  JSON.stringify({
    calls_per_learner: round(ours.callsPerLearner),
    ratio_to_bound: round(ours.ratioToBound),
    http_429: ours.http429,
    peak_rss_mb: ours.peakRssMb,
    baseline_calls_per_learner: round(baseline.callsPerLearner),
    baseline_ratio_to_bound: round(baseline.ratioToBound),
    baseline_http_429: baseline.http429,
    baseline_peak_rss_mb: baseline.peakRssMb,
    speedup_vs_baseline: round(baseline.runMs / ours.runMs),
  }),
);
