/**
 * OFF-6, ORG-5: an officer's (organisation's) links to OneFile. In a single centre the link is
 * `onefileId`. With several centres there is one link per centre (`onefileLinks`): matching or
 * creating in one centre sets that centre's link and never another's; `onefileId` keeps the
 * single-centre value (set from the first link when it has none).
 */
import type { OneFileLink } from "@pics/pics-store";
import type { ChangeTemplate, IdOrRef, Step } from "./plan.ts";

export interface Linked {
  readonly id: string;
  readonly onefileId: number | null;
  readonly onefileLinks?: ReadonlyArray<OneFileLink> | undefined;
}

/** The centre's link (multiple centres), or null. */
export const linkInCentre = (record: Linked, centreId: number): number | null =>
  record.onefileLinks?.find((l) => l.centreId === centreId)?.onefileId ?? null;

/** Every OneFile record it is linked to (DEM-O1, DEM-G go to each), the single-centre id first. */
export const linkedOnefileIds = (record: Linked, multipleCentres: boolean): Array<number> => {
  const ids = record.onefileId === null ? [] : [record.onefileId];
  if (multipleCentres) for (const link of record.onefileLinks ?? []) if (!ids.includes(link.onefileId)) ids.push(link.onefileId);
  return ids;
};

/** The PICS write that stores a matched or new OneFile record as the link, with its journal rows. */
export const storeLinkStep = (
  entity: "officer" | "organisation",
  record: Linked,
  centreId: number,
  multipleCentres: boolean,
  value: IdOrRef,
  description: string,
): Omit<Step, "id"> => {
  const journal: Array<ChangeTemplate> = [];
  const fields: Record<string, unknown> = {};
  if (multipleCentres) {
    fields.onefileLink = { centreId, onefileId: value };
    journal.push({
      entity,
      entityId: record.id,
      field: `onefileLinks[centre ${centreId}]`,
      before: linkInCentre(record, centreId),
      after: value,
      direction: "toPics",
      onefileId: value,
    });
  }
  if (!multipleCentres || record.onefileId === null) {
    fields.onefileId = value;
    journal.push({
      entity,
      entityId: record.id,
      field: "onefileId",
      before: record.onefileId,
      after: value,
      direction: "toPics",
      onefileId: value,
    });
  }
  return { description, write: { pics: { target: { entity, id: record.id }, fields } }, journal };
};
