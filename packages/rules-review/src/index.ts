/**
 * rules-review: review upload (REV-U1, REV-U2; at enrolment ENR-11 and at every sync) and
 * download (REV-D1..5). See README.md for the rules in plain words.
 */
import type { RulePackage } from "@pics/core";
import { uploadReviews } from "./upload.ts";

export { qualifiesForUpload } from "./upload.ts";

export const reviewRules: RulePackage = {
  name: "review",
  needs: ["officer"],
  reads: ["uploadReviews", "downloadReviews", "visitTypeForUploadedReviews", "visitTypeIds", "dailySync"],
  enrolment: uploadReviews,
};
