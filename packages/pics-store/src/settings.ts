/**
 * The deployment's integration settings (integration.md §1), with their defaults. The customer
 * token is not part of this document: it is stored encrypted in its own column and is write-only.
 */
import { Cron } from "croner";
import { Schema } from "effect";
import { decodeInput } from "./records.ts";

export const Environment = Schema.Literal("live", "beta", "practice", "custom");
export type Environment = typeof Environment.Type;
export const DemographicsMode = Schema.Literal("Ignore", "PushToOneFile", "PullFromOneFile");
export type DemographicsMode = typeof DemographicsMode.Type;
export const VisitType = Schema.Literal("NotSpecified", "RemoteSession", "FaceToFace");
export type VisitType = typeof VisitType.Type;

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const cronProblem = (cron: string, timeZone: string): string | undefined => {
  try {
    new Cron(cron, { timezone: timeZone, paused: true });
    return undefined;
  } catch (error) {
    return `is not a valid cron expression (${error instanceof Error ? error.message : String(error)})`;
  }
};

/** SEC-3: the length first, then anything that looks inside. */
const Bounded = (max: number) =>
  Schema.String.pipe(Schema.maxLength(max, { message: () => `must be at most ${max} characters` }));

const TimeZone = Bounded(64).pipe(Schema.filter((z) => isTimeZone(z) || "must be an IANA time zone, e.g. Europe/London"));

export const DailySync = Schema.Struct({
  cron: Bounded(100),
  timeZone: TimeZone,
}).pipe(
  Schema.filter((d) => {
    const problem = isTimeZone(d.timeZone) ? cronProblem(d.cron, d.timeZone) : undefined;
    return problem === undefined || { path: ["cron"], message: problem };
  }),
);

const positiveInt = Schema.Int.pipe(Schema.positive({ message: () => "must be a positive whole number" }));

export const VisitTypeIds = Schema.Struct({
  NotSpecified: positiveInt,
  RemoteSession: positiveInt,
  FaceToFace: positiveInt,
});

export const RateLimit = Schema.Struct({
  calls: positiveInt,
  windowSeconds: positiveInt,
});

const BaseUrl = Bounded(2000).pipe(
  Schema.filter((u) => {
    try {
      const url = new URL(u);
      if (url.protocol !== "http:" && url.protocol !== "https:") return "must be an http(s) URL";
      return /\/api\/v2\.1\/?$/i.test(url.pathname) || "must end with /api/v2.1/";
    } catch {
      return "must be an absolute URL";
    }
  }),
);

// ---------------------------------------------------------------- notifications (NOT, http-api.md)

export const NotificationEvent = Schema.Literal("run_failed", "run_partially_succeeded", "daily_run_missed");
export type NotificationEvent = typeof NotificationEvent.Type;
export const NOTIFICATION_EVENTS: ReadonlyArray<NotificationEvent> = [
  "run_failed",
  "run_partially_succeeded",
  "daily_run_missed",
];

/**
 * A string whose length is checked before anything else looks at it (SEC-3), and whose problems
 * are said without echoing it (it may be a secret). `check` runs only on strings within `max`.
 */
const boundedString = (max: number, check: (s: string) => boolean, problem: string) =>
  Schema.String.pipe(
    Schema.filter((s) => (s.length <= max && check(s)) || (s.length > max ? `must be at most ${max} characters` : problem)),
  );

/** Each part is one run of characters that cannot belong to its neighbour: linear, no backtracking. */
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
export const EmailAddress = boundedString(254, (s) => EMAIL.test(s), "must be an e-mail address, e.g. ops@provider.example");

const parsedUrl = (s: string): URL | null => {
  try {
    return new URL(s);
  } catch {
    return null;
  }
};

export const WebhookUrl = boundedString(
  2048,
  (s) => {
    const url = parsedUrl(s);
    return url !== null && (url.protocol === "http:" || url.protocol === "https:") && url.username === "" && url.password === "";
  },
  "must be an absolute http(s) URL without user or password (the secret goes in webhookSecret)",
);

/** Standard Webhooks: `whsec_` and the base64 of 24 to 64 random bytes. */
const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/;
export const WebhookSecret = boundedString(
  100,
  (s) => WEBHOOK_SECRET.test(s),
  "must be a Standard Webhooks secret: whsec_ followed by the base64 of 24 to 64 random bytes",
);

export const SmtpUrl = boundedString(
  2048,
  (s) => {
    const url = parsedUrl(s);
    return url !== null && (url.protocol === "smtp:" || url.protocol === "smtps:") && url.hostname !== "";
  },
  "must be an smtp:// or smtps:// URL, e.g. smtp://user:password@mail.example:587",
);

const Events = Schema.Array(NotificationEvent).pipe(
  Schema.maxItems(NOTIFICATION_EVENTS.length, { message: () => "lists each event at most once" }),
  Schema.filter((events) => new Set(events).size === events.length || "lists each event at most once"),
);

const notificationFields = {
  webhookUrl: Schema.NullOr(WebhookUrl),
  emailTo: Schema.Array(EmailAddress).pipe(Schema.maxItems(20, { message: () => "must list at most 20 addresses" })),
  emailFrom: Schema.NullOr(EmailAddress),
  events: Events,
};

/** The stored part of `notifications`; the two secrets live sealed in their own columns (NOT-4). */
export const NotificationSettings = Schema.Struct(notificationFields);
export type NotificationSettings = typeof NotificationSettings.Type;

export const defaultNotificationSettings: NotificationSettings = {
  webhookUrl: null,
  emailTo: [],
  emailFrom: null,
  events: NOTIFICATION_EVENTS,
};

/** A secret field: one message for any bad value, never the value itself (SEC-2). */
const writeOnly = (schema: Schema.Schema<string>, problem: string) =>
  Schema.NullOr(schema).annotations({ message: () => ({ message: problem, override: true }) });

