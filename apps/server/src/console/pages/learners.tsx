/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * CON-4 Learners: search and filter (linked, unlinked, failed in the last run); a learner's OneFile
 * panel: "Create in OneFile" with the preview and every choice as a control (centre, classroom,
 * pathway, centre per qualification), link to an existing OneFile learner found with a look-up,
 * "Refresh with OneFile", and the learner's log.
 *
 * The choices travel in the page's query string (a GET form), so each preview is a page of its own
 * and the back button returns to the previous choice; only enrol, link and refresh post.
 */
import { Enrolment, OneFileLookups, sameVqReference, vqReferenceOf, type EnrolmentPreview, type LearnerItem } from "@pics/core";
import { PicsRecords, RunLog, type Learner } from "@pics/pics-store";
import { Effect } from "effect";
import type { Context } from "hono";
import { orFail, type Failure, type Outcome } from "../deployment.ts";
import { formatInstant, formatNumber, formatValue } from "../format.ts";
import {
  Badge,
  CsrfField,
  Empty,
  Field,
  formOf,
  fragment,
  isHtmx,
  Notice,
  page,
  Problem,
  type ConsoleApp,
  type ConsoleContext,
} from "../kit.tsx";
import { everyRecord, exchange, newestRun, requireEnabled } from "../operations.ts";
import { ChangeCells } from "../parts.tsx";

const PAGE = 50;
const FILTERS = ["linked", "unlinked", "failed"] as const;
type Filter = (typeof FILTERS)[number];

const nameOf = (l: Learner) => `${l.firstName} ${l.surname}`;
const positive = (text: string | undefined): number | undefined =>
  text && /^\d{1,12}$/.test(text) && Number(text) > 0 ? Number(text) : undefined;

/** The enrolment request the page's query (or the posted form) describes. */
const choicesOf = (get: (name: string) => string | undefined, learner: Learner) => {
  const centreId = positive(get("centreId"));
  const classroomId = positive(get("classroomId"));
  const qualifications: Record<string, { centreId?: number; pathwayId?: number }> = {};
  for (const q of learner.qualifications) {
    const qCentre = positive(get(`q.${q.id}.centreId`));
    const pathway = positive(get(`q.${q.id}.pathwayId`));
    if (qCentre !== undefined || pathway !== undefined)
      qualifications[q.id] = { ...(qCentre ? { centreId: qCentre } : {}), ...(pathway ? { pathwayId: pathway } : {}) };
  }
  return { centreId, classroomId, qualifications };
};

type Choices = ReturnType<typeof choicesOf>;

const choiceQuery = (choices: Choices) => {
  const query: Record<string, number | undefined> = { centreId: choices.centreId, classroomId: choices.classroomId };
  for (const [id, q] of Object.entries(choices.qualifications)) {
    query[`q.${id}.centreId`] = q.centreId;
    query[`q.${id}.pathwayId`] = q.pathwayId;
  }
  return query;
};

/** What the enrolment controls offer: centres, the centre's classrooms, and per qualification its centres and pathways. */
const enrolmentOptions = (learner: Learner, choices: Choices) =>
  Effect.gen(function* () {
    const lookups = yield* OneFileLookups;
    const centres = (yield* lookups.centres({ limit: 100 })).items;
    const classrooms = choices.centreId ? (yield* lookups.classrooms(choices.centreId, { limit: 100 })).items : [];
    const standards = (yield* Effect.forEach(centres, (c) => lookups.standards(c.id))).flat();
    const qualifications = learner.qualifications.map((q) => {
      const matching = standards.filter((s) => sameVqReference(vqReferenceOf(s.Title), q.vqReference));
      const qCentres = [...new Set(matching.map((s) => s.OrganisationID).filter((id): id is number => id !== null))];
      const chosenCentre = choices.qualifications[q.id]?.centreId ?? (qCentres.length === 1 ? qCentres[0] : choices.centreId);
      const standard =
        matching.find((s) => s.OrganisationID === chosenCentre) ?? (qCentres.length === 1 ? matching[0] : undefined);
      return {
        id: q.id,
        vqReference: q.vqReference,
        title: q.title ?? standard?.Title ?? null,
        centres: qCentres,
        pathways: (standard?.Pathways ?? []).map((p) => ({ id: p.ID, title: p.Title })),
      };
    });
    return { centres, classrooms, qualifications };
  });

