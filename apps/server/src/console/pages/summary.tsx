/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * CON-1 Summary (PICSWeb "OneFile Summary"): integration status, connection test, demographics
 * modes and flags, last synchronised, next daily run, the current run with live progress, refresh
 * qualification links, and open problems (failed learners of the last run, failed enrolments,
 * unlinked officers).
 */
import { ReferenceData, type ConnectionTestResult, type QualificationLinksResult } from "@pics/core";
import { nextDailyRun, RunLog, SettingsStore, StandardsCache } from "@pics/pics-store";
import { Effect } from "effect";
import { attemptAll, orFail, type Outcome } from "../deployment.ts";
import { formatInstant, formatNumber } from "../format.ts";
import { Badge, CsrfField, Empty, fragment, isHtmx, page, Problem, type ConsoleApp, type ConsoleContext } from "../kit.tsx";
import { allOfficers, currentRun, enabledRules, isLinked, newestRun, startFullRun } from "../operations.ts";
import { ConnectionResult, RunProgress } from "../parts.tsx";

const onOff = (value: boolean) => <Badge status={value ? "on" : "off"} />;

const QualificationResult = ({ outcome }: { outcome: Outcome<QualificationLinksResult> }) =>
  outcome.ok ? (
    <p class="notice ok" role="status">
      Refreshed {formatNumber(outcome.value.standards)} standards from {formatNumber(outcome.value.centres)} centre
      {outcome.value.centres === 1 ? "" : "s"}.
    </p>
  ) : (
    <p class="error" role="alert">
      The qualification links were not refreshed: {outcome.failure.message}
    </p>
  );

