/**
 * NOT-1..4 against real receivers: a webhook server that verifies the Standard Webhooks signature
 * with the `standardwebhooks` library, and an in-process SMTP server that receives the mail.
 */
import { describe, expect, it } from "@effect/vitest";
import { NotificationLog, RunLog, SettingsStore } from "@pics/pics-store";
import { Clock, Duration, Effect, Layer, TestClock } from "effect";
import { Notifier } from "../src/index.ts";
import {
  configureChannels,
  CUSTOMER_TOKEN,
  driveTestClock,
  eventually,
  notifierLayer,
  PUBLIC_URL,
  SMTP_PASSWORD,
  smtpSink,
  tempDatabaseUrl,
  WEBHOOK_SECRET,
  webhookReceiver,
} from "./support.ts";

const SECRETS = [WEBHOOK_SECRET, WEBHOOK_SECRET.slice("whsec_".length), SMTP_PASSWORD, CUSTOMER_TOKEN];

/** A full run of 3 learners that ended partially_succeeded: L2 failed, with a reason naming an e-mail. */
const partiallySucceededRun = Effect.gen(function* () {
  const runs = yield* RunLog;
  const run = yield* runs.start({ kind: "full", trigger: "http", total: 3 });
  yield* runs.recordError(run.id, {
    learnerId: "L2",
    code: "OneFileRefused",
    reason: "OneFile refused the learner: Email jo.bloggs@learner.example is already used",
  });
  yield* runs.progress(run.id, { done: 3, failed: 1 });
  yield* runs.finish(run.id, "partially_succeeded", "1 of 3 learners failed");
  return run.id;
});

