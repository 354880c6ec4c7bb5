/**
 * A real server for tests: the app over HTTP (@hono/node-server on 127.0.0.1, port 0), a temp
 * libSQL file, and — when OneFile is involved — the real sandbox on its own ephemeral port.
 */
import { serve } from "@hono/node-server";
import { startSandbox, type RunningSandbox, type SandboxSeed } from "@pics/onefile-sandbox";
import { PicsRecords, SettingsStore } from "@pics/pics-store";
import { Effect } from "effect";
import { mkdtempSync } from "node:fs";
import { get } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeApp, type AppConfig } from "../src/app.ts";
import type { LogEntry } from "../src/log.ts";
import { makeRuntime } from "../src/runtime.ts";

export const API_TOKEN = "server-test-api-token-0123456789";
export const CUSTOMER_TOKEN = "customer-token-SECRET-7f3a9c";
export const CENTRE = 100;

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: any;
}

export interface TestServer {
  readonly url: string;
  readonly databaseUrl: string;
  readonly sandbox: RunningSandbox | undefined;
  readonly logs: Array<LogEntry>;
  /** Every response body seen, to check that secrets never appear. */
  readonly bodies: Array<string>;
  readonly request: (
    method: string,
    path: string,
    options?: { body?: unknown; raw?: string; token?: string | null; headers?: Record<string, string> },
  ) => Promise<Answer>;
  /** A GET on a fresh connection (no keep-alive): for polling while the server may stall. */
  readonly getFresh: (path: string) => Promise<any>;
  readonly run: <A, E>(effect: Effect.Effect<A, E, any>) => Promise<A>;
  readonly close: () => Promise<void>;
}

export const startServer = async (
  options: {
    seed?: SandboxSeed;
    /** Settings applied directly in the store (the sandbox's base URL and token are added when a seed is given). */
    settings?: Record<string, unknown>;
    pics?: unknown;
    rules?: string;
    app?: Partial<AppConfig>;
    /** How long a write waits for another connection's lock (SEC-3 tests shorten it). */
    busyTimeoutMs?: number;
    /** SEC-1: whether the deployment allows `custom` OneFile URLs (ALLOW_CUSTOM_ONEFILE_URL); tests default to yes. */
    allowCustomOneFileUrl?: boolean;
  } = {},
): Promise<TestServer> => {
  const sandbox = options.seed ? await startSandbox({ port: 0, state: options.seed }) : undefined;
  const databaseUrl = `file:${join(mkdtempSync(join(tmpdir(), "server-test-")), "pics.db")}`;
  const runtime = makeRuntime({
    store: {
      url: databaseUrl,
      secretKey: "server-test-secret-key",
      allowCustomOneFileUrl: options.allowCustomOneFileUrl ?? true,
      ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
    },
    rules: options.rules,
    clientTuning: { requestTimeoutMs: 1_500, maxReadRetries: 1, retryBaseDelayMs: 5 },
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
  const logs: Array<LogEntry> = [];
  const bodies: Array<string> = [];
  const app = makeApp(runtime, { apiToken: API_TOKEN, logger: (entry) => logs.push(entry), ...options.app });
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) =>
      resolve({ server, port: info.port }),
    );
    server.once("error", reject);
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    databaseUrl,
    sandbox,
    logs,
    bodies,
    run,
    getFresh: (path) =>
      new Promise((resolve, reject) => {
        const req = get(`${url}${path}`, { agent: false, headers: { authorization: `Bearer ${API_TOKEN}` } }, (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => resolve(JSON.parse(text)));
        });
        req.on("error", reject);
      }),
    request: async (method, path, opts = {}) => {
      const token = opts.token === undefined ? API_TOKEN : opts.token;
      const headers: Record<string, string> = {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...opts.headers,
      };
      let body: string | undefined = opts.raw;
      if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers["content-type"] ??= "application/json";
      }
      const response = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
      const text = await response.text();
      bodies.push(text);
      let json: any;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, text, json };
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await runtime.dispose();
      await sandbox?.close();
    },
  };
};

/** A small OneFile: one customer with a centre, a classroom, standards, an assessor and a placement. */
export const baseSeed = (extra: { users?: Array<Record<string, unknown>> } = {}): SandboxSeed =>
  ({
    customers: [
      {
        ID: 10,
        Name: "Provider Ltd",
        Token: CUSTOMER_TOKEN,
        Organisations: [{ ID: CENTRE, Name: "Main Centre" }],
        Classrooms: [{ ID: 110, OrganisationID: CENTRE, Name: "Cohort A" }],
        Standards: [{ ID: 120, OrganisationID: CENTRE, Title: "Level 3 Data Technician [ST0795]", Pathways: [] }],
        Users: [
          {
            ID: 130,
            OrganisationID: CENTRE,
            Role: 5,
            FirstName: "Ada",
            LastName: "Assessor",
            Email: "ada@provider.test",
            MISID: "OFF-A",
          },
          ...(extra.users ?? []),
        ],
        Placements: [{ ID: 140, OrganisationID: CENTRE, Name: "Acme Ltd", MISID: "ORG-A" }],
      },
    ],
  }) as SandboxSeed;

/** PICS data: officers, organisations and learners L1 (enrollable), L2 (blocked), L3 (duplicate in OneFile). */
export const picsDocument = () => ({
  officers: [
    { id: "O1", ident: "OFF-A", firstName: "Ada", surname: "Assessor", email: "ada@provider.test" },
    { id: "O2", ident: "OFF-B", firstName: "Bob", surname: "Builder", email: "bob@provider.test" },
  ],
  organisations: [{ id: "G1", ident: "ORG-A", name: "Acme Ltd" }],
  learners: [
    {
      id: "L1",
      firstName: "Lee",
      surname: "Learner",
      email: "lee@learner.test",
      uln: "1234567890",
      startDate: "2026-09-01",
      plannedEndDate: "2028-08-31",
      mainOfficerId: "O1",
      placements: [{ id: "P1", organisationId: "G1", type: "P", startDate: "2026-09-01" }],
      qualifications: [{ id: "Q1", vqReference: "ST0795", assessorId: "O1", startDate: "2026-09-01" }],
    },
    { id: "L2", firstName: "Blocked", surname: "Learner" },
    {
      id: "L3",
      firstName: "Dee",
      surname: "Duplicate",
      email: "dee@learner.test",
      uln: "5555555555",
      mainOfficerId: "O1",
      placements: [{ id: "P1", organisationId: "G1", type: "P", startDate: "2026-09-01" }],
    },
    {
      id: "L4",
      firstName: "Lin",
      surname: "Linked",
      email: "lin@learner.test",
      mainOfficerId: "O1",
      placements: [{ id: "P1", organisationId: "G1", type: "P", startDate: "2026-09-01" }],
    },
  ],
});

/** A OneFile learner that duplicates L3 (same ULN) and one to link L4 to. */
export const onefileLearners = [
  { ID: 150, OrganisationID: CENTRE, Role: 1, FirstName: "Dee", LastName: "Duplicate", Email: "other@x.test", ULN: "5555555555" },
  {
    ID: 151,
    OrganisationID: CENTRE,
    Role: 1,
    FirstName: "Lin",
    LastName: "Linked",
    Email: "lin@learner.test",
    MISID: "SOMETHING-ELSE",
  },
];
