/**
 * Structured logs: one JSON object per line. Request bodies, the Authorization header and the
 * OneFile customer token are never passed to the logger; callers log only the fields below.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface LogEntry {
  readonly level: LogLevel;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export type Logger = (entry: LogEntry) => void;

/** Writes one JSON line to stdout (info/debug) or stderr (warn/error). */
export const jsonLogger: Logger = (entry) => {
  const line = JSON.stringify({ time: new Date().toISOString(), ...entry });
  if (entry.level === "warn" || entry.level === "error") console.error(line);
  else console.log(line);
};

/** Drops everything (for tests that do not look at logs). */
export const silentLogger: Logger = () => {};
