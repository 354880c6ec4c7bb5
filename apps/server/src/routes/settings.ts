/**
 * Settings and status (mounted at /api/v1): the integration settings (the customer token only ever
 * as customerTokenSet) and STAT-1.
 */
import { effectiveMultipleCentres, OneFileConnection, Rules } from "@pics/core";
import { RunLog, SettingsPatch, SettingsStore, StandardsCache } from "@pics/pics-store";
import { Duration, Effect, Option } from "effect";
import { ok, subApp, type Bridge } from "../bridge.ts";
import { HttpError, tidyIssues } from "../errors.ts";
import { readObject } from "../http.ts";

export const settingsRoutes = (bridge: Bridge) => {
  let centresCache: { key: string; count: number; at: number } | undefined;

  /** SET-14 effective value: `auto` needs the customer's centre count (OneFile, cached 5 min). */
  const multipleCentres = Effect.gen(function* () {
    const settings = yield* (yield* SettingsStore).get;
    if (settings.multipleCentres !== "auto") return settings.multipleCentres === "on";
    const key = JSON.stringify([settings.environment, settings.baseUrl, settings.customerTokenSet]);
    if (centresCache?.key === key && Date.now() - centresCache.at < 300_000)
      return effectiveMultipleCentres(settings, centresCache.count);
    const connection = yield* OneFileConnection;
    const fromOneFile = yield* connection.clientEvenIfDisabled.pipe(
      Effect.flatMap(({ client }) => client.searchCentres()),
      Effect.map((centres) => centres.length),
      Effect.timeout(Duration.seconds(3)),
      Effect.option,
    );
    if (Option.isSome(fromOneFile)) {
      centresCache = { key, count: fromOneFile.value, at: Date.now() };
      return effectiveMultipleCentres(settings, fromOneFile.value);
    }
    // OneFile not reachable or not configured: the centres of the cached standards (STAT-3).
    const standards = yield* (yield* StandardsCache).list;
    return effectiveMultipleCentres(settings, new Set(standards.map((s) => s.centreId)).size);
  });

  return subApp(bridge, (route) => {
    route(
      {
        method: "get",
        path: "/settings",
        summary: "The integration settings (the customer token only as customerTokenSet)",
        tag: "integration",
        sensitive: true,
        responses: { 200: "settings" },
      },
      () =>
        Effect.map(
          Effect.flatMap(SettingsStore, (s) => s.get),
          (settings) => ok(settings),
        ),
    );

    route(
      {
        method: "put",
        path: "/settings",
        summary: "Merge any subset of the settings; the merged whole is validated and saved, or refused whole",
        tag: "integration",
        sensitive: true,
        body: { schema: SettingsPatch },
        responses: { 200: "the saved settings", 400: "refused whole (details = every bad field)", 413: "body too large" },
      },
      (c) =>
        Effect.gen(function* () {
          const patch = yield* readObject(c, "settings");
          if ("customerTokenSet" in patch) {
            return yield* new HttpError({
              status: 400,
              code: "invalid_input",
              text: "invalid settings, nothing was saved: customerTokenSet is read-only; send customerToken (a string) to set the token or null to clear it",
              details: [{ path: "customerTokenSet", message: "is read-only: send customerToken to set or clear the token" }],
            });
          }
          const saved = yield* (yield* SettingsStore).update(patch).pipe(
            Effect.catchTag("InvalidInput", (invalid) => {
              // An issue about a malformed token could echo it: say what is wrong, never what was sent.
              const issues = tidyIssues(invalid.issues).map((i) =>
                i.path === "customerToken" || i.path.startsWith("customerToken.") || i.path.startsWith("customerToken[")
                  ? { path: "customerToken", message: "must be a non-empty string, or null to clear it" }
                  : i,
              );
              return Effect.fail(
                new HttpError({
                  status: 400,
                  code: "invalid_input",
                  text: `invalid settings, nothing was saved: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
                  details: issues,
                }),
              );
            }),
          );
          return ok(saved);
        }),
    );

    route(
      {
        method: "get",
        path: "/status",
        summary: "STAT-1: what is switched on, the last synchronisation and the current run",
        tag: "integration",
        responses: { 200: "status" },
      },
      () =>
        Effect.gen(function* () {
          const settings = yield* (yield* SettingsStore).get;
          const rules = yield* Rules;
          const runLog = yield* RunLog;
          const running = (yield* runLog.running).filter((r) => r.kind === "daily" || r.kind === "full");
          const current = running[running.length - 1];
          return ok({
            integrationEnabled: settings.integrationEnabled,
            customerTokenSet: settings.customerTokenSet,
            environment: settings.environment,
            learnerDemographicsMode: settings.learnerDemographicsMode,
            officerDemographicsMode: settings.officerDemographicsMode,
            organisationDemographicsMode: settings.organisationDemographicsMode,
            pushMainOfficerChanges: settings.pushMainOfficerChanges,
            pushEmployerChanges: settings.pushEmployerChanges,
            uploadReviews: settings.uploadReviews,
            downloadReviews: settings.downloadReviews,
            additionalAssessorTypes: settings.additionalAssessorTypes,
            multipleCentres: yield* multipleCentres,
            enabledRules: rules.enabled,
            lastSynchronisedAt: yield* runLog.lastSynchronisedAt,
            currentRun: current ? { id: current.id, kind: current.kind, progress: current.progress } : null,
          });
        }),
    );
  });
};
