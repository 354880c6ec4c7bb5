/**
 * The scheduler as a real process against the real sandbox and a libSQL file shared with this
 * test process: run-once exit codes, and a daily run killed with SIGKILL that is finished by the
 * next scheduler without duplicating anything in OneFile.
 */
import { IntegrationLayer } from "@pics/product";
import { generateDemoData, startSandbox, type RunningSandbox } from "@pics/onefile-sandbox";
import { PicsRecords, RunLog, SettingsStore } from "@pics/pics-store";
import { Effect, ManagedRuntime } from "effect";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const main = join(root, "apps/scheduler/src/main.ts");
const SECRET = "scheduler-test-secret-key";

let sandbox: RunningSandbox | undefined;
const children: Array<ChildProcess> = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  await sandbox?.close();
  sandbox = undefined;
});

const prepare = async (learners: number, settings: Record<string, unknown> = {}) => {
  const data = generateDemoData({ learners, seed: 11, reviewsPerLearner: 3, differingShare: 0.5 });
  sandbox = await startSandbox({ port: 0, state: data.onefile });
  const databaseUrl = `file:${join(mkdtempSync(join(tmpdir(), "scheduler-")), "pics.db")}`;
  const runtime = ManagedRuntime.make(
    IntegrationLayer({ store: { url: databaseUrl, secretKey: SECRET, allowCustomOneFileUrl: true } }),
  );
  await runtime.runPromise(
    Effect.gen(function* () {
      yield* (yield* SettingsStore).update({
        integrationEnabled: true,
        environment: "custom",
        baseUrl: sandbox!.baseUrl,
        customerToken: data.customerToken,
        uploadReviews: true,
        downloadReviews: true,
        learnerDemographicsMode: "PushToOneFile",
        // Every minute is a slot, so a scheduler started at any time of day has a run due at once.
        dailySync: { cron: "* * * * *", timeZone: "UTC" },
        ...settings,
      });
      yield* (yield* PicsRecords).importDocument(data.pics);
    }),
  );
  await runtime.dispose();
  return { data, databaseUrl };
};

const spawnScheduler = (databaseUrl: string, args: Array<string>, env: Record<string, string> = {}) => {
  // node --import tsx, not the tsx CLI: a signal must reach the scheduler itself, not a wrapper.
  const child = spawn(process.execPath, ["--import", "tsx", main, ...args], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      SECRET_KEY: SECRET,
      ALLOW_CUSTOM_ONEFILE_URL: "true",
      LEASE_TTL_MS: "1500",
      SCHEDULER_TICK_MS: "200",
      ...env,
    },
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
};

const readRuns = async (databaseUrl: string) => {
  const runtime = ManagedRuntime.make(
    IntegrationLayer({ store: { url: databaseUrl, secretKey: SECRET, allowCustomOneFileUrl: true } }),
  );
  try {
    return await runtime.runPromise(Effect.flatMap(RunLog, (log) => log.list()));
  } finally {
    await runtime.dispose();
  }
};