const summary = async (
  c: ConsoleContext,
  extra: {
    connection?: Outcome<ConnectionTestResult>;
    qualifications?: Outcome<QualificationLinksResult>;
    runError?: string;
  } = {},
) => {
  const d = c.var.deployment;
  const zone = c.var.timeZone;
  const data = await attemptAll(d, {
    settings: Effect.flatMap(SettingsStore, (s) => s.get),
    rules: enabledRules,
    lastSynchronisedAt: Effect.flatMap(RunLog, (r) => r.lastSynchronisedAt),
    current: currentRun,
    lastRun: newestRun(["daily", "full"]),
    enrolments: Effect.flatMap(RunLog, (r) => r.list({ kind: "enrolment", limit: 50 })),
    officers: allOfficers,
    standards: Effect.flatMap(StandardsCache, (s) => s.list),
  });
  const settings = orFail(data.settings);
  const next = (() => {
    try {
      return nextDailyRun(settings.dailySync, new Date());
    } catch {
      return null;
    }
  })();
  const unlinkedOfficers = data.officers.ok ? data.officers.value.filter((o) => !isLinked(o)) : [];
  const failedEnrolments = data.enrolments.ok ? data.enrolments.value.items.filter((r) => r.status === "failed") : [];
  const lastRun = data.lastRun.ok ? data.lastRun.value : null;
  const failedLearners = lastRun ? lastRun.errors.filter((e) => e.learnerId !== null) : [];
  const standards = data.standards.ok ? data.standards.value : [];
  const refreshedAt = standards.reduce<string | null>(
    (latest, s) => (latest && latest > s.refreshedAt ? latest : s.refreshedAt),
    null,
  );

  return page(
    c,
    { title: "OneFile Summary", active: "/" },
    <>
      <div class="grid">
        <section class="card" aria-labelledby="status-heading">
          <h2 id="status-heading">Integration</h2>
          <dl class="facts">
            <dt>Integration</dt>
            <dd id="integration-status">{settings.integrationEnabled ? "Enabled" : "Disabled"}</dd>
            <dt>Customer token</dt>
            <dd>{settings.customerTokenSet ? "Set" : "Not set"}</dd>
            <dt>Environment</dt>
            <dd>{settings.environment}</dd>
            <dt>Multiple centres</dt>
            <dd>{settings.multipleCentres}</dd>
            <dt>Rule packages</dt>
            <dd>{data.rules.ok ? data.rules.value.join(", ") : "–"}</dd>
          </dl>
          <form
            method="post"
            action={d.href("/connection-test")}
            hx-post={d.href("/connection-test")}
            hx-target="#connection-result"
          >
            <CsrfField session={c.var.session} />
            <p>
              <button type="submit" class="secondary">
                Test the connection
              </button>
            </p>
          </form>
          <div id="connection-result" aria-live="polite">
            {extra.connection ? <ConnectionResult outcome={extra.connection} /> : null}
          </div>
        </section>

        <section class="card" aria-labelledby="sync-heading">
          <h2 id="sync-heading">Synchronisation</h2>
          <dl class="facts">
            <dt>Last synchronised</dt>
            <dd id="last-synchronised">
              {data.lastSynchronisedAt.ok && data.lastSynchronisedAt.value
                ? formatInstant(data.lastSynchronisedAt.value, zone)
                : "Never"}
            </dd>
            <dt>Next daily run</dt>
            <dd>
              {next ? formatInstant(next.toISOString(), zone) : "–"}
              <br />
              <span class="hint">
                schedule <code>{settings.dailySync.cron}</code>
              </span>
            </dd>
          </dl>
          <h3>Current run</h3>
          {data.current.ok && data.current.value ? (
            <RunProgress run={data.current.value} deployment={d} timeZone={zone} link />
          ) : (
            <Empty>No run is in progress.</Empty>
          )}
          <form method="post" action={d.href("/runs")}>
            <CsrfField session={c.var.session} />
            <p>
              <button type="submit">Run a full sync now</button>
            </p>
            {extra.runError ? (
              <p class="error" role="alert">
                {extra.runError}
              </p>
            ) : null}
          </form>
        </section>

        <section class="card" aria-labelledby="modes-heading">
          <h2 id="modes-heading">Demographics and flags</h2>
          <dl class="facts">
            <dt>Learner demographics</dt>
            <dd>{settings.learnerDemographicsMode}</dd>
            <dt>Officer demographics</dt>
            <dd>{settings.officerDemographicsMode}</dd>
            <dt>Organisation demographics</dt>
            <dd>{settings.organisationDemographicsMode}</dd>
            <dt>Push main officer changes</dt>
            <dd>{onOff(settings.pushMainOfficerChanges)}</dd>
            <dt>Push employer changes</dt>
            <dd>{onOff(settings.pushEmployerChanges)}</dd>
            <dt>Upload reviews</dt>
            <dd>{onOff(settings.uploadReviews)}</dd>
            <dt>Download reviews</dt>
            <dd>{onOff(settings.downloadReviews)}</dd>
            <dt>Additional assessor types</dt>
            <dd>{settings.additionalAssessorTypes.length > 0 ? settings.additionalAssessorTypes.join(", ") : "None"}</dd>
          </dl>
        </section>

        <section class="card" aria-labelledby="qualifications-heading">
          <h2 id="qualifications-heading">Qualification links</h2>
          <p>
            {standards.length > 0
              ? `${formatNumber(standards.length)} OneFile standards known, refreshed ${formatInstant(refreshedAt, zone)}.`
              : "No OneFile standards are known yet: refresh them before enrolling learners."}
          </p>
          <form
            method="post"
            action={d.href("/qualification-links/refresh")}
            hx-post={d.href("/qualification-links/refresh")}
            hx-target="#qualifications-result"
          >
            <CsrfField session={c.var.session} />
            <button type="submit" class="secondary">
              Refresh qualification links
            </button>
          </form>
          <div id="qualifications-result" aria-live="polite">
            {extra.qualifications ? <QualificationResult outcome={extra.qualifications} /> : null}
          </div>
        </section>
      </div>

      <section class="card" aria-labelledby="problems-heading">
        <h2 id="problems-heading">Open problems</h2>
        <h3>Failed learners of the last run</h3>
        {!data.lastRun.ok ? (
          <Problem failure={data.lastRun.failure} />
        ) : !lastRun ? (
          <Empty>No daily or full run has happened yet.</Empty>
        ) : failedLearners.length === 0 ? (
          <Empty>
            No learner failed in the last run (
            <a href={d.href(`/runs/${lastRun.id}`)}>
              {lastRun.kind} run {lastRun.id}
            </a>
            ).
          </Empty>
        ) : (
          <>
            <p>
              {formatNumber(failedLearners.length)} learner{failedLearners.length === 1 ? "" : "s"} failed in{" "}
              <a href={d.href(`/runs/${lastRun.id}`)}>
                the {lastRun.kind} run of {formatInstant(lastRun.startedAt, zone)}
              </a>
              .
            </p>
            <ul>
              {failedLearners.slice(0, 10).map((e) => (
                <li>
                  <a href={d.href(`/learners/${e.learnerId}`)}>{e.learnerId}</a>: {e.reason}
                </li>
              ))}
            </ul>
          </>
        )}
        <h3>Failed enrolments</h3>
        {failedEnrolments.length === 0 ? (
          <Empty>No recent enrolment failed.</Empty>
        ) : (
          <ul>
            {failedEnrolments.slice(0, 10).map((r) => (
              <li>
                <a href={d.href(`/learners/${r.learnerId}`)}>{r.learnerId}</a>: {r.message ?? "failed"} (
                {formatInstant(r.startedAt, zone)})
              </li>
            ))}
          </ul>
        )}
        <h3>Unlinked officers</h3>
        {!data.officers.ok ? (
          <Problem failure={data.officers.failure} />
        ) : unlinkedOfficers.length === 0 ? (
          <Empty>Every officer is linked to a OneFile assessor.</Empty>
        ) : (
          <p>
            {formatNumber(unlinkedOfficers.length)} officer{unlinkedOfficers.length === 1 ? " is" : "s are"} not linked to a
            OneFile assessor. <a href={d.href("/officers", { filter: "unlinked" })}>Link them before enrolling learners</a>.
          </p>
        )}
      </section>
    </>,
  );
};

