/**
 * Client behaviour against a tiny local stub (exact control of answers): tolerance, session,
 * retries, 429 handling, typed errors, paging, counters.
 */
import { describe, expect, it } from "@effect/vitest";
import { Effect, Either, Layer } from "effect";
import {
  CreateOutcomeUnknown,
  Forbidden,
  InvalidClientConfig,
  makeOneFileClient,
  NotFound,
  OneFileClient,
  type OneFileClientConfig,
  OneFileUnavailable,
  RateLimited,
  RejectedByOneFile,
  Unauthorized,
  UndecodableResponse,
} from "../src/index.ts";
import { authRoute, stubServer } from "./stub.ts";

const TOKEN = "secret-token";

const clientFor = (baseUrl: string, config: Partial<OneFileClientConfig> = {}) =>
  makeOneFileClient({
    baseUrl,
    customerToken: TOKEN,
    retryBaseDelayMs: 1,
    requestTimeoutMs: 2000,
    ...config,
  });

const user = (id: number, extra: Record<string, unknown> = {}) => ({
  ID: id,
  OrganisationID: 10,
  Role: 1,
  FirstName: `First${id}`,
  LastName: "Learner",
  Email: null,
  MISID: `L${id}`,
  ...extra,
});

describe("decoding tolerance", () => {
  it.scopedLive("quoted token, 204 search, bare-integer and {ID} creates, dates with or without Z", () =>
    Effect.gen(function* () {
      let created = 0;
      const stub = yield* stubServer((app) => {
        authRoute(app, { quoted: true });
        app.post("/User/Search/1/100", (c) => c.body(null, 204));
        app.get("/User/:id", (c) =>
          c.json(
            user(Number(c.req.param("id")), {
              DOB: "2001-02-03T00:00:00",
              LastModified: "2024-05-06T07:08:09.1234567",
              CreatedOn: "2024-05-06T08:08:09+01:00",
            }),
          ),
        );
        app.post("/Placement", (c) => (++created % 2 === 1 ? c.text("42") : c.json({ ID: 43 })));
        app.post("/Classroom", (c) => c.json("44"));
      });
      const client = yield* clientFor(stub.baseUrl);

      expect(yield* client.searchUsers({ MISID: "nobody" })).toEqual([]);
      const u = yield* client.getUser(7);
      expect(u.DOB).toBe("2001-02-03T00:00:00.000Z");
      expect(u.LastModified).toBe("2024-05-06T07:08:09.123Z");
      expect(u.CreatedOn).toBe("2024-05-06T07:08:09.000Z");
      expect(u.Telephone).toBeNull(); // absent → null
      expect(u.Archived).toBeNull();
      expect(yield* client.createPlacement({ OrganisationID: 10, Name: "Acme" })).toBe(42);
      expect(yield* client.createPlacement({ OrganisationID: 10, Name: "Acme 2" })).toBe(43);
      expect(yield* client.createClassroom({ OrganisationID: 10, Name: "A" })).toBe(44);

      // the quoted token went out unquoted; the customer token only on Authentication
      const get = stub.callsTo("GET User/7")[0];
      expect(get?.headers["x-tokenid"]).toBe("session-1");
      expect(get?.headers["x-customertoken"]).toBeUndefined();
      expect(stub.callsTo("POST Authentication")[0]?.headers["x-customertoken"]).toBe(TOKEN);
      expect(stub.callsTo("POST Authentication")).toHaveLength(1);
    }),
  );

  it.scopedLive("request dates go out as UTC ISO with milliseconds and Z; only given fields are sent", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer((app) => {
        authRoute(app, { quoted: false });
        app.post("/User/:id", (c) => c.body(null, 204));
        app.post("/Review", (c) => c.text("9"));
      });
      const client = yield* clientFor(stub.baseUrl);
      yield* client.updateUser(5, { DOB: "2001-02-03", ULN: "1234567890", Telephone: null });
      expect(JSON.parse(stub.callsTo("POST User/5")[0]?.body ?? "")).toEqual({
        DOB: "2001-02-03T00:00:00.000Z",
        ULN: "1234567890",
        Telephone: null,
      });
      expect(stub.callsTo("POST User/5")[0]?.headers["x-tokenid"]).toBe("session-1");
      yield* client.createReview({
        LearnerID: 1,
        AssessorID: 2,
        Status: 1,
        ScheduledFor: "2024-07-01T10:00:00+01:00",
        EndTime: "2024-07-01T10:00:00Z",
        VisitID: 3,
      });
      expect(JSON.parse(stub.callsTo("POST Review")[0]?.body ?? "")).toMatchObject({
        ScheduledFor: "2024-07-01T09:00:00.000Z",
        EndTime: "2024-07-01T10:00:00.000Z",
      });
    }),
  );

  it.scopedLive("a request that does not match the contract is refused before sending (UnsendableRequest)", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer((app) => authRoute(app));
      const client = yield* clientFor(stub.baseUrl);
      const e = yield* Effect.flip(client.updateUser(5, { DOB: "31/12/2000" }));
      expect(e).toMatchObject({ _tag: "UnsendableRequest", endpoint: "POST User/{id}", field: "DOB" });
      expect(stub.calls).toHaveLength(0);
    }),
  );

  it.scopedLive("an undecodable answer names the endpoint and the field", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer((app) => {
        authRoute(app);
        app.get("/User/1", (c) => c.json({ ID: "one" }));
        app.post("/Review/Search/1/100", (c) => c.json([{ ID: 1 }, { ID: 2, ScheduledFor: "not a date" }]));
        app.get("/Customer", (c) => c.text("<html>oops</html>"));
        app.post("/Visit", (c) => c.json({ Created: true }));
      });
      const client = yield* clientFor(stub.baseUrl);
      const e1 = yield* Effect.flip(client.getUser(1));
      expect(e1).toBeInstanceOf(UndecodableResponse);
      expect(e1).toMatchObject({ endpoint: "GET User/{id}", field: "ID" });
      const e2 = yield* Effect.flip(client.searchReviews({ OrganisationID: 1 }));
      expect(e2).toMatchObject({ _tag: "UndecodableResponse", endpoint: "POST Review/Search", field: "[1].ScheduledFor" });
      const e3 = yield* Effect.flip(client.getCustomer());
      expect(e3).toMatchObject({ _tag: "UndecodableResponse", field: "(body)" });
      const e4 = yield* Effect.flip(
        client.createVisit({
          LearnerID: 1,
          OrganisationID: 1,
          AssessorID: 1,
          DateFrom: "2024-01-01",
          DateTo: "2024-01-01",
          VisitTypeID: 3,
          SMSReminder: false,
        }),
      );
      expect(e4).toMatchObject({ _tag: "UndecodableResponse", endpoint: "POST Visit", field: "ID" });
    }),
  );
});