const readOnly = (instead: string) => Schema.optional(Schema.Unknown.pipe(Schema.filter(() => `is read-only: ${instead}`)));

/** `notifications` in a `PUT /settings` body: any subset, merged into the current one. */
export const NotificationSettingsPatch = Schema.Struct({
  webhookUrl: Schema.optional(notificationFields.webhookUrl),
  emailTo: Schema.optional(notificationFields.emailTo),
  emailFrom: Schema.optional(notificationFields.emailFrom),
  events: Schema.optional(notificationFields.events),
  webhookSecret: Schema.optional(
    writeOnly(WebhookSecret, "must be a Standard Webhooks secret (whsec_ and the base64 of 24 to 64 bytes), or null to clear it"),
  ),
  smtpUrl: Schema.optional(
    writeOnly(SmtpUrl, "must be an smtp:// or smtps:// URL of at most 2048 characters, or null to clear it"),
  ),
  webhookSecretSet: readOnly("send webhookSecret to set the secret or null to clear it"),
  smtpUrlSet: readOnly("send smtpUrl to set it or null to clear it"),
});
export type NotificationSettingsPatch = typeof NotificationSettingsPatch.Type;

export const SettingsFields = {
  integrationEnabled: Schema.Boolean,
  environment: Environment,
  baseUrl: Schema.NullOr(BaseUrl),
  uploadReviews: Schema.Boolean,
  downloadReviews: Schema.Boolean,
  additionalAssessorTypes: Schema.Array(Bounded(64)).pipe(Schema.maxItems(50, { message: () => "must list at most 50 types" })),
  classroomFromMainTag: Schema.Boolean,
  visitTypeForUploadedReviews: VisitType,
  visitTypeIds: VisitTypeIds,
  learnerDemographicsMode: DemographicsMode,
  officerDemographicsMode: DemographicsMode,
  organisationDemographicsMode: DemographicsMode,
  pushMainOfficerChanges: Schema.Boolean,
  pushEmployerChanges: Schema.Boolean,
  multipleCentres: Schema.Literal("auto", "on", "off"),
  dailySync: DailySync,
  endedWithinDays: Schema.Int.pipe(Schema.between(0, 3650, { message: () => "must be a whole number of days, 0 to 3650" })),
  onefileRateLimit: RateLimit,
  notifications: NotificationSettings,
};

/** The whole settings document, as stored. */
export const Settings = Schema.Struct(SettingsFields).pipe(
  Schema.filter(
    (s) =>
      s.environment !== "custom" ||
      s.baseUrl !== null || { path: ["baseUrl"], message: "is required when environment is custom" },
  ),
);
export type Settings = typeof Settings.Type;

export const defaultSettings: Settings = {
  integrationEnabled: false,
  environment: "practice",
  baseUrl: null,
  uploadReviews: false,
  downloadReviews: false,
  additionalAssessorTypes: [],
  classroomFromMainTag: false,
  visitTypeForUploadedReviews: "NotSpecified",
  visitTypeIds: { FaceToFace: 1, RemoteSession: 2, NotSpecified: 3 },
  learnerDemographicsMode: "Ignore",
  officerDemographicsMode: "Ignore",
  organisationDemographicsMode: "Ignore",
  pushMainOfficerChanges: false,
  pushEmployerChanges: false,
  multipleCentres: "auto",
  dailySync: { cron: "0 2 * * *", timeZone: "Europe/London" },
  endedWithinDays: 31,
  onefileRateLimit: { calls: 300, windowSeconds: 60 },
  notifications: defaultNotificationSettings,
};

export const CUSTOMER_TOKEN_MAX_LENGTH = 4096;

/**
 * What a customer token may hold: visible ASCII only, the characters an HTTP header value can carry
 * without breaking (a line break pasted from an e-mail made fetch throw an error quoting the whole
 * token, SEC-2). Never a message that quotes the value.
 */
export const CUSTOMER_TOKEN_RULE = `must be 1-${CUSTOMER_TOKEN_MAX_LENGTH} visible ASCII characters (no spaces, line breaks or control characters), or null to clear it`;

export const isHeaderSafeToken = (token: string): boolean => {
  if (token.length === 0 || token.length > CUSTOMER_TOKEN_MAX_LENGTH) return false;
  for (let i = 0; i < token.length; i += 1) {
    const c = token.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
};

const CustomerToken = Schema.String.pipe(Schema.filter((t) => isHeaderSafeToken(t) || CUSTOMER_TOKEN_RULE));

/**
 * A `PUT /settings` body: any subset of the fields, plus the write-only `customerToken`
 * (a string sets it, null clears it). Unknown fields are refused.
 */
export const SettingsPatch = Schema.partial(
  Schema.Struct({
    ...SettingsFields,
    notifications: NotificationSettingsPatch,
    customerToken: Schema.NullOr(CustomerToken),
  }),
);
export type SettingsPatch = typeof SettingsPatch.Type;

export const decodeSettingsPatch = decodeInput(SettingsPatch, "settings");
export const decodeSettings = decodeInput(Settings, "settings");

/** Applies a patch to the current settings; the merged whole must then pass `decodeSettings`. */
export const mergeSettings = (current: Settings, patch: SettingsPatch): unknown => {
  const { customerToken: _secret, notifications, ...fields } = patch;
  if (notifications === undefined) return { ...current, ...fields };
  // `notifications` merges one level down, so a form that changes the webhook keeps the e-mail.
  const { webhookSecret: _w, smtpUrl: _s, webhookSecretSet: _wf, smtpUrlSet: _sf, ...notificationFields } = notifications;
  return { ...current, ...fields, notifications: { ...current.notifications, ...notificationFields } };
};
