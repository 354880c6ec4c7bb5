/**
 * When the daily run is due (SET-15): the cron expression in the settings' time zone. A slot
 * missed while no scheduler was running is caught up if it is recent; older ones are skipped.
 */
import { Cron } from "croner";

/** A missed slot is still run if it is at most this old (a restart after an outage). */
export const CATCH_UP_MS = 12 * 60 * 60 * 1000;

/** The most recent slot at or before `now`, if within the catch-up window. */
export const dueSlot = (cron: string, timeZone: string, now: Date, catchUpMs = CATCH_UP_MS): Date | null => {
  const schedule = new Cron(cron, { timezone: timeZone, paused: true });
  const earliest = new Date(now.getTime() - catchUpMs);
  let due: Date | null = null;
  for (const slot of schedule.nextRuns(1_000, new Date(earliest.getTime() - 1))) {
    if (slot.getTime() > now.getTime()) break;
    due = slot;
  }
  return due;
};

/** The next slot after `now` (for logs). */
export const nextSlot = (cron: string, timeZone: string, now: Date): Date | null =>
  new Cron(cron, { timezone: timeZone, paused: true }).nextRun(now);
