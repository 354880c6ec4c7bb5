/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * CON-3 Runs: the run history (kind, trigger, started, duration, outcome, counts), filterable by
 * kind and outcome; a run's page with its live progress, its changes (before → after, direction),
 * its per-learner errors with the reason, and "retry failed learners" (REC-4) when this build has it.
 */
import { RunLog, type Run, type RunKind, type RunStatus } from "@pics/pics-store";
import { Effect } from "effect";
import { orFail, PageFailure } from "../deployment.ts";
import { formatDuration, formatInstant, formatNumber, statusLabel } from "../format.ts";
import { Badge, CsrfField, Empty, Field, page, type ConsoleApp } from "../kit.tsx";
import { ChangeCells, RunProgress } from "../parts.tsx";

const KINDS: ReadonlyArray<RunKind> = ["daily", "full", "refresh", "enrolment", "enrolment_batch", "reconciliation"];
const STATUSES: ReadonlyArray<RunStatus> = ["running", "succeeded", "partially_succeeded", "failed"];
const PAGE = 50;
/** REC-4's route: the button shows only when this build has it. */
const RETRY_ROUTE = "/api/v1/sync/runs/:id/retry";
/** Changes shown on a run's page; the API pages through all of them. */
const CHANGES_SHOWN = 500;

/** Runs newest first, of a kind and outcome, a page at a time (the outcome is filtered here). */
const findRuns = (filter: { kind?: RunKind; status?: RunStatus; cursor?: string }) =>
  Effect.gen(function* () {
    const runLog = yield* RunLog;
    const found: Array<Run> = [];
    let cursor: string | null = filter.cursor ?? null;
    // At most 20 store pages per screen: a filter that matches little still answers promptly.
    for (let i = 0; i < 20 && found.length < PAGE; i++) {
      const page = yield* runLog.list({ limit: 100, cursor, ...(filter.kind ? { kind: filter.kind } : {}) });
      for (const run of page.items) {
        if (found.length >= PAGE) break;
        if (!filter.status || run.status === filter.status) found.push(run);
        cursor = run.id;
      }
      if (page.nextCursor === null && found.length < PAGE) {
        cursor = null;
        break;
      }
    }
    return { runs: found, nextCursor: cursor };
  });

