/**
 * Dates in the deployment's time zone (the daily run's, SET-15) and numbers a person can scan.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
const dateTimeFormat = (timeZone: string): Intl.DateTimeFormat => {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hour12: false,
    });
    formatters.set(timeZone, format);
  }
  return format;
};

/** `2026-12-02T01:40:00Z` in Europe/London → `2 Dec 2026, 01:40:00`. Null → an en dash. */
export const formatInstant = (iso: string | null | undefined, timeZone: string): string => {
  if (!iso) return "–";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeFormat(timeZone).format(date);
};

const numbers = new Intl.NumberFormat("en-GB");
/** 12345 → `12,345`. */
export const formatNumber = (n: number | null | undefined): string => (typeof n === "number" ? numbers.format(n) : "–");

/** A duration between two instants: `4 s`, `2 min 5 s`, `1 h 3 min`; running when `end` is null. */
export const formatDuration = (start: string, end: string | null, now = Date.now()): string => {
  const ms = (end ? new Date(end).getTime() : now) - new Date(start).getTime();
  if (!Number.isFinite(ms) || ms < 0) return "–";
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
};

/** A journal value for people: JSON, with null shown as "(none)". */
export const formatValue = (value: unknown): string => {
  if (value === null || value === undefined) return "(none)";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
};

export const statusLabel: Record<string, string> = {
  running: "Running",
  succeeded: "Succeeded",
  partially_succeeded: "Partly succeeded",
  failed: "Failed",
};