describe("run notifications", () => {
  it.scoped(
    "NOT-1, NOT-2: a partially succeeded run notifies both channels once, signed, with the right content and no secret",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.now());
        const receiver = yield* webhookReceiver();
        const smtp = yield* smtpSink;
        const url = tempDatabaseUrl();
        const server = yield* Layer.build(notifierLayer(url, { owner: "server" }));
        const scheduler = yield* Layer.build(notifierLayer(url, { owner: "scheduler" }));

        const runId = yield* Effect.provide(
          Effect.zipRight(configureChannels(receiver.url, smtp.url), partiallySucceededRun),
          server,
        );

        // Both processes look, several times: one notification in all.
        const first = yield* Effect.provide(
          Effect.flatMap(Notifier, (n) => n.notifyEndedRuns),
          server,
        );
        const again = yield* Effect.provide(
          Effect.flatMap(Notifier, (n) => Effect.zipRight(n.notifyEndedRuns, n.notifyRun(runId))),
          scheduler,
        );
        yield* Effect.provide(
          Effect.flatMap(Notifier, (n) => n.notifyEndedRuns),
          server,
        );
        expect(first).toHaveLength(1);
        expect(again).toBe(null);
        expect(first[0]!.deliveries.map((d) => [d.channel, d.ok, d.attempts])).toEqual([
          ["webhook", true, 1],
          ["email", true, 1],
        ]);

        expect(receiver.received).toHaveLength(1);
        const [hook] = receiver.received;
        expect(hook!.verified).toMatchObject({ ok: true });
        expect(hook!.headers["webhook-id"]).toBe(first[0]!.notification.id);
        expect(hook!.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
        expect(JSON.parse(hook!.body)).toEqual({
          type: "run_partially_succeeded",
          id: first[0]!.notification.id,
          at: expect.any(String),
          run: {
            id: runId,
            kind: "full",
            status: "partially_succeeded",
            total: 3,
            failed: 1,
            startedAt: expect.any(String),
            endedAt: expect.any(String),
            message: "1 of 3 learners failed",
          },
          failedLearners: [
            { learnerId: "L2", code: "OneFileRefused", reason: "OneFile refused the learner: Email [e-mail] is already used" },
          ],
          consoleUrl: `${PUBLIC_URL}/console/runs/${runId}`,
        });

        expect(smtp.messages).toHaveLength(1);
        const [mail] = smtp.messages;
        expect(mail!.from).toBe("pics@provider.example");
        expect(mail!.to).toEqual(["ops@provider.example", "mis@provider.example"]);
        expect(mail!.subject).toBe("PICS-OneFile: full run partially succeeded (1 of 3 learners failed)");
        expect(mail!.text).toContain(`The full run ${runId} partially succeeded: 1 of 3 learners failed.`);
        expect(mail!.text).toContain("- L2: OneFileRefused: OneFile refused the learner: Email [e-mail] is already used");
        expect(mail!.text).toContain(`Console: ${PUBLIC_URL}/console/runs/${runId}`);

        for (const text of [hook!.body, JSON.stringify(hook!.headers), mail!.raw]) {
          for (const secret of SECRETS) expect(text).not.toContain(secret);
          expect(text).not.toContain("jo.bloggs");
        }

        // Every attempt is in the deliveries log.
        const log = yield* Effect.provide(
          Effect.flatMap(NotificationLog, (l) => l.deliveries()),
          server,
        );
        expect(log.items.map((d) => [d.channel, d.event, d.runId, d.ok, d.attempt]).sort()).toEqual([
          ["email", "run_partially_succeeded", runId, true, 1],
          ["webhook", "run_partially_succeeded", runId, true, 1],
        ]);
      }),
  );

  it.scoped("NOT-1: only the events chosen, only daily and full runs, never a dry run or a success", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now());
      const receiver = yield* webhookReceiver();
      const smtp = yield* smtpSink;
      const layer = yield* Layer.build(notifierLayer(tempDatabaseUrl()));
      const result = yield* Effect.gen(function* () {
        yield* configureChannels(receiver.url, smtp.url);
        yield* (yield* SettingsStore).update({ notifications: { events: ["run_failed"] } });
        const runs = yield* RunLog;
        const end = (
          kind: "daily" | "full" | "refresh",
          status: "failed" | "partially_succeeded" | "succeeded",
          dryRun = false,
        ) =>
          Effect.flatMap(runs.start({ kind, trigger: "scheduler", dryRun }), (run) =>
            Effect.as(runs.finish(run.id, status), run.id),
          );
        yield* end("full", "partially_succeeded"); // event not chosen
        yield* end("daily", "succeeded");
        yield* end("full", "failed", true); // dry
        yield* end("refresh", "failed");
        const failedDaily = yield* end("daily", "failed");
        const notified = yield* (yield* Notifier).notifyEndedRuns;
        return { failedDaily, notified };
      }).pipe(Effect.provide(layer));
      expect(result.notified.map((n) => [n.notification.type, n.notification.run?.id])).toEqual([
        ["run_failed", result.failedDaily],
      ]);
      expect(receiver.received.map((r) => JSON.parse(r.body).type)).toEqual(["run_failed"]);
      expect(smtp.messages.map((m) => m.subject)).toEqual(["PICS-OneFile: daily run failed (0 of 0 learners failed)"]);
    }),
  );

  it.scoped("NOT-3: a receiver answering 500 twice then 200 gets it on the third attempt, and the log shows all three", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now());
      const receiver = yield* webhookReceiver([500, 500, 200]);
      const smtp = yield* smtpSink;
      const layer = yield* Layer.build(notifierLayer(tempDatabaseUrl()));
      const { result, log } = yield* Effect.gen(function* () {
        yield* configureChannels(receiver.url, smtp.url);
        yield* (yield* SettingsStore).update({ notifications: { emailTo: [] } }); // the webhook alone
        const runId = yield* partiallySucceededRun;
        const started = yield* Clock.currentTimeMillis;
        const fiber = yield* Effect.fork((yield* Notifier).notifyRun(runId));
        const result = yield* driveTestClock(fiber);
        const waited = (yield* Clock.currentTimeMillis) - started;
        const log = yield* (yield* NotificationLog).deliveries();
        return { result, log, waited };
      }).pipe(Effect.provide(layer));
      expect(result?.deliveries).toEqual([{ channel: "webhook", ok: true, status: 200, attempts: 3 }]);
      expect(receiver.received).toHaveLength(3);
      // The same message each time (same webhook-id), freshly signed, each one verified.
      expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
      expect(receiver.received.every((r) => r.verified.ok)).toBe(true);
      expect(log.items.map((d) => [d.attempt, d.ok, d.status, d.error])).toEqual([
        [3, true, 200, null],
        [2, false, 500, "the receiver answered 500"],
        [1, false, 500, "the receiver answered 500"],
      ]);
      // Backoff: the attempts were spaced on the (test) clock, 5 s then 10 s.
      const times = log.items.map((d) => Date.parse(d.at)).reverse();
      expect(times[1]! - times[0]!).toBe(5_000);
      expect(times[2]! - times[1]!).toBe(10_000);
    }),
  );

  it.scoped("NOT-3: a receiver that never answers 2xx is given up after the bounded time, every attempt logged", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now());
      const receiver = yield* webhookReceiver(Array.from({ length: 100 }, () => 503));
      const smtp = yield* smtpSink;
      const layer = yield* Layer.build(notifierLayer(tempDatabaseUrl()));
      const { result, attempts, span } = yield* Effect.gen(function* () {
        yield* configureChannels(receiver.url, smtp.url);
        yield* (yield* SettingsStore).update({ notifications: { emailTo: [] } });
        const runId = yield* partiallySucceededRun;
        const result = yield* driveTestClock(yield* Effect.fork((yield* Notifier).notifyRun(runId)));
        const log = yield* (yield* NotificationLog).deliveries({ limit: 500 });
        const times = log.items.map((d) => Date.parse(d.at));
        return { result, attempts: log.items.length, span: Math.max(...times) - Math.min(...times) };
      }).pipe(Effect.provide(layer));
      expect(result?.deliveries[0]).toMatchObject({ channel: "webhook", ok: false, status: 503 });
      expect(attempts).toBe(receiver.received.length);
      expect(attempts).toBeGreaterThan(5);
      expect(attempts).toBeLessThan(30);
      // About an hour: retries stop once an hour has passed (the last spacing is at most 5 minutes).
      expect(span).toBeLessThanOrEqual(65 * 60 * 1000);
    }),
  );
});

