/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * CON-2 Settings: every setting with its meaning, the validation message beside the field that
 * caused it (the store validates the merged whole, as `PUT /api/v1/settings`), the customer token
 * write-only (shown as set / not set, never sent back), and a connection test.
 */
import { ReferenceData } from "@pics/core";
import {
  decodeSettings,
  decodeSettingsPatch,
  mergeSettings,
  SettingsStore,
  type Settings,
  type SettingsView,
} from "@pics/pics-store";
import { Effect } from "effect";
import type { Child } from "hono/jsx";
import { orFail, type Outcome } from "../deployment.ts";
import {
  CsrfField,
  describedBy,
  Field,
  formOf,
  fragment,
  isHtmx,
  Notice,
  page,
  type ConsoleApp,
  type ConsoleContext,
} from "../kit.tsx";
import { ConnectionResult } from "../parts.tsx";
import type { ConnectionTestResult } from "@pics/core";

type Values = Record<string, string>;
type Errors = Record<string, string>;

/** Form values of the stored settings (field names are the settings' paths). */
const valuesOf = (s: Settings): Values => ({
  integrationEnabled: String(s.integrationEnabled),
  environment: s.environment,
  baseUrl: s.baseUrl ?? "",
  uploadReviews: String(s.uploadReviews),
  downloadReviews: String(s.downloadReviews),
  additionalAssessorTypes: s.additionalAssessorTypes.join(", "),
  classroomFromMainTag: String(s.classroomFromMainTag),
  visitTypeForUploadedReviews: s.visitTypeForUploadedReviews,
  "visitTypeIds.NotSpecified": String(s.visitTypeIds.NotSpecified),
  "visitTypeIds.RemoteSession": String(s.visitTypeIds.RemoteSession),
  "visitTypeIds.FaceToFace": String(s.visitTypeIds.FaceToFace),
  learnerDemographicsMode: s.learnerDemographicsMode,
  officerDemographicsMode: s.officerDemographicsMode,
  organisationDemographicsMode: s.organisationDemographicsMode,
  pushMainOfficerChanges: String(s.pushMainOfficerChanges),
  pushEmployerChanges: String(s.pushEmployerChanges),
  multipleCentres: s.multipleCentres,
  "dailySync.cron": s.dailySync.cron,
  "dailySync.timeZone": s.dailySync.timeZone,
  endedWithinDays: String(s.endedWithinDays),
  "onefileRateLimit.calls": String(s.onefileRateLimit.calls),
  "onefileRateLimit.windowSeconds": String(s.onefileRateLimit.windowSeconds),
});

const BOOLEANS = [
  "integrationEnabled",
  "uploadReviews",
  "downloadReviews",
  "classroomFromMainTag",
  "pushMainOfficerChanges",
  "pushEmployerChanges",
] as const;
const WHOLE_NUMBERS = [
  "visitTypeIds.NotSpecified",
  "visitTypeIds.RemoteSession",
  "visitTypeIds.FaceToFace",
  "endedWithinDays",
  "onefileRateLimit.calls",
  "onefileRateLimit.windowSeconds",
] as const;

/** The posted form as a settings patch; numbers that are not whole numbers are refused here, by field. */
const patchOf = (form: Awaited<ReturnType<typeof formOf>>) => {
  const values: Values = {};
  const errors: Errors = {};
  const patch: Record<string, any> = {};
  const set = (path: string, value: unknown) => {
    const [head, tail] = path.split(".") as [string, string | undefined];
    if (tail === undefined) patch[head] = value;
    else patch[head] = { ...(patch[head] ?? {}), [tail]: value };
  };
  for (const name of BOOLEANS) {
    values[name] = String(form.text(name) === "true");
    set(name, form.text(name) === "true");
  }
  for (const name of [
    "environment",
    "visitTypeForUploadedReviews",
    "learnerDemographicsMode",
    "officerDemographicsMode",
    "organisationDemographicsMode",
    "multipleCentres",
    "dailySync.cron",
    "dailySync.timeZone",
  ]) {
    values[name] = form.text(name).trim();
    set(name, values[name]);
  }
  values.baseUrl = form.text("baseUrl").trim();
  set("baseUrl", values.baseUrl === "" ? null : values.baseUrl);
  values.additionalAssessorTypes = form.text("additionalAssessorTypes");
  set(
    "additionalAssessorTypes",
    values.additionalAssessorTypes
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
  );
  for (const name of WHOLE_NUMBERS) {
    const text = form.text(name).trim();
    values[name] = text;
    if (/^-?\d{1,9}$/.test(text)) set(name, Number(text));
    else errors[name] = text === "" ? "is required: a whole number" : "must be a whole number";
  }
  const token = form.text("customerToken");
  if (form.text("clearCustomerToken") === "true") patch.customerToken = null;
  else if (token.trim() !== "") patch.customerToken = token.trim();
  return { values, errors, patch };
};

