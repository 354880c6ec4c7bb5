import { invalid } from "./errors.ts";

// Accepts what OneFile clients send: date-only, or date-time with or without a zone.
// A value without a zone is UTC (onefile-api.md §3).
const isoPattern = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Milliseconds since the epoch, or undefined when `text` is not an ISO-8601 date. */
export const parseIsoMillis = (text: string): number | undefined => {
  const m = isoPattern.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = "00", mi = "00", s = "00", frac = "", zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, Number(frac.padEnd(3, "0").slice(0, 3)));
  // Date.UTC rolls 31 February over into March; a round trip catches that.
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return undefined;
  if (!zone || zone.toUpperCase() === "Z") return utc;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
  return utc - sign * offsetMinutes * 60_000;
};

/** True when the text carries no time of day (so a DateTo filter can cover the whole day). */
export const isDateOnly = (text: string): boolean => /^\s*\d{4}-\d{2}-\d{2}\s*$/.test(text);

export const formatIso = (millis: number): string => new Date(millis).toISOString();

/** Normalises a date to OneFile's answer form `YYYY-MM-DDTHH:mm:ss.sssZ`, or fails with −2 naming the field. */
export const normaliseDate = (field: string, value: unknown): string => {
  if (typeof value !== "string") throw invalid(field, "expected an ISO-8601 date string");
  const millis = parseIsoMillis(value);
  if (millis === undefined) throw invalid(field, `'${value}' is not an ISO-8601 date`);
  return formatIso(millis);
};
