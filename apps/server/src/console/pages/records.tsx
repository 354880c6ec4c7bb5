/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * CON-5 Officers and Organisations: each linked to OneFile or not, and "Look Up OneFile ID": search
 * the customer's OneFile assessors (officers) or placements (organisations) in a centre, then link
 * one through the checked link routes (OFF-7, ORG-6: `POST /api/v1/officers/:id/onefile/link`, …),
 * shown only when this build has them.
 */
import { OneFileLookups, type AssessorItem, type PlacementItem } from "@pics/core";
import type { Officer, Organisation } from "@pics/pics-store";
import { Effect } from "effect";
import type { Child } from "hono/jsx";
import { orFail, type Failure, type Outcome } from "../deployment.ts";
import { formatNumber } from "../format.ts";
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
import { allOfficers, allOrganisations, isLinked } from "../operations.ts";

type Record_ = Officer | Organisation;
type Candidate = AssessorItem | PlacementItem;

interface Kind {
  readonly path: "/officers" | "/organisations";
  readonly title: string;
  readonly one: string;
  readonly onefileOne: string;
  readonly api: "officers" | "organisations";
  readonly list: Effect.Effect<ReadonlyArray<Record_>, any, any>;
  readonly name: (r: Record_) => string;
  readonly lookUp: (
    centreId: number,
    search: string,
  ) => Effect.Effect<{ readonly items: ReadonlyArray<Candidate> }, any, OneFileLookups>;
  readonly candidateName: (c: Candidate) => string;
  readonly linkedTo: (c: Candidate) => string | null;
  readonly detail: (c: Candidate) => string;
}

const KINDS: ReadonlyArray<Kind> = [
  {
    path: "/officers",
    title: "Officers",
    one: "officer",
    onefileOne: "assessor",
    api: "officers",
    list: allOfficers,
    name: (r) => {
      const o = r as Officer;
      return `${o.firstName} ${o.surname}`;
    },
    lookUp: (centreId, search) => Effect.flatMap(OneFileLookups, (l) => l.assessors(centreId, { search, limit: 25 })),
    candidateName: (c) => {
      const a = c as AssessorItem;
      return `${a.firstName ?? ""} ${a.surname ?? ""}`.trim() || `#${a.id}`;
    },
    linkedTo: (c) => (c as AssessorItem).linkedOfficerId,
    detail: (c) => {
      const a = c as AssessorItem;
      return [
        a.email,
        a.misId ? `MIS ${a.misId}` : null,
        a.role === 4 ? "trainee assessor" : "assessor",
        a.archived ? "archived" : null,
      ]
        .filter(Boolean)
        .join(" · ");
    },
  },
  {
    path: "/organisations",
    title: "Organisations",
    one: "organisation",
    onefileOne: "placement",
    api: "organisations",
    list: allOrganisations,
    name: (r) => (r as Organisation).name,
    lookUp: (centreId, search) => Effect.flatMap(OneFileLookups, (l) => l.placements(centreId, { search, limit: 25 })),
    candidateName: (c) => (c as PlacementItem).name ?? `#${c.id}`,
    linkedTo: (c) => (c as PlacementItem).linkedOrganisationId,
    detail: (c) => ((c as PlacementItem).misId ? `MIS ${(c as PlacementItem).misId}` : ""),
  },
];

const positive = (text: string | undefined): number | undefined =>
  text && /^\d{1,12}$/.test(text) && Number(text) > 0 ? Number(text) : undefined;

const linkRoute = (kind: Kind) => `/api/v1/${kind.api}/:id/onefile/link`;

