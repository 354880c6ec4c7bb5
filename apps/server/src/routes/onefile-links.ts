/**
 * OFF-7, ORG-6 (mounted at /api/v1): link an officer to a chosen OneFile assessor, an organisation
 * to a chosen placement ("Look Up OneFile ID"), and remove the link, per centre (OFF-6, ORG-5).
 */
import { RecordLinks } from "@pics/core";
import { decodeInput } from "@pics/pics-store";
import { Effect } from "effect";
import { badInput } from "../errors.ts";
import { noContent, ok, subApp, type AppContext, type Bridge } from "../bridge.ts";
import { pathId, readObject } from "../http.ts";
import { LinkBody } from "../schemas.ts";

/** `?centreId=`: which centre's link to remove; absent = every link. */
const centreQuery = (c: AppContext) => {
  const raw = c.req.query("centreId");
  if (raw === undefined) return Effect.succeed(undefined);
  return /^[1-9][0-9]{0,9}$/.test(raw)
    ? Effect.succeed(Number(raw))
    : Effect.fail(
        badInput("invalid query", [{ path: "centreId", message: "must be a OneFile centre id (a positive whole number)" }]),
      );
};

export const onefileLinkRoutes = (bridge: Bridge) =>
  subApp(bridge, (route) => {
    for (const entity of ["officer", "organisation"] as const) {
      const base = entity === "officer" ? "/officers/:id/onefile/link" : "/organisations/:id/onefile/link";
      const target = entity === "officer" ? "assessor" : "placement";
      route(
        {
          method: "post",
          path: base,
          summary: `${entity === "officer" ? "OFF-7" : "ORG-6"}: link the ${entity} to a chosen OneFile ${target} (checked, journaled, per centre)`,
          tag: "records",
          body: { schema: LinkBody },
          responses: {
            200: `the ${entity}, with onefileLinks`,
            400: "bad input",
            404: `unknown ${entity}`,
            409: `the ${target} is linked to another ${entity} in its centre`,
            422: `not a OneFile ${target} of the customer`,
            502: "OneFile failed",
            503: "integration disabled",
          },
        },
        (c) =>
          Effect.gen(function* () {
            const id = yield* pathId(c, "id");
            const { onefileId } = yield* decodeInput(LinkBody, "link request")(yield* readObject(c, "link request"));
            const links = yield* RecordLinks;
            return ok(
              entity === "officer" ? yield* links.linkOfficer(id, onefileId) : yield* links.linkOrganisation(id, onefileId),
            );
          }),
      );
      route(
        {
          method: "delete",
          path: base,
          summary: `${entity === "officer" ? "OFF-7" : "ORG-6"}: remove the ${entity}'s OneFile link (in one centre with ?centreId=), journaled`,
          tag: "records",
          responses: { 204: "removed", 400: "bad centreId", 404: `unknown ${entity}` },
        },
        (c) =>
          Effect.gen(function* () {
            const id = yield* pathId(c, "id");
            const centreId = yield* centreQuery(c);
            const links = yield* RecordLinks;
            yield* entity === "officer" ? links.unlinkOfficer(id, centreId) : links.unlinkOrganisation(id, centreId);
            return noContent;
          }),
      );
    }
  });