describe("session", () => {
  it.scopedLive("concurrent fibres share one authentication", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer((app) => {
        authRoute(app);
        app.get("/Customer", (c) => c.json({ ID: 1, Name: "Provider" }));
      });
      const client = yield* clientFor(stub.baseUrl);
      yield* Effect.all(
        Array.from({ length: 20 }, () => client.getCustomer()),
        { concurrency: "unbounded" },
      );
      expect(stub.callsTo("POST Authentication")).toHaveLength(1);
      expect(stub.callsTo("GET Customer")).toHaveLength(20);
    }),
  );

  it.scopedLive("a 401 renews the session once and repeats the call; a second 401 is Unauthorized", () =>
    Effect.gen(function* () {
      let valid = "session-1";
      const stub = yield* stubServer((app) => {
        let n = 0;
        app.post("/Authentication", (c) => c.json((valid = `session-${++n}`)));
        app.get("/Customer", (c) => (c.req.header("X-TokenID") === valid ? c.json({ ID: 1, Name: "P" }) : c.body(null, 401)));
        app.get("/User/1", (c) => c.body(null, 401));
      });
      const client = yield* clientFor(stub.baseUrl);
      yield* client.getCustomer();
      valid = "expired-by-server";
      expect(yield* client.getCustomer()).toEqual({ ID: 1, Name: "P" });
      expect(stub.callsTo("POST Authentication")).toHaveLength(2);

      const e = yield* Effect.flip(client.getUser(1));
      expect(e).toBeInstanceOf(Unauthorized);
      expect(stub.callsTo("GET User/1")).toHaveLength(2);
    }),
  );

  it.scopedLive("renews ahead of expiry without a 401", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer((app) => {
        authRoute(app);
        app.get("/Customer", (c) => c.json({ ID: 1, Name: "P" }));
      });
      // Renewed once 2.7 s old (a tenth of the lifetime ahead): a loaded machine's delay between
      // the first authentication and its call cannot reach that.
      const client = yield* clientFor(stub.baseUrl, { sessionLifetimeMs: 3_000, sessionRenewAheadMs: 1_000 });
      yield* client.getCustomer();
      yield* Effect.sleep("2800 millis");
      yield* client.getCustomer();
      expect(stub.callsTo("POST Authentication")).toHaveLength(2);
      expect(stub.callsTo("GET Customer").map((c) => c.headers["x-tokenid"])).toEqual(["session-1", "session-2"]);
    }),
  );

  it.scopedLive("a refused customer token is Unauthorized and never appears in errors", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer((app) => authRoute(app));
      const client = yield* makeOneFileClient({ baseUrl: stub.baseUrl, customerToken: "wrong-token-value" });
      const e = yield* Effect.flip(client.getCustomer());
      expect(e).toMatchObject({ _tag: "Unauthorized", endpoint: "POST Authentication" });
      expect(JSON.stringify(e) + String(e)).not.toContain("wrong-token-value");
    }),
  );
});

