// PICS dates and times are local to the deployment's zone (default Europe/London); OneFile instants
// are UTC. Intl is available on Node and Deno, so no time-zone library is needed.

const formatters = new Map<string, Intl.DateTimeFormat>();

const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
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

const wallClock = (utcMillis: number, timeZone: string) => {
  const parts = formatterFor(timeZone).formatToParts(new Date(utcMillis));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: get("year"),
    month: get("month"),
    day: get("day"),
    hour: get("hour"),
    minute: get("minute"),
    second: get("second"),
  };
};

const offsetMillis = (utcMillis: number, timeZone: string): number => {
  const w = wallClock(utcMillis, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(utcMillis / 1000) * 1000;
};

/** `2025-07-01` + `10:00` in Europe/London → the UTC instant (09:00Z in summer). */
export const localToUtcMillis = (date: string, time: string, timeZone: string): number => {
  const [y = 0, m = 1, d = 1] = date.split("-").map(Number);
  const [h = 0, mi = 0] = time.split(":").map(Number);
  const asIfUtc = Date.UTC(y, m - 1, d, h, mi);
  const first = asIfUtc - offsetMillis(asIfUtc, timeZone);
  return asIfUtc - offsetMillis(first, timeZone);
};

/** The local calendar date (YYYY-MM-DD) of a UTC instant. */
export const utcToLocalDate = (utcMillis: number, timeZone: string): string => {
  const w = wallClock(utcMillis, timeZone);
  return `${w.year}-${String(w.month).padStart(2, "0")}-${String(w.day).padStart(2, "0")}`;
};