export const register = (app: ConsoleApp): void => {
  app.get("/", (c) => summary(c));

  app.post("/connection-test", async (c) => {
    const outcome = await c.var.deployment.attempt(Effect.flatMap(ReferenceData, (r) => r.connectionTest));
    return isHtmx(c) ? fragment(c, <ConnectionResult outcome={outcome} />) : summary(c, { connection: outcome });
  });

  app.post("/qualification-links/refresh", async (c) => {
    const outcome = await c.var.deployment.attempt(Effect.flatMap(ReferenceData, (r) => r.refreshQualificationLinks));
    return isHtmx(c) ? fragment(c, <QualificationResult outcome={outcome} />) : summary(c, { qualifications: outcome });
  });

  app.post("/runs", async (c) => {
    const d = c.var.deployment;
    const started = await d.attempt(startFullRun(false));
    if (!started.ok) return summary(c, { runError: `The run did not start: ${started.failure.message}` });
    return c.redirect(d.href(`/runs/${started.value.runId}`), 303);
  });

  app.get("/runs/:id/progress", async (c) => {
    const d = c.var.deployment;
    const run = orFail(await d.attempt(Effect.flatMap(RunLog, (r) => r.get(c.req.param("id")))));
    const body = <RunProgress run={run} deployment={d} timeZone={c.var.timeZone} link={c.req.query("link") === "1"} />;
    // Polling asked because the run was running: now it has ended, show the whole page again (its changes, counts).
    if (run.status !== "running" && isHtmx(c)) c.header("HX-Refresh", "true");
    return fragment(c, body);
  });
};