describe("retries and typed errors", () => {
  it.scopedLive("reads are retried on 5xx and timeouts within the bound, then OneFileUnavailable", () =>
    Effect.gen(function* () {
      let customerCalls = 0;
      const stub = yield* stubServer((app) => {
        authRoute(app);
        app.get("/Customer", (c) => (++customerCalls <= 2 ? c.body(null, 503) : c.json({ ID: 1, Name: "P" })));
        app.get("/User/1", (c) => c.body(null, 500));
        app.get("/Placement/1", () => new Promise<Response>(() => {})); // hangs
      });
      const client = yield* clientFor(stub.baseUrl, { maxReadRetries: 2, requestTimeoutMs: 150 });
      expect(yield* client.getCustomer()).toEqual({ ID: 1, Name: "P" });
      const e = yield* Effect.flip(client.getUser(1));
      expect(e).toBeInstanceOf(OneFileUnavailable);
      expect(e).toMatchObject({ attempts: 3, reason: "status 500" });
      expect(stub.callsTo("GET User/1")).toHaveLength(3);
      const t = yield* Effect.flip(client.getPlacement(1));
      expect(t).toMatchObject({ _tag: "OneFileUnavailable", reason: "timeout", attempts: 3 });
      const counters = yield* client.counters();
      expect(counters.calls["GET User/{id}"]).toEqual({ "500": 3 });
      expect(counters.calls["GET Placement/{id}"]).toEqual({ timeout: 3 });
      expect(counters.retries).toBe(2 + 2 + 2);
    }),
  );

  it.scopedLive("a create is never retried: 5xx, timeout and dropped connection are CreateOutcomeUnknown", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer((app) => {
        authRoute(app);
        app.post("/Placement", (c) => c.body(null, 502));
        app.post("/Classroom", () => new Promise<Response>(() => {}));
        app.post("/User", (c) => c.text("Internal Server Error", 500));
      });
      const client = yield* clientFor(stub.baseUrl, { maxReadRetries: 3, requestTimeoutMs: 150 });
      const e1 = yield* Effect.flip(client.createPlacement({ OrganisationID: 1, Name: "Acme" }));
      expect(e1).toBeInstanceOf(CreateOutcomeUnknown);
      expect(e1).toMatchObject({ endpoint: "POST Placement", reason: "status 502" });
      const e2 = yield* Effect.flip(client.createClassroom({ OrganisationID: 1, Name: "A" }));
      expect(e2).toMatchObject({ _tag: "CreateOutcomeUnknown", endpoint: "POST Classroom", reason: "timeout" });
      const e3 = yield* Effect.flip(
        client.createUser({ OrganisationID: 1, FirstName: "A", LastName: "B", Email: "a@b", Role: 5 }),
      );
      expect(e3).toMatchObject({ _tag: "CreateOutcomeUnknown", endpoint: "POST User" });
      expect(stub.callsTo("POST Placement")).toHaveLength(1);
      expect(stub.callsTo("POST Classroom")).toHaveLength(1);
      expect(stub.callsTo("POST User")).toHaveLength(1);
    }),
  );

  it.scopedLive("a dropped connection on a create is CreateOutcomeUnknown (reason network)", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer((app) => {
        authRoute(app);
        app.post("/Visit", (c) => {
          // Destroy the socket without answering, as after a commit.
          const incoming = (c.env as { incoming?: { socket?: { destroy: () => void } } }).incoming;
          incoming?.socket?.destroy();
          return new Promise<Response>(() => {});
        });
      });
      const client = yield* clientFor(stub.baseUrl);
      const e = yield* Effect.flip(
        client.createVisit({
          LearnerID: 1,
          OrganisationID: 1,
          AssessorID: 1,
          DateFrom: "2024-01-01T10:00:00Z",
          DateTo: "2024-01-01T11:00:00Z",
          VisitTypeID: 3,
          SMSReminder: false,
        }),
      );
      expect(e).toMatchObject({ _tag: "CreateOutcomeUnknown", reason: "network" });
      expect(stub.callsTo("POST Visit")).toHaveLength(1);
    }),
  );

  it.scopedLive("400, 403 and 404 are typed with OneFile's code and message", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer((app) => {
        authRoute(app);
        app.post("/Standard/:s/Assign/:l", (c) => c.json({ code: -60, message: "Pathway required" }, 400));
        app.get("/User/404", (c) => c.body(null, 404));
        app.get("/User/403", (c) => c.body(null, 403));
        app.post("/Placement/:id", (c) => c.text("Bad thing", 400));
      });
      const client = yield* clientFor(stub.baseUrl);
      const e1 = yield* Effect.flip(client.assignStandard(3, 4));
      expect(e1).toBeInstanceOf(RejectedByOneFile);
      expect(e1).toMatchObject({ status: 400, code: -60, codeName: "pathwayRequired", message: "Pathway required" });
      expect(yield* Effect.flip(client.getUser(404))).toBeInstanceOf(NotFound);
      expect(yield* Effect.flip(client.getUser(403))).toBeInstanceOf(Forbidden);
      expect(yield* Effect.flip(client.updatePlacement(1, { Name: "x" }))).toMatchObject({
        _tag: "RejectedByOneFile",
        code: null,
        message: "Bad thing",
      });
      expect(stub.callsTo("POST Standard/3/Assign/4")[0]?.body).toBe("{}");
    }),
  );

  it.scopedLive("a 429 is waited out (Retry-After or one window), bounded by maxRateLimitWaitMs", () =>
    Effect.gen(function* () {
      let limited = 2;
      const stub = yield* stubServer((app) => {
        authRoute(app);
        app.get("/Customer", (c) => (limited-- > 0 ? c.body(null, 429, { "Retry-After": "0.1" }) : c.json({ ID: 1, Name: "P" })));
        app.get("/User/1", (c) => c.body(null, 429));
      });
      const client = yield* clientFor(stub.baseUrl, {
        rateLimit: { calls: 100, windowSeconds: 0.2, safetyMarginMs: 0 },
        maxRateLimitWaitMs: 500,
      });
      expect(yield* client.getCustomer()).toEqual({ ID: 1, Name: "P" });
      const e = yield* Effect.flip(client.getUser(1));
      expect(e).toBeInstanceOf(RateLimited);
      expect(e).toMatchObject({ waitedMs: 400 }); // two windows of 200 ms, a third would pass 500
      expect(stub.callsTo("GET User/1")).toHaveLength(3);
      const counters = yield* client.counters();
      expect(counters.http429).toBe(2 + 3);
      expect(counters.rateLimitWaitMs).toBe(200 + 400);
    }),
  );
});

