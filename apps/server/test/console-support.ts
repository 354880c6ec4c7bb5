/**
 * The console without a browser: the real app (real runtime, temp libSQL file, the real sandbox
 * over HTTP) driven with `app.request`, as a browser would — cookies kept, the CSRF token read from
 * the page, the Origin header sent on posts.
 */
import { startSandbox, type RunningSandbox, type SandboxSeed } from "@pics/onefile-sandbox";
import { PicsRecords, SettingsStore } from "@pics/pics-store";
import { Effect } from "effect";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeApp } from "../src/app.ts";
import { makeRuntime } from "../src/runtime.ts";
import { API_TOKEN, CUSTOMER_TOKEN } from "./support.ts";

export const ORIGIN = "http://console.test";

export interface Page {
  readonly status: number;
  readonly headers: Headers;
  readonly html: string;
  readonly location: string | null;
}

export interface ConsoleBrowser {
  readonly get: (path: string, headers?: Record<string, string>) => Promise<Page>;
  /** A form post with the page's CSRF token unless `_csrf` is given. */
  readonly post: (
    path: string,
    fields?: Record<string, string | Array<string>>,
    headers?: Record<string, string>,
  ) => Promise<Page>;
  readonly signIn: (token?: string) => Promise<Page>;
  readonly cookies: Map<string, string>;
  csrf: string | null;
}

export interface ConsoleHarness {
  readonly app: ReturnType<typeof makeApp>;
  readonly sandbox: RunningSandbox | undefined;
  readonly run: <A, E>(effect: Effect.Effect<A, E, any>) => Promise<A>;
  readonly browser: () => ConsoleBrowser;
  readonly close: () => Promise<void>;
}

export const startConsole = async (
  options: { seed?: SandboxSeed; settings?: Record<string, unknown>; pics?: unknown } = {},
): Promise<ConsoleHarness> => {
  const sandbox = options.seed ? await startSandbox({ port: 0, state: options.seed }) : undefined;
  const runtime = makeRuntime({
    store: {
      url: `file:${join(mkdtempSync(join(tmpdir(), "console-test-")), "pics.db")}`,
      secretKey: "console-test-secret-key",
      allowCustomOneFileUrl: true,
    },
    clientTuning: { requestTimeoutMs: 5_000, maxReadRetries: 1, retryBaseDelayMs: 5 },
  });
  const run = <A, E>(effect: Effect.Effect<A, E, any>) => runtime.runPromise(effect as Effect.Effect<A, E, never>);
  await run(
    Effect.gen(function* () {
      const settings = {
        ...(sandbox
          ? { integrationEnabled: true, environment: "custom", baseUrl: sandbox.baseUrl, customerToken: CUSTOMER_TOKEN }
          : {}),
        ...options.settings,
      };
      if (Object.keys(settings).length > 0) yield* (yield* SettingsStore).update(settings);
      if (options.pics !== undefined) yield* (yield* PicsRecords).importDocument(options.pics);
    }),
  );
  const app = makeApp(runtime, { apiToken: API_TOKEN, logger: () => undefined });

  const browser = (): ConsoleBrowser => {
    const cookies = new Map<string, string>();
    const send = async (method: string, path: string, body?: URLSearchParams, extra: Record<string, string> = {}) => {
      const headers: Record<string, string> = { ...extra };
      if (cookies.size > 0) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
      if (body) {
        headers["content-type"] = "application/x-www-form-urlencoded";
        headers.origin ??= ORIGIN;
      }
      const response = await app.request(`${ORIGIN}${path}`, { method, headers, ...(body ? { body: body.toString() } : {}) });
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(";");
        const [name, ...value] = pair!.split("=");
        if (/max-age=0/i.test(line) || value.join("=") === "") cookies.delete(name!.trim());
        else cookies.set(name!.trim(), value.join("="));
      }
      const html = await response.text();
      const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
      if (token) state.csrf = token;
      return { status: response.status, headers: response.headers, html, location: response.headers.get("location") };
    };
    const state: ConsoleBrowser = {
      cookies,
      csrf: null,
      get: (path, headers) => send("GET", path, undefined, headers),
      post: (path, fields = {}, headers) => {
        const body = new URLSearchParams();
        if (!("_csrf" in fields) && state.csrf) body.set("_csrf", state.csrf);
        for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(key, v);
        return send("POST", path, body, headers);
      },
      signIn: async (token = API_TOKEN) => {
        await state.get("/console/sign-in");
        return state.post("/console/sign-in", { token });
      },
    };
    return state;
  };

  return {
    app,
    sandbox,
    run,
    browser,
    close: async () => {
      await runtime.dispose();
      await sandbox?.close();
    },
  };
};

/** The text of an HTML fragment without tags, whitespace collapsed (for "the page says …"). */
export const textOf = (html: string): string =>
  html
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/\s+/g, " ")
    .trim();