describe("daily_run_missed", () => {
  it.scoped(
    "NOT-1: with the scheduler stopped, the watches of two processes raise daily_run_missed once, after the 6-hour mark",
    () =>
      Effect.gen(function* () {
        // 01:00 UTC on a December day: the 02:00 Europe/London slot (02:00Z) is an hour away.
        yield* TestClock.setTime(Date.parse("2026-12-10T01:00:00Z"));
        const receiver = yield* webhookReceiver();
        const smtp = yield* smtpSink;
        const url = tempDatabaseUrl();
        // Each process looks every 5 minutes (60 s in production; fewer looks keep the test quick).
        const server = yield* Layer.build(notifierLayer(url, { owner: "server", watchInterval: "5 minutes" }));
        const scheduler = yield* Layer.build(notifierLayer(url, { owner: "scheduler", watchInterval: "5 minutes" }));
        yield* Effect.provide(configureChannels(receiver.url, smtp.url, { integrationEnabled: true }), server);

        const watch = (layer: typeof server) =>
          Effect.forkScoped(
            Effect.provide(
              Effect.flatMap(Notifier, (n) => n.watch),
              layer,
            ),
          );
        yield* watch(server);
        yield* watch(scheduler);

        // 07:59 Z: 5 h 59 min after the slot, nothing yet.
        yield* TestClock.adjust(Duration.sum(Duration.hours(6), Duration.minutes(59)));
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 300)));
        expect(receiver.received).toHaveLength(0);

        // Past 08:00 Z, the next look of either watch raises it; later looks do not repeat it.
        yield* TestClock.adjust("6 minutes");
        yield* eventually(() => receiver.received.length === 1 && smtp.messages.length === 1);
        for (let i = 0; i < 5; i++) {
          yield* TestClock.adjust("5 minutes");
          yield* Effect.promise(() => new Promise((r) => setTimeout(r, 50)));
        }
        expect(receiver.received).toHaveLength(1);
        expect(smtp.messages).toHaveLength(1);
        const body = JSON.parse(receiver.received[0]!.body);
        expect(receiver.received[0]!.verified.ok).toBe(true);
        expect(body).toMatchObject({
          type: "daily_run_missed",
          run: null,
          slot: { at: "2026-12-10T02:00:00.000Z", dueBy: "2026-12-10T08:00:00.000Z" },
          failedLearners: [],
          consoleUrl: `${PUBLIC_URL}/console`,
        });
        expect(smtp.messages[0]!.subject).toBe("PICS-OneFile: the daily run of 2026-12-10T02:00:00.000Z did not complete");
      }),
  );

  it.scoped("a slot served by a completed daily run raises nothing; the same slot unserved raises it", () =>
    Effect.gen(function* () {
      // The slot is a minute before now (UTC); the watch started ten minutes before it.
      const now = Date.now();
      const slot = new Date(now - 60_000);
      const receiver = yield* webhookReceiver();
      const smtp = yield* smtpSink;
      const check = (withRun: boolean) =>
        Effect.gen(function* () {
          yield* TestClock.setTime(now - 10 * 60_000);
          yield* configureChannels(receiver.url, smtp.url, {
            integrationEnabled: true,
            dailySync: { cron: `${slot.getUTCMinutes()} ${slot.getUTCHours()} * * *`, timeZone: "UTC" },
          });
          const notifier = yield* Notifier;
          expect(yield* notifier.checkDailyRunMissed).toBe(null); // the first look: before the slot
          yield* TestClock.setTime(now);
          if (withRun) {
            const runs = yield* RunLog;
            const run = yield* runs.start({ kind: "daily", trigger: "scheduler" });
            yield* runs.finish(run.id, "partially_succeeded");
          }
          yield* TestClock.adjust(Duration.sum(Duration.hours(6), Duration.minutes(5)));
          return yield* notifier.checkDailyRunMissed;
        }).pipe(Effect.provide(notifierLayer(tempDatabaseUrl())));
      expect(yield* check(true)).toBe(null);
      expect(receiver.received).toHaveLength(0);
      const unserved = yield* check(false);
      expect(unserved?.notification.slot?.at).toBe(new Date(Math.floor(slot.getTime() / 60_000) * 60_000).toISOString());
      expect(receiver.received).toHaveLength(1);
    }),
  );
});

