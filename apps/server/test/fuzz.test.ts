/**
 * The API under fuzzing (SEC-2, SEC-3): requests generated from `GET /openapi.json` with a seeded
 * fast-check generator — wrong types, boundary and unicode strings, huge numbers, deep nesting,
 * duplicate and `__proto__` keys, oversized bodies, odd methods and content types — sent over HTTP
 * to the real server (a real libSQL file, the real sandbox on 127.0.0.1).
 *
 * It must never answer 5xx, `/health` must answer within 1 s throughout, the PICS data imported
 * first must be intact at the end, and no answer or log line may contain the API token or the
 * customer token. Nothing leaves 127.0.0.1: the settings that point OneFile (or notifications)
 * elsewhere are never generated, and this process's fetch refuses any other host.
 */
import fc from "fast-check";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TOKEN, baseSeed, CUSTOMER_TOKEN, picsDocument, startServer, type TestServer } from "./support.ts";

const SEED = 20261202;
const REQUESTS = 2_000;
const CONCURRENCY = 8;

/** Ids of the imported records: the fuzzer never addresses them, so they must come out unchanged. */
const IMPORTED_IDS = new Set(["O1", "O2", "G1", "L1", "L2", "L3", "L4", "P1", "Q1"]);
/** Settings that would send the token or notifications somewhere else, or switch the integration off. */
const NEVER_GENERATED = new Set(["environment", "baseUrl", "customerToken", "notifications", "integrationEnabled"]);

const realFetch = globalThis.fetch;
const blocked: Array<string> = [];

let server: TestServer;
let before: Record<string, string> = {};

const snapshot = async () => {
  const out: Record<string, string> = {};
  for (const [kind, ids] of [
    ["officers", ["O1", "O2"]],
    ["organisations", ["G1"]],
    ["learners", ["L1", "L2", "L3", "L4"]],
  ] as const) {
    for (const id of ids) out[`${kind}/${id}`] = (await server.request("GET", `/api/v1/${kind}/${id}`)).text;
  }
  return out;
};

beforeAll(async () => {
  globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    if (url.hostname !== "127.0.0.1" && url.hostname !== "localhost") {
      blocked.push(url.host);
      throw new TypeError("fuzz test: only 127.0.0.1 may be called");
    }
    return realFetch(input, init);
  }) as typeof fetch;
  server = await startServer({ seed: baseSeed(), pics: picsDocument() });
  before = await snapshot();
});
afterAll(async () => {
  await server?.close();
  globalThis.fetch = realFetch;
});

// ------------------------------------------------------------------------------ generators

const BOUNDARY_STRINGS = [
  "",
  " ",
  "0",
  "-1",
  "null",
  "true",
  "undefined",
  "NaN",
  "1e309",
  "__proto__",
  "constructor",
  "%00",
  "\u0000",
  "\r\n",
  "../../etc/passwd",
  "'; DROP TABLE learners; --",
  "<script>alert(1)</script>",
  "😀👩🏽‍🚀",
  "\uD800",
  "ｆｕｌｌｗｉｄｔｈ",
  "a".repeat(65),
  "a".repeat(10_000),
  "2026-02-30",
  "9999-99-99",
  "25:61",
  `a@${".".repeat(5_000)} `,
];

const hostileString = fc.oneof(
  fc.constantFrom(...BOUNDARY_STRINGS),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
);

const hostileNumber = fc.oneof(
  fc.constantFrom(0, -0, -1, 1.5, 2 ** 31, 2 ** 53 + 1, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 5e-324),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const scalar = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null));
const anyJson = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(hostileString, scalar, { maxKeys: 3 }));

/** A value for a JSON Schema (as published in /openapi.json): usually the right shape, sometimes not. */
const valueFor = (schema: any, depth = 0): fc.Arbitrary<unknown> => {
  if (schema === undefined || schema === null || depth > 4) return anyJson;
  const members = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(members)) return fc.oneof(...members.map((m: any) => valueFor(m, depth + 1)));
  let right: fc.Arbitrary<unknown>;
  if (Array.isArray(schema.enum)) right = fc.constantFrom(...schema.enum);
  else if (schema.type === "string") right = fc.oneof(fc.stringMatching(/^fz-[a-z0-9]{1,8}$/), hostileString);
  else if (schema.type === "integer" || schema.type === "number")
    right = fc.oneof(fc.integer({ min: 1, max: 10_000 }), hostileNumber);
  else if (schema.type === "boolean") right = fc.boolean();
  else if (schema.type === "null") right = fc.constant(null);
  else if (schema.type === "array") right = fc.array(valueFor(schema.items, depth + 1), { maxLength: 3 });
  else if (schema.type === "object" || schema.properties) {
    const properties = Object.entries((schema.properties ?? {}) as Record<string, any>).filter(([k]) => !NEVER_GENERATED.has(k));
    right = fc
      .tuple(
        fc.record(Object.fromEntries(properties.map(([k, v]) => [k, valueFor(v, depth + 1)])), {
          requiredKeys: (schema.required ?? []).filter((k: string) => !NEVER_GENERATED.has(k)),
        }),
        fc.option(fc.tuple(hostileString, scalar), { freq: 4 }),
      )
      .map(([record, extra]) => (extra === null ? record : { ...record, [extra[0]]: extra[1] }));
  } else right = anyJson;
  return fc.oneof({ weight: 8, arbitrary: right }, { weight: 1, arbitrary: anyJson });
};

