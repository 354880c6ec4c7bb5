/**
 * What the assessor (OFF-2..5) and placement (ORG-2..4) resolvers share: the records several
 * learners need, found in OneFile by their MIS reference, and the step that stores the OneFile id
 * found or created on the PICS officer or organisation.
 */
import { sameMisReference } from "./mis-reference.ts";
import type { IdOrRef, Step } from "./plan.ts";

/** The OneFile records whose MIS reference is `misId` (a search may answer more loosely). */
export const withMisReference = <R extends { readonly MISID: string | null }>(found: ReadonlyArray<R>, misId: string) =>
  found.filter((record) => sameMisReference(record.MISID, misId));

/** Stores a OneFile id (found or created) on a PICS officer or organisation, journaled toPics. */
export const storeOnefileId = (
  entity: "officer" | "organisation",
  id: string,
  before: number | null,
  onefileId: IdOrRef,
  description: string,
): Omit<Step, "id"> => ({
  description,
  write: { pics: { target: { entity, id }, fields: { onefileId } } },
  journal: [{ entity, entityId: id, field: "onefileId", before, after: onefileId, direction: "toPics", onefileId }],
});