describe("test send", () => {
  it.scoped("NOT-3: a test send reports each channel's result, one attempt each, logged, no secret in an error", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now());
      const receiver = yield* webhookReceiver([200]);
      const smtp = yield* smtpSink;
      const layer = yield* Layer.build(notifierLayer(tempDatabaseUrl()));
      const { good, bad, log } = yield* Effect.gen(function* () {
        yield* configureChannels(receiver.url, smtp.url);
        const notifier = yield* Notifier;
        const good = yield* notifier.sendTest;
        // A wrong SMTP password and a receiver that is gone.
        yield* (yield* SettingsStore).update({
          notifications: {
            webhookUrl: "http://127.0.0.1:9/nobody-listens",
            smtpUrl: smtp.url.replace(SMTP_PASSWORD, "wrong-Pa55word-also-secret"),
          },
        });
        const bad = yield* notifier.sendTest;
        const log = yield* (yield* NotificationLog).deliveries();
        return { good, bad, log };
      }).pipe(Effect.provide(layer));
      expect(good).toEqual([
        { channel: "webhook", ok: true, status: 200, attempts: 1 },
        { channel: "email", ok: true, status: 250, attempts: 1 },
      ]);
      expect(receiver.received[0]!.verified.ok).toBe(true);
      expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({
        type: "test",
        run: null,
        consoleUrl: `${PUBLIC_URL}/console`,
      });
      expect(smtp.messages[0]!.subject).toBe("PICS-OneFile: test notification");
      expect(bad).toEqual([
        { channel: "webhook", ok: false, error: expect.stringMatching(/^the request failed/), attempts: 1 },
        { channel: "email", ok: false, status: 535, error: expect.stringMatching(/^sending failed/), attempts: 1 },
      ]);
      expect(JSON.stringify(bad)).not.toContain("wrong-Pa55word-also-secret");
      expect(log.items.map((d) => `${d.event} ${d.channel} ${d.ok}`).sort()).toEqual([
        "test email false",
        "test email true",
        "test webhook false",
        "test webhook true",
      ]);
    }),
  );
});
