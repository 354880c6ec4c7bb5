/**
 * JRN-4: the scheduler checks its configuration when it starts, as a real process: a bad rule list
 * or a database it cannot open prints the reason and exits non-zero, instead of idling silently
 * and never running at 2 a.m.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const main = join(root, "apps/scheduler/src/main.ts");

const startScheduler = (env: Record<string, string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", main], {
      cwd: root,
      env: { ...process.env, SECRET_KEY: "scheduler-startup-secret", SCHEDULER_TICK_MS: "1000", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    // A scheduler that starts stays up: still running after a minute means it did not refuse.
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });

const tempDir = () => mkdtempSync(join(tmpdir(), "scheduler-startup-"));

describe("JRN-4: the scheduler refuses a bad configuration at start-up", () => {
  it("an unknown rule package in ONEFILE_SYNC_RULES: names it and exits 1", async () => {
    const result = await startScheduler({
      DATABASE_URL: `file:${join(tempDir(), "pics.db")}`,
      ONEFILE_SYNC_RULES: "learner,bogus",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unknown rule package "bogus"');
    expect(result.stdout).toContain('"event":"scheduler_failed"');
  }, 90_000);

  it("a rule package whose dependency is disabled: says which, and exits 1", async () => {
    const result = await startScheduler({ DATABASE_URL: `file:${join(tempDir(), "pics.db")}`, ONEFILE_SYNC_RULES: "review" });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/rules-review needs rules-\w+, which is disabled/);
  }, 90_000);

  it("a DATABASE_URL it cannot open: names the database and exits 1", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "a-file"), "not a folder");
    const result = await startScheduler({ DATABASE_URL: `file:${join(dir, "a-file", "pics.db")}` });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`database open file:${join(dir, "a-file", "pics.db")} failed`);
  }, 90_000);
});
