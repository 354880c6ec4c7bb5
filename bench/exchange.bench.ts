/**
 * Benchmark (not a test): full exchanges against the OneFile sandbox (each in a fresh sandbox
 * process and fresh runner processes), measured against a floor computed from the seeded data and
 * against two baselines run here too. See bench/README.md for the workloads and the figures.
 *
 *   npm run bench                 # the full benchmark (about 10–20 minutes on 2 cores)
 *   BENCH_QUICK=1 npm run bench   # the same, smaller, for a quick look
 *   BENCH_CPU_PROFILE=<dir>       # writes a CPU profile of every exchange runner
 *
 * Prints one line per measurement and ends with one JSON line for machines.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Job } from "./exchange-runner.ts";
import { centreWithHistory, freshCentres, readFloor, writeFloor, type Workload } from "./workloads.ts";

const quick = process.env.BENCH_QUICK === "1";
const size = quick
  ? { w1: 300, w2: 100, w3: 200, memory: [300, 3000] as const }
  : { w1: 2000, w2: 1000, w3: 1000, memory: [2000, 20000] as const };
/** Slow enough that the CPU idles between calls: run time ÷ the rate-limit bound is about the pacing alone. */
const idleLimit = { calls: 300, windowSeconds: 10 };
/** The baselines and ours side by side, at the old benchmark's scaled limit. */
const speedLimit = { calls: 300, windowSeconds: 2 };
/** Runs measured for calls or memory only: a limit that hardly paces. */
const openLimit = { calls: 3000, windowSeconds: 1 };

const root = fileURLToPath(new URL("..", import.meta.url));
const tsx = join(root, "node_modules/.bin/tsx");
const folder = mkdtempSync(join(tmpdir(), "bench-"));
const today = new Date().toISOString().slice(0, 10);
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

interface Sandbox {
  readonly baseUrl: string;
  readonly admin: (path: string, body?: unknown) => Promise<any>;
  readonly stop: () => void;
}

