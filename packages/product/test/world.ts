/**
 * A test world: the real sandbox over HTTP on an ephemeral port, a real libSQL file, and the
 * assembled product (IntegrationLayer) pointed at them through its settings.
 */
import type { ClientTuning, ExchangeStrategy } from "@pics/core";
import { Database, PicsRecords, SettingsStore } from "@pics/pics-store";
import { startSandbox, type RunningSandbox, type SandboxSeed } from "@pics/onefile-sandbox";
import { Effect, ManagedRuntime } from "effect";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IntegrationLayer } from "../src/index.ts";

export const TOKEN = "customer-token-for-tests";
export const CENTRE = 100;
export const OTHER_CENTRE = 200;

/** A small OneFile: one customer, a centre, a classroom, standards, an assessor and a placement already there. */
export const baseSeed = (
  extra: {
    users?: Array<Record<string, unknown>>;
    placements?: Array<Record<string, unknown>>;
    secondCentre?: boolean;
    standards?: Array<Record<string, unknown>>;
    classrooms?: Array<Record<string, unknown>>;
    learningAims?: Array<Record<string, unknown>>;
  } = {},
): SandboxSeed =>
  ({
    customers: [
      {
        ID: 10,
        Name: "Provider Ltd",
        Token: TOKEN,
        Organisations: [
          { ID: CENTRE, Name: "Main Centre" },
          ...(extra.secondCentre ? [{ ID: OTHER_CENTRE, Name: "North Centre" }] : []),
        ],
        Classrooms: [{ ID: 110, OrganisationID: CENTRE, Name: "Cohort A" }, ...(extra.classrooms ?? [])],
        Standards: [
          { ID: 120, OrganisationID: CENTRE, Title: "Level 3 Data Technician [ST0795]", Pathways: [] },
          {
            ID: 121,
            OrganisationID: CENTRE,
            Title: "Engineering Technician [ST0457]",
            Pathways: [
              { ID: 1211, Title: "Mechanical" },
              { ID: 1212, Title: "Electrical" },
            ],
          },
          ...(extra.secondCentre
            ? [{ ID: 220, OrganisationID: OTHER_CENTRE, Title: "Data Technician (North) [st0795 ]", Pathways: [] }]
            : []),
          ...(extra.standards ?? []),
        ],
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
        Placements: [{ ID: 140, OrganisationID: CENTRE, Name: "Acme Ltd", MISID: "ORG-A" }, ...(extra.placements ?? [])],
        ...(extra.learningAims ? { LearningAims: extra.learningAims } : {}),
      },
    ],
  }) as SandboxSeed;

export const picsDocument = (learner: Record<string, unknown> = {}) => ({
  officers: [
    { id: "O1", ident: "OFF-A", firstName: "Ada", surname: "Assessor", email: "ada@provider.test" },
    { id: "O2", ident: "OFF-B", firstName: "Bob", surname: "Builder", email: "bob@provider.test" },
    { id: "O3", ident: "OFF-C", firstName: "Cy", surname: "Coach" },
  ],
  organisations: [
    { id: "G1", ident: "ORG-A", name: "Acme Ltd" },
    { id: "G2", ident: "ORG-B", name: "Bolt Ltd" },
  ],
  learners: [
    {
      id: "L1",
      firstName: "Lee",
      surname: "Learner",
      email: "lee@learner.test",
      uln: "1234567890",
      birthDate: "2004-05-06",
      startDate: "2026-09-01",
      plannedEndDate: "2028-08-31",
      mainOfficerId: "O2",
      officers: [
        { officerId: "O2", type: "Assessor" },
        { officerId: "O1", type: "Mentor" },
      ],
      placements: [
        { id: "P1", organisationId: "G1", type: "W", startDate: "2026-10-01" },
        { id: "P2", organisationId: "G2", type: "P", startDate: "2026-09-01" },
      ],
      qualifications: [
        {
          id: "Q1",
          vqReference: " st0795",
          assessorId: "O1",
          startDate: "2026-09-01",
          plannedEndDate: "2028-08-31",
          registrationNumber: "REG-9",
        },
        { id: "Q2", vqReference: "ST9999" },
      ],
      reviews: [
        { id: "R1", type: "Normal", scheduledDate: "2026-07-01", startTime: "10:00", officerId: "O1" },
        { id: "R2", type: "Normal", scheduledDate: "2026-12-01", startTime: "14:30" },
        { id: "R3", type: "Other", scheduledDate: "2026-12-02", startTime: "09:00" },
        { id: "R4", type: "Normal", scheduledDate: "2026-06-01", startTime: "09:00", attended: "Yes", actualDate: "2026-06-01" },
      ],
      ...learner,
    },
  ],
});

