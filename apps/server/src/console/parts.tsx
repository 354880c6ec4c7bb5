/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Parts several pages show: a run's live progress (polled by htmx every 2 s while the run is
 * running; the answer for a finished run has no trigger, so polling stops), and the connection test.
 */
import type { ConnectionTestResult } from "@pics/core";
import type { Run } from "@pics/pics-store";
import type { FC } from "hono/jsx";
import type { Deployment, Outcome } from "./deployment.ts";
import { formatDuration, formatInstant, formatNumber, formatValue } from "./format.ts";
import { Badge } from "./kit.tsx";

export const POLL_EVERY = "every 2s";

/** One journal row's cells (JRN-2) as a run's page and a learner's log show them: what, before → after, which way. */
export const ChangeCells: FC<{
  change: { entity: string; entityId: string; field: string; before: unknown; after: unknown; direction: string };
}> = ({ change }) => (
  <>
    <td>
      {change.entity} <span class="mono">{change.entityId}</span>
    </td>
    <td class="mono">{change.field}</td>
    <td class="value">
      {formatValue(change.before)} <span class="arrow">→</span> {formatValue(change.after)}
    </td>
    <td>{change.direction === "toOneFile" ? "PICS → OneFile" : "OneFile → PICS"}</td>
  </>
);

export const RunProgress: FC<{ run: Run; deployment: Deployment; timeZone: string; link?: boolean }> = ({
  run,
  deployment: d,
  timeZone,
  link,
}) => {
  const { total, done, failed } = run.progress;
  const running = run.status === "running";
  return (
    <div
      class="run-progress"
      id={`run-progress-${run.id}`}
      hx-get={running ? d.href(`/runs/${run.id}/progress`, { link: link ? 1 : undefined }) : undefined}
      hx-trigger={running ? POLL_EVERY : undefined}
      hx-swap={running ? "outerHTML" : undefined}
      aria-live="polite"
      data-status={run.status}
    >
      <p>
        <Badge status={run.status} /> {run.kind} run{run.dryRun ? " (dry run)" : ""}
        {link ? (
          <>
            {" "}
            <a href={d.href(`/runs/${run.id}`)}>open run {run.id}</a>
          </>
        ) : null}
      </p>
      <progress max={Math.max(total, 1)} value={Math.min(done, Math.max(total, 1))} aria-label={`Progress of run ${run.id}`}>
        {done} of {total}
      </progress>
      <p class="progress-text">
        {formatNumber(done)} of {formatNumber(total)} learners done, {formatNumber(failed)} failed · started{" "}
        {formatInstant(run.startedAt, timeZone)} · {running ? "running for" : "took"} {formatDuration(run.startedAt, run.endedAt)}
      </p>
      {run.message ? <p class="hint">{run.message}</p> : null}
    </div>
  );
};

export const ConnectionResult: FC<{ outcome: Outcome<ConnectionTestResult> }> = ({ outcome }) => {
  if (!outcome.ok)
    return (
      <p class="error" role="alert">
        The connection test could not run: {outcome.failure.message}
      </p>
    );
  const result = outcome.value;
  if (!result.ok)
    return (
      <p class="error" role="alert">
        OneFile refused the connection ({result.failure.replaceAll("_", " ")}): {result.message}
      </p>
    );
  return (
    <p class="notice ok" role="status">
      Connected to OneFile ({result.environment}, API {result.apiVersion}) as customer{" "}
      {result.customer.name ?? result.customer.id} with {formatNumber(result.centres.length)} centre
      {result.centres.length === 1 ? "" : "s"}: {result.centres.map((c) => c.name ?? String(c.id)).join(", ")}.
    </p>
  );
};
