/**
 * When the next daily run is due (SET-15), for people: the console's Summary shows it. The
 * scheduler keeps its own slot logic (catch-up); both read the same `dailySync` setting.
 */
import { Cron } from "croner";
import type { Settings } from "./settings.ts";

/** The next slot of `dailySync` after `now`, or null when the expression has none. */
export const nextDailyRun = (dailySync: Settings["dailySync"], now: Date): Date | null =>
  new Cron(dailySync.cron, { timezone: dailySync.timeZone, paused: true }).nextRun(now);
