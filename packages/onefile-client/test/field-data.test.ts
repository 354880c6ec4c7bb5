/**
 * DATA-1 and DATA-2: answers read as real OneFile installations send them, and SEC-2 at the source:
 * no failure's text carries a token.
 */
import { describe, expect, it } from "@effect/vitest";
import { Effect, Either, Layer } from "effect";
import { InvalidClientConfig, makeOneFileClient, OneFileClient, scrubSecrets } from "../src/index.ts";
import { send } from "../src/transport.ts";
import { authRoute, stubServer } from "./stub.ts";

const clientFor = (baseUrl: string) =>
  makeOneFileClient({ baseUrl, customerToken: "secret-token", retryBaseDelayMs: 1, requestTimeoutMs: 2000 });

describe("field data (DATA-1, DATA-2)", () => {
  it.scopedLive("blank and .NET default dates are null; numbers, numeric strings and unknown fields are read as meant", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer((app) => {
        authRoute(app);
        app.get("/User/7", (c) =>
          c.json({
            ID: "7",
            OrganisationID: "100",
            Role: 1,
            FirstName: "Lee",
            LastName: "Learner",
            Email: "lee@learner.test",
            ULN: 1234567890,
            Telephone: 7123456789,
            DOB: "2001-02-03T00:00:00+01:00",
            StartOn: "",
            PlannedEndDate: "0001-01-01T00:00:00",
            LastModified: "0001-01-01T00:00:00Z",
            Archived: "false",
            SomethingNew: { nested: [1, 2, 3] },
            ExtensionData: null,
          }),
        );
        app.post("/Review/Search/1/100", (c) =>
          c.json([{ ID: 5, LearnerID: "7", StartedOn: "0001-01-01T00:00:00", ScheduledFor: "2026-07-01T10:00:00+01:00", X: 1 }]),
        );
        app.post("/LearningAim/Search/1/100", (c) =>
          c.json([{ ID: 9, UserID: 7, StartDate: "2026-09-01T00:00:00+01:00", RegistrationDate: "", Progress: "12.5" }]),
        );
      });
      const client = yield* clientFor(stub.baseUrl);
      const user = yield* client.getUser(7);
      expect(user).toMatchObject({
        ID: 7,
        OrganisationID: 100,
        ULN: "1234567890",
        Telephone: "7123456789",
        // Local midnight with an offset is that calendar date (DATA-2), not 2 February at 23:00 UTC.
        DOB: "2001-02-03T00:00:00.000Z",
        StartOn: null,
        PlannedEndDate: null,
        LastModified: null,
        Archived: false,
      });
      expect(user).not.toHaveProperty("SomethingNew");
      const [review] = yield* client.searchReviews({ OrganisationID: 100 });
      // A .NET default "review started" is no start at all: not a review attended in year 1.
      expect(review).toMatchObject({ ID: 5, LearnerID: 7, StartedOn: null, ScheduledFor: "2026-07-01T09:00:00.000Z" });
      const [aim] = yield* client.searchLearningAims({ UserID: 7 });
      expect(aim).toMatchObject({ StartDate: "2026-09-01T00:00:00.000Z", RegistrationDate: null, Progress: 12.5 });
    }),
  );

  it.scopedLive("a record that still cannot be read is refused naming the field", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer((app) => {
        authRoute(app);
        app.get("/User/8", (c) => c.json({ ID: 8, DOB: "3rd of May", ULN: { value: 1 } }));
        app.get("/User/9", (c) => c.json({ ID: 9, OrganisationID: "one hundred" }));
      });
      const client = yield* clientFor(stub.baseUrl);
      const e = yield* Effect.flip(client.getUser(8));
      expect(e).toMatchObject({ _tag: "UndecodableResponse", endpoint: "GET User/{id}", field: "DOB" });
      const e2 = yield* Effect.flip(client.getUser(9));
      expect(e2).toMatchObject({ _tag: "UndecodableResponse", field: "OrganisationID" });
    }),
  );
});

describe("answer size", () => {
  it.scopedLive("an answer larger than maxAnswerBytes is refused unread, not retried", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer((app) => {
        authRoute(app);
        app.post("/User/Search/1/100", (c) =>
          c.json(Array.from({ length: 5_000 }, (_, i) => ({ ID: i + 1, FirstName: "x".repeat(100) }))),
        );
      });
      const client = yield* makeOneFileClient({
        baseUrl: stub.baseUrl,
        customerToken: "secret-token",
        retryBaseDelayMs: 1,
        maxAnswerBytes: 100_000,
      });
      const e = yield* Effect.flip(client.searchUsers({ OrganisationID: 1 }));
      expect(e).toMatchObject({
        _tag: "UndecodableResponse",
        field: "(body)",
        message: expect.stringContaining("larger than 100000 bytes"),
      });
      expect(stub.callsTo("POST User/Search/1/100")).toHaveLength(1);
    }),
  );
});

describe("secrets in failures (SEC-2)", () => {
  it("scrubs each token, each line of it and its escaped form out of a failure's text", () => {
    const token = "abc-TOKEN-123\r\nsecond-line";
    const message = `Headers.append: "${token}" is an invalid header value; also ${JSON.stringify(token)}`;
    const scrubbed = scrubSecrets(message, [token]);
    expect(scrubbed).not.toContain("abc-TOKEN-123");
    expect(scrubbed).not.toContain("second-line");
    expect(scrubbed).toContain("[redacted]");
  });

  it.scopedLive("fetch's refusal of a header value reaches no error text", () =>
    Effect.gen(function* () {
      const stub = yield* stubServer((app) => authRoute(app));
      const token = "pasted-token-7f3a\nfrom-an-email";
      const failure = yield* Effect.flip(
        send({
          method: "POST",
          url: `${stub.baseUrl}Authentication`,
          headers: { "X-CustomerToken": token },
          body: undefined,
          timeoutMs: 2000,
          maxAnswerBytes: 1024,
          secrets: [token],
        }),
      );
      expect(failure._tag).toBe("TransportFailure");
      expect(failure.message).not.toContain("pasted-token-7f3a");
      expect(failure.message).not.toContain("from-an-email");
      expect(stub.calls).toHaveLength(0);
    }),
  );

  it.effect("a token no header can carry is refused by the client's configuration without quoting it", () =>
    Effect.gen(function* () {
      const built = yield* Effect.either(
        Effect.provide(
          OneFileClient,
          Layer.fresh(OneFileClient.layer({ environment: "live", customerToken: "pasted-token\nfrom-an-email" })),
        ),
      );
      expect(Either.isLeft(built) && built.left).toBeInstanceOf(InvalidClientConfig);
      expect(Either.isLeft(built) && built.left.message).not.toContain("pasted-token");
    }),
  );
});