const Candidates = (props: {
  c: ConsoleContext;
  kind: Kind;
  recordId: string;
  centreId: number;
  outcome: Outcome<{ readonly items: ReadonlyArray<Candidate> }>;
}) => {
  const { c, kind, recordId, centreId, outcome } = props;
  const d = c.var.deployment;
  const canLink = d.hasRoute("POST", linkRoute(kind));
  return (
    <div id={`lookup-${recordId}`} class="lookup-results" aria-live="polite">
      {!outcome.ok ? (
        <Problem failure={outcome.failure} />
      ) : outcome.value.items.length === 0 ? (
        <Empty>No OneFile {kind.onefileOne} in this centre matches.</Empty>
      ) : (
        <ul class="candidates">
          {outcome.value.items.map((cand) => (
            <li>
              <strong>{kind.candidateName(cand)}</strong> <span class="mono">(OneFile id {cand.id})</span> {kind.detail(cand)}{" "}
              {kind.linkedTo(cand) ? (
                <span>
                  · linked to {kind.one} {kind.linkedTo(cand)}
                </span>
              ) : canLink ? (
                <form method="post" action={d.href(`${kind.path}/${recordId}/link`)} class="inline">
                  <CsrfField session={c.var.session} />
                  <input type="hidden" name="onefileId" value={String(cand.id)} />
                  <input type="hidden" name="centreId" value={String(centreId)} />
                  <button
                    type="submit"
                    class="secondary"
                    aria-label={`Link ${recordId} to OneFile ${kind.onefileOne} ${cand.id}`}
                  >
                    Link
                  </button>
                </form>
              ) : (
                <span class="hint">
                  · use OneFile id {cand.id} (linking from the console needs the link route, not in this build)
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
};

const listPage = async (
  c: ConsoleContext,
  kind: Kind,
  extra: { failure?: { recordId: string; failure: Failure }; status?: number } = {},
) => {
  const d = c.var.deployment;
  const filter = c.req.query("filter");
  const search = (c.req.query("search") ?? "").trim().toLowerCase();
  const lookupFor = c.req.query("lookup");
  const lookupCentre = positive(c.req.query("centreId"));
  const lookupSearch = c.req.query("q") ?? "";
  const [records, centres] = await Promise.all([
    d.attempt(kind.list),
    d.attempt(Effect.flatMap(OneFileLookups, (l) => l.centres({ limit: 100 }))),
  ]);
  const all = orFail(records);
  const centreList = centres.ok ? centres.value.items : [];
  const chosenCentre = lookupCentre ?? centreList[0]?.id;
  const lookup = lookupFor && chosenCentre ? await d.attempt(kind.lookUp(chosenCentre, lookupSearch)) : null;
  const shown = all.filter(
    (r) =>
      (filter === "linked" ? isLinked(r) : filter === "unlinked" ? !isLinked(r) : true) &&
      (!search || [r.id, r.ident, kind.name(r), r.email].some((f) => f && String(f).toLowerCase().includes(search))),
  );
  const linkedId = c.req.query("linked");
  const body: Child = (
    <>
      {linkedId ? (
        <Notice>{`${kind.one[0]!.toUpperCase()}${kind.one.slice(1)} ${linkedId} is now linked to OneFile.`}</Notice>
      ) : null}
      <form method="get" action={d.href(kind.path)} class="filters card" role="search">
        <Field id="search" label="Search" hint="Id, ident, name or email.">
          <input id="search" name="search" type="search" value={c.req.query("search") ?? ""} aria-describedby="search-hint" />
        </Field>
        <Field id="filter" label="Show">
          <select id="filter" name="filter">
            <option value="">All {kind.title.toLowerCase()}</option>
            <option value="linked" selected={filter === "linked"}>
              Linked to OneFile
            </option>
            <option value="unlinked" selected={filter === "unlinked"}>
              Not linked
            </option>
          </select>
        </Field>
        <button type="submit">Search</button>
      </form>
      {!centres.ok ? (
        <Problem failure={{ ...centres.failure, message: `OneFile cannot be asked now: ${centres.failure.message}` }} />
      ) : null}
      <p>
        {formatNumber(shown.length)} of {formatNumber(all.length)} {kind.title.toLowerCase()};{" "}
        {formatNumber(all.filter(isLinked).length)} linked.
      </p>
      {shown.length === 0 ? (
        <Empty>{all.length === 0 ? `There are no ${kind.title.toLowerCase()} yet.` : `No ${kind.one} matches.`}</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <caption>{kind.title}</caption>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Ident</th>
                <th scope="col">Name</th>
                <th scope="col">OneFile</th>
                <th scope="col">Look Up OneFile ID</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => {
                const open = lookupFor === r.id;
                const links = (r as { onefileLinks?: ReadonlyArray<{ centreId: number; onefileId: number }> }).onefileLinks;
                return (
                  <tr id={`record-${r.id}`}>
                    <td class="mono">{r.id}</td>
                    <td class="mono">{r.ident}</td>
                    <td>{kind.name(r)}</td>
                    <td>
                      {isLinked(r) ? (
                        <>
                          <Badge status="linked" />{" "}
                          <span class="mono">
                            {links && links.length > 0
                              ? links.map((l) => `${l.onefileId} (centre ${l.centreId})`).join(", ")
                              : r.onefileId}
                          </span>
                        </>
                      ) : (
                        <Badge status="unlinked" />
                      )}
                    </td>
                    <td>
                      <form
                        method="get"
                        action={d.href(kind.path)}
                        class="row"
                        hx-get={d.href(`${kind.path}/${r.id}/lookup`)}
                        hx-target={`#lookup-${r.id}`}
                        hx-swap="outerHTML"
                      >
                        <input type="hidden" name="lookup" value={r.id} />
                        <Field id={`centre-${r.id}`} label="Centre">
                          <select id={`centre-${r.id}`} name="centreId">
                            {centreList.map((ce) => (
                              <option value={String(ce.id)} selected={ce.id === chosenCentre}>
                                {ce.name ?? ce.id}
                              </option>
                            ))}
                          </select>
                        </Field>
                        <Field id={`q-${r.id}`} label={`Search OneFile ${kind.onefileOne}s`}>
                          <input id={`q-${r.id}`} name="q" type="search" value={open ? lookupSearch : ""} />
                        </Field>
                        <button type="submit" class="secondary" aria-label={`Look Up OneFile ID for ${kind.one} ${r.id}`}>
                          Look Up OneFile ID
                        </button>
                      </form>
                      {extra.failure?.recordId === r.id ? (
                        <p class="error" role="alert" id={`link-error-${r.id}`}>
                          Not linked: {extra.failure.failure.message}
                        </p>
                      ) : null}
                      {open && lookup && chosenCentre ? (
                        <Candidates c={c} kind={kind} recordId={r.id} centreId={chosenCentre} outcome={lookup} />
                      ) : (
                        <div id={`lookup-${r.id}`} class="lookup-results" aria-live="polite"></div>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
  return page(c, { title: kind.title, active: kind.path, status: extra.status }, body);
};

export const register = (app: ConsoleApp): void => {
  for (const kind of KINDS) {
    app.get(kind.path, (c) => listPage(c, kind));

    app.get(`${kind.path}/:id/lookup`, async (c) => {
      const centreId = positive(c.req.query("centreId"));
      if (!isHtmx(c) || !centreId) return listPage(c, kind);
      const outcome = await c.var.deployment.attempt(kind.lookUp(centreId, c.req.query("q") ?? ""));
      return fragment(c, <Candidates c={c} kind={kind} recordId={c.req.param("id")} centreId={centreId} outcome={outcome} />);
    });

    app.post(`${kind.path}/:id/link`, async (c) => {
      const d = c.var.deployment;
      const id = c.req.param("id");
      const form = await formOf(c);
      const onefileId = positive(form.text("onefileId"));
      const linked = onefileId
        ? await d.api("POST", `/api/v1/${kind.api}/${encodeURIComponent(id)}/onefile/link`, { onefileId })
        : ({
            ok: false,
            failure: { status: 400, code: "invalid_input", message: `choose a OneFile ${kind.onefileOne}` },
          } as const);
      if (linked.ok) return c.redirect(d.href(kind.path, { linked: id }), 303);
      return listPage(c, kind, { failure: { recordId: id, failure: linked.failure }, status: linked.failure.status });
    });
  }
};
