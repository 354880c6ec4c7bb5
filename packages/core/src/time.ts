/**
 * PICS dates and times are local to the deployment's time zone (SET-15); OneFile instants are UTC.
 * A review at 10:00 on a July day in London is 09:00Z in OneFile, and back again.
 */

/** One formatter per zone: building one costs far more than using it (it showed in the exchange's CPU profile). */
const formatters = new Map<string, Intl.DateTimeFormat>();
const formatterFor = (timeZone: string) => {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
};

/** The zone's offset from UTC, in minutes, at a given instant. */
const offsetMinutes = (instantMs: number, timeZone: string): number => {
  const parts = formatterFor(timeZone).formatToParts(new Date(instantMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((asUtc - Math.floor(instantMs / 1000) * 1000) / 60_000);
};

/** `2026-07-01` + `10:00` in Europe/London → `2026-07-01T09:00:00.000Z`. */
export const localToUtc = (date: string, time: string, timeZone: string): string => {
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm] = time.split(":").map(Number);
  const wallClock = Date.UTC(y!, m! - 1, d!, hh!, mm!);
  // Two passes settle instants next to a daylight-saving change.
  let instant = wallClock - offsetMinutes(wallClock, timeZone) * 60_000;
  instant = wallClock - offsetMinutes(instant, timeZone) * 60_000;
  return new Date(instant).toISOString();
};

/** `2026-07-01T09:00:00.000Z` in Europe/London → `{ date: "2026-07-01", time: "10:00" }`. */
export const utcToLocal = (instant: string, timeZone: string): { date: string; time: string } => {
  const ms = Date.parse(instant);
  const local = new Date(ms + offsetMinutes(ms, timeZone) * 60_000).toISOString();
  return { date: local.slice(0, 10), time: local.slice(11, 16) };
};

/** A PICS calendar date as a OneFile date (midnight UTC, onefile-api.md §3). */
export const dateToOneFile = (date: string): string => `${date}T00:00:00.000Z`;

/** A OneFile date-only value (sent at midnight UTC) as a PICS calendar date. */
export const oneFileToDate = (instant: string): string => instant.slice(0, 10);

/** A OneFile instant (a review started or signed) as the PICS date it fell on locally. */
export const instantToLocalDate = (instant: string, timeZone: string): string => utcToLocal(instant, timeZone).date;
