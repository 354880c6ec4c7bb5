/**
 * End to end with real processes (issue 5, "Show it with real processes"): the server (Node, then
 * Deno) and the scheduler (daemon and run-once) as separate OS processes on ONE libSQL file, the
 * OneFile sandbox in this test process. Everything goes over HTTP with the bearer token, the way
 * an operator drives the product; the sandbox's admin API only plants faults and reads OneFile.
 *
 * SYNC-5 across processes: a refresh over HTTP while the scheduler process works on the same
 * learner is refused with 409 run_in_progress and changes nothing. Every process is spawned as
 * `node --import tsx …` (or the deno binary) so the pid we signal is the program itself, and
 * whatever is still running at the end of a test is killed by pid.
 */
import { startSandbox, type RunningSandbox } from "@pics/onefile-sandbox";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { baseSeed, CENTRE, picsDocument, TOKEN as CUSTOMER_TOKEN } from "../../../packages/product/test/world.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const denoBin = join(root, "node_modules/.bin/deno");
const API_TOKEN = "e2e-api-token-0123456789abcdef0123456789";
const SECRET_KEY = "e2e-secret-key-0123456789abcdef";

// ------------------------------------------------------------------------------------ processes

interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  /** stdout lines, parsed as JSON where they are JSON. */
  readonly lines: Array<any>;
  /** stdout and stderr as text. */
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** Every process this file started; whatever still runs at the end of a test is killed by pid. */
const started: Array<Proc> = [];
let sandbox: RunningSandbox | undefined;

afterEach(async () => {
  for (const proc of started.splice(0)) {
    if (proc.child.exitCode === null && proc.child.signalCode === null && proc.child.pid !== undefined) {
      process.kill(proc.child.pid, "SIGKILL");
      await proc.exited;
    }
  }
  await sandbox?.close();
  sandbox = undefined;
});

const spawnProc = (name: string, command: string, args: Array<string>, env: Record<string, string>): Proc => {
  const child = spawn(command, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir(), ALLOW_CUSTOM_ONEFILE_URL: "true", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Array<any> = [];
  let text = "";
  let partial = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    text += chunk;
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      try {
        lines.push(JSON.parse(line));
      } catch {
        lines.push({ raw: line });
      }
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const proc = { name, child, lines, output: () => text, exited };
  started.push(proc);
  return proc;
};

/** Stops a process by pid with SIGTERM and answers its exit code. */
const stop = async (proc: Proc) => {
  if (proc.child.exitCode === null && proc.child.signalCode === null) process.kill(proc.child.pid!, "SIGTERM");
  return proc.exited;
};

const waitFor = async <A>(
  what: string,
  probe: () => A | undefined | Promise<A | undefined>,
  timeoutMs = 45_000,
  procs: Array<Proc> = [],
) => {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const value = await probe();
    if (value !== undefined) return value;
    for (const proc of procs) {
      if (proc.child.exitCode !== null)
        throw new Error(`${proc.name} exited ${proc.child.exitCode} while waiting for ${what}:\n${proc.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}\n${procs.map((p) => `--- ${p.name}\n${p.output()}`).join("\n")}`);
};

type Runtime = "node" | "deno";

const serverEnv = (databaseUrl: string, env: Record<string, string>) => ({
  API_TOKEN,
  SECRET_KEY,
  DATABASE_URL: databaseUrl,
  HOST: "127.0.0.1",
  PORT: "0",
  ...env,
});

/** The server as a process; resolves once it printed its `listening` line, with its base URL. */
const startServerProcess = async (runtime: Runtime, databaseUrl: string, env: Record<string, string> = {}) => {
  const proc =
    runtime === "node"
      ? // node --import tsx (not the tsx CLI): the pid we signal is the server itself.
        spawnProc(
          "server (node)",
          process.execPath,
          ["--import", "tsx", "apps/server/src/main.node.ts"],
          serverEnv(databaseUrl, env),
        )
      : spawnProc(
          "server (deno)",
          denoBin,
          ["run", "--quiet", "--allow-all", "apps/server/src/main.deno.ts"],
          serverEnv(databaseUrl, env),
        );
  const port = await waitFor(
    "the listening line",
    () => proc.lines.find((l) => l.msg === "listening")?.port as number | undefined,
    60_000,
    [proc],
  );
  return { proc, url: `http://127.0.0.1:${port}` };
};

/** The scheduler as a process: `node --import tsx apps/scheduler/src/main.ts [run-once …]`. */
const startScheduler = (databaseUrl: string, args: Array<string>, env: Record<string, string> = {}) =>
  spawnProc(
    `scheduler ${args.join(" ") || "daemon"}`,
    process.execPath,
    ["--import", "tsx", "apps/scheduler/src/main.ts", ...args],
    {
      DATABASE_URL: databaseUrl,
      SECRET_KEY,
      // An hour between ticks: the daemon looks once at start-up, then stays idle for the test.
      SCHEDULER_TICK_MS: "3600000",
      ...env,
    },
  );

/** The run id a run-once prints (`run run_… started`). */
const runIdOf = (proc: Proc) => /run (run_\S+)(?: \(dry run\))? started/.exec(proc.output())?.[1];

// ------------------------------------------------------------------------------------ HTTP

interface Answer {
  readonly status: number;
  readonly json: any;
  readonly text: string;
}

/**
 * One request on a fresh connection (no keep-alive), so a server busy with a run cannot leave us
 * on a socket it dropped.
 */
const call = (base: string, method: string, path: string, body?: unknown, token: string | null = API_TOKEN): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      `${base}${path}`,
      {
        method,
        agent: false,
        headers: {
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          ...(payload === undefined
            ? {}
            : { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) }),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => {
          let json: any;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, json, text });
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });

const admin = async (path: string, body?: unknown) => {
  const response = await fetch(`${sandbox!.adminUrl}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return text ? JSON.parse(text) : null;
};

// ------------------------------------------------------------------------------------ data

const freshDatabase = (prefix: string) => `file:${join(mkdtempSync(join(tmpdir(), prefix)), "pics.db")}`;

/** Two enrollable learners: world.ts's L1 (new main officer and employer for OneFile) and L5. */
const document = () => {
  const doc = picsDocument();
  doc.learners.push({
    id: "L5",
    firstName: "Fay",
    surname: "Fifth",
    email: "fay@learner.test",
    uln: "2222222222",
    birthDate: "2005-01-02",
    startDate: "2026-09-01",
    plannedEndDate: "2028-08-31",
    mainOfficerId: "O1",
    officers: [],
    placements: [{ id: "P1", organisationId: "G1", type: "P", startDate: "2026-09-01" }],
    qualifications: [
      {
        id: "Q1",
        vqReference: "ST0795",
        assessorId: "O1",
        startDate: "2026-09-01",
        plannedEndDate: "2028-08-31",
        registrationNumber: "REG-5",
      },
    ],
    reviews: [],
  } as (typeof doc.learners)[number]);
  return doc;
};

/** A daily slot six hours ahead (UTC): never due (nor within the catch-up window) while the test runs. */
const idleDailySync = () => {
  const at = new Date(Date.now() + 6 * 60 * 60 * 1000);
  return { cron: `${at.getUTCMinutes()} ${at.getUTCHours()} * * *`, timeZone: "UTC" };
};

/**
 * A daily slot that fell a minute ago in Asia/Kolkata (UTC+05:30, no DST). Read in the wrong zone
 * (UTC, the machine's) the same cron would be 5½ hours ahead and its previous slot 18½ hours
 * old, beyond the 12-hour catch-up: the daemon only runs it if it honours the time zone.
 */
const dueDailySync = () => {
  const timeZone = "Asia/Kolkata";
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(Date.now() - 60_000));
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { cron: `${part("minute")} ${part("hour")} * * *`, timeZone };
};

/** PUT settings, import, preview and enrol the given learners — all over HTTP. */
const setUp = async (base: string, learners: ReadonlyArray<string>, dailySync = idleDailySync()) => {
  const settings = await call(base, "PUT", "/api/v1/settings", {
    integrationEnabled: true,
    environment: "custom",
    baseUrl: sandbox!.baseUrl,
    customerToken: CUSTOMER_TOKEN,
    uploadReviews: true,
    downloadReviews: true,
    additionalAssessorTypes: ["Mentor"],
    dailySync,
  });
  expect(settings.status, settings.text).toBe(200);
  expect(settings.json).toMatchObject({
    integrationEnabled: true,
    environment: "custom",
    customerTokenSet: true,
    uploadReviews: true,
  });
  expect(settings.text).not.toContain(CUSTOMER_TOKEN);

  const imported = await call(base, "POST", "/api/v1/import", document());
  expect(imported.status, imported.text).toBe(200);

  const enrolled: Record<string, number> = {};
  for (const id of learners) {
    const preview = await call(base, "GET", `/api/v1/learners/${id}/onefile/enrolment-preview?centreId=${CENTRE}`);
    expect(preview.status, preview.text).toBe(200);
    expect(preview.json).toMatchObject({ learnerId: id, centreId: CENTRE });
    // The preview wrote nothing to OneFile.
    expect(((await admin("/state")).customers[0].Users as Array<any>).some((u) => u.MISID === id)).toBe(false);

    const enrol = await call(base, "POST", `/api/v1/learners/${id}/onefile/enrol`, { centreId: CENTRE, classroomId: 110 });
    expect(enrol.status, enrol.text).toBe(201);
    expect(enrol.json).toMatchObject({ learnerId: id, dryRun: false, onefileLearnerId: expect.any(Number) });
    enrolled[id] = enrol.json.onefileLearnerId;
  }
  return enrolled;
};

/** The OneFile learning aim of a learner's first qualification, from PICS over HTTP. */
const learningAimOf = async (base: string, learnerId: string) => {
  const learner = await call(base, "GET", `/api/v1/learners/${learnerId}`);
  expect(learner.status).toBe(200);
  const aim = learner.json.qualifications.find((q: any) => q.onefileLearningAimId !== null)?.onefileLearningAimId;
  expect(aim).toEqual(expect.any(Number));
  return aim as number;
};

const pollRun = (base: string, runId: string, procs: Array<Proc>) =>
  waitFor(
    `run ${runId} to end`,
    async () => {
      const run = await call(base, "GET", `/api/v1/sync/runs/${runId}`);
      expect(run.status).toBe(200);
      return run.json.status === "running" ? undefined : run.json;
    },
    45_000,
    procs,
  );

// ------------------------------------------------------------------------------------ scenario

/**
 * The whole product over HTTP with a server process on a fresh database: settings, import,
 * preview, enrol, refresh; a scheduler daemon on the same file runs the daily run at the slot of
 * the settings; a full run over HTTP; then a run-once scheduler process on the same file. At most
 * three processes at a time (server, daemon, run-once).
 */
const scenario = async (runtime: Runtime) => {
  sandbox = await startSandbox({ port: 0, state: baseSeed() });
  const databaseUrl = freshDatabase(`e2e-${runtime}-`);
  const server = await startServerProcess(runtime, databaseUrl);
  const base = server.url;

  expect((await call(base, "GET", "/health", undefined, null)).json).toEqual({ status: "ok" });
  expect((await call(base, "GET", "/api/v1/status", undefined, null)).status).toBe(401);

  const dailySync = dueDailySync();
  const enrolled = await setUp(base, ["L1", "L5"], dailySync);

  // A difference planted in OneFile: the refresh copies it to PICS (PRG-1).
  const aim = await learningAimOf(base, "L1");
  await admin(`/learning-aims/${aim}/elements`, { total: 12, done: 5 });
  const refresh = await call(base, "POST", "/api/v1/learners/L1/onefile/refresh");
  expect(refresh.status, refresh.text).toBe(200);
  expect(refresh.json.run).toMatchObject({ kind: "refresh", learnerId: "L1", dryRun: false, status: "succeeded" });
  expect(refresh.json.changes).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ entity: "qualification", field: "totalElements", after: 12, direction: "toPics" }),
    ]),
  );
  const q1 = (await call(base, "GET", "/api/v1/learners/L1")).json.qualifications.find((q: any) => q.id === "Q1");
  expect(q1).toMatchObject({ totalElements: 12, elementsDone: 5 });
  // STAT-1: the status shows the settings put above; enrolments and a refresh are not a sync (SYNC-4).
  expect((await call(base, "GET", "/api/v1/status")).json).toEqual({
    integrationEnabled: true,
    customerTokenSet: true,
    environment: "custom",
    learnerDemographicsMode: "Ignore",
    officerDemographicsMode: "Ignore",
    organisationDemographicsMode: "Ignore",
    pushMainOfficerChanges: false,
    pushEmployerChanges: false,
    uploadReviews: true,
    downloadReviews: true,
    additionalAssessorTypes: ["Mentor"],
    multipleCentres: false,
    enabledRules: ["officer", "organisation", "learner", "review"],
    lastSynchronisedAt: null,
    currentRun: null,
  });

  // The daemon on the same file: its one tick at start-up finds the slot of SET-15 due and runs
  // the daily run (SYNC-1) over both enrolled learners; then it idles (next tick in an hour).
  const daemon = startScheduler(databaseUrl, []);
  await waitFor("the daemon's daily run", () => daemon.lines.find((l) => l.event === "daily_run_finished"), 45_000, [
    daemon,
    server.proc,
  ]);
  expect(daemon.lines.find((l) => l.event === "daily_run_starting")).toMatchObject({
    cron: dailySync.cron,
    timeZone: "Asia/Kolkata",
  });
  const daily = ((await call(base, "GET", "/api/v1/sync/runs?limit=50")).json.items as Array<any>).filter(
    (r) => r.kind === "daily",
  );
  expect(daily).toEqual([
    expect.objectContaining({ trigger: "scheduler", status: "succeeded", progress: { total: 2, done: 2, failed: 0 } }),
  ]);
  expect((await call(base, "GET", "/api/v1/status")).json.lastSynchronisedAt).toBe(daily[0].endedAt);

  // A full run started over HTTP, polled to its end.
  const full = await call(base, "POST", "/api/v1/sync/runs", {});
  expect(full.status, full.text).toBe(202);
  const fullRun = await pollRun(base, full.json.runId, [server.proc, daemon]);
  expect(fullRun).toMatchObject({ kind: "full", status: "succeeded", progress: { total: 2, done: 2, failed: 0 }, errors: [] });
  expect((await call(base, "GET", "/api/v1/status")).json.lastSynchronisedAt).toBe(fullRun.endedAt);

  // run-once: a third process on the same file sees the learners enrolled through the server…
  const once = startScheduler(databaseUrl, ["run-once"]);
  expect(await once.exited, once.output()).toBe(0);
  expect(once.output()).toContain("progress 2/2 failed 0");
  const onceId = runIdOf(once);
  expect(onceId).toEqual(expect.any(String));
  expect(once.output()).toContain(`run ${onceId} succeeded`);
  // …and the server sees its run.
  const runs = await call(base, "GET", "/api/v1/sync/runs?limit=50");
  expect(runs.status).toBe(200);
  expect(runs.json.items).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ id: onceId, kind: "full", trigger: "cli", status: "succeeded" }),
      expect.objectContaining({ id: full.json.runId, kind: "full", trigger: "http", status: "succeeded" }),
    ]),
  );
  // Last synchronised is the end of the latest full run, here the scheduler process's.
  const onceRun = runs.json.items.find((r: any) => r.id === onceId);
  expect(onceRun.endedAt >= fullRun.endedAt).toBe(true);
  const status = await call(base, "GET", "/api/v1/status");
  expect(status.json).toMatchObject({
    integrationEnabled: true,
    customerTokenSet: true,
    currentRun: null,
    lastSynchronisedAt: onceRun.endedAt,
  });

  // SET-14: the status shows the effective value (auto with one centre is off; on is on).
  expect((await call(base, "PUT", "/api/v1/settings", { multipleCentres: "on" })).status).toBe(200);
  expect((await call(base, "GET", "/api/v1/status")).json.multipleCentres).toBe(true);
  expect((await call(base, "PUT", "/api/v1/settings", { multipleCentres: "auto" })).status).toBe(200);
  expect((await call(base, "GET", "/api/v1/status")).json.multipleCentres).toBe(false);

  // OneFile holds exactly one learner per enrolled PICS learner, with the id PICS stored.
  const onefileLearners = ((await admin("/state")).customers[0].Users as Array<any>).filter((u) => u.Role === 1);
  expect(onefileLearners).toHaveLength(Object.keys(enrolled).length);
  for (const [id, onefileId] of Object.entries(enrolled)) {
    expect(onefileLearners.filter((u) => u.MISID === id).map((u) => u.ID)).toEqual([onefileId]);
    expect((await call(base, "GET", `/api/v1/learners/${id}`)).json.onefileId).toBe(onefileId);
  }

  // Both long-running processes stop cleanly; the customer token was never printed (SET-2).
  expect(await stop(daemon), daemon.output()).toBe(0);
  expect(await stop(server.proc), server.proc.output()).toBe(0);
  for (const proc of [server.proc, daemon, once]) expect(proc.output()).not.toContain(CUSTOMER_TOKEN);
};

describe("real processes on one database (issue 5)", () => {
  it("Node: the server, the scheduler daemon and run-once share one database; settings, import, preview, enrol, refresh, the daily run and full runs over HTTP", async () => {
    await scenario("node");
  }, 120_000);

  it("Deno: the same scenario with the server under Deno", async (ctx) => {
    if (!existsSync(denoBin)) return ctx.skip(); // deno is not installed
    await scenario("deno");
  }, 120_000);

  it("SYNC-5 across processes: a refresh while the scheduler process syncs the learner is refused with 409 and changes nothing", async () => {
    // A second centre (with no Standard of its own): `auto` makes this customer multiple-centre.
    const seed = baseSeed() as any;
    seed.customers[0].Organisations.push({ ID: 200, Name: "North Centre" });
    sandbox = await startSandbox({ port: 0, state: seed });
    const databaseUrl = freshDatabase("e2e-sync5-");
    // This deployment runs without rules-review (JRN-4), the server and the scheduler alike.
    const deployment = { ONEFILE_SYNC_RULES: "officer,organisation,learner" };
    const server = await startServerProcess("node", databaseUrl, deployment);
    const base = server.url;
    const { L1: onefileId } = await setUp(base, ["L1"]);
    // The status lists the enabled rule packages (JRN-4) and the effective multiple-centres value
    // from OneFile's centre count (SET-14).
    expect((await call(base, "GET", "/api/v1/status")).json).toMatchObject({
      enabledRules: ["officer", "organisation", "learner"],
      multipleCentres: true,
      currentRun: null,
    });

    // Work for the scheduler's run: the learning aim moved on in OneFile.
    const aim = await learningAimOf(base, "L1");
    await admin(`/learning-aims/${aim}/elements`, { total: 20, done: 7 });
    // The run's read of this learner's learning aims hangs until released: the scheduler process
    // is then inside the learner's exchange, holding the learner for as long as we like.
    await admin("/calls/clear", {});
    await admin("/faults", { learnerId: onefileId, endpoint: "POST LearningAim/Search", action: "hang", times: 1 });

    const once = startScheduler(databaseUrl, ["run-once", "--learner", "L1"], deployment);
    await waitFor(
      "the scheduler's hung read",
      async () =>
        ((await admin("/calls")) as Array<any>).find((c) => c.fault === "hang" && c.endpoint === "POST LearningAim/Search"),
      45_000,
      [once, server.proc],
    );
    const runId = await waitFor("the run-once run id", () => runIdOf(once), 10_000, [once]);

    const refused = await call(base, "POST", "/api/v1/learners/L1/onefile/refresh");
    expect(refused.status, refused.text).toBe(409);
    expect(refused.json).toMatchObject({
      error: "run_in_progress",
      message: expect.stringMatching(/learner "L1" is being synchronised by .+; try again when it has finished/),
    });
    // The server's own view of the run in the other process.
    const inProgress = await call(base, "GET", `/api/v1/sync/runs/${runId}`);
    expect(inProgress.json).toMatchObject({ id: runId, kind: "full", trigger: "cli", status: "running" });

    expect((await admin("/hung/release", {})).released).toBe(1);
    expect(await once.exited, once.output()).toBe(0);
    expect(once.output()).toContain(`run ${runId} succeeded`);

    // The journal: the refused refresh opened no run and changed nothing; the scheduler's run made the change.
    const log = await call(base, "GET", "/api/v1/learners/L1/onefile/log");
    expect(log.status).toBe(200);
    expect(log.json.runs.map((r: any) => r.kind).sort()).toEqual(["enrolment", "full"]);
    const changeRuns = new Set((log.json.changes as Array<any>).map((c) => c.runId));
    const enrolmentRun = log.json.runs.find((r: any) => r.kind === "enrolment").id;
    expect([...changeRuns].every((id) => id === runId || id === enrolmentRun)).toBe(true);
    expect(log.json.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          runId,
          entity: "qualification",
          entityId: "Q1",
          field: "totalElements",
          after: 20,
          direction: "toPics",
        }),
      ]),
    );
    const allRuns = (await call(base, "GET", "/api/v1/sync/runs?limit=50")).json.items as Array<any>;
    expect(allRuns.filter((r) => r.kind === "refresh")).toEqual([]);

    // Once the scheduler process let go of the learner, the refresh goes through.
    const after = await call(base, "POST", "/api/v1/learners/L1/onefile/refresh");
    expect(after.status, after.text).toBe(200);
    expect(after.json.run).toMatchObject({ kind: "refresh", status: "succeeded" });
    // SET-14: `off` is off whatever the centre count.
    expect((await call(base, "PUT", "/api/v1/settings", { multipleCentres: "off" })).status).toBe(200);
    expect((await call(base, "GET", "/api/v1/status")).json.multipleCentres).toBe(false);

    // SET-1: switched off, the scheduler process refuses to sync too, saying why, and calls no OneFile.
    expect((await call(base, "PUT", "/api/v1/settings", { integrationEnabled: false })).status).toBe(200);
    await admin("/calls/clear", {});
    const off = startScheduler(databaseUrl, ["run-once"], deployment);
    expect(await off.exited, off.output()).toBe(1);
    expect(off.output()).toContain("IntegrationDisabled: the OneFile integration is disabled in the settings");
    expect(await admin("/calls")).toEqual([]);

    expect(await stop(server.proc), server.proc.output()).toBe(0);
  }, 120_000);
});
