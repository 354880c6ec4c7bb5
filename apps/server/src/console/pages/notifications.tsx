/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Notifications (NOT-1..4 in the console): the channels (a signed webhook and e-mail) with their
 * secrets write-only (shown as set / not set, never sent back), the events to notify, a test send
 * that reports each channel's result, and the deliveries log (every attempt).
 */
import { Notifier, type ChannelResult } from "@pics/notifications";
import {
  NOTIFICATION_EVENTS,
  SettingsStore,
  type Delivery,
  type NotificationEvent,
  type NotificationSettingsView,
} from "@pics/pics-store";
import { Effect } from "effect";
import type { Child } from "hono/jsx";
import { orFail, type Outcome } from "../deployment.ts";
import { formatInstant } from "../format.ts";
import {
  CsrfField,
  describedBy,
  Empty,
  Field,
  formOf,
  fragment,
  isHtmx,
  Notice,
  page,
  type ConsoleApp,
  type ConsoleContext,
} from "../kit.tsx";

type Values = Record<string, string>;
type Errors = Record<string, string>;

const EVENT_LABELS: Record<NotificationEvent, string> = {
  run_failed: "A daily or full run failed",
  run_partially_succeeded: "A daily or full run partially succeeded (some learners failed)",
  daily_run_missed: "No daily run completed within 6 hours of its slot (the scheduler is down or stuck)",
};

const valuesOf = (n: NotificationSettingsView): Values => ({
  webhookUrl: n.webhookUrl ?? "",
  emailTo: n.emailTo.join(", "),
  emailFrom: n.emailFrom ?? "",
  ...Object.fromEntries(NOTIFICATION_EVENTS.map((e) => [`event.${e}`, String(n.events.includes(e))])),
});

/** The posted form as a `notifications` patch; an empty secret field keeps the stored secret. */
const patchOf = (form: Awaited<ReturnType<typeof formOf>>) => {
  const values: Values = {
    webhookUrl: form.text("webhookUrl").trim(),
    emailTo: form.text("emailTo"),
    emailFrom: form.text("emailFrom").trim(),
  };
  const events = NOTIFICATION_EVENTS.filter((e) => form.text(`event.${e}`) === "true");
  for (const e of NOTIFICATION_EVENTS) values[`event.${e}`] = String(events.includes(e));
  const patch: Record<string, unknown> = {
    webhookUrl: values.webhookUrl === "" ? null : values.webhookUrl,
    emailTo: (values.emailTo ?? "")
      .split(/[,;\s]+/)
      .map((a) => a.trim())
      .filter(Boolean)
      .slice(0, 100),
    emailFrom: values.emailFrom === "" ? null : values.emailFrom,
    events,
  };
  const secret = (name: "webhookSecret" | "smtpUrl") => {
    if (form.text(`clear.${name}`) === "true") patch[name] = null;
    else if (form.text(name).trim() !== "") patch[name] = form.text(name).trim();
  };
  secret("webhookSecret");
  secret("smtpUrl");
  return { values, patch };
};

