/**
 * The Notifier (NOT-1..3): decides what to notify, claims it in the store so it goes out once
 * whichever process (server or scheduler) sees it first, builds the message, and delivers it on
 * every configured channel, retrying with backoff for a bounded time and logging every attempt.
 *
 * Two watchers call it: the scheduler after each daily run and on its own clock, and the server
 * on a periodic watch, so a run that ended anywhere (HTTP, CLI, scheduler, or closed as
 * interrupted) is notified, and a dead scheduler is still noticed (daily_run_missed).
 */
import {
  NotificationLog,
  runClaimKey,
  SettingsStore,
  type Delivery,
  type DeliveryChannel,
  type NotificationEvent,
  type Run,
  type SecretUnreadable,
  type SettingsView,
  type StoreError,
} from "@pics/pics-store";
import { Cron } from "croner";
import { Clock, Context, Duration, Effect, FiberSet, Layer, Schedule } from "effect";
import { emailChannel, webhookChannel, type AttemptOutcome, type Channel, type ChannelTimeouts } from "./channels.ts";
import {
  consoleHome,
  FIRST_REASONS,
  newNotificationId,
  runConsoleUrl,
  scrub,
  secretParts,
  type Event,
  type Notification,
} from "./message.ts";

/** daily_run_missed: a daily run must have completed this long after its slot. */
export const MISSED_AFTER = Duration.hours(6);
/** The marker of when daily_run_missed was first checked in this deployment. */
const WATCHED_SINCE = "daily_run_missed:watched-since";
/** Runs that ended longer ago than this are not notified (a first start does not replay history). */
export const LOOKBACK = Duration.hours(24);

/**
 * Between attempts: 5 s, doubling, at most 5 minutes apart, for at most an hour (then the last
 * failed attempt stays in the log). Decision D91.
 */
export const defaultRetrySchedule: Schedule.Schedule<unknown, unknown> = Schedule.exponential("5 seconds").pipe(
  Schedule.union(Schedule.spaced("5 minutes")),
  Schedule.upTo("1 hour"),
);

export interface NotifierConfig {
  /** The console's base URL for links (env PUBLIC_URL, default http://localhost:<PORT>). */
  readonly publicUrl: string;
  /** Who claims, for the record: `server`, `scheduler`. */
  readonly owner?: string;
  readonly retrySchedule?: Schedule.Schedule<unknown, unknown>;
  /** How often `watch` looks (default 60 s). */
  readonly watchInterval?: Duration.DurationInput;
  readonly timeouts?: ChannelTimeouts;
  /** Wall clock for webhook signatures (receivers compare it with theirs). */
  readonly wallClock?: () => number;
}

export interface ChannelResult {
  readonly channel: DeliveryChannel;
  readonly ok: boolean;
  readonly status?: number;
  readonly error?: string;
  readonly attempts: number;
}

export interface NotificationResult {
  readonly notification: Notification;
  readonly deliveries: ReadonlyArray<ChannelResult>;
}

type NotifyError = StoreError | SecretUnreadable;

export interface NotifierShape {
  /** Notifies the end of a daily or full run if it failed or partly failed, once across processes. */
  readonly notifyRun: (runId: string) => Effect.Effect<NotificationResult | null, NotifyError>;
  /** Every daily or full run of the last 24 hours that ended badly and was not notified yet. */
  readonly notifyEndedRuns: Effect.Effect<ReadonlyArray<NotificationResult>, NotifyError>;
  /** daily_run_missed for the latest slot whose 6 hours have passed, once per slot. */
  readonly checkDailyRunMissed: Effect.Effect<NotificationResult | null, NotifyError>;
  /** A test notification, one attempt per configured channel (NOT-3). */
  readonly sendTest: Effect.Effect<ReadonlyArray<ChannelResult>, NotifyError>;
  /** The deliveries log, newest first. */
  readonly deliveries: NotificationLog["Type"]["deliveries"];
  /** The periodic watch: both checks now and every `watchInterval`; deliveries run alongside. */
  readonly watch: Effect.Effect<never>;
}

const EVENT_OF_STATUS = { failed: "run_failed", partially_succeeded: "run_partially_succeeded" } as const;
const STATUS_OF_EVENT: Partial<Record<NotificationEvent, "failed" | "partially_succeeded">> = {
  run_failed: "failed",
  run_partially_succeeded: "partially_succeeded",
};

/** The most recent cron slot at or before `reference`, if it is within `lookbackMs` of it. */
export const slotBefore = (cron: string, timeZone: string, reference: number, lookbackMs: number): Date | null => {
  const [slot] = new Cron(cron, { timezone: timeZone, paused: true }).previousRuns(1, new Date(reference + 1));
  return slot !== undefined && slot.getTime() > reference - lookbackMs ? slot : null;
};