/** Raw bodies no schema describes. */
const rawBody = fc.oneof(
  fc.integer({ min: 10, max: 5_000 }).map((n) => "[".repeat(n) + "]".repeat(n)),
  fc.integer({ min: 10, max: 3_000 }).map((n) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`),
  fc.constant('{"id":"fz-1","id":"fz-2","__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'),
  fc.constant('{"__proto__":{"isAdmin":true},"ident":"x"}'),
  fc.constant('{"officers":[{"__proto__":[]}]}'),
  fc.constant("{not json"),
  fc.constant('{"a":1e99999}'),
  fc.constant("\uFEFF{}"),
  fc.constant('"\\ud800"'),
  fc.constant("null"),
  fc.constant(`{"firstName":"${"x".repeat(1_100_000)}"}`),
  fc.string({ maxLength: 200 }),
);

const METHODS_ODD = ["OPTIONS", "HEAD", "PROPFIND", "PUT", "PATCH", "DELETE", "POST", "GET"];
const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-16",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  undefined,
];

const pathParam = fc
  .oneof(
    fc.stringMatching(/^fz-[A-Za-z0-9_.-]{1,10}$/),
    fc.constantFrom("X1", "run_unknown", "0", "-1", "9".repeat(30), "a".repeat(65), "..", "%2e%2e", "%00", "😀", "a b", "L1%00"),
    fc.string({ maxLength: 20 }),
  )
  .filter((id) => !IMPORTED_IDS.has(id) && !IMPORTED_IDS.has(safeDecode(safeDecode(id))));

/** Lone surrogates cannot be percent-encoded: they go as `?`. */
const safeEncode = (s: string) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, "?"));

function safeDecode(s: string) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Strings equal to an imported id get a prefix, so no generated body touches the imported records. */
const awayFromImported = (value: unknown): unknown => {
  if (typeof value === "string") return IMPORTED_IDS.has(value) ? `fz-${value}` : value;
  if (Array.isArray(value)) return value.map(awayFromImported);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !NEVER_GENERATED.has(k))
        .map(([k, v]) => [k, awayFromImported(v)]),
    );
  return value;
};

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly query: ReadonlyArray<string>;
  readonly body: any;
}

interface Sent {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

const requestFor = (op: Operation): fc.Arbitrary<Sent> =>
  fc
    .record({
      params: fc.array(pathParam, { minLength: 4, maxLength: 4 }),
      query: fc.array(fc.tuple(fc.constantFrom(...op.query, "limit", "cursor", "__proto__", "x"), hostileString), {
        maxLength: 3,
      }),
      body: fc.oneof(
        { weight: 6, arbitrary: valueFor(op.body).map((v) => JSON.stringify(awayFromImported(v)) ?? "null") },
        { weight: 2, arbitrary: rawBody },
        // Deep nesting inside a field the route knows, where validation would have to walk it.
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.constantFrom(...Object.keys(op.body?.properties ?? { x: 1 })), fc.integer({ min: 100, max: 5_000 }))
            .map(([field, n]) => `{${JSON.stringify(field)}:${"[".repeat(n)}${"]".repeat(n)}}`),
        },
        { weight: 1, arbitrary: fc.constant(undefined) },
      ),
      method: fc.oneof(
        { weight: 9, arbitrary: fc.constant(op.method) },
        { weight: 1, arbitrary: fc.constantFrom(...METHODS_ODD) },
      ),
      contentType: fc.oneof(
        { weight: 6, arbitrary: fc.constant("application/json") },
        { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
      ),
      token: fc.oneof(
        { weight: 12, arbitrary: fc.constant(API_TOKEN) },
        { weight: 1, arbitrary: fc.constantFrom("", "x", `${API_TOKEN} `, API_TOKEN.slice(1)) },
      ),
    })
    .map(({ params, query, body, method, contentType, token }) => {
      let i = 0;
      const path = op.path.replace(/\{[^}]+\}/g, () => safeEncode(params[i++ % params.length]!));
      const search = query.map(([k, v]) => `${safeEncode(k)}=${safeEncode(v)}`).join("&");
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (contentType !== undefined) headers["content-type"] = contentType;
      const hasBody = !["GET", "HEAD"].includes(method) && body !== undefined;
      return { method, path: search ? `${path}?${search}` : path, headers, body: hasBody ? body : undefined };
    });

// ------------------------------------------------------------------------------ the run

/** GET /health on a fresh connection; resolves with how long the answer took. */
const probeHealth = (url: string) =>
  new Promise<number>((resolve, reject) => {
    const started = performance.now();
    const req = httpRequest(`${url}/health`, { agent: false }, (res) => {
      res.resume();
      res.on("end", () =>
        res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`health ${res.statusCode}`)),
      );
    });
    req.on("error", reject);
    req.end();
  });

describe("fuzzing the API from its OpenAPI document", () => {
  it("2,000 generated requests over every route: no 5xx, /health within 1 s, imported data intact, no secret shown", async () => {
    const doc = (await server.request("GET", "/openapi.json")).json;
    const operations: Array<Operation> = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(
      ([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({
          method: method.toUpperCase(),
          path,
          query: ((op.parameters ?? []) as Array<any>).filter((p) => p.in === "query").map((p) => p.name as string),
          body: op.requestBody?.content?.["application/json"]?.schema,
        })),
    );
    expect(operations.length).toBeGreaterThan(35);

    // Every route, then a seeded random mix, to the total.
    const perRoute = Math.ceil(REQUESTS / operations.length);
    const generated = operations.flatMap((op, n) => fc.sample(requestFor(op), { seed: SEED + n, numRuns: perRoute }));
    const [requests] = fc.sample(fc.shuffledSubarray(generated, { minLength: generated.length, maxLength: generated.length }), {
      seed: SEED,
      numRuns: 1,
    }) as [Array<Sent>];
    expect(requests.length).toBeGreaterThanOrEqual(REQUESTS);

    const statuses = new Map<number, number>();
    const serverErrors: Array<string> = [];
    const leaks: Array<string> = [];
    let slowestHealthMs = 0;
    let healthProbes = 0;
    let done = false;
    const prober = (async () => {
      while (!done) {
        slowestHealthMs = Math.max(slowestHealthMs, await probeHealth(server.url));
        healthProbes += 1;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const r = requests[next++]!;
        const send = () =>
          realFetch(`${server.url}${r.path}`, {
            method: r.method,
            headers: r.headers,
            ...(r.body === undefined ? {} : { body: r.body }),
          });
        // A connection lost on the way (a kept-alive socket closed as it was reused, on a loaded
        // machine) is not an answer: the request is sent once more. A server
        // that drops the connection for this input drops it again and is reported with the cause.
        const response = await send()
          .catch(send)
          .catch(
            (error: any) =>
              ({
                status: -1,
                text: async () => `${String(error)} (${String(error?.cause?.code ?? error?.cause?.message ?? "no cause")})`,
                headers: new Headers(),
              }) as unknown as Response,
          );
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status >= 500 || response.status < 0)
          serverErrors.push(`${r.method} ${r.path.slice(0, 120)} → ${response.status} ${text.slice(0, 200)}`);
        const shown = `${text}\n${[...response.headers.entries()].join("\n")}`;
        for (const secret of [API_TOKEN, CUSTOMER_TOKEN])
          if (shown.includes(secret)) leaks.push(`${r.method} ${r.path.slice(0, 80)}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    done = true;
    await prober;

    expect(serverErrors).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(requests.length);
    // Most requests got past authentication and reached validation or a handler.
    expect([...statuses.entries()].filter(([s]) => s !== 401).reduce((a, [, n]) => a + n, 0)).toBeGreaterThan(REQUESTS * 0.8);
    expect(healthProbes).toBeGreaterThan(3);
    expect(slowestHealthMs).toBeLessThan(1_000);
    expect(leaks).toEqual([]);
    const logText = JSON.stringify(server.logs);
    expect(logText).not.toContain(API_TOKEN);
    expect(logText).not.toContain(CUSTOMER_TOKEN);
    expect(blocked).toEqual([]);
    // The imported records are exactly as before; the settings still point at the sandbox, token set.
    expect(await snapshot()).toEqual(before);
    const settings = (await server.request("GET", "/api/v1/settings")).json;
    expect(settings).toMatchObject({ environment: "custom", integrationEnabled: true, customerTokenSet: true });
    expect(settings.baseUrl).toBe(server.sandbox!.baseUrl);
  });
});