const Text = (p: {
  name: string;
  label: string;
  hint: string;
  values: Values;
  errors: Errors;
  type?: string;
  inputmode?: string;
}) => (
  <Field id={p.name} label={p.label} hint={p.hint} error={p.errors[p.name]}>
    <input
      id={p.name}
      name={p.name}
      type={p.type ?? "text"}
      inputmode={p.inputmode as "numeric" | undefined}
      value={p.values[p.name] ?? ""}
      aria-describedby={describedBy(p.name, true, p.errors[p.name])}
      aria-invalid={p.errors[p.name] ? "true" : undefined}
    />
  </Field>
);

const Number_ = (p: { name: string; label: string; hint: string; values: Values; errors: Errors }) => (
  <Text {...p} inputmode="numeric" />
);

const Choice = (p: {
  name: string;
  label: string;
  hint: string;
  values: Values;
  errors: Errors;
  options: ReadonlyArray<string>;
}) => (
  <Field id={p.name} label={p.label} hint={p.hint} error={p.errors[p.name]}>
    <select
      id={p.name}
      name={p.name}
      aria-describedby={describedBy(p.name, true, p.errors[p.name])}
      aria-invalid={p.errors[p.name] ? "true" : undefined}
    >
      {p.options.map((o) => (
        <option value={o} selected={p.values[p.name] === o}>
          {o}
        </option>
      ))}
    </select>
  </Field>
);

const Check = (p: { name: string; label: string; hint: string; values: Values; errors: Errors }) => (
  <div class={p.errors[p.name] ? "field invalid" : "field"}>
    <div class="check">
      <input
        type="checkbox"
        id={p.name}
        name={p.name}
        value="true"
        checked={p.values[p.name] === "true"}
        aria-describedby={describedBy(p.name, true, p.errors[p.name])}
      />
      <label for={p.name}>{p.label}</label>
    </div>
    <p class="hint" id={`${p.name}-hint`}>
      {p.hint}
    </p>
    {p.errors[p.name] ? (
      <p class="error" id={`${p.name}-error`} role="alert">
        {p.errors[p.name]}
      </p>
    ) : null}
  </div>
);

const MODES = ["Ignore", "PushToOneFile", "PullFromOneFile"];

/** Field labels, for the summary of a refused save. */
const LABELS: Record<string, string> = {
  integrationEnabled: "Integration enabled",
  customerToken: "OneFile customer token",
  environment: "Environment",
  baseUrl: "Base URL",
  "onefileRateLimit.calls": "OneFile calls per window",
  "onefileRateLimit.windowSeconds": "Window (seconds)",
  "dailySync.cron": "Schedule (cron)",
  "dailySync.timeZone": "Time zone",
  endedWithinDays: "Ended within (days)",
  multipleCentres: "Multiple centres",
  uploadReviews: "Upload reviews",
  downloadReviews: "Download reviews",
  visitTypeForUploadedReviews: "Visit type of uploaded reviews",
  "visitTypeIds.NotSpecified": "Visit type id: Not specified",
  "visitTypeIds.RemoteSession": "Visit type id: Remote session",
  "visitTypeIds.FaceToFace": "Visit type id: Face to face",
  learnerDemographicsMode: "Learner demographics",
  officerDemographicsMode: "Officer demographics",
  organisationDemographicsMode: "Organisation demographics",
  pushMainOfficerChanges: "Push main officer changes",
  pushEmployerChanges: "Push employer changes",
  classroomFromMainTag: "Classroom from main tag",
  additionalAssessorTypes: "Additional assessor types",
};