export interface World {
  readonly sandbox: RunningSandbox;
  readonly databaseUrl: string;
  readonly run: <A, E>(effect: Effect.Effect<A, E, any>) => Promise<A>;
  readonly either: <A, E>(effect: Effect.Effect<A, E, any>) => Promise<{ ok: true; value: A } | { ok: false; error: E }>;
  readonly onefile: () => Promise<any>;
  readonly onefileText: () => Promise<string>;
  readonly admin: (path: string, body?: unknown, method?: string) => Promise<any>;
  /** The sandbox call log: `{seq, method, endpoint, status, fault, …}` per call. */
  readonly calls: () => Promise<Array<any>>;
  /** Every PICS record table, rows in storage order, as one JSON text (byte-for-byte comparisons). */
  readonly picsDump: () => Promise<string>;
  readonly close: () => Promise<void>;
}

/** The PICS record tables (not the integration's own state: runs, journal, leases, budget, intents). */
export const PICS_TABLES = [
  "officers",
  "organisations",
  "learners",
  "learner_officers",
  "placements",
  "qualifications",
  "reviews",
] as const;

export const openWorld = async (
  options: {
    seed?: SandboxSeed;
    pics?: unknown;
    settings?: Record<string, unknown>;
    rules?: string;
    databaseUrl?: string;
    sandbox?: RunningSandbox;
    /** Client timeout in ms (default 1.5 s, short so lost answers are noticed fast). */
    requestTimeoutMs?: number;
    /** Other client options (timeouts, retries, 429 waits), over the test defaults. */
    clientTuning?: ClientTuning;
    /** How runs read OneFile (default: the product's own). */
    exchangeStrategy?: ExchangeStrategy;
  } = {},
): Promise<World> => {
  const sandbox = options.sandbox ?? (await startSandbox({ port: 0, state: options.seed ?? baseSeed() }));
  const databaseUrl = options.databaseUrl ?? `file:${join(mkdtempSync(join(tmpdir(), "integration-")), "pics.db")}`;
  const runtime = ManagedRuntime.make(
    IntegrationLayer({
      store: { url: databaseUrl, secretKey: "integration-test-secret", allowCustomOneFileUrl: true },
      rules: options.rules,
      clientTuning: {
        requestTimeoutMs: options.requestTimeoutMs ?? 1_500,
        maxReadRetries: 2,
        retryBaseDelayMs: 5,
        ...options.clientTuning,
      },
      exchangeStrategy: options.exchangeStrategy,
    }),
  );
  const run = <A, E>(effect: Effect.Effect<A, E, any>) => runtime.runPromise(effect as Effect.Effect<A, E, never>);
  await run(
    Effect.gen(function* () {
      yield* (yield* SettingsStore).update({
        integrationEnabled: true,
        environment: "custom",
        baseUrl: sandbox.baseUrl,
        customerToken: TOKEN,
        ...options.settings,
      });
      if (options.pics !== undefined) yield* (yield* PicsRecords).importDocument(options.pics);
    }),
  );
  const admin = async (path: string, body?: unknown, method = body === undefined ? "GET" : "POST") => {
    const response = await fetch(`${sandbox.adminUrl}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  };
  return {
    sandbox,
    databaseUrl,
    run,
    either: async (effect) => {
      const result = await run(Effect.either(effect));
      return result._tag === "Right" ? { ok: true as const, value: result.right } : { ok: false as const, error: result.left };
    },
    onefile: () => admin("/state"),
    calls: () => admin("/calls"),
    picsDump: () =>
      run(
        Effect.flatMap(Database, (database) =>
          database.use("dump PICS tables", async () => {
            const dump: Record<string, unknown> = {};
            for (const table of PICS_TABLES)
              dump[table] = (await database.client.execute(`SELECT * FROM ${table} ORDER BY rowid`)).rows;
            return JSON.stringify(dump);
          }),
        ),
      ),
    onefileText: async () => (await fetch(`${sandbox.adminUrl}/state`)).text(),
    admin,
    close: async () => {
      await runtime.dispose();
      if (!options.sandbox) await sandbox.close();
    },
  };
};

/** The records of the test customer in the sandbox state. */
export const customerOf = (state: any) => state.customers.find((c: any) => c.Token === TOKEN);

/** Calls that could change OneFile: anything but authentication, reads and searches. */
export const writeCalls = (calls: ReadonlyArray<any>) =>
  calls.filter((c) => c.method !== "GET" && c.endpoint !== "POST Authentication" && !/\/Search$/.test(c.endpoint));

/** Runs an effect that needs a service. */
export const use = <I, S, A, E>(tag: import("effect").Context.Tag<I, S>, f: (service: S) => Effect.Effect<A, E, any>) =>
  Effect.flatMap(tag, f);
