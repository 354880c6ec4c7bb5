/** One OneFile API call as the sandbox saw it. */
export interface CallRecord {
  seq: number;
  time: string;
  method: string;
  /** Normalised endpoint, e.g. "POST User/Search". */
  endpoint: string;
  path: string;
  /** null while the call is pending or when it was hung and never answered. */
  status: number | null;
  /** The customer token the call was made for (null when the caller could not be identified). */
  token: string | null;
  /** The fault applied to the call, if any ("hang", "dropAfterCommit", "malformed", "status", "rateLimit", "random5xx"…). */
  fault: string | null;
  durationMs: number | null;
}

export interface WindowCount {
  token: string;
  start: number;
  windowMs: number;
  calls: number;
}

export interface Counters {
  total: number;
  byEndpoint: Record<string, number>;
  byStatus: Record<string, number>;
  http429: number;
  maxCallsInWindow: number;
  windows: { start: number; calls: number; token: string; windowMs: number }[];
  /** Thrown errors answered 500 that no fault caused: sandbox bugs. Tests expect 0. */
  unexpectedErrors: number;
}

const maxLogLength = 200_000;

/** The call log and the counters; cleared together by `POST /__sandbox/calls/clear`. */
export class CallObserver {
  private log: CallRecord[] = [];
  private seq = 0;
  private total = 0;
  private byEndpoint = new Map<string, number>();
  private byStatus = new Map<string, number>();
  private windows = new Map<string, WindowCount>();
  unexpectedErrors = 0;

  begin(call: Omit<CallRecord, "seq" | "status" | "fault" | "durationMs">): CallRecord {
    const record: CallRecord = { seq: ++this.seq, ...call, status: null, fault: null, durationMs: null };
    this.total++;
    bump(this.byEndpoint, call.endpoint);
    this.log.push(record);
    if (this.log.length > maxLogLength) this.log.splice(0, this.log.length - maxLogLength);
    return record;
  }

  /** Counts a call in its customer's rate-limit window (every arriving call, answered or refused). */
  countInWindow(token: string, start: number, windowMs: number): void {
    const key = `${token}|${windowMs}|${start}`;
    const entry = this.windows.get(key) ?? { token, start, windowMs, calls: 0 };
    entry.calls++;
    this.windows.set(key, entry);
  }

  finish(record: CallRecord, status: number | "hang", fault: string | null, endedAt: number, startedAt: number): void {
    record.fault = fault ?? record.fault;
    record.durationMs = endedAt - startedAt;
    if (status === "hang") {
      bump(this.byStatus, "hang");
      return;
    }
    record.status = status;
    bump(this.byStatus, String(status));
  }

  calls(): CallRecord[] {
    return this.log.map((record) => ({ ...record }));
  }

  counters(): Counters {
    const windows = [...this.windows.values()]
      .sort((a, b) => a.start - b.start || a.token.localeCompare(b.token))
      .map((w) => ({ start: w.start, calls: w.calls, token: w.token, windowMs: w.windowMs }));
    return {
      total: this.total,
      byEndpoint: Object.fromEntries([...this.byEndpoint].sort(([a], [b]) => a.localeCompare(b))),
      byStatus: Object.fromEntries([...this.byStatus].sort(([a], [b]) => a.localeCompare(b))),
      http429: this.byStatus.get("429") ?? 0,
      maxCallsInWindow: windows.reduce((max, w) => Math.max(max, w.calls), 0),
      windows,
      unexpectedErrors: this.unexpectedErrors,
    };
  }

  clear(): void {
    this.log = [];
    this.total = 0;
    this.byEndpoint.clear();
    this.byStatus.clear();
    this.windows.clear();
    this.unexpectedErrors = 0;
  }
}

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
