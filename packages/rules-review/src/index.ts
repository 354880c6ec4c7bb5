/**
 * rules-review: review upload (REV-U1, REV-U2; at enrolment ENR-11 and at every sync) and
 * download (REV-D1..5). See README.md for the rules in plain words.
 */
import type { ExchangeContext, RulePackage } from "@pics/core";
import { Effect } from "effect";
import { downloadReviews } from "./download.ts";
import { uploadReviews } from "./upload.ts";

export { qualifiesForUpload } from "./upload.ts";

/** REV-D5: uploads first, then downloads, in the same exchange. */
const exchangeReviews = (ctx: ExchangeContext) =>
  Effect.flatMap(uploadReviews(ctx), (uploaded) => downloadReviews(ctx, uploaded));

export const reviewRules: RulePackage = {
  name: "review",
  needs: ["officer"],
  reads: ["uploadReviews", "downloadReviews", "visitTypeForUploadedReviews", "visitTypeIds", "dailySync", "multipleCentres"],
  enrolment: (ctx) => Effect.asVoid(uploadReviews(ctx)),
  exchange: exchangeReviews,
};
