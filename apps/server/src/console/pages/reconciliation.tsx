/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * CON-6 Reconciliation and bulk enrolment (REC-1..3): start a reconciliation of one centre or all,
 * review its proposals (exact ones ticked), conflicts and the unmatched of both sides, approve some
 * and apply them; pick unmatched PICS learners, see their combined enrolment preview and enrol them
 * as one batch. Every action calls the same core services as the API routes.
 */
import { BulkEnrolment, Reconciliation, type ReconciliationReport } from "@pics/core";
import { RunLog } from "@pics/pics-store";
import { Effect } from "effect";
import { orFail } from "../deployment.ts";
import { formatInstant, formatNumber } from "../format.ts";
import { Badge, CsrfField, Empty, Field, formOf, Notice, page, Problem, type ConsoleApp } from "../kit.tsx";
import { RunProgress } from "../parts.tsx";

const TITLE = "Reconciliation";
const ACTIVE = "/reconciliation";

/** A OneFile id typed in a form: a positive whole number, or none. */
const idOf = (text: string): number | null => (/^\d{1,12}$/.test(text.trim()) ? Number(text.trim()) : null);

const keyWords: Record<string, string> = { misId: "MIS reference", uln: "ULN", emailName: "email + name" };

export const register = (app: ConsoleApp): void => {
  app.get("/reconciliation", async (c) => {
    const d = c.var.deployment;
    const zone = c.var.timeZone;
    const recent = orFail(await d.attempt(Effect.flatMap(RunLog, (l) => l.list({ kind: "reconciliation", limit: 20 }))));
    return page(
      c,
      { title: TITLE, active: ACTIVE },
      <>
        <p>
          Pairs the PICS learners not yet linked to OneFile with the OneFile learners no PICS learner is linked to, by MIS
          reference, ULN, or email and name. A reconciliation only reads; nothing is linked until you approve and apply pairs.
        </p>
        <form method="post" action={d.href("/reconciliation")} class="card">
          <CsrfField session={c.var.session} />
          <Field id="centreId" label="OneFile centre id" hint="Leave empty to reconcile every centre of the customer.">
            <input id="centreId" name="centreId" inputmode="numeric" aria-describedby="centreId-hint" />
          </Field>
          <button type="submit">Start a reconciliation</button>
        </form>
        <h2>Recent reconciliations and applies</h2>
        {recent.items.length === 0 ? (
          <Empty>No reconciliation has run yet.</Empty>
        ) : (
          <ul>
            {recent.items.map((run) => (
              <li>
                <a href={d.href(`/reconciliation/${run.id}`)} class="mono">
                  {run.id}
                </a>{" "}
                <Badge status={run.status} /> {formatInstant(run.startedAt, zone)} {run.message ? `· ${run.message}` : ""}
              </li>
            ))}
          </ul>
        )}
      </>,
    );
  });

  app.post("/reconciliation", async (c) => {
    const d = c.var.deployment;
    const form = await formOf(c);
    const text = form.text("centreId").trim();
    const centreId = idOf(text);
    const started = await d.attempt(
      Effect.flatMap(Reconciliation, (r) => r.start({ centreId: text === "" ? null : (centreId ?? -1), trigger: "http" })),
    );
    if (started.ok) return c.redirect(d.href(`/reconciliation/${started.value.runId}`), 303);
    return page(
      c,
      { title: TITLE, active: ACTIVE, status: started.failure.status },
      <>
        <Problem failure={started.failure} />
        <a href={d.href("/reconciliation")}>Back to reconciliation</a>
      </>,
    );
  });

  app.get("/reconciliation/:runId", async (c) => {
    const d = c.var.deployment;
    const zone = c.var.timeZone;
    const { run, report } = orFail(await d.attempt(Effect.flatMap(Reconciliation, (r) => r.get(c.req.param("runId")))));
    return page(
      c,
      { title: `${TITLE} ${run.id}`, active: ACTIVE },
      <>
        <RunProgress run={run} deployment={d} timeZone={zone} />
        {report === null ? (
          run.status === "running" ? (
            <p>
              Reading OneFile… <a href={d.href(`/reconciliation/${run.id}`)}>Reload this page</a> when the run has finished to
              review its findings.
            </p>
          ) : (
            <Empty>This run has no findings to review.</Empty>
          )
        ) : (
          <Findings runId={run.id} report={report} csrf={<CsrfField session={c.var.session} />} href={d.href} />
        )}
      </>,
    );
  });

  app.post("/reconciliation/:runId/apply", async (c) => {
    const d = c.var.deployment;
    const runId = c.req.param("runId");
    const form = await formOf(c);
    const learnerIds = form.all("learnerIds");
    const applied = orFail(
      await d.attempt(
        Effect.flatMap(Reconciliation, (r) => r.apply(runId, { learnerIds, dryRun: form.text("dryRun") === "true" })),
      ),
    );
    const linked = applied.results.filter((r) => r.outcome === "linked").length;
    return page(
      c,
      { title: "Pairs applied", active: ACTIVE },
      <>
        <Notice kind={linked === applied.results.length ? "ok" : "warn"}>
          {formatNumber(linked)} of {formatNumber(applied.results.length)} pairs {applied.run.dryRun ? "would be " : ""}linked;
          nothing was created in OneFile.
        </Notice>
        <div class="table-wrap">
          <table>
            <caption>What happened to each approved pair</caption>
            <thead>
              <tr>
                <th scope="col">PICS learner</th>
                <th scope="col">OneFile learner</th>
                <th scope="col">Outcome</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {applied.results.map((r) => (
                <tr>
                  <td>
                    <a href={d.href(`/learners/${r.learnerId}`)}>{r.learnerId}</a>
                  </td>
                  <td class="mono">{r.onefileId ?? "–"}</td>
                  <td>
                    <Badge status={r.outcome === "linked" ? "succeeded" : "failed"} /> {r.outcome}
                  </td>
                  <td>{r.reason ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p>
          <a href={d.href(`/runs/${applied.run.id}`)}>Open the apply run {applied.run.id}</a> (its changes and refusals) ·{" "}
          <a href={d.href(`/reconciliation/${runId}`)}>back to the reconciliation</a>
        </p>
      </>,
    );
  });

  /** REC-3: the combined preview of the chosen learners, with a button to enrol them as one batch. */
  app.post("/reconciliation/enrolments/preview", async (c) => {
    const d = c.var.deployment;
    const form = await formOf(c);
    const learnerIds = form.all("learnerIds");
    const centreId = idOf(form.text("centreId"));
    const classroomId = idOf(form.text("classroomId"));
    const fail = (message: string) =>
      page(
        c,
        { title: "Enrol learners", active: ACTIVE, status: 400 },
        <>
          <Problem failure={{ status: 400, code: "invalid_input", message }} />
          <a href={d.href("/reconciliation")}>Back to reconciliation</a>
        </>,
      );
    if (learnerIds.length === 0) return fail("Choose at least one learner to enrol.");
    if (centreId === null) return fail("Give the OneFile centre id the learners are to be created in.");
    const preview = orFail(
      await d.attempt(Effect.flatMap(BulkEnrolment, (b) => b.preview({ centreId, classroomId, learnerIds }))),
    );
    return page(
      c,
      { title: "Enrol learners", active: ACTIVE },
      <>
        <p>
          {formatNumber(preview.learners.length)} learners in centre {centreId}. Nothing has been sent to OneFile yet.
        </p>
        <h2>Records to create once</h2>
        {preview.shared.length === 0 ? (
          <Empty>No assessor, placement or classroom needs creating.</Empty>
        ) : (
          <ul>
            {preview.shared.map((s) => (
              <li>
                {s.entity} {s.id}, needed by {formatNumber(s.learnerIds.length)} learner{s.learnerIds.length === 1 ? "" : "s"}
              </li>
            ))}
          </ul>
        )}
        <h2>Blocking problems</h2>
        {preview.blockers.length === 0 ? (
          <Empty>None: every learner can be enrolled.</Empty>
        ) : (
          <ul>
            {preview.blockers.map((b) => (
              <li>
                <strong>{b.learnerId}</strong>: {b.message}
              </li>
            ))}
          </ul>
        )}
        <form method="post" action={d.href("/reconciliation/enrolments")}>
          <CsrfField session={c.var.session} />
          <input type="hidden" name="centreId" value={String(centreId)} />
          {classroomId === null ? null : <input type="hidden" name="classroomId" value={String(classroomId)} />}
          {learnerIds.map((id) => (
            <input type="hidden" name="learnerIds" value={id} />
          ))}
          <button type="submit">Enrol these {formatNumber(learnerIds.length)} learners as one batch</button>
        </form>
      </>,
    );
  });

  app.post("/reconciliation/enrolments", async (c) => {
    const d = c.var.deployment;
    const form = await formOf(c);
    const centreId = idOf(form.text("centreId"));
    const started = orFail(
      await d.attempt(
        Effect.flatMap(BulkEnrolment, (b) =>
          b.start(
            { centreId: centreId ?? -1, classroomId: idOf(form.text("classroomId")), learnerIds: form.all("learnerIds") },
            "http",
          ),
        ),
      ),
    );
    return c.redirect(d.href(`/runs/${started.runId}`), 303);
  });
};

const Findings = ({
  runId,
  report,
  csrf,
  href,
}: {
  runId: string;
  report: ReconciliationReport;
  csrf: unknown;
  href: (path?: string) => string;
}) => (
  <>
    <h2>Proposed pairs</h2>
    {report.proposals.length === 0 ? (
      <Empty>No pair to propose.</Empty>
    ) : (
      <form method="post" action={href(`/reconciliation/${runId}/apply`)}>
        {csrf}
        <div class="table-wrap">
          <table>
            <caption>Approve the pairs to link (exact ones are ticked)</caption>
            <thead>
              <tr>
                <th scope="col">Approve</th>
                <th scope="col">PICS learner</th>
                <th scope="col">OneFile learner</th>
                <th scope="col">Centre</th>
                <th scope="col">Matched by</th>
                <th scope="col">Confidence</th>
              </tr>
            </thead>
            <tbody>
              {report.proposals.map((p) => (
                <tr>
                  <td>
                    <input
                      type="checkbox"
                      name="learnerIds"
                      value={p.learnerId}
                      id={`approve-${p.learnerId}`}
                      checked={p.confidence === "exact"}
                      aria-label={`Approve ${p.learnerId} with OneFile learner ${p.onefileId}`}
                    />
                  </td>
                  <td>{p.learnerId}</td>
                  <td class="mono">{p.onefileId}</td>
                  <td>{p.centreId}</td>
                  <td>{p.matchedBy.map((k) => keyWords[k] ?? k).join(", ")}</td>
                  <td>{p.confidence}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <button type="submit">Link the approved pairs</button>{" "}
        <button type="submit" name="dryRun" value="true" class="secondary">
          Dry run
        </button>
      </form>
    )}
    <h2>Conflicts (never proposed)</h2>
    {report.conflicts.length === 0 ? (
      <Empty>No conflict.</Empty>
    ) : (
      <ul>
        {report.conflicts.map((conflict) => (
          <li>{conflict.reason}</li>
        ))}
      </ul>
    )}
    <h2>PICS learners with no match</h2>
    {report.unmatchedPics.length === 0 ? (
      <Empty>None.</Empty>
    ) : (
      <form method="post" action={href("/reconciliation/enrolments/preview")} class="card">
        {csrf}
        <fieldset>
          <legend>Choose learners to create in OneFile</legend>
          {report.unmatchedPics.map((id) => (
            <label class="check">
              <input type="checkbox" name="learnerIds" value={id} /> {id}
            </label>
          ))}
        </fieldset>
        <Field id="enrol-centreId" label="OneFile centre id">
          <input
            id="enrol-centreId"
            name="centreId"
            inputmode="numeric"
            value={report.centreId === null ? "" : String(report.centreId)}
          />
        </Field>
        <Field id="enrol-classroomId" label="OneFile classroom id" hint="Unless classrooms come from the Main Tag (SET-7).">
          <input id="enrol-classroomId" name="classroomId" inputmode="numeric" aria-describedby="enrol-classroomId-hint" />
        </Field>
        <button type="submit">Preview their enrolment</button>
      </form>
    )}
    <h2>OneFile learners with no match</h2>
    {report.unmatchedOneFile.length === 0 ? (
      <Empty>None.</Empty>
    ) : (
      <ul>
        {report.unmatchedOneFile.map((u) => (
          <li>
            <span class="mono">{u.onefileId}</span> {u.name} (centre {u.centreId}
            {u.archived ? ", archived" : ""})
          </li>
        ))}
      </ul>
    )}
    <h2>Officers and organisations not linked</h2>
    <ul>
      {report.officers.map((o) => (
        <li>
          Officer <a href={href("/officers")}>{o.officerId}</a> ({o.ident}) in centre {o.centreId}:{" "}
          {o.candidates.length === 0
            ? "no OneFile assessor with this MIS reference"
            : `candidate assessors ${o.candidates.join(", ")}`}
        </li>
      ))}
      {report.organisations.map((o) => (
        <li>
          Organisation <a href={href("/organisations")}>{o.organisationId}</a> ({o.ident}) in centre {o.centreId}:{" "}
          {o.candidates.length === 0
            ? "no OneFile placement with this MIS reference"
            : `candidate placements ${o.candidates.join(", ")}`}
        </li>
      ))}
    </ul>
  </>
);
