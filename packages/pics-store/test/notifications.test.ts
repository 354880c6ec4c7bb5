/**
 * The notifications' settings and state in the store: secrets write-only and sealed (NOT-4),
 * validation that names each bad field without echoing a secret, claims that let one process
 * raise a notification, and the deliveries log (NOT-3).
 */
import { describe, expect, it } from "@effect/vitest";
import { Effect, Either } from "effect";
import { Database, NotificationLog, RunLog, SettingsStore } from "../src/index.ts";
import { tempDatabaseUrl, testStore } from "./support.ts";

const WEBHOOK_SECRET = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;
const SMTP_URL = "smtp://mailer:very-secret-password@127.0.0.1:2525";

const rawSettingsRow = Effect.gen(function* () {
  const { client } = yield* Database;
  const result = yield* Effect.promise(() => client.execute("SELECT * FROM settings"));
  return JSON.stringify(result.rows);
});

describe("notification settings", () => {
  it.effect("NOT-4: the webhook secret and the SMTP URL are write-only, sealed at rest, readable only by the channels", () =>
    Effect.gen(function* () {
      const settings = yield* SettingsStore;
      const saved = yield* settings.update({
        notifications: {
          webhookUrl: "https://hooks.provider.example/pics",
          webhookSecret: WEBHOOK_SECRET,
          emailTo: ["ops@provider.example"],
          emailFrom: "pics@provider.example",
          smtpUrl: SMTP_URL,
        },
      });
      expect(saved.notifications).toEqual({
        webhookUrl: "https://hooks.provider.example/pics",
        webhookSecretSet: true,
        emailTo: ["ops@provider.example"],
        emailFrom: "pics@provider.example",
        smtpUrlSet: true,
        events: ["run_failed", "run_partially_succeeded", "daily_run_missed"],
      });
      const shown = JSON.stringify(yield* settings.get);
      expect(shown).not.toContain("very-secret-password");
      expect(shown).not.toContain(WEBHOOK_SECRET.slice(6));
      const row = yield* rawSettingsRow;
      expect(row).not.toContain("very-secret-password");
      expect(row).not.toContain(WEBHOOK_SECRET.slice(6));
      expect(yield* settings.notificationSecrets).toEqual({ webhookSecret: WEBHOOK_SECRET, smtpUrl: SMTP_URL });

      // A patch of one field keeps the others (one level of merging) and the secrets.
      const events = yield* settings.update({ notifications: { events: ["run_failed"] } });
      expect(events.notifications).toMatchObject({ emailTo: ["ops@provider.example"], events: ["run_failed"], smtpUrlSet: true });

      // null clears a secret; a channel without its secret is refused whole.
      const refused = yield* Effect.either(settings.update({ notifications: { webhookSecret: null } }));
      expect(Either.isLeft(refused) && refused.left._tag === "InvalidInput" && refused.left.issues).toEqual([
        { path: "notifications.webhookSecret", message: "is required with webhookUrl: every delivery is signed" },
      ]);
      const cleared = yield* settings.update({ notifications: { webhookUrl: null, webhookSecret: null } });
      expect(cleared.notifications).toMatchObject({ webhookUrl: null, webhookSecretSet: false, smtpUrlSet: true });
      expect((yield* settings.notificationSecrets).webhookSecret).toBe(null);
    }).pipe(Effect.provide(testStore())),
  );

  it.effect("bad values are refused whole, each field named, no secret echoed, long strings cut short", () =>
    Effect.gen(function* () {
      const settings = yield* SettingsStore;
      const result = yield* Effect.either(
        settings.update({
          notifications: {
            webhookUrl: "ftp://user:pw@hooks.example",
            webhookSecret: "not-a-secret-but-say-it-is",
            emailTo: ["ops@provider.example", "no-at-sign", `${"a".repeat(300)}@x.example`],
            smtpUrl: "http://mailer:hunter2-password@mail.example",
            events: ["run_failed", "run_failed"],
            webhookSecretSet: true,
          },
        }),
      );
      expect(Either.isLeft(result)).toBe(true);
      const error = Either.isLeft(result) ? result.left : undefined;
      expect(error?._tag).toBe("InvalidInput");
      const issues = error?._tag === "InvalidInput" ? error.issues : [];
      const paths = issues.map((i) => i.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          "notifications.webhookUrl",
          "notifications.webhookSecret",
          "notifications.emailTo[1]",
          "notifications.emailTo[2]",
          "notifications.smtpUrl",
          "notifications.events",
          "notifications.webhookSecretSet",
        ]),
      );
      expect(issues.find((i) => i.path === "notifications.emailTo[2]")?.message).toBe("must be at most 254 characters");
      const text = JSON.stringify(issues);
      expect(text).not.toContain("not-a-secret-but-say-it-is");
      expect(text).not.toContain("hunter2-password");
      // Nothing was saved.
      expect((yield* settings.get).notifications.webhookUrl).toBe(null);
    }).pipe(Effect.provide(testStore())),
  );

  it.effect("e-mail needs an SMTP URL and a sender", () =>
    Effect.gen(function* () {
      const result = yield* Effect.either(
        (yield* SettingsStore).update({ notifications: { emailTo: ["ops@provider.example"] } }),
      );
      expect(Either.isLeft(result) && result.left._tag === "InvalidInput" && result.left.issues.map((i) => i.path)).toEqual([
        "notifications.smtpUrl",
        "notifications.emailFrom",
      ]);
    }).pipe(Effect.provide(testStore())),
  );
});

