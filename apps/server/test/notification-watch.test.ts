/**
 * NOT-1 from the server alone: with no scheduler running, the server process's own watch
 * (started by main.node.ts) raises daily_run_missed for a slot 7 hours old and notifies a failed
 * run that ended in another process — to a real webhook receiver that verifies each signature.
 */
import { WEBHOOK_SECRET, webhookReceiver } from "@pics/notifications/testing";
import { NotificationLog, RunLog, SettingsStore } from "@pics/pics-store";
import { Effect, Exit, Scope } from "effect";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { makeRuntime } from "../src/runtime.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const SECRET_KEY = "notification-watch-secret-key";

describe("the server's notification watch", () => {
  it("NOT-1: a dead scheduler is noticed by the server process: daily_run_missed raised, and a run that failed elsewhere notified", async () => {
    const scope = await Effect.runPromise(Scope.make());
    const hook = await Effect.runPromise(Scope.extend(webhookReceiver(), scope));
    const databaseUrl = `file:${join(mkdtempSync(join(tmpdir(), "notification-watch-")), "pics.db")}`;
    const slot = new Date(Date.now() - 7 * 60 * 60 * 1000);
    const runtime = makeRuntime({ store: { url: databaseUrl, secretKey: SECRET_KEY } });
    const failedRunId = await runtime.runPromise(
      Effect.gen(function* () {
        yield* (yield* SettingsStore).update({
          integrationEnabled: true,
          dailySync: { cron: `${slot.getUTCMinutes()} ${slot.getUTCHours()} * * *`, timeZone: "UTC" },
          notifications: { webhookUrl: hook.url, webhookSecret: WEBHOOK_SECRET, events: ["run_failed", "daily_run_missed"] },
        });
        // Notifications were watched since before that slot (by a scheduler that then died).
        yield* (yield* NotificationLog).firstTime(
          "daily_run_missed:watched-since",
          new Date(Date.now() - 8 * 3600_000).toISOString(),
        );
        const runs = yield* RunLog;
        const run = yield* runs.start({ kind: "full", trigger: "cli" });
        yield* runs.finish(run.id, "failed", "authentication refused");
        return run.id;
      }),
    );
    await runtime.dispose();

    const child = spawn(process.execPath, ["--import", "tsx", "apps/server/src/main.node.ts"], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? tmpdir(),
        HOST: "127.0.0.1",
        PORT: "0",
        API_TOKEN: "notification-watch-api-token-0123456789",
        DATABASE_URL: databaseUrl,
        SECRET_KEY,
        PUBLIC_URL: "https://pics.provider.example",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
    try {
      const until = Date.now() + 60_000;
      while (hook.received.length < 2 && Date.now() < until && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(hook.received.map((r) => r.verified.ok)).toEqual([true, true]);
      const bodies = hook.received.map((r) => JSON.parse(r.body));
      const missed = bodies.find((b) => b.type === "daily_run_missed");
      const failed = bodies.find((b) => b.type === "run_failed");
      expect(missed).toMatchObject({ run: null, consoleUrl: "https://pics.provider.example/console" });
      expect(Date.parse(missed.slot.at)).toBe(Math.floor(slot.getTime() / 60_000) * 60_000);
      expect(failed).toMatchObject({
        run: { id: failedRunId, kind: "full", status: "failed", message: "authentication refused" },
        consoleUrl: `https://pics.provider.example/console/runs/${failedRunId}`,
      });
      expect(output).not.toContain(WEBHOOK_SECRET);
    } finally {
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      await Effect.runPromise(Scope.close(scope, Exit.void));
    }
    expect(hook.received).toHaveLength(2);
  });
});
