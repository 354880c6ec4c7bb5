/**
 * Notifications (mounted at /api/v1; NOT-3): a test send to every configured channel, and the
 * deliveries log (every attempt of every notification). The channels themselves are settings
 * (`notifications` in PUT /settings); their secrets are never shown.
 */
import { deliveryView, Notifier } from "@pics/notifications";
import { Effect, Schema } from "effect";
import { ok, subApp, type Bridge } from "../bridge.ts";
import { decodeQuery } from "../http.ts";
import { listResponses } from "./docs.ts";

export const DeliveriesQuery = Schema.Struct({
  limit: Schema.optional(
    Schema.NumberFromString.pipe(
      Schema.int(),
      Schema.between(1, 500, { message: () => "must be a whole number from 1 to 500" }),
    ).annotations({ message: () => ({ message: "must be a whole number from 1 to 500", override: true }) }),
  ),
  cursor: Schema.optional(
    Schema.String.pipe(Schema.pattern(/^[0-9]{1,15}$/, { message: () => "must be the nextCursor of the previous page" })),
  ),
});

export const notificationRoutes = (bridge: Bridge) =>
  subApp(bridge, (route) => {
    route(
      {
        method: "post",
        path: "/notifications/test",
        summary: "NOT-3: send a test notification to every configured channel, one attempt each",
        tag: "notifications",
        responses: { 200: "{deliveries: [{channel, ok, status?, error?}]} (empty when no channel is configured)" },
      },
      () =>
        Effect.gen(function* () {
          const results = yield* (yield* Notifier).sendTest;
          return ok({ deliveries: results.map(({ attempts: _attempts, ...result }) => result) });
        }),
    );

    route(
      {
        method: "get",
        path: "/notifications/deliveries",
        summary: "NOT-3: every delivery attempt, newest first: {id, event, channel, runId?, at, ok, attempt, status?, error?}",
        tag: "notifications",
        query: DeliveriesQuery,
        responses: listResponses,
      },
      (c) =>
        Effect.gen(function* () {
          const query = yield* decodeQuery(c, DeliveriesQuery, "query");
          const page = yield* (yield* Notifier).deliveries({
            ...(query.limit === undefined ? {} : { limit: query.limit }),
            cursor: query.cursor === undefined ? null : Number(query.cursor),
          });
          return ok({
            items: page.items.map(deliveryView),
            nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
          });
        }),
    );
  });