describe("NotificationLog", () => {
  it.effect("NOT-1: a claim is won once, even by two connections racing on one database file", () =>
    Effect.gen(function* () {
      const url = tempDatabaseUrl();
      const claim = (owner: string) =>
        Effect.flatMap(NotificationLog, (log) =>
          log.claim({ key: "run:R1", notificationId: `ntf_${owner}`, event: "run_failed", owner, at: new Date().toISOString() }),
        ).pipe(Effect.provide(testStore(url)));
      yield* Effect.provide(Effect.void, testStore(url)); // migrated once, as a deployment's first start does
      const [a, b] = yield* Effect.all([claim("server"), claim("scheduler")], { concurrency: 2 });
      expect([a, b].filter(Boolean)).toHaveLength(1);
    }),
  );

  it.effect("NOT-3: every attempt is logged and paged newest first; runs to notify exclude the notified and the dry", () =>
    Effect.gen(function* () {
      const log = yield* NotificationLog;
      for (let attempt = 1; attempt <= 3; attempt++) {
        yield* log.record({
          notificationId: "ntf_1",
          event: "run_failed",
          channel: "webhook",
          runId: "R1",
          at: new Date().toISOString(),
          ok: attempt === 3,
          attempt,
          status: attempt === 3 ? 200 : 500,
          error: attempt === 3 ? null : "the receiver answered 500",
        });
      }
      const first = yield* log.deliveries({ limit: 2 });
      expect(first.items.map((d) => d.attempt)).toEqual([3, 2]);
      const second = yield* log.deliveries({ limit: 2, cursor: first.nextCursor });
      expect(second).toMatchObject({ items: [{ attempt: 1, ok: false, status: 500 }], nextCursor: null });

      const runs = yield* RunLog;
      const since = new Date(Date.now() - 60_000).toISOString();
      const failed = yield* runs.start({ kind: "daily", trigger: "scheduler" });
      yield* runs.finish(failed.id, "failed", "authentication refused");
      const dry = yield* runs.start({ kind: "full", trigger: "http", dryRun: true });
      yield* runs.finish(dry.id, "partially_succeeded");
      const refresh = yield* runs.start({ kind: "refresh", trigger: "http" });
      yield* runs.finish(refresh.id, "failed");
      const partly = yield* runs.start({ kind: "full", trigger: "http" });
      yield* runs.finish(partly.id, "partially_succeeded");
      const statuses = ["failed", "partially_succeeded"] as const;
      expect((yield* log.endedRunsToNotify(since, statuses)).map((r) => r.id)).toEqual([failed.id, partly.id]);
      expect(yield* log.claim({ key: `run:${failed.id}`, notificationId: "n", event: "run_failed", at: since })).toBe(true);
      expect((yield* log.endedRunsToNotify(since, statuses)).map((r) => r.id)).toEqual([partly.id]);
      expect((yield* log.endedRunsToNotify(since, ["failed"])).map((r) => r.id)).toEqual([]);
    }).pipe(Effect.provide(testStore())),
  );
});
