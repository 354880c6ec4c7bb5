/**
 * The entry points as real processes: `tsx src/main.node.ts` and `deno run src/main.deno.ts`.
 * Each is started with PORT=0 (it prints the bound port), answers /health and an authenticated
 * route, and exits 0 on SIGTERM. Bad configuration stops the start-up with a clear message.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const tsxCli = join(root, "node_modules/tsx/dist/cli.mjs");
// `npx deno` runs this binary; spawning it directly lets SIGTERM reach Deno itself.
const denoBin = join(root, "node_modules/.bin/deno");
const TOKEN = "process-test-token-1234567890abcdef";

interface Running {
  readonly child: ChildProcess;
  readonly lines: Array<any>;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

const start = (command: string, args: Array<string>, env: Record<string, string>): Running => {
  const child = spawn(command, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir(), HOST: "127.0.0.1", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Array<any> = [];
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
    const parts = out.split("\n");
    out = parts.pop() ?? "";
    for (const line of parts) {
      try {
        lines.push(JSON.parse(line));
      } catch {
        lines.push({ raw: line });
      }
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  return { child, lines, stderr: () => err, exited };
};

const listening = async (running: Running, timeoutMs = 60_000): Promise<number> => {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const line = running.lines.find((l) => l.msg === "listening");
    if (line) return line.port as number;
    if (running.child.exitCode !== null) throw new Error(`exited ${running.child.exitCode}: ${running.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  running.child.kill("SIGKILL");
  throw new Error(`no "listening" line within ${timeoutMs} ms: ${running.stderr()}`);
};

/** /health without a token, then an authenticated round trip, then SIGTERM → exit 0. */
const exercise = async (running: Running, dir: string) => {
  try {
    const port = await listening(running);
    const base = `http://127.0.0.1:${port}`;
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: "ok" });
    expect((await fetch(`${base}/api/v1/status`)).status).toBe(401);
    const status = await fetch(`${base}/api/v1/status`, { headers: auth });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({
      integrationEnabled: false,
      enabledRules: ["officer", "organisation", "learner", "review"],
    });
    const created = await fetch(`${base}/api/v1/officers`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ id: "O1", ident: "OFF-1", firstName: "Pat", surname: "Process" }),
    });
    expect(created.status).toBe(201);
    expect((await (await fetch(`${base}/api/v1/officers/O1`, { headers: auth })).json()).surname).toBe("Process");
    expect(running.lines.some((l) => l.msg === "request" && l.path === "/api/v1/officers/O1" && l.status === 200)).toBe(true);
    // The console (CON-7): the same pages on this runtime, signed in as a browser would.
    const signIn = await fetch(`${base}/console/sign-in`);
    expect(signIn.status).toBe(200);
    const formCookie = signIn.headers.getSetCookie()[0]!.split(";")[0]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await signIn.text())![1]!;
    const session = await fetch(`${base}/console/sign-in`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: formCookie, origin: base, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrf, token: TOKEN }).toString(),
    });
    expect(session.status).toBe(303);
    const sessionCookie = session.headers
      .getSetCookie()
      .find((c) => c.startsWith("pics_console="))!
      .split(";")[0]!;
    const summary = await fetch(`${base}/console`, { headers: { cookie: sessionCookie } });
    expect(summary.status).toBe(200);
    expect(await summary.text()).toContain("OneFile Summary");
    expect((await fetch(`${base}/console/assets/htmx-2.0.11.min.js`)).status).toBe(200);
    // No SECRET_KEY: one was generated beside the database file, with a warning.
    expect(existsSync(join(dir, "secret.key"))).toBe(true);
    expect(readFileSync(join(dir, "secret.key"), "utf8").trim().length).toBeGreaterThanOrEqual(16);
    expect(running.stderr()).toContain("SECRET_KEY is not set");
    expect(running.stderr()).not.toContain(TOKEN);
  } finally {
    running.child.kill("SIGTERM");
  }
  expect(await running.exited).toBe(0);
  expect(running.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(["stopping", "stopped"]));
};

const env = (dir: string) => ({ API_TOKEN: TOKEN, DATABASE_URL: `file:${join(dir, "pics.db")}` });

describe("entry points", () => {
  it("Node: tsx src/main.node.ts serves, then stops cleanly on SIGTERM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "server-node-"));
    await exercise(start(process.execPath, [tsxCli, "apps/server/src/main.node.ts"], env(dir)), dir);
  });

  it("Deno: deno run src/main.deno.ts serves, then stops cleanly on SIGTERM", async (ctx) => {
    if (!existsSync(denoBin)) return ctx.skip(); // deno is not installed (npm ci brings it)
    const dir = mkdtempSync(join(tmpdir(), "server-deno-"));
    await exercise(start(denoBin, ["run", "--quiet", "--allow-all", "apps/server/src/main.deno.ts"], env(dir)), dir);
  });

  it("refuses to start without API_TOKEN or with rule packages that do not fit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "server-bad-"));
    const [noToken, badRules] = [
      start(process.execPath, [tsxCli, "apps/server/src/main.node.ts"], {
        DATABASE_URL: `file:${join(dir, "a.db")}`,
        SECRET_KEY: "0123456789abcdef-key",
      }),
      start(process.execPath, [tsxCli, "apps/server/src/main.node.ts"], { ...env(dir), ONEFILE_SYNC_RULES: "learner" }),
    ];
    expect(await noToken.exited).toBe(1);
    expect(noToken.stderr()).toContain("API_TOKEN is required");
    expect(await badRules.exited).toBe(1);
    expect(badRules.stderr()).toMatch(/rules-learner needs rules-officer/);
  });
});