const settingsPage = (
  c: ConsoleContext,
  state: {
    values: Values;
    errors: Errors;
    tokenSet: boolean;
    saved?: boolean;
    refused?: string;
    connection?: Outcome<ConnectionTestResult>;
    status?: number;
  },
) => {
  const d = c.var.deployment;
  const { values: v, errors: e } = state;
  const f = { values: v, errors: e };
  const body: Child = (
    <form method="post" action={d.href("/settings")} class="stack" novalidate>
      <CsrfField session={c.var.session} />
      {state.saved ? <Notice>The settings were saved.</Notice> : null}
      {state.refused ? (
        <p class="error" role="alert" id="settings-refused">
          {state.refused}
        </p>
      ) : null}
      <fieldset class="card">
        <legend>Connection</legend>
        <Check
          name="integrationEnabled"
          label="Integration enabled"
          hint="Off: no enrolment, refresh or run talks to OneFile (SET-1)."
          {...f}
        />
        <Field
          id="customerToken"
          label="OneFile customer token"
          hint={`Write-only: ${state.tokenSet ? "a token is set" : "no token is set"}. Leave blank to keep it.`}
          error={e.customerToken}
        >
          <input
            id="customerToken"
            name="customerToken"
            type="password"
            autocomplete="off"
            value=""
            aria-describedby={describedBy("customerToken", true, e.customerToken)}
          />
        </Field>
        <p id="token-state">Customer token: {state.tokenSet ? "Set" : "Not set"}</p>
        {state.tokenSet ? (
          <div class="check">
            <input type="checkbox" id="clearCustomerToken" name="clearCustomerToken" value="true" />
            <label for="clearCustomerToken">Clear the stored token</label>
          </div>
        ) : null}
        <Choice
          name="environment"
          label="Environment"
          hint="Which OneFile to talk to; custom uses the base URL below (SET-3)."
          options={["live", "beta", "practice", "custom"]}
          {...f}
        />
        <Text name="baseUrl" label="Base URL" hint="Only for the custom environment, ending with /api/v2.1/." {...f} />
        <Number_
          name="onefileRateLimit.calls"
          label="OneFile calls per window"
          hint="OneFile allows 300 a minute (SET-17)."
          {...f}
        />
        <Number_ name="onefileRateLimit.windowSeconds" label="Window (seconds)" hint="The length of the rate window." {...f} />
      </fieldset>

      <fieldset class="card">
        <legend>Daily run</legend>
        <Text
          name="dailySync.cron"
          label="Schedule (cron)"
          hint="When the daily run starts, e.g. 0 2 * * * for 02:00 (SET-15)."
          {...f}
        />
        <Text
          name="dailySync.timeZone"
          label="Time zone"
          hint="An IANA time zone, e.g. Europe/London; the console shows times in it."
          {...f}
        />
        <Number_
          name="endedWithinDays"
          label="Ended within (days)"
          hint="Learners whose learning ended this many days ago or less stay in the daily run (SET-16)."
          {...f}
        />
        <Choice
          name="multipleCentres"
          label="Multiple centres"
          hint="auto: on when the customer has more than one OneFile centre (SET-14)."
          options={["auto", "on", "off"]}
          {...f}
        />
      </fieldset>

      <fieldset class="card">
        <legend>Reviews</legend>
        <Check name="uploadReviews" label="Upload reviews" hint="Send PICS reviews to OneFile (REV-U)." {...f} />
        <Check name="downloadReviews" label="Download reviews" hint="Bring OneFile reviews into PICS (REV-D)." {...f} />
        <Choice
          name="visitTypeForUploadedReviews"
          label="Visit type of uploaded reviews"
          hint="The OneFile visit type a review is sent as."
          options={["NotSpecified", "RemoteSession", "FaceToFace"]}
          {...f}
        />
        <Number_
          name="visitTypeIds.NotSpecified"
          label="Visit type id: Not specified"
          hint="OneFile's id for this visit type."
          {...f}
        />
        <Number_
          name="visitTypeIds.RemoteSession"
          label="Visit type id: Remote session"
          hint="OneFile's id for this visit type."
          {...f}
        />
        <Number_
          name="visitTypeIds.FaceToFace"
          label="Visit type id: Face to face"
          hint="OneFile's id for this visit type."
          {...f}
        />
      </fieldset>

      <fieldset class="card">
        <legend>Learners, officers and organisations</legend>
        <Choice
          name="learnerDemographicsMode"
          label="Learner demographics"
          hint="Which side wins for a learner's details (DEM-L)."
          options={MODES}
          {...f}
        />
        <Choice
          name="officerDemographicsMode"
          label="Officer demographics"
          hint="Which side wins for an officer's details (DEM-O)."
          options={MODES}
          {...f}
        />
        <Choice
          name="organisationDemographicsMode"
          label="Organisation demographics"
          hint="Which side wins for an organisation's details (DEM-G)."
          options={MODES}
          {...f}
        />
        <Check
          name="pushMainOfficerChanges"
          label="Push main officer changes"
          hint="A new main officer in PICS becomes the learner's OneFile assessor (DEM-M1)."
          {...f}
        />
        <Check
          name="pushEmployerChanges"
          label="Push employer changes"
          hint="A new employer in PICS becomes the learner's OneFile placement (DEM-M2)."
          {...f}
        />
        <Check
          name="classroomFromMainTag"
          label="Classroom from main tag"
          hint="Choose the OneFile classroom named by the learner's main tag at enrolment."
          {...f}
        />
        <Text
          name="additionalAssessorTypes"
          label="Additional assessor types"
          hint="Learner officer types also assigned in OneFile, separated by commas."
          {...f}
        />
      </fieldset>

      <div class="actions">
        <button type="submit">Save settings</button>
        <button
          type="submit"
          class="secondary"
          formaction={d.href("/settings/connection-test")}
          hx-post={d.href("/settings/connection-test")}
          hx-target="#settings-connection"
        >
          Test the connection
        </button>
      </div>
      <div id="settings-connection" aria-live="polite">
        {state.connection ? <ConnectionResult outcome={state.connection} /> : null}
      </div>
    </form>
  );
  return page(c, { title: "Integration Settings", active: "/settings", status: state.status }, body);
};

