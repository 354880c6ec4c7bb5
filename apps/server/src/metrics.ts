/**
 * `GET /metrics` in the Prometheus text format (version 0.0.4).
 *
 * - runs and learners synced/failed come from the run log in the store, so they cover every
 *   process sharing the database (server, scheduler);
 * - OneFile calls, 429s and waits come from this process's OneFile client (its counters start
 *   again when the client is rebuilt after a settings change);
 * - HTTP requests are this process's own.
 */
import type { ClientCounters } from "@pics/onefile-client";
import type { RunCount } from "@pics/pics-store";

/** One row per kind, status and dry run, from the run log in the store. */
export type RunCountRow = RunCount;

export interface MetricsInput {
  readonly runs: ReadonlyArray<RunCountRow>;
  readonly lastSynchronisedAt: string | null;
  readonly onefile: ClientCounters | null;
  readonly http: ReadonlyMap<string, number>;
}

const escape = (value: string) => value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");

const labels = (pairs: Readonly<Record<string, string>>) => {
  const entries = Object.entries(pairs);
  return entries.length === 0 ? "" : `{${entries.map(([k, v]) => `${k}="${escape(v)}"`).join(",")}}`;
};

class Text {
  private readonly lines: Array<string> = [];
  metric(
    name: string,
    type: "counter" | "gauge",
    help: string,
    samples: ReadonlyArray<readonly [Record<string, string>, number]>,
  ) {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [pairs, value] of samples) this.lines.push(`${name}${labels(pairs)} ${Number.isFinite(value) ? value : 0}`);
  }
  toString() {
    return `${this.lines.join("\n")}\n`;
  }
}

/** Keys of `http` are `method route status`. */
export const httpKey = (method: string, route: string, status: number) => `${method}\u0000${route}\u0000${status}`;

export const renderMetrics = (input: MetricsInput): string => {
  const out = new Text();
  out.metric(
    "pics_runs_total",
    "counter",
    "Runs recorded in the run log, by kind, outcome (running, succeeded, partially_succeeded, failed) and dry run.",
    input.runs.map((r) => [{ kind: r.kind, outcome: r.status, dry_run: String(r.dryRun) }, r.runs] as const),
  );
  const real = input.runs.filter((r) => !r.dryRun && r.kind !== "enrolment");
  const byKind = (pick: (r: RunCountRow) => number) => {
    const sums = new Map<string, number>();
    for (const r of real) sums.set(r.kind, (sums.get(r.kind) ?? 0) + pick(r));
    return [...sums].map(([kind, value]) => [{ kind }, value] as const);
  };
  out.metric(
    "pics_learners_synced_total",
    "counter",
    "Learners exchanged successfully by daily, full and refresh runs (not dry runs).",
    byKind((r) => r.synced),
  );
  out.metric(
    "pics_learners_failed_total",
    "counter",
    "Learners whose exchange failed in daily, full and refresh runs (not dry runs).",
    byKind((r) => r.failed),
  );
  out.metric(
    "pics_last_synchronised_timestamp_seconds",
    "gauge",
    "End of the last daily or full run that completed (0 = never).",
    [[{}, input.lastSynchronisedAt ? Date.parse(input.lastSynchronisedAt) / 1000 : 0]],
  );

  const c = input.onefile;
  out.metric(
    "pics_onefile_calls_total",
    "counter",
    "OneFile HTTP exchanges made by this process, by endpoint and status (HTTP status, timeout or network).",
    c === null
      ? []
      : Object.entries(c.calls).flatMap(([endpoint, statuses]) =>
          Object.entries(statuses).map(([status, n]) => [{ endpoint, status }, n] as const),
        ),
  );
  out.metric("pics_onefile_http_429_total", "counter", "OneFile answers 429 (rate limited) seen by this process.", [
    [{}, c?.http429 ?? 0],
  ]);
  out.metric(
    "pics_onefile_limiter_wait_seconds_total",
    "counter",
    "Time spent waiting for the shared OneFile call budget (pacing).",
    [[{}, (c?.limiterWaitMs ?? 0) / 1000]],
  );
  out.metric("pics_onefile_rate_limit_wait_seconds_total", "counter", "Time spent waiting out OneFile 429 answers.", [
    [{}, (c?.rateLimitWaitMs ?? 0) / 1000],
  ]);
  out.metric("pics_onefile_retries_total", "counter", "OneFile calls repeated after 5xx, timeout or dropped connection.", [
    [{}, c?.retries ?? 0],
  ]);
  out.metric("pics_onefile_authentications_total", "counter", "OneFile sessions opened (first and renewals).", [
    [{}, c?.authentications ?? 0],
  ]);

  out.metric(
    "pics_http_requests_total",
    "counter",
    "HTTP requests answered by this process, by method, route and status.",
    [...input.http].map(([key, n]) => {
      const [method = "", route = "", status = ""] = key.split("\u0000");
      return [{ method, route, status }, n] as const;
    }),
  );
  return out.toString();
};