export class Notifier extends Context.Tag("notifications/Notifier")<Notifier, NotifierShape>() {
  static layer(config: NotifierConfig): Layer.Layer<Notifier, never, SettingsStore | NotificationLog> {
    return Layer.effect(
      Notifier,
      Effect.gen(function* () {
        const settingsStore = yield* SettingsStore;
        const log = yield* NotificationLog;
        const retrySchedule = config.retrySchedule ?? defaultRetrySchedule;
        const nowIso = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString());

        /** The configured channels, and the secrets to keep out of anything said. */
        const configured = Effect.gen(function* () {
          const settings = yield* settingsStore.get;
          const secrets = yield* settingsStore.notificationSecrets;
          // Only to keep it out of reasons: a token that cannot be opened must not stop a notification.
          const token = yield* Effect.orElseSucceed(settingsStore.customerToken, () => null);
          const redact = secretParts([secrets.webhookSecret, secrets.smtpUrl, token]);
          const n = settings.notifications;
          const channels: Array<Channel> = [];
          if (n.webhookUrl !== null && secrets.webhookSecret !== null) {
            channels.push(
              webhookChannel({
                url: n.webhookUrl,
                secret: secrets.webhookSecret,
                redact,
                ...(config.timeouts?.webhookMs === undefined ? {} : { timeoutMs: config.timeouts.webhookMs }),
                ...(config.wallClock === undefined ? {} : { now: config.wallClock }),
              }),
            );
          }
          if (n.emailTo.length > 0 && n.emailFrom !== null && secrets.smtpUrl !== null) {
            channels.push(
              emailChannel({
                smtpUrl: secrets.smtpUrl,
                from: n.emailFrom,
                to: n.emailTo,
                redact,
                ...(config.timeouts?.smtpMs === undefined ? {} : { timeoutMs: config.timeouts.smtpMs }),
              }),
            );
          }
          return { settings, channels, redact };
        });

        /** One channel: attempts until one succeeds or the schedule gives up; each is logged. */
        const deliverOn = (channel: Channel, notification: Notification, runId: string | null, retry: boolean) =>
          Effect.gen(function* () {
            let attempts = 0;
            const attempt = Effect.gen(function* () {
              attempts += 1;
              const outcome = yield* channel.send(notification);
              yield* log
                .record({
                  notificationId: notification.id,
                  event: notification.type,
                  channel: channel.name,
                  runId,
                  at: yield* nowIso,
                  ok: outcome.ok,
                  attempt: attempts,
                  status: outcome.status ?? null,
                  error: outcome.error ?? null,
                })
                .pipe(
                  // The attempt happened whatever the log says; a store blip must not send it again.
                  Effect.catchAll((error) => Effect.logWarning("notification delivery not logged", error.message)),
                );
              return outcome.ok ? outcome : yield* Effect.fail(outcome);
            });
            const final: AttemptOutcome = yield* (retry ? Effect.retry(attempt, retrySchedule) : attempt).pipe(Effect.merge);
            return { channel: channel.name, ...final, attempts } satisfies ChannelResult;
          });

        const deliver = (notification: Notification, channels: ReadonlyArray<Channel>, runId: string | null, retry = true) =>
          Effect.map(
            Effect.forEach(channels, (channel) => deliverOn(channel, notification, runId, retry), { concurrency: "unbounded" }),
            (deliveries): NotificationResult => ({ notification, deliveries }),
          );

        const notifyRun = (runId: string) =>
          Effect.gen(function* () {
            const { settings, channels, redact } = yield* configured;
            if (channels.length === 0) return null;
            const found = yield* log.runWithFirstErrors(runId, FIRST_REASONS);
            if (found === null || !qualifies(found.run, settings)) return null;
            const event = EVENT_OF_STATUS[found.run.status as keyof typeof EVENT_OF_STATUS];
            const id = newNotificationId();
            const at = yield* nowIso;
            if (!(yield* log.claim({ key: runClaimKey(runId), notificationId: id, event, owner: config.owner ?? null, at })))
              return null;
            const run = found.run;
            const notification: Notification = {
              type: event,
              id,
              at,
              run: {
                id: run.id,
                kind: run.kind,
                status: run.status,
                total: run.progress.total,
                failed: run.progress.failed,
                startedAt: run.startedAt,
                endedAt: run.endedAt,
                message: run.message === null ? null : scrub(run.message, redact),
              },
              failedLearners: found.errors.map((e) => ({
                learnerId: e.learnerId,
                code: e.code,
                reason: scrub(e.reason, redact),
              })),
              consoleUrl: runConsoleUrl(config.publicUrl, run.id),
            };
            return yield* deliver(notification, channels, run.id);
          });

        const qualifies = (run: Run, settings: SettingsView) =>
          (run.kind === "daily" || run.kind === "full") &&
          !run.dryRun &&
          (run.status === "failed" || run.status === "partially_succeeded") &&
          settings.notifications.events.includes(EVENT_OF_STATUS[run.status]);

        const notifyEndedRuns = Effect.gen(function* () {
          const settings = yield* settingsStore.get;
          const statuses = settings.notifications.events.flatMap((e) => {
            const status = STATUS_OF_EVENT[e];
            return status === undefined ? [] : [status];
          });
          const since = new Date((yield* Clock.currentTimeMillis) - Duration.toMillis(LOOKBACK)).toISOString();
          const runs = yield* log.endedRunsToNotify(since, statuses);
          const results = yield* Effect.forEach(runs, (run) => notifyRun(run.id), { concurrency: "unbounded" });
          return results.filter((r): r is NotificationResult => r !== null);
        });

        const checkDailyRunMissed = Effect.gen(function* () {
          const { settings, channels } = yield* configured;
          if (!settings.integrationEnabled || channels.length === 0) return null;
          if (!settings.notifications.events.includes("daily_run_missed")) return null;
          const now = yield* Clock.currentTimeMillis;
          const missedAfter = Duration.toMillis(MISSED_AFTER);
          const { cron, timeZone } = settings.dailySync;
          // Slots from before the first look with a channel configured (a first start, an upgrade,
          // notifications just set up) are not judged: nobody asked to hear about them (D93).
          const watchedSince = Date.parse(yield* log.firstTime(WATCHED_SINCE, new Date(now).toISOString()));
          const slot = slotBefore(cron, timeZone, now - missedAfter, Duration.toMillis(LOOKBACK));
          if (slot === null || slot.getTime() < watchedSince) return null;
          const slotAt = slot.toISOString();
          const dueBy = new Date(slot.getTime() + missedAfter).toISOString();
          if (yield* log.dailyRunCompletedBetween(slotAt, dueBy)) return null;
          const id = newNotificationId();
          const at = yield* nowIso;
          const claimed = yield* log.claim({
            key: `daily_run_missed:${slotAt}`,
            notificationId: id,
            event: "daily_run_missed",
            owner: config.owner ?? null,
            at,
          });
          if (!claimed) return null;
          const notification: Notification = {
            type: "daily_run_missed",
            id,
            at,
            run: null,
            slot: { at: slotAt, dueBy },
            failedLearners: [],
            consoleUrl: consoleHome(config.publicUrl),
          };
          return yield* deliver(notification, channels, null);
        });

        const sendTest = Effect.gen(function* () {
          const { channels } = yield* configured;
          const notification: Notification = {
            type: "test" satisfies Event,
            id: newNotificationId(),
            at: yield* nowIso,
            run: null,
            failedLearners: [],
            consoleUrl: consoleHome(config.publicUrl),
          };
          return (yield* deliver(notification, channels, null, false)).deliveries;
        });

        const sweep = Effect.all([notifyEndedRuns, checkDailyRunMissed], { concurrency: 2, discard: true }).pipe(
          Effect.catchAllCause((cause) => Effect.logWarning("notification watch failed", cause)),
        );

        const watch: Effect.Effect<never> = Effect.scoped(
          Effect.gen(function* () {
            const running = yield* FiberSet.make();
            while (true) {
              // Each look runs beside the others: an hour of retries never holds up the next look.
              yield* FiberSet.run(running, sweep);
              yield* Effect.sleep(config.watchInterval ?? "60 seconds");
            }
          }),
        );

        return {
          notifyRun,
          notifyEndedRuns,
          checkDailyRunMissed,
          sendTest,
          deliveries: log.deliveries,
          watch,
        } satisfies NotifierShape;
      }),
    );
  }
}

/** A delivery as the API shows it: `{id, event, channel, runId?, at, ok, attempt, status?, error?}`. */
export const deliveryView = (d: Delivery) => ({
  id: d.id,
  notificationId: d.notificationId,
  event: d.event,
  channel: d.channel,
  ...(d.runId === null ? {} : { runId: d.runId }),
  at: d.at,
  ok: d.ok,
  attempt: d.attempt,
  ...(d.status === null ? {} : { status: d.status }),
  ...(d.error === null ? {} : { error: d.error }),
});