/** The field a refusal is about: `notifications.emailTo[1]` → `emailTo`. */
const fieldOf = (path: string) => path.replace(/^notifications\./, "").replace(/[.[].*$/, "");

const Text = (p: { name: string; label: string; hint: string; values: Values; errors: Errors; type?: string }) => (
  <Field id={p.name} label={p.label} hint={p.hint} error={p.errors[p.name]}>
    <input
      id={p.name}
      name={p.name}
      type={p.type ?? "text"}
      value={p.values[p.name] ?? ""}
      aria-describedby={describedBy(p.name, true, p.errors[p.name])}
      aria-invalid={p.errors[p.name] ? "true" : undefined}
    />
  </Field>
);

/** A write-only secret: an empty password box, whether one is stored, and a way to clear it. */
const Secret = (p: { name: "webhookSecret" | "smtpUrl"; label: string; hint: string; set: boolean; errors: Errors }) => (
  <>
    <Field id={p.name} label={p.label} hint={p.hint} error={p.errors[p.name]}>
      <input
        id={p.name}
        name={p.name}
        type="password"
        autocomplete="off"
        value=""
        aria-describedby={describedBy(p.name, true, p.errors[p.name])}
        aria-invalid={p.errors[p.name] ? "true" : undefined}
      />
    </Field>
    <p id={`${p.name}-state`}>
      {p.label}: {p.set ? "Set" : "Not set"}
    </p>
    {p.set ? (
      <div class="check">
        <input type="checkbox" id={`clear.${p.name}`} name={`clear.${p.name}`} value="true" />
        <label for={`clear.${p.name}`}>Clear the stored value</label>
      </div>
    ) : null}
  </>
);

const TestResults = ({ outcome }: { outcome: Outcome<ReadonlyArray<ChannelResult>> }) => {
  if (!outcome.ok)
    return (
      <p class="error" role="alert">
        The test could not be sent: {outcome.failure.message}
      </p>
    );
  if (outcome.value.length === 0)
    return <Notice kind="warn">No channel is configured: set a webhook or e-mail above, then save.</Notice>;
  return (
    <ul class="test-results">
      {outcome.value.map((r) => (
        <li class={r.ok ? "ok" : "error"}>
          {r.channel === "webhook" ? "Webhook" : "E-mail"}: {r.ok ? "delivered" : "not delivered"}
          {r.status === undefined ? "" : ` (${r.status})`}
          {r.error ? ` — ${r.error}` : ""}
        </li>
      ))}
    </ul>
  );
};

/** The deliveries log; after a test send over htmx it is swapped in too (out of band). */
const Deliveries = ({
  deliveries,
  d,
  zone,
  oob,
}: {
  deliveries: { items: ReadonlyArray<Delivery>; nextCursor: number | null };
  d: ConsoleContext["var"]["deployment"];
  zone: string;
  oob?: boolean;
}) => (
  <section class="card" id="deliveries" aria-labelledby="deliveries-title" hx-swap-oob={oob ? "true" : undefined}>
    <h2 id="deliveries-title">Deliveries</h2>
    {deliveries.items.length === 0 ? (
      <Empty>No notification has been sent yet.</Empty>
    ) : (
      <div class="table-wrap">
        <table>
          <caption>Every attempt, newest first</caption>
          <thead>
            <tr>
              <th scope="col">At</th>
              <th scope="col">Event</th>
              <th scope="col">Channel</th>
              <th scope="col">Run</th>
              <th scope="col" class="num">
                Attempt
              </th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.items.map((row) => (
              <tr>
                <td>{formatInstant(row.at, zone)}</td>
                <td>{row.event.replaceAll("_", " ")}</td>
                <td>{row.channel}</td>
                <td>{row.runId ? <a href={d.href(`/runs/${row.runId}`)}>{row.runId}</a> : "–"}</td>
                <td class="num">{row.attempt}</td>
                <td>
                  {row.ok ? "delivered" : "failed"}
                  {row.status === null ? "" : ` (${row.status})`}
                  {row.error ? ` — ${row.error}` : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )}
    {deliveries.nextCursor !== null ? (
      <p>
        <a href={d.href("/notifications", { cursor: deliveries.nextCursor })}>Older deliveries</a>
      </p>
    ) : null}
  </section>
);

const loadPage = (cursor: number | null) =>
  Effect.all({
    settings: Effect.flatMap(SettingsStore, (s) => s.get),
    deliveries: Effect.flatMap(Notifier, (n) => n.deliveries({ limit: 50, cursor })),
  });

const notificationsPage = async (
  c: ConsoleContext,
  state: {
    values?: Values;
    errors?: Errors;
    saved?: boolean;
    refused?: string;
    test?: Outcome<ReadonlyArray<ChannelResult>>;
    status?: number;
  },
) => {
  const d = c.var.deployment;
  const zone = c.var.timeZone;
  const cursorText = c.req.query("cursor");
  const cursor = cursorText && /^\d{1,15}$/.test(cursorText) ? Number(cursorText) : null;
  const { settings, deliveries } = orFail(await d.attempt(loadPage(cursor)));
  const n = settings.notifications;
  const v = state.values ?? valuesOf(n);
  const e = state.errors ?? {};
  const f = { values: v, errors: e };
  const body: Child = (
    <>
      <form method="post" action={d.href("/notifications")} class="stack" novalidate>
        <CsrfField session={c.var.session} />
        {state.saved ? <Notice>The notification settings were saved.</Notice> : null}
        {state.refused ? (
          <p class="error" role="alert" id="notifications-refused">
            {state.refused}
          </p>
        ) : null}
        <fieldset class="card">
          <legend>Webhook</legend>
          <Text
            name="webhookUrl"
            label="Webhook URL"
            hint="An http(s) address that receives a JSON POST signed as Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature). Empty: no webhook."
            {...f}
          />
          <Secret
            name="webhookSecret"
            label="Webhook secret"
            hint="whsec_ followed by the base64 of 24 to 64 random bytes; the receiver verifies signatures with it. Write-only: leave empty to keep the stored one."
            set={n.webhookSecretSet}
            errors={e}
          />
        </fieldset>
        <fieldset class="card">
          <legend>E-mail</legend>
          <Text name="emailTo" label="Send to" hint="E-mail addresses, separated by commas. Empty: no e-mail." {...f} />
          <Text name="emailFrom" label="Send from" hint="The sender address of the notifications." {...f} />
          <Secret
            name="smtpUrl"
            label="SMTP server"
            hint="smtp://user:password@host:587 or smtps://…; it holds the password, so it is write-only: leave empty to keep the stored one."
            set={n.smtpUrlSet}
            errors={e}
          />
        </fieldset>
        <fieldset class="card">
          <legend>Notify when</legend>
          {NOTIFICATION_EVENTS.map((event) => (
            <div class="check">
              <input
                type="checkbox"
                id={`event.${event}`}
                name={`event.${event}`}
                value="true"
                checked={v[`event.${event}`] === "true"}
              />
              <label for={`event.${event}`}>{EVENT_LABELS[event]}</label>
            </div>
          ))}
          {e.events ? (
            <p class="error" role="alert">
              {e.events}
            </p>
          ) : null}
        </fieldset>
        <div class="row">
          <button type="submit">Save notification settings</button>
          <button
            type="submit"
            class="secondary"
            formaction={d.href("/notifications/test")}
            hx-post={d.href("/notifications/test")}
            hx-target="#notifications-test"
          >
            Send a test notification
          </button>
        </div>
        <div id="notifications-test" aria-live="polite">
          {state.test ? <TestResults outcome={state.test} /> : null}
        </div>
      </form>

      <Deliveries deliveries={deliveries} d={d} zone={zone} />
    </>
  );
  return page(c, { title: "Notifications", active: "/notifications", status: state.status }, body);
};

export const register = (app: ConsoleApp): void => {
  app.get("/notifications", (c) => notificationsPage(c, { saved: c.req.query("saved") === "1" }));

  app.post("/notifications", async (c) => {
    const d = c.var.deployment;
    const { values, patch } = patchOf(await formOf(c));
    const outcome = await d.attempt(Effect.flatMap(SettingsStore, (s) => s.update({ notifications: patch })));
    if (outcome.ok) return c.redirect(d.href("/notifications", { saved: 1 }), 303);
    const errors: Errors = {};
    for (const issue of (outcome.failure.details as Array<{ path: string; message: string }> | undefined) ?? []) {
      errors[fieldOf(issue.path)] ??= issue.message;
    }
    const fields = Object.keys(errors);
    return notificationsPage(c, {
      values,
      errors,
      refused: `Nothing was saved: ${fields.length > 0 ? `check ${fields.join(", ")}` : outcome.failure.message}.`,
      status: 400,
    });
  });

  app.post("/notifications/test", async (c) => {
    const outcome = await c.var.deployment.attempt(Effect.flatMap(Notifier, (n) => n.sendTest));
    if (isHtmx(c)) {
      const d = c.var.deployment;
      const deliveries = orFail(await d.attempt(Effect.flatMap(Notifier, (n) => n.deliveries({ limit: 50 }))));
      return fragment(
        c,
        <>
          <TestResults outcome={outcome} />
          <Deliveries deliveries={deliveries} d={d} zone={c.var.timeZone} oob />
        </>,
      );
    }
    return notificationsPage(c, { test: outcome });
  });
};
