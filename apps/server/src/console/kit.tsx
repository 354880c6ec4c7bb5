/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * What every console page is made of: the request's environment (deployment, session, time zone),
 * the layout with the navigation, and small parts (a field with its message, an empty state, an
 * error in words). Pages render with `page(c, {...}, body)`; htmx partials with `fragment(c, body)`.
 */
import type { Child, FC, PropsWithChildren } from "hono/jsx";
import type { Context, Hono } from "hono";
import type { Deployment, Failure } from "./deployment.ts";
import { navigation } from "./nav.ts";
import type { Session } from "./session.ts";

export interface ConsoleEnv {
  Variables: {
    deployment: Deployment;
    session: Session;
    /** The deployment's time zone (the daily run's), for every date shown. */
    timeZone: string;
  };
}
export type ConsoleApp = Hono<ConsoleEnv>;
export type ConsoleContext = Context<ConsoleEnv>;

export const HTMX_FILE = "htmx-2.0.11.min.js";
/** htmx without eval, inline styles or scripts in swapped content (SEC-5's CSP allows none of them). */
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  selfRequestsOnly: true,
  historyCacheSize: 0,
  // Every page is a real navigation (the back button is the browser's own); htmx only swaps parts.
  historyEnabled: false,
});

/** Is this an htmx request (a partial is answered) or a plain browser navigation (a whole page)? */
export const isHtmx = (c: Context): boolean =>
  c.req.header("hx-request") === "true" && c.req.header("hx-history-restore-request") !== "true";

export const Layout: FC<
  PropsWithChildren<{ deployment: Deployment; session: Session | null; title: string; active?: string; timeZone?: string }>
> = ({ deployment: d, session, title, active, timeZone, children }) => (
  <html lang="en-GB">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="htmx-config" content={HTMX_CONFIG} />
      <title>{`${title} · ${d.name} · PICS OneFile`}</title>
      <link rel="icon" href={d.href("/assets/favicon.svg")} type="image/svg+xml" />
      <link rel="stylesheet" href={d.href("/assets/console.css")} />
      <script src={d.href(`/assets/${HTMX_FILE}`)} defer></script>
    </head>
    <body hx-headers={session ? JSON.stringify({ "X-CSRF-Token": session.csrf }) : undefined}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="brand">
          <span class="product">PICS · OneFile</span>
          <span class="deployment">{d.name}</span>
        </div>
        {session ? (
          <nav aria-label="Console">
            <ul>
              {navigation.map((item) => (
                <li>
                  <a href={d.href(item.path)} aria-current={item.path === active ? "page" : undefined}>
                    {item.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
        {session ? (
          <form method="post" action={d.href("/sign-out")} class="sign-out">
            <CsrfField session={session} />
            <button type="submit" class="secondary">
              Sign out
            </button>
          </form>
        ) : null}
      </header>
      <main id="main" tabindex={-1}>
        <h1>{title}</h1>
        {children}
      </main>
      <footer>{timeZone ? <p>Times are shown in {timeZone}.</p> : null}</footer>
    </body>
  </html>
);

/** A whole page with the layout. */
export const page = (c: ConsoleContext, options: { title: string; active?: string; status?: number }, body: Child) =>
  c.html(
    "<!doctype html>" +
      (
        <Layout
          deployment={c.var.deployment}
          session={c.var.session ?? null}
          title={options.title}
          active={options.active}
          timeZone={c.var.timeZone}
        >
          {body}
        </Layout>
      ).toString(),
    (options.status ?? 200) as 200,
  );

/** An htmx partial: no layout. */
export const fragment = (c: Context, body: Child, status = 200) => c.html((<>{body}</>).toString(), status as 200);

export const CsrfField: FC<{ session: Session }> = ({ session }) => <input type="hidden" name="_csrf" value={session.csrf} />;

/** A labelled control with its hint and, when refused, the message beside it (aria-describedby). */
export const Field: FC<PropsWithChildren<{ id: string; label: string; hint?: string; error?: string | undefined }>> = ({
  id,
  label,
  hint,
  error,
  children,
}) => (
  <div class={error ? "field invalid" : "field"}>
    <label for={id}>{label}</label>
    {children}
    {hint ? (
      <p class="hint" id={`${id}-hint`}>
        {hint}
      </p>
    ) : null}
    {error ? (
      <p class="error" id={`${id}-error`} role="alert">
        {error}
      </p>
    ) : null}
  </div>
);

/** aria-describedby for a control inside `Field`. */
export const describedBy = (id: string, hint: boolean, error: string | undefined): string | undefined =>
  [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;

export const Empty: FC<PropsWithChildren> = ({ children }) => <p class="empty">{children}</p>;

export const Problem: FC<{ failure: Failure; id?: string }> = ({ failure, id }) => (
  <p class="error" role="alert" id={id}>
    {failure.message}
  </p>
);

export const Notice: FC<PropsWithChildren<{ kind?: "ok" | "warn" }>> = ({ kind = "ok", children }) => (
  <p class={`notice ${kind}`} role="status">
    {children}
  </p>
);

export const Badge: FC<{ status: string }> = ({ status }) => <span class={`badge ${status}`}>{status.replaceAll("_", " ")}</span>;

/** The body of a form post as strings (repeated names keep their last value; `all` gives every one). */
export const formOf = async (c: Context) => {
  const data = await c.req.formData().catch(() => new FormData());
  const text = (name: string): string => {
    const value = data.get(name);
    return typeof value === "string" ? value : "";
  };
  return { text, all: (name: string) => data.getAll(name).filter((v): v is string => typeof v === "string"), data };
};
