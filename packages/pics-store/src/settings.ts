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

const TimeZone = Schema.String.pipe(Schema.filter((z) => isTimeZone(z) || "must be an IANA time zone, e.g. Europe/London"));

export const DailySync = Schema.Struct({
  cron: Schema.String,
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

const BaseUrl = Schema.String.pipe(
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

export const SettingsFields = {
  integrationEnabled: Schema.Boolean,
  environment: Environment,
  baseUrl: Schema.NullOr(BaseUrl),
  uploadReviews: Schema.Boolean,
  downloadReviews: Schema.Boolean,
  additionalAssessorTypes: Schema.Array(Schema.String),
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
};

/**
 * A `PUT /settings` body: any subset of the fields, plus the write-only `customerToken`
 * (a string sets it, null clears it). Unknown fields are refused.
 */
export const SettingsPatch = Schema.partial(
  Schema.Struct({
    ...SettingsFields,
    customerToken: Schema.NullOr(Schema.String.pipe(Schema.minLength(1, { message: () => "must not be empty" }))),
  }),
);
export type SettingsPatch = typeof SettingsPatch.Type;

export const decodeSettingsPatch = decodeInput(SettingsPatch, "settings");
export const decodeSettings = decodeInput(Settings, "settings");

/** Applies a patch to the current settings; the merged whole must then pass `decodeSettings`. */
export const mergeSettings = (current: Settings, patch: SettingsPatch): unknown => {
  const { customerToken: _secret, ...fields } = patch;
  return { ...current, ...fields };
};