/** Starts a sandbox process and seeds it. */
const startSandbox = (seed: unknown) =>
  new Promise<Sandbox>((resolve, reject) => {
    const child = spawn(tsx, [join(root, "packages/onefile-sandbox/src/main.ts")], {
      env: { ...process.env, SANDBOX_PORT: "0" },
    });
    child.on("error", reject);
    createInterface({ input: child.stdout }).on("line", (line) => {
      const match = /base URL:\s+(\S+)/.exec(line);
      if (!match?.[1]) return;
      const baseUrl = match[1];
      const adminUrl = baseUrl.replace(/api\/v2\.1\/$/, "__sandbox");
      const admin = async (path: string, body?: unknown) => {
        const response = await fetch(`${adminUrl}${path}`, {
          method: body === undefined ? "GET" : "POST",
          headers: { "content-type": "application/json" },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        if (!response.ok) throw new Error(`sandbox ${path}: ${response.status} ${await response.text()}`);
        return response.json();
      };
      resolve({ baseUrl, admin, stop: () => child.kill("SIGTERM") });
    });
  }).then(async (sandbox) => {
    await sandbox.admin("/seed", seed);
    await sandbox.admin("/config", { latencyMs: 5, jitterMs: 5 });
    return sandbox;
  });

const runProcess = (args: ReadonlyArray<string>, profile: boolean) =>
  new Promise<any>((resolve, reject) => {
    const cpuProfile =
      profile && process.env.BENCH_CPU_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : [];
    const child = spawn(process.execPath, [...cpuProfile, "--import", "tsx", join(root, "bench/exchange-runner.ts"), ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split("\n").pop()!))
        : reject(new Error(`runner ${args.join(" ")} exited ${code}`)),
    );
  });

let jobs = 0;
/** A PICS database with the workload imported, pointed at the sandbox. */
const prepare = async (workload: Workload, sandbox: Sandbox, mode: Job["mode"], limit: Job["limit"]) => {
  const dataFile = join(folder, `${workload.name}-${++jobs}.json`);
  writeFileSync(
    dataFile,
    JSON.stringify({
      pics: workload.data.pics,
      customerToken: workload.data.customerToken,
      previousCounts: workload.previousCounts,
    }),
  );
  const job: Job = { mode, baseUrl: sandbox.baseUrl, databaseFile: join(folder, `pics-${jobs}.db`), dataFile, limit };
  const jobFile = join(folder, `job-${jobs}.json`);
  writeFileSync(jobFile, JSON.stringify(job));
  await runProcess(["import", jobFile], false);
  return { job, jobFile };
};

/** One exchange: its outcome, the calls the sandbox saw, and the time against the rate-limit bound. */
const exchange = async (sandbox: Sandbox, prepared: { job: Job; jobFile: string }, limit: Job["limit"]) => {
  writeFileSync(prepared.jobFile, JSON.stringify({ ...prepared.job, limit }));
  await sandbox.admin("/config", { rateLimit: { calls: limit.calls, windowMs: limit.windowSeconds * 1000 } });
  await sandbox.admin("/calls/clear", {});
  const run = await runProcess(["run", prepared.jobFile], true);
  const counters = await sandbox.admin("/counters");
  const boundMs = (counters.total / limit.calls) * limit.windowSeconds * 1000;
  return {
    ...run,
    calls: counters.total as number,
    byEndpoint: counters.byEndpoint as Record<string, number>,
    // The sandbox's own fixed windows of this run's limit: where the run left budget unused.
    perWindow: (counters.windows as Array<{ start: number; calls: number; windowMs: number }>)
      .filter((w) => w.windowMs === limit.windowSeconds * 1000)
      .sort((x, y) => x.start - y.start)
      .map((w) => w.calls),
    http429: counters.http429 as number,
    ratioToBound: run.runMs / boundMs,
  };
};

const line = (label: string, r: any, extra = "") =>
  console.log(
    `${label.padEnd(28)} ${r.status}, ${r.learners} learners, ${r.failed} failed, ${r.changes} changes | ${r.calls} calls ` +
      `(${round(r.calls / Math.max(1, r.learners))} per learner), ${r.http429} × 429 | ${round(r.runMs / 1000, 1)} s = ` +
      `${round(r.ratioToBound)} × bound | CPU ${round(r.cpuMs / Math.max(1, r.learners), 1)} ms per learner | peak RSS ${r.peakRssMb} MB${extra}`,
  );

/** A workload's run against its floor; W4 (a second run with nothing changed) on the same sandbox and database. */
const againstFloor = async (workload: Workload, limit: Job["limit"], options: { secondRun?: boolean } = {}) => {
  const sandbox = await startSandbox(workload.data.onefile);
  try {
    const prepared = await prepare(workload, sandbox, "ours", limit);
    const before = await sandbox.admin("/state");
    const run = await exchange(sandbox, prepared, limit);
    const after = await sandbox.admin("/state");
    const reads = readFloor(before, workload.data.pics, today);
    const floor = reads.reads + writeFloor(before, after);
    const result = { ...run, floor, callsToFloor: run.calls / floor };
    line(
      `${workload.name} ${workload.title}`.slice(0, 28),
      run,
      ` | floor ${floor} (${describe(reads)}), calls ÷ floor ${round(result.callsToFloor, 3)}`,
    );
    console.log(`  calls by endpoint: ${byEndpoint(run.byEndpoint)}`);
    if (limit === idleLimit)
      console.log(`  calls per ${limit.windowSeconds} s window (OneFile's count): ${run.perWindow.join(", ")}`);
    if (!options.secondRun) return { first: result };
    const again = await exchange(sandbox, prepared, openLimit);
    const final = await sandbox.admin("/state");
    const floor4 = readFloor(after, workload.data.pics, today).reads + writeFloor(after, final);
    const second = { ...again, floor: floor4, callsToFloor: again.calls / floor4 };
    line("W4 second run, no changes", again, ` | floor ${floor4}, calls ÷ floor ${round(second.callsToFloor, 3)}`);
    return { first: result, second };
  } finally {
    sandbox.stop();
  }
};

const byEndpoint = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort((x, y) => y[1] - x[1])
    .map(([endpoint, n]) => `${endpoint} ${n}`)
    .join(", ");

const describe = (f: ReturnType<typeof readFloor>) =>
  `auth+centres ${f.fixed}, aims ${f.learningAims}, learners ${f.learners}, reviews ${f.reviews}, placements ${f.placements}, assessors ${f.assessors}`;

/** One mode on a fresh copy of a workload. */
const timed = async (workload: Workload, mode: Job["mode"], limit: Job["limit"]) => {
  const sandbox = await startSandbox(workload.data.onefile);
  try {
    const prepared = await prepare(workload, sandbox, mode, limit);
    const run = await exchange(sandbox, prepared, limit);
    line(`${workload.name} ${mode}`, run);
    return run;
  } finally {
    sandbox.stop();
  }
};

console.log(
  `${quick ? "Quick" : "Full"} benchmark, ${today}. Limits: ${idleLimit.calls}/${idleLimit.windowSeconds} s (CPU idle), ` +
    `${speedLimit.calls}/${speedLimit.windowSeconds} s (speedups), ${openLimit.calls}/${openLimit.windowSeconds} s (calls and memory only).`,
);
/** `BENCH_ONLY=w1,w2,w3,speed,memory` runs some parts only (w1 includes W4); their JSON keys are then null. */
const parts = new Set((process.env.BENCH_ONLY ?? "w1,w2,w3,speed,memory").split(",").map((p) => p.trim()));
const w1 = freshCentres("W1", size.w1, 1);
const w1Both = parts.has("w1") ? await againstFloor(w1, idleLimit, { secondRun: true }) : undefined;
const [w1Run, w4Run] = [w1Both?.first, w1Both?.second];
const w2Run = parts.has("w2") ? (await againstFloor(centreWithHistory(size.w2), openLimit)).first : undefined;
const w3Run = parts.has("w3") ? (await againstFloor(freshCentres("W3", size.w3, 2), openLimit)).first : undefined;

const speed = parts.has("speed") || parts.has("memory");
const ours = speed ? await timed(w1, "ours", speedLimit) : undefined;
const perLearner = parts.has("speed") ? await timed(w1, "per_learner", speedLimit) : undefined;
const recordAtATime = parts.has("speed") ? await timed(w1, "record_at_a_time", speedLimit) : undefined;

// Memory: W1's own run (as many learners as the smaller size) and ten times as many.
const large = parts.has("memory")
  ? await timed(freshCentres(`M${size.memory[1]}`, size.memory[1], 1), "ours", openLimit)
  : undefined;

const ratio = (a: any, b: any, digits = 2) => (a && b ? round(a / b, digits) : null);
if (ours && perLearner && recordAtATime)
  console.log(
    `speedup at ${speedLimit.calls}/${speedLimit.windowSeconds} s: ${ratio(recordAtATime.runMs, ours.runMs)} × record_at_a_time ` +
      `(${recordAtATime.calls} calls), ${ratio(perLearner.runMs, ours.runMs)} × per_learner (${perLearner.calls} calls), ours ${ours.calls} calls`,
  );
if (ours && large)
  console.log(`exchange peak RSS ${ours.peakRssMb} MB at ${size.memory[0]} learners, ${large.peakRssMb} MB at ${size.memory[1]}`);
console.log(
  JSON.stringify({
    w1_calls_to_floor: w1Run ? round(w1Run.callsToFloor, 3) : null,
    w2_calls_to_floor: w2Run ? round(w2Run.callsToFloor, 3) : null,
    w3_calls_to_floor: w3Run ? round(w3Run.callsToFloor, 3) : null,
    w4_calls_to_floor: w4Run ? round(w4Run.callsToFloor, 3) : null,
    ratio_to_bound: w1Run ? round(w1Run.ratioToBound) : null,
    cpu_ms_per_learner: w1Run ? round(w1Run.cpuMs / w1Run.learners, 1) : null,
    exchange_rss_mb_2k: ours?.peakRssMb ?? null,
    exchange_rss_mb_20k: large?.peakRssMb ?? null,
    speedup_vs_record_at_a_time: ratio(recordAtATime?.runMs, ours?.runMs),
    speedup_vs_per_learner: ratio(perLearner?.runMs, ours?.runMs),
    http_429: [w1Run, w2Run, w3Run, w4Run, ours, large].reduce((n, r) => n + (r?.http429 ?? 0), 0),
    quick,
    parts: [...parts].join(","),
  }),
);