describe("paged searches", () => {
  it.scopedLive("streams pages of the configured size and stops at a short page or a 204", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer((app) => {
        authRoute(app);
        app.post("/User/Search/:page/:size", (c) => {
          const page = Number(c.req.param("page"));
          const size = Number(c.req.param("size"));
          const all = Array.from({ length: 5 }, (_, i) => user(i + 1));
          const rows = all.slice((page - 1) * size, page * size);
          return rows.length === 0 ? c.body(null, 204) : c.json(rows);
        });
        app.post("/LearningAim/Search/:page/:size", (c) => {
          const page = Number(c.req.param("page"));
          return page <= 2 ? c.json([{ ID: page * 2 - 1 }, { ID: page * 2 }]) : c.body(null, 204);
        });
      });
      const client = yield* clientFor(stub.baseUrl, { pageSize: 2 });
      const users = yield* client.searchUsers({ OrganisationID: 10 });
      expect(users.map((u) => u.ID)).toEqual([1, 2, 3, 4, 5]);
      expect(stub.calls.filter((c) => c.path.startsWith("User/Search")).map((c) => c.path)).toEqual([
        "User/Search/1/2",
        "User/Search/2/2",
        "User/Search/3/2",
      ]);
      expect(JSON.parse(stub.callsTo("POST User/Search/1/2")[0]?.body ?? "")).toEqual({ OrganisationID: 10 });
      const aims = yield* client.searchLearningAims({ UserID: 1 });
      expect(aims.map((a) => a.ID)).toEqual([1, 2, 3, 4]);
      expect(stub.calls.filter((c) => c.path.startsWith("LearningAim/Search"))).toHaveLength(3);
    }),
  );
});

