/**
 * Settings and status (mounted at /api/v1): the integration settings (the customer token only ever
 * as customerTokenSet) and STAT-1 (assembled in core, status.ts).
 */
import { ReferenceData } from "@pics/core";
import { CUSTOMER_TOKEN_RULE, SettingsPatch, SettingsStore } from "@pics/pics-store";
import { Effect } from "effect";
import { ok, subApp, type Bridge } from "../bridge.ts";
import { HttpError, tidyIssues } from "../errors.ts";
import { readObject } from "../http.ts";

export const settingsRoutes = (bridge: Bridge) => {
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
                  ? { path: "customerToken", message: CUSTOMER_TOKEN_RULE }
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
        Effect.map(
          Effect.flatMap(ReferenceData, (r) => r.status),
          (status) => ok(status),
        ),
    );
  });
};
