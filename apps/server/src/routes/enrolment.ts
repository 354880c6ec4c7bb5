/**
 * Enrolment (mounted at /api/v1): the preview (ENR-1), enrol and link (ENR-10) of one learner.
 */
import { Enrolment } from "@pics/core";
import { decodeInput } from "@pics/pics-store";
import { Effect } from "effect";
import { ok, subApp, type Bridge } from "../bridge.ts";
import { decodeQuery, pathId, PreviewQuery, readObject } from "../http.ts";
import { EnrolBody, LinkBody } from "../schemas.ts";

export const enrolmentRoutes = (bridge: Bridge) =>
  subApp(bridge, (route) => {
    route(
      {
        method: "get",
        path: "/learners/:id/onefile/enrolment-preview",
        summary: "ENR-1: what an enrolment would send, each qualification's status and every blocking problem; no OneFile write",
        tag: "enrolment",
        query: PreviewQuery,
        responses: {
          200: "preview",
          400: "bad centreId",
          404: "unknown learner",
          502: "OneFile failed",
          503: "integration disabled",
        },
      },
      (c) =>
        Effect.gen(function* () {
          const learnerId = yield* pathId(c, "id");
          const { centreId } = yield* decodeQuery(c, PreviewQuery, "query");
          return ok(yield* (yield* Enrolment).preview({ learnerId, centreId }));
        }),
    );

    route(
      {
        method: "post",
        path: "/learners/:id/onefile/enrol",
        summary: "ENR: create the learner in OneFile (201; a dry run answers 200)",
        tag: "enrolment",
        body: { schema: EnrolBody },
        responses: {
          200: "dry run: the planned result",
          201: "enrolled (ENR-12)",
          400: "bad input",
          404: "unknown learner",
          409: "already linked, duplicate found (candidates in details) or learner busy",
          422: "blocked (blockers in details)",
          502: "OneFile failed",
          503: "integration disabled",
        },
      },
      (c) =>
        Effect.gen(function* () {
          const learnerId = yield* pathId(c, "id");
          const body = yield* decodeInput(EnrolBody, "enrolment request")(yield* readObject(c, "enrolment request"));
          const result = yield* (yield* Enrolment).enrol({ learnerId, ...body });
          return ok(result, result.dryRun ? 200 : 201);
        }),
    );

    route(
      {
        method: "post",
        path: "/learners/:id/onefile/link",
        summary: "ENR-10: link the learner to an existing OneFile learner (creates nothing in OneFile)",
        tag: "enrolment",
        body: { schema: LinkBody },
        responses: {
          200: "linked",
          400: "bad input or not a OneFile learner",
          404: "unknown learner",
          409: "already linked",
          502: "OneFile failed",
          503: "integration disabled",
        },
      },
      (c) =>
        Effect.gen(function* () {
          const learnerId = yield* pathId(c, "id");
          const { onefileId } = yield* decodeInput(LinkBody, "link request")(yield* readObject(c, "link request"));
          const result = yield* (yield* Enrolment).link(learnerId, onefileId);
          return ok(result);
        }),
    );
  });
