/**
 * The daily run (SYNC-1) at the cron and time zone of the settings, re-read on every tick so a
 * change applies without a restart. Several schedulers may run: the run lease lets one run at a
 * time, and a slot already served by a run (in any process) is not run again. A run whose process
 * died (its lease lapsed) is closed as interrupted and its slot is run again; the exchange looks
 * everything up before creating, so nothing is duplicated.
 */
import { Exchange, RUN_LEASE } from "@pics/core";
import { Notifier, type NotificationResult } from "@pics/notifications";
import { RunLog, SettingsStore } from "@pics/pics-store";
import { Effect } from "effect";
import { dueSlot, nextSlot } from "./slots.ts";

export interface DaemonOptions {
  readonly tickMs: number;
  readonly log: (event: string, fields?: Record<string, unknown>) => void;
}

/** Has a daily run started at or after the slot, other than one that was interrupted? */
const slotServed = (slot: Date) =>
  Effect.gen(function* () {
    // Daily runs only, newest first: those since the slot are at the top however busy the day was.
    const runs = yield* (yield* RunLog).list({ kind: "daily", limit: 50 });
    return runs.items.some(
      (run) => !run.dryRun && Date.parse(run.startedAt) >= slot.getTime() && !(run.message ?? "").startsWith("interrupted"),
    );
  });

/**
 * Closes runs left "running" by a process that died: nobody holds the run lease any more. The
 * lease check and the close are one statement, on the database's clock (LIM-4), so a run that
 * starts meanwhile or a host whose clock runs ahead never closes a live run.
 */
export const closeInterruptedRuns = Effect.flatMap(RunLog, (log) => log.closeAbandoned(1_000, RUN_LEASE));

export const tick = (options: DaemonOptions) =>
  Effect.gen(function* () {
    const settings = yield* (yield* SettingsStore).get;
    const closed = yield* closeInterruptedRuns;
    for (const run of closed) options.log("run_interrupted", { runId: run.id, kind: run.kind });
    if (!settings.integrationEnabled) return "disabled" as const;
    const { cron, timeZone } = settings.dailySync;
    const slot = dueSlot(cron, timeZone, new Date());
    if (slot === null || (yield* slotServed(slot))) return "idle" as const;
    options.log("daily_run_starting", { slot: slot.toISOString(), cron, timeZone });
    const outcome = yield* Effect.either((yield* Exchange).run({ kind: "daily", trigger: "scheduler" }));
    if (outcome._tag === "Left") {
      options.log("daily_run_not_started", { reason: (outcome.left as { message?: string }).message ?? String(outcome.left) });
      return "busy" as const;
    }
    const run = outcome.right;
    options.log("daily_run_finished", {
      runId: run.id,
      status: run.status,
      ...run.progress,
      next: nextSlot(cron, timeZone, new Date())?.toISOString(),
    });
    // NOT-1: tell the operator now (failed or partly failed; once, whichever process claims it).
    // Its retries may take an hour: they run beside the next ticks.
    yield* Effect.forkDaemon(
      Effect.flatMap(Notifier, (notifier) => notifier.notifyRun(run.id)).pipe(
        Effect.tap((sent) =>
          sent ? Effect.sync(() => options.log("run_notified", { runId: run.id, ...summary(sent) })) : Effect.void,
        ),
        Effect.catchAllCause((cause) =>
          Effect.sync(() => options.log("run_notification_failed", { runId: run.id, reason: String(cause) })),
        ),
      ),
    );
    return "ran" as const;
  });

const summary = (sent: NotificationResult) => ({
  event: sent.notification.type,
  deliveries: sent.deliveries.map((d) => `${d.channel}:${d.ok ? "ok" : "failed"}`),
});

export const daemon = (options: DaemonOptions) =>
  Effect.gen(function* () {
    options.log("scheduler_started", { tickMs: options.tickMs });
    // NOT-1: the watch notices runs that ended elsewhere and a daily run missing 6 hours after its
    // slot (this scheduler stuck, or another one dead); the server runs the same watch.
    yield* Effect.forkScoped(Effect.flatMap(Notifier, (notifier) => notifier.watch));
    while (true) {
      const result = yield* Effect.either(tick(options));
      if (result._tag === "Left")
        options.log("scheduler_tick_failed", { reason: String((result.left as { message?: string }).message ?? result.left) });
      yield* Effect.sleep(options.tickMs);
    }
  }).pipe(Effect.scoped);