/** The settings document without the read-only flags (`customerTokenSet`, the notifications' `…Set`). */
const storedOf = (current: SettingsView): Settings => {
  const { customerTokenSet: _set, notifications, ...stored } = current;
  const { webhookSecretSet: _w, smtpUrlSet: _s, ...channels } = notifications;
  return { ...stored, notifications: channels };
};

const loadSettings = (c: ConsoleContext) => c.var.deployment.attempt(Effect.flatMap(SettingsStore, (s) => s.get)).then(orFail);

export const register = (app: ConsoleApp): void => {
  app.get("/settings", async (c) => {
    const settings = await loadSettings(c);
    return settingsPage(c, {
      values: valuesOf(settings),
      errors: {},
      tokenSet: settings.customerTokenSet,
      saved: c.req.query("saved") === "1",
    });
  });

  app.post("/settings", async (c) => {
    const d = c.var.deployment;
    const form = await formOf(c);
    const { values, errors, patch } = patchOf(form);
    const current = await loadSettings(c);
    // With a field already refused here, the rest is still checked (nothing saved) so every message shows at once.
    const outcome =
      Object.keys(errors).length === 0
        ? await d.attempt(Effect.flatMap(SettingsStore, (s) => s.update(patch)))
        : await d.attempt(
            Effect.flatMap(decodeSettingsPatch(patch), (decoded) => decodeSettings(mergeSettings(storedOf(current), decoded))),
          );
    if (outcome.ok && Object.keys(errors).length === 0) return c.redirect(d.href("/settings", { saved: 1 }), 303);
    if (!outcome.ok) {
      const saved = outcome;
      for (const issue of (saved.failure.details as Array<{ path: string; message: string }> | undefined) ?? []) {
        // A message about the token never repeats what was typed (it is never echoed).
        const key = issue.path.startsWith("customerToken") ? "customerToken" : issue.path;
        errors[key] ??= key === "customerToken" ? "must be a non-empty string" : issue.message;
      }
      if (Object.keys(errors).length === 0) errors.form = saved.failure.message;
    }
    const fields = Object.keys(errors).filter((k) => k !== "form");
    return settingsPage(c, {
      values,
      errors,
      tokenSet: current.customerTokenSet,
      refused:
        fields.length > 0
          ? `Nothing was saved. Check ${fields.map((f) => LABELS[f] ?? f).join(", ")}: the message is beside each.`
          : `Nothing was saved: ${errors.form}.`,
      status: 400,
    });
  });

  // CON-2: the connection test uses the values in the form, before they are saved.
  app.post("/settings/connection-test", async (c) => {
    const d = c.var.deployment;
    const form = await formOf(c);
    const { values, errors, patch } = patchOf(form);
    const current = await loadSettings(c);
    const checked = await d.attempt(
      Effect.flatMap(decodeSettingsPatch(patch), (decoded) => decodeSettings(mergeSettings(storedOf(current), decoded))),
    );
    if (!checked.ok) {
      for (const issue of (checked.failure.details as Array<{ path: string; message: string }> | undefined) ?? [])
        errors[issue.path.startsWith("customerToken") ? "customerToken" : issue.path] ??= issue.message;
    }
    const outcome: Outcome<ConnectionTestResult> =
      Object.keys(errors).length > 0 || !checked.ok
        ? { ok: false, failure: { status: 400, code: "invalid_input", message: "fix the fields marked below first" } }
        : await d.attempt(
            Effect.flatMap(ReferenceData, (r) =>
              r.connectionTestWith({
                environment: checked.value.environment,
                baseUrl: checked.value.baseUrl,
                onefileRateLimit: checked.value.onefileRateLimit,
                customerToken: patch.customerToken,
              }),
            ),
          );
    if (isHtmx(c) && outcome.ok) return fragment(c, <ConnectionResult outcome={outcome} />);
    // Fields to fix: htmx swaps the whole main part in, with each message beside its field.
    if (isHtmx(c)) {
      c.header("HX-Retarget", "main");
      c.header("HX-Reswap", "outerHTML");
      c.header("HX-Reselect", "main");
    }
    return settingsPage(c, {
      values,
      errors,
      tokenSet: current.customerTokenSet,
      connection: outcome,
      status: outcome.ok || isHtmx(c) ? 200 : 400,
    });
  });
};