const admin = async (path: string, body?: unknown) => {
  const response = await fetch(`${sandbox!.adminUrl}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return response.json() as Promise<any>;
};

describe("run-once", () => {
  it("exits 0 when every learner synced, 2 when some failed (naming them), 1 when it could not run", async () => {
    const { data, databaseUrl } = await prepare(6);
    const ok = spawnScheduler(databaseUrl, ["run-once"]);
    expect(await ok.exited).toBe(0);
    expect(ok.output()).toMatch(/progress \d+\/\d+ failed 0/);
    expect(ok.output()).toMatch(/run run_\S+ succeeded/);

    const victim = data.pics.learners.find((l: any) => l.onefileId !== null && l.id !== undefined)!;
    await admin("/faults", { learnerId: victim.onefileId, action: "status", status: 500 });
    const partial = spawnScheduler(databaseUrl, ["run-once", "--dry-run"]);
    expect(await partial.exited).toBe(2);
    expect(partial.output()).toContain(`${victim.id}: `);
    expect(partial.output()).toContain("partially_succeeded");

    await fetch(`${sandbox!.adminUrl}/faults`, { method: "DELETE" });
    await admin("/faults", { endpoint: "POST Authentication", action: "status", status: 401 });
    const failed = spawnScheduler(databaseUrl, ["run-once"]);
    expect(await failed.exited).toBe(1);
    expect(failed.output()).toContain("failed");
  });
});

describe("on Deno", () => {
  it("run-once runs under Deno against the same database and exits 0", async () => {
    const deno = join(root, "node_modules/.bin/deno");
    const { databaseUrl } = await prepare(4);
    const child = spawn(deno, ["run", "--allow-all", main, "run-once"], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl, SECRET_KEY: SECRET, ALLOW_CUSTOM_ONEFILE_URL: "true" },
    });
    children.push(child);
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(output).toMatch(/run run_\S+ succeeded/);
    expect(code).toBe(0);
    const runs = await readRuns(databaseUrl);
    expect(runs.items[0]).toMatchObject({ kind: "full", trigger: "cli", status: "succeeded" });
  });
});

describe("the daily scheduler", () => {
  it("a run killed with SIGKILL is finished by the next scheduler, with no duplicate in OneFile", async () => {
    const { databaseUrl } = await prepare(24);
    // Slow OneFile down so the run is still going when it is killed (progress is written at most
    // once a second, so the run must last several seconds for a partial count to be seen).
    await admin("/config", { latencyMs: 250 });
    const first = spawnScheduler(databaseUrl, [], {});
    // Every minute is a slot (see prepare), so the scheduler starts a daily run at once.
    await new Promise((r) => setTimeout(r, 200));
    const deadline = Date.now() + 30_000;
    let killed: { id: string; done: number; total: number } | undefined;
    while (Date.now() < deadline && killed === undefined) {
      const runs = await readRuns(databaseUrl);
      const running = runs.items.find((r) => r.kind === "daily" && r.status === "running");
      if (running && running.progress.done > 2) {
        first.child.kill("SIGKILL");
        killed = { id: running.id, ...running.progress };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(killed).toBeDefined();
    expect(killed!.done).toBeLessThan(killed!.total);
    await first.exited;
    const killedAt = new Date().toISOString();
    await admin("/config", { latencyMs: 0 });

    const second = spawnScheduler(databaseUrl, []);
    const finished = Date.now() + 60_000;
    const finishedAfterKill = (items: ReadonlyArray<{ kind: string; status: string; startedAt: string }>) =>
      items.some((r) => r.kind === "daily" && r.status === "succeeded" && r.startedAt > killedAt);
    let runs = await readRuns(databaseUrl);
    while (Date.now() < finished && !finishedAfterKill(runs.items)) {
      await new Promise((r) => setTimeout(r, 250));
      runs = await readRuns(databaseUrl);
    }
    expect(finishedAfterKill(runs.items)).toBe(true);
    expect(runs.items.find((r) => r.id === killed!.id)).toMatchObject({
      status: "failed",
      message: expect.stringMatching(/^interrupted/),
    });
    // A graceful stop: SIGTERM once it is up.
    while (!second.output().includes("scheduler_started")) await new Promise((r) => setTimeout(r, 50));
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);

    // Nothing created twice: one OneFile review per (learner, time), one user per MIS reference.
    const state = await admin("/state");
    const customer = state.customers[0];
    const reviewKeys = customer.Reviews.map((r: any) => `${r.LearnerID}@${r.ScheduledFor}`);
    expect(new Set(reviewKeys).size).toBe(reviewKeys.length);
    const misIds = customer.Users.filter((u: any) => u.MISID).map((u: any) => `${u.Role}:${u.MISID}`);
    expect(new Set(misIds).size).toBe(misIds.length);
  }, 150_000);
});