const outcomeWords: Record<string, string> = {
  matched: "found in OneFile",
  create: "will be created",
  resumed: "resumed",
  linked: "linked",
  upload: "will be uploaded",
  available: "available",
  not_available: "not available in OneFile",
  needs_pathway: "needs a pathway",
  needs_centre: "needs a centre",
};

const Preview = ({ preview }: { preview: EnrolmentPreview }) => (
  <div id="preview">
    <h3>Preview</h3>
    {preview.blockers.length > 0 ? (
      <div class="error" role="alert" id="blockers">
        <p>The learner cannot be created in OneFile yet:</p>
        <ul>
          {preview.blockers.map((b) => (
            <li>{b.message}</li>
          ))}
        </ul>
      </div>
    ) : (
      <Notice>Nothing blocks the enrolment. Check what will be sent, then create the learner.</Notice>
    )}
    <div class="table-wrap">
      <table>
        <caption>What the enrolment matches and creates</caption>
        <thead>
          <tr>
            <th scope="col">Record</th>
            <th scope="col">PICS id</th>
            <th scope="col">In OneFile</th>
            <th scope="col">OneFile id</th>
          </tr>
        </thead>
        <tbody>
          {preview.items.map((item) => (
            <tr>
              <td>{item.entity}</td>
              <td class="mono">{item.id}</td>
              <td>{outcomeWords[item.outcome] ?? item.outcome.replaceAll("_", " ")}</td>
              <td class="mono">{typeof item.onefileId === "number" ? item.onefileId : "new"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
    <details>
      <summary>Learner fields sent to OneFile</summary>
      <dl class="facts">
        {Object.entries(preview.learnerFields).map(([k, v]) => (
          <>
            <dt class="mono">{k}</dt>
            <dd>{formatValue(v)}</dd>
          </>
        ))}
      </dl>
    </details>
  </div>
);

const LookupResults = ({
  c,
  learnerId,
  centreId,
  outcome,
}: {
  c: ConsoleContext | Context;
  learnerId: string;
  centreId: number | undefined;
  outcome: Outcome<{ items: ReadonlyArray<LearnerItem> }> | null;
}) => {
  const d = (c as ConsoleContext).var.deployment;
  const session = (c as ConsoleContext).var.session;
  if (!outcome) return <div id="lookup-results" aria-live="polite"></div>;
  return (
    <div id="lookup-results" aria-live="polite">
      {!outcome.ok ? (
        <Problem failure={outcome.failure} />
      ) : outcome.value.items.length === 0 ? (
        <Empty>No OneFile learner in this centre matches.</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <caption>OneFile learners found</caption>
            <thead>
              <tr>
                <th scope="col">OneFile id</th>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">ULN</th>
                <th scope="col">MIS reference</th>
                <th scope="col">Link</th>
              </tr>
            </thead>
            <tbody>
              {outcome.value.items.map((l) => (
                <tr>
                  <td class="mono">{l.id}</td>
                  <td>
                    {l.firstName} {l.surname}
                    {l.archived ? " (archived)" : ""}
                  </td>
                  <td>{l.email ?? "–"}</td>
                  <td>{l.uln ?? "–"}</td>
                  <td>{l.misId ?? "–"}</td>
                  <td>
                    {l.linkedLearnerId ? (
                      <>
                        linked to <a href={d.href(`/learners/${l.linkedLearnerId}`)}>{l.linkedLearnerId}</a>
                      </>
                    ) : (
                      <form method="post" action={d.href(`/learners/${learnerId}/link`)} class="inline">
                        <CsrfField session={session} />
                        <input type="hidden" name="onefileId" value={String(l.id)} />
                        <input type="hidden" name="centreId" value={centreId ? String(centreId) : ""} />
                        <button
                          type="submit"
                          class="secondary"
                          aria-label={`Link to OneFile learner ${l.id} ${l.firstName ?? ""} ${l.surname ?? ""}`}
                        >
                          Link
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
};

const learnerPage = async (
  c: ConsoleContext,
  learnerId: string,
  extra: { choices?: Choices; enrolFailure?: Failure; linkFailure?: Failure; refresh?: Outcome<any>; status?: number } = {},
) => {
  const d = c.var.deployment;
  const zone = c.var.timeZone;
  const learner = orFail(await d.attempt(Effect.flatMap(PicsRecords, (r) => r.getLearner(learnerId))));
  const choices = extra.choices ?? choicesOf((name) => c.req.query(name), learner);
  const linked = learner.onefileId !== null;
  const lookupCentre = positive(c.req.query("lookupCentre")) ?? choices.centreId;
  const lookupSearch = c.req.query("lookup") ?? "";

  const [log, options, preview, lookup] = await Promise.all([
    d.attempt(
      Effect.gen(function* () {
        const runLog = yield* RunLog;
        const runs = yield* runLog.list({ learnerId, limit: 20 });
        const changes = yield* runLog.learnerChanges(learnerId, 50);
        return { runs: runs.items, changes };
      }),
    ),
    linked ? Promise.resolve(null) : d.attempt(enrolmentOptions(learner, choices)),
    !linked && choices.centreId
      ? d.attempt(
          Effect.flatMap(Enrolment, (e) =>
            e.preview({
              learnerId,
              centreId: choices.centreId!,
              classroomId: choices.classroomId ?? null,
              qualifications: choices.qualifications,
            }),
          ),
        )
      : Promise.resolve(null),
    !linked && lookupCentre && c.req.query("lookup") !== undefined
      ? d.attempt(Effect.flatMap(OneFileLookups, (l) => l.learners(lookupCentre, { search: lookupSearch, limit: 20 })))
      : Promise.resolve(null),
  ]);
  const refreshedRun = c.req.query("refreshed");
  const refresh =
    extra.refresh ??
    (refreshedRun
      ? await d.attempt(
          Effect.gen(function* () {
            const runLog = yield* RunLog;
            return { run: yield* runLog.get(refreshedRun), changes: yield* runLog.changes(refreshedRun) };
          }),
        )
      : undefined);
  const enrolled = c.req.query("enrolled");
  const linkedRun = c.req.query("linkedRun");

  return page(
    c,
    { title: `${nameOf(learner)} (${learner.id})`, active: "/learners", status: extra.status },
    <>
      <p>
        <a href={d.href("/learners")}>All learners</a>
      </p>
      {enrolled ? (
        <Notice>
          The learner was created in OneFile (<a href={d.href(`/runs/${enrolled}`)}>run {enrolled}</a>).
        </Notice>
      ) : null}
      {linkedRun ? (
        <Notice>
          The learner was linked to OneFile (<a href={d.href(`/runs/${linkedRun}`)}>run {linkedRun}</a>).
        </Notice>
      ) : null}
      <section class="card" aria-labelledby="onefile-heading">
        <h2 id="onefile-heading">OneFile</h2>
        <dl class="facts">
          <dt>Status</dt>
          <dd id="link-status">{linked ? <Badge status="linked" /> : <Badge status="unlinked" />}</dd>
          <dt>OneFile learner</dt>
          <dd>{learner.onefileId ?? "–"}</dd>
          <dt>OneFile centre</dt>
          <dd>{learner.onefileCentreId ?? "–"}</dd>
          <dt>Email</dt>
          <dd>{learner.email ?? "–"}</dd>
          <dt>ULN</dt>
          <dd>{learner.uln ?? "–"}</dd>
          <dt>Main officer</dt>
          <dd>
            {learner.mainOfficerId ? (
              <a href={d.href("/officers", { search: learner.mainOfficerId })}>{learner.mainOfficerId}</a>
            ) : (
              "–"
            )}
          </dd>
          <dt>Qualifications</dt>
          <dd>
            {learner.qualifications.length > 0
              ? learner.qualifications.map((q) => `${q.id} (${q.vqReference})`).join(", ")
              : "None"}
          </dd>
        </dl>
      </section>

      {linked ? (
        <section class="card" aria-labelledby="refresh-heading">
          <h2 id="refresh-heading">Refresh with OneFile</h2>
          <p>Exchange this learner's data with OneFile now, as the daily run would.</p>
          <form method="post" action={d.href(`/learners/${learner.id}/refresh`)}>
            <CsrfField session={c.var.session} />
            <button type="submit">Refresh with OneFile</button>
          </form>
          {refresh ? (
            refresh.ok ? (
              <div id="refresh-result">
                <Notice>
                  Refreshed: {formatNumber(refresh.value.changes.length)} change{refresh.value.changes.length === 1 ? "" : "s"} (
                  <a href={d.href(`/runs/${refresh.value.run.id}`)}>run {refresh.value.run.id}</a>,{" "}
                  {refresh.value.run.status.replaceAll("_", " ")}).
                </Notice>
                {refresh.value.run.errors.map((e: { reason: string }) => (
                  <p class="error" role="alert">
                    {e.reason}
                  </p>
                ))}
              </div>
            ) : (
              <p class="error" role="alert" id="refresh-result">
                The refresh did not run: {refresh.failure.message}
              </p>
            )
          ) : null}
        </section>
      ) : (
        <>
          <section class="card" aria-labelledby="enrol-heading">
            <h2 id="enrol-heading">Create in OneFile</h2>
            {options && !options.ok ? (
              <Problem failure={options.failure} />
            ) : options ? (
              <form method="get" action={d.href(`/learners/${learner.id}`)} id="enrol-form">
                <div class="row">
                  <Field id="centreId" label="Centre" hint="The OneFile centre to create the learner in.">
                    <select id="centreId" name="centreId" aria-describedby="centreId-hint">
                      <option value="">Choose a centre</option>
                      {options.value.centres.map((ce) => (
                        <option value={String(ce.id)} selected={ce.id === choices.centreId}>
                          {ce.name ?? ce.id} ({ce.id})
                        </option>
                      ))}
                    </select>
                  </Field>
                  <Field
                    id="classroomId"
                    label="Classroom"
                    hint={choices.centreId ? "The learner's OneFile classroom." : "Choose a centre first."}
                  >
                    <select id="classroomId" name="classroomId" aria-describedby="classroomId-hint" disabled={!choices.centreId}>
                      <option value="">Choose a classroom</option>
                      {options.value.classrooms.map((cl) => (
                        <option value={String(cl.id)} selected={cl.id === choices.classroomId}>
                          {cl.name ?? cl.id}
                        </option>
                      ))}
                    </select>
                  </Field>
                </div>
                {options.value.qualifications.length > 0 ? (
                  <fieldset>
                    <legend>Qualifications</legend>
                    {options.value.qualifications.map((q) => (
                      <div class="row">
                        <p>
                          <strong>{q.id}</strong> {q.vqReference}
                          {q.title ? ` · ${q.title}` : ""}
                          {q.centres.length === 0 ? " · not available in OneFile" : ""}
                        </p>
                        {q.centres.length > 1 ? (
                          <Field id={`q-${q.id}-centre`} label={`Centre for ${q.id}`}>
                            <select id={`q-${q.id}-centre`} name={`q.${q.id}.centreId`}>
                              <option value="">Choose a centre</option>
                              {q.centres.map((id) => (
                                <option value={String(id)} selected={choices.qualifications[q.id]?.centreId === id}>
                                  {options.value.centres.find((ce) => ce.id === id)?.name ?? id} ({id})
                                </option>
                              ))}
                            </select>
                          </Field>
                        ) : null}
                        {q.pathways.length > 0 ? (
                          <Field id={`q-${q.id}-pathway`} label={`Pathway for ${q.id}`}>
                            <select id={`q-${q.id}-pathway`} name={`q.${q.id}.pathwayId`}>
                              <option value="">{q.pathways.length === 1 ? "The only pathway" : "Choose a pathway"}</option>
                              {q.pathways.map((p) => (
                                <option value={String(p.id)} selected={choices.qualifications[q.id]?.pathwayId === p.id}>
                                  {p.title ?? p.id}
                                </option>
                              ))}
                            </select>
                          </Field>
                        ) : null}
                      </div>
                    ))}
                  </fieldset>
                ) : null}
                <p>
                  <button type="submit" class="secondary">
                    Show the preview
                  </button>
                </p>
              </form>
            ) : null}
            {preview && !preview.ok ? <Problem failure={preview.failure} /> : null}
            {preview && preview.ok ? <Preview preview={preview.value} /> : null}
            {!choices.centreId ? <Empty>Choose a centre to see what the enrolment would send.</Empty> : null}
            {preview && preview.ok && preview.value.blockers.length === 0 ? (
              <form method="post" action={d.href(`/learners/${learner.id}/enrol`)}>
                <CsrfField session={c.var.session} />
                {Object.entries(choiceQuery(choices)).map(([k, v]) =>
                  v === undefined ? null : <input type="hidden" name={k} value={String(v)} />,
                )}
                <button type="submit">Create in OneFile</button>
              </form>
            ) : null}
            {extra.enrolFailure ? (
              <div class="error" role="alert" id="enrol-error">
                <p>The learner was not created: {extra.enrolFailure.message}</p>
              </div>
            ) : null}
          </section>

          <section class="card" aria-labelledby="link-heading">
            <h2 id="link-heading">Link to an existing OneFile learner</h2>
            <form
              method="get"
              action={d.href(`/learners/${learner.id}`)}
              class="row"
              hx-get={d.href(`/learners/${learner.id}/lookup`)}
              hx-target="#lookup-results"
              hx-swap="outerHTML"
            >
              <Field id="lookupCentre" label="Centre to search">
                <select id="lookupCentre" name="lookupCentre">
                  {options && options.ok
                    ? options.value.centres.map((ce) => (
                        <option value={String(ce.id)} selected={ce.id === lookupCentre}>
                          {ce.name ?? ce.id} ({ce.id})
                        </option>
                      ))
                    : null}
                </select>
              </Field>
              <Field id="lookup" label="Search OneFile learners" hint="Part of a name, email, ULN or MIS reference.">
                <input id="lookup" name="lookup" type="search" value={lookupSearch} aria-describedby="lookup-hint" />
              </Field>
              <button type="submit" class="secondary">
                Look up
              </button>
            </form>
            {extra.linkFailure ? (
              <p class="error" role="alert" id="link-error">
                The learner was not linked: {extra.linkFailure.message}
              </p>
            ) : null}
            <LookupResults c={c} learnerId={learner.id} centreId={lookupCentre} outcome={lookup} />
          </section>
        </>
      )}

      <section class="card" aria-labelledby="log-heading">
        <h2 id="log-heading">Log</h2>
        {!log.ok ? (
          <Problem failure={log.failure} />
        ) : log.value.runs.length === 0 ? (
          <Empty>Nothing has happened to this learner in OneFile yet.</Empty>
        ) : (
          <>
            <div class="table-wrap">
              <table>
                <caption>Runs with this learner, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Run</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Started</th>
                    <th scope="col">Outcome</th>
                  </tr>
                </thead>
                <tbody>
                  {log.value.runs.map((r) => (
                    <tr>
                      <td>
                        <a href={d.href(`/runs/${r.id}`)} class="mono">
                          {r.id}
                        </a>
                      </td>
                      <td>
                        {r.kind}
                        {r.dryRun ? " (dry run)" : ""}
                      </td>
                      <td>{formatInstant(r.startedAt, zone)}</td>
                      <td>
                        <Badge status={r.status} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {log.value.changes.length > 0 ? (
              <div class="table-wrap">
                <table>
                  <caption>Latest changes</caption>
                  <thead>
                    <tr>
                      <th scope="col">At</th>
                      <th scope="col">Record</th>
                      <th scope="col">Field</th>
                      <th scope="col">Before → after</th>
                      <th scope="col">Direction</th>
                    </tr>
                  </thead>
                  <tbody>
                    {log.value.changes.map((ch) => (
                      <tr>
                        <td>{formatInstant(ch.at, zone)}</td>
                        <ChangeCells change={ch} />
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
          </>
        )}
      </section>
    </>,
  );
};

export const register = (app: ConsoleApp): void => {
  app.get("/learners", async (c) => {
    const d = c.var.deployment;
    const search = (c.req.query("search") ?? "").trim();
    const filter = FILTERS.find((f) => f === c.req.query("filter")) as Filter | undefined;
    const offset = positive(c.req.query("from")) ?? 0;
    const data = orFail(
      await d.attempt(
        Effect.gen(function* () {
          const learners = yield* Effect.flatMap(PicsRecords, (r) => everyRecord<Learner>(r.listLearners));
          const lastRun = filter === "failed" ? yield* newestRun(["daily", "full"]) : null;
          return { learners, failed: new Set(lastRun?.errors.map((e) => e.learnerId) ?? []), lastRun };
        }),
      ),
    );
    const words = search.toLowerCase().split(/\s+/).filter(Boolean);
    const found = data.learners.filter((l) => {
      if (filter === "linked" && l.onefileId === null) return false;
      if (filter === "unlinked" && l.onefileId !== null) return false;
      if (filter === "failed" && !data.failed.has(l.id)) return false;
      const hay = [l.id, l.firstName, l.surname, l.email, l.uln].filter(Boolean).map((s) => String(s).toLowerCase());
      return words.every((w) => hay.some((h) => h.includes(w)));
    });
    const shown = found.slice(offset, offset + PAGE);
    return page(
      c,
      { title: "Learners", active: "/learners" },
      <>
        <form method="get" action={d.href("/learners")} class="filters card" role="search">
          <Field id="search" label="Search" hint="Id, name, email or ULN.">
            <input id="search" name="search" type="search" value={search} aria-describedby="search-hint" />
          </Field>
          <Field id="filter" label="Show">
            <select id="filter" name="filter">
              <option value="">All learners</option>
              <option value="linked" selected={filter === "linked"}>
                Linked to OneFile
              </option>
              <option value="unlinked" selected={filter === "unlinked"}>
                Not linked
              </option>
              <option value="failed" selected={filter === "failed"}>
                Failed in the last run
              </option>
            </select>
          </Field>
          <button type="submit">Search</button>
        </form>
        <p>
          {formatNumber(found.length)} of {formatNumber(data.learners.length)} learners
          {filter === "failed" && data.lastRun ? (
            <>
              {" "}
              (<a href={d.href(`/runs/${data.lastRun.id}`)}>last run</a>)
            </>
          ) : null}
          .
        </p>
        {shown.length === 0 ? (
          <Empty>
            {data.learners.length === 0
              ? "There are no learners yet: import them through the API (POST /api/v1/import)."
              : filter === "failed" && !data.lastRun
                ? "No daily or full run has happened yet."
                : "No learner matches this search."}
          </Empty>
        ) : (
          <div class="table-wrap">
            <table>
              <caption>Learners</caption>
              <thead>
                <tr>
                  <th scope="col">Learner</th>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">ULN</th>
                  <th scope="col">OneFile</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((l) => (
                  <tr>
                    <td>
                      <a href={d.href(`/learners/${l.id}`)} class="mono">
                        {l.id}
                      </a>
                    </td>
                    <td>{nameOf(l)}</td>
                    <td>{l.email ?? "–"}</td>
                    <td>{l.uln ?? "–"}</td>
                    <td>
                      {l.onefileId !== null ? (
                        <>
                          <Badge status="linked" /> <span class="mono">{l.onefileId}</span>
                        </>
                      ) : (
                        <Badge status="unlinked" />
                      )}
                      {data.failed.has(l.id) ? (
                        <>
                          {" "}
                          <Badge status="failed" />
                        </>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p class="pager">
          {offset > 0 ? <a href={d.href("/learners", { search, filter, from: Math.max(0, offset - PAGE) })}>Previous</a> : null}
          {offset + PAGE < found.length ? <a href={d.href("/learners", { search, filter, from: offset + PAGE })}>Next</a> : null}
        </p>
      </>,
    );
  });

  app.get("/learners/:id", (c) => learnerPage(c, c.req.param("id")));

  app.get("/learners/:id/lookup", async (c) => {
    const d = c.var.deployment;
    const centreId = positive(c.req.query("lookupCentre"));
    if (!centreId) return fragment(c, <LookupResults c={c} learnerId={c.req.param("id")} centreId={undefined} outcome={null} />);
    const outcome = await d.attempt(
      Effect.flatMap(OneFileLookups, (l) => l.learners(centreId, { search: c.req.query("lookup") ?? "", limit: 20 })),
    );
    const body = <LookupResults c={c} learnerId={c.req.param("id")} centreId={centreId} outcome={outcome} />;
    return isHtmx(c) ? fragment(c, body) : learnerPage(c, c.req.param("id"));
  });

  app.post("/learners/:id/enrol", async (c) => {
    const d = c.var.deployment;
    const id = c.req.param("id");
    const learner = orFail(await d.attempt(Effect.flatMap(PicsRecords, (r) => r.getLearner(id))));
    const form = await formOf(c);
    const choices = choicesOf((name) => form.text(name) || undefined, learner);
    if (!choices.centreId)
      return learnerPage(c, id, {
        choices,
        enrolFailure: { status: 400, code: "invalid_input", message: "choose a centre" },
        status: 400,
      });
    const result = await d.attempt(
      Effect.flatMap(Enrolment, (e) =>
        e.enrol({
          learnerId: id,
          centreId: choices.centreId!,
          classroomId: choices.classroomId ?? null,
          qualifications: choices.qualifications,
        }),
      ),
    );
    if (result.ok) return c.redirect(d.href(`/learners/${id}`, { enrolled: result.value.runId }), 303);
    return learnerPage(c, id, { choices, enrolFailure: result.failure, status: result.failure.status });
  });

  app.post("/learners/:id/link", async (c) => {
    const d = c.var.deployment;
    const id = c.req.param("id");
    const form = await formOf(c);
    const onefileId = positive(form.text("onefileId"));
    if (!onefileId)
      return learnerPage(c, id, {
        linkFailure: { status: 400, code: "invalid_input", message: "choose a OneFile learner" },
        status: 400,
      });
    const result = await d.attempt(Effect.flatMap(Enrolment, (e) => e.link(id, onefileId)));
    if (result.ok) return c.redirect(d.href(`/learners/${id}`, { linkedRun: result.value.runId }), 303);
    return learnerPage(c, id, { linkFailure: result.failure, status: result.failure.status });
  });

  app.post("/learners/:id/refresh", async (c) => {
    const d = c.var.deployment;
    const id = c.req.param("id");
    const refresh = await d.attempt(
      Effect.gen(function* () {
        yield* (yield* PicsRecords).getLearner(id);
        yield* requireEnabled;
        return yield* (yield* exchange).refresh(id, { trigger: "http" });
      }),
    );
    if (refresh.ok) return c.redirect(d.href(`/learners/${id}`, { refreshed: refresh.value.run.id }), 303);
    return learnerPage(c, id, { refresh, status: refresh.failure.status });
  });
};