export const register = (app: ConsoleApp): void => {
  app.post("/runs/:id/retry", async (c) => {
    const d = c.var.deployment;
    const id = c.req.param("id");
    const retried = await d.api("POST", `/api/v1/sync/runs/${encodeURIComponent(id)}/retry`);
    if (retried.ok && typeof retried.value?.runId === "string") return c.redirect(d.href(`/runs/${retried.value.runId}`), 303);
    throw new PageFailure(
      retried.ok ? { status: 502, code: "unexpected", message: "the retry answered no run" } : retried.failure,
    );
  });

  app.get("/runs", async (c) => {
    const d = c.var.deployment;
    const zone = c.var.timeZone;
    const kind = KINDS.find((k) => k === c.req.query("kind"));
    const status = STATUSES.find((s) => s === c.req.query("status"));
    const cursor = c.req.query("cursor");
    const { runs, nextCursor } = orFail(await d.attempt(findRuns({ kind, status, cursor: cursor || undefined })));
    return page(
      c,
      { title: "Runs", active: "/runs" },
      <>
        <form method="get" action={d.href("/runs")} class="filters card">
          <Field id="kind" label="Kind">
            <select id="kind" name="kind">
              <option value="">Any kind</option>
              {KINDS.map((k) => (
                <option value={k} selected={k === kind}>
                  {k}
                </option>
              ))}
            </select>
          </Field>
          <Field id="status" label="Outcome">
            <select id="status" name="status">
              <option value="">Any outcome</option>
              {STATUSES.map((s) => (
                <option value={s} selected={s === status}>
                  {statusLabel[s]}
                </option>
              ))}
            </select>
          </Field>
          <button type="submit">Show runs</button>
          {kind || status ? (
            <a href={d.href("/runs")} class="button secondary">
              Clear filters
            </a>
          ) : null}
        </form>
        {runs.length === 0 ? (
          <Empty>
            {kind || status ? "No run matches these filters." : "No run has happened yet. Start one from the summary."}
          </Empty>
        ) : (
          <div class="table-wrap">
            <table>
              <caption>Runs, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Started</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Outcome</th>
                  <th scope="col" class="num">
                    Learners
                  </th>
                  <th scope="col" class="num">
                    Failed
                  </th>
                  <th scope="col" class="num">
                    Changes
                  </th>
                </tr>
              </thead>
              <tbody>
                {runs.map((run) => (
                  <tr>
                    <td>
                      <a href={d.href(`/runs/${run.id}`)} class="mono">
                        {run.id}
                      </a>
                    </td>
                    <td>
                      {run.kind}
                      {run.dryRun ? " (dry run)" : ""}
                      {run.learnerId ? (
                        <>
                          {" "}
                          · <a href={d.href(`/learners/${run.learnerId}`)}>{run.learnerId}</a>
                        </>
                      ) : null}
                    </td>
                    <td>{run.trigger}</td>
                    <td>{formatInstant(run.startedAt, zone)}</td>
                    <td>{formatDuration(run.startedAt, run.endedAt)}</td>
                    <td>
                      <Badge status={run.status} />
                    </td>
                    <td class="num">
                      {formatNumber(run.progress.done)} / {formatNumber(run.progress.total)}
                    </td>
                    <td class="num">{formatNumber(run.progress.failed)}</td>
                    <td class="num">{formatNumber(run.changes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {nextCursor && runs.length >= PAGE ? (
          <p class="pager">
            <a href={d.href("/runs", { kind, status, cursor: nextCursor })}>Older runs</a>
          </p>
        ) : null}
      </>,
    );
  });

  app.get("/runs/:id", async (c) => {
    const d = c.var.deployment;
    const zone = c.var.timeZone;
    const id = c.req.param("id");
    const data = orFail(
      await d.attempt(
        Effect.gen(function* () {
          const runLog = yield* RunLog;
          const run = yield* runLog.get(id);
          const changes = yield* runLog.changes(id);
          return { run, changes };
        }),
      ),
    );
    const { run, changes } = data;
    const failedLearners = [...new Set(run.errors.map((e) => e.learnerId).filter((l): l is string => l !== null))];
    const canRetry = d.hasRoute("POST", RETRY_ROUTE) && run.status !== "running" && failedLearners.length > 0;
    return page(
      c,
      { title: `Run ${run.id}`, active: "/runs" },
      <>
        <p>
          <a href={d.href("/runs")}>All runs</a>
        </p>
        <section class="card" aria-labelledby="run-heading">
          <h2 id="run-heading">Progress</h2>
          <RunProgress run={run} deployment={d} timeZone={zone} />
          <dl class="facts">
            <dt>Kind</dt>
            <dd>
              {run.kind}
              {run.dryRun ? " (dry run: nothing was written)" : ""}
            </dd>
            <dt>Trigger</dt>
            <dd>{run.trigger}</dd>
            <dt>Started</dt>
            <dd>{formatInstant(run.startedAt, zone)}</dd>
            <dt>Ended</dt>
            <dd>{run.endedAt ? formatInstant(run.endedAt, zone) : "still running"}</dd>
            <dt>Changes</dt>
            <dd>{formatNumber(run.changes)}</dd>
            {run.learnerId ? (
              <>
                <dt>Learner</dt>
                <dd>
                  <a href={d.href(`/learners/${run.learnerId}`)}>{run.learnerId}</a>
                </dd>
              </>
            ) : null}
          </dl>
        </section>

        <section class="card" aria-labelledby="errors-heading">
          <h2 id="errors-heading">Errors</h2>
          {run.errors.length === 0 ? (
            <Empty>No learner failed in this run.</Empty>
          ) : (
            <>
              <div class="table-wrap">
                <table>
                  <caption>{formatNumber(run.errors.length)} errors</caption>
                  <thead>
                    <tr>
                      <th scope="col">Learner</th>
                      <th scope="col">Code</th>
                      <th scope="col">Reason</th>
                      <th scope="col">At</th>
                    </tr>
                  </thead>
                  <tbody>
                    {run.errors.map((e) => (
                      <tr>
                        <td>{e.learnerId ? <a href={d.href(`/learners/${e.learnerId}`)}>{e.learnerId}</a> : "(the run)"}</td>
                        <td class="mono">{e.code}</td>
                        <td>{e.reason}</td>
                        <td>{formatInstant(e.at, zone)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {canRetry ? (
                <form method="post" action={d.href(`/runs/${run.id}/retry`)}>
                  <CsrfField session={c.var.session} />
                  <button type="submit">
                    Retry the {formatNumber(failedLearners.length)} failed learner{failedLearners.length === 1 ? "" : "s"}
                  </button>
                </form>
              ) : null}
            </>
          )}
        </section>

        <section class="card" aria-labelledby="changes-heading">
          <h2 id="changes-heading">Changes</h2>
          {changes.length === 0 ? (
            <Empty>{run.status === "running" ? "No change has been made yet." : "This run changed nothing."}</Empty>
          ) : (
            <div class="table-wrap">
              <table id="changes">
                <caption>
                  {changes.length > CHANGES_SHOWN
                    ? `The first ${formatNumber(CHANGES_SHOWN)} of ${formatNumber(changes.length)} changes`
                    : `${formatNumber(changes.length)} change${changes.length === 1 ? "" : "s"}`}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Learner</th>
                    <th scope="col">Record</th>
                    <th scope="col">Field</th>
                    <th scope="col">Before → after</th>
                    <th scope="col">Direction</th>
                  </tr>
                </thead>
                <tbody>
                  {changes.slice(0, CHANGES_SHOWN).map((ch) => (
                    <tr>
                      <td>{ch.learnerId ? <a href={d.href(`/learners/${ch.learnerId}`)}>{ch.learnerId}</a> : "–"}</td>
                      <ChangeCells change={ch} />
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </>,
    );
  });
};