describe("configuration", () => {
  it.effect("environments map to the contract's base URLs; a custom base URL must end in /api/v2.1/", () =>
    Effect.gen(function* () {
      const layerFor = (config: OneFileClientConfig) =>
        Effect.either(Effect.provide(OneFileClient, Layer.fresh(OneFileClient.layer(config))));
      expect(Either.isRight(yield* layerFor({ environment: "live", customerToken: "t" }))).toBe(true);
      const bad = yield* layerFor({ baseUrl: "http://127.0.0.1:1/api/v1/", customerToken: "t" });
      expect(Either.isLeft(bad) && bad.left).toBeInstanceOf(InvalidClientConfig);
      const mixed = yield* layerFor({ environment: "beta", baseUrl: "http://x/api/v2.1/", customerToken: "t" });
      expect(Either.isLeft(mixed)).toBe(true);
      const noToken = yield* layerFor({ environment: "beta", customerToken: "" });
      expect(Either.isLeft(noToken)).toBe(true);
      const badSize = yield* layerFor({ environment: "beta", customerToken: "t", pageSize: 500 });
      expect(Either.isLeft(badSize)).toBe(true);
    }),
  );

  it.effect("the test layer dies loudly on methods it does not implement", () =>
    Effect.gen(function* () {
      const layer = OneFileClient.testLayer({ getCustomer: () => Effect.succeed({ ID: 1, Name: "P" }) });
      const client = yield* Effect.provide(OneFileClient, layer);
      expect(yield* client.getCustomer()).toEqual({ ID: 1, Name: "P" });
      const exit = yield* Effect.exit(client.getUser(1));
      expect(exit._tag === "Failure" && String(exit.cause)).toContain("OneFileClient.getUser is not implemented");
    }),
  );
});
