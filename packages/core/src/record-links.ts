/**
 * OFF-7, ORG-6: linking an officer to a chosen OneFile assessor (an organisation to a chosen
 * placement) by hand — "Look Up OneFile ID" — and removing the link. The link is checked (an
 * assessor of Role 5 or 4, or a placement, in a centre of the customer, not linked to another
 * officer/organisation in that centre), kept per centre (OFF-6, ORG-5) and journaled as a run of
 * kind `link`.
 */
import type { OneFileError } from "@pics/onefile-client";
import {
  PicsRecords,
  RunLog,
  type Change,
  type Officer,
  type Organisation,
  type RecordNotFound,
  type StoreError,
} from "@pics/pics-store";
import { Context, Effect, Layer } from "effect";
import { OneFileConnection, type ConnectionError } from "./connection.ts";
import { effectiveMultipleCentres } from "./enrolment.ts";
import { NotLinkable, OneFileRecordLinked } from "./errors.ts";
import { linkInCentre } from "./links.ts";
import { runLifecycle } from "./run-lifecycle.ts";

type Entity = "officer" | "organisation";
export type RecordLinkError = ConnectionError | OneFileError | RecordNotFound | StoreError | NotLinkable | OneFileRecordLinked;

export interface RecordLinksShape {
  readonly linkOfficer: (officerId: string, onefileId: number) => Effect.Effect<Officer, RecordLinkError>;
  readonly unlinkOfficer: (officerId: string, centreId?: number) => Effect.Effect<void, RecordNotFound | StoreError>;
  readonly linkOrganisation: (organisationId: string, onefileId: number) => Effect.Effect<Organisation, RecordLinkError>;
  readonly unlinkOrganisation: (organisationId: string, centreId?: number) => Effect.Effect<void, RecordNotFound | StoreError>;
}

export class RecordLinks extends Context.Tag("core/RecordLinks")<RecordLinks, RecordLinksShape>() {
  static readonly layer = Layer.effect(
    RecordLinks,
    Effect.gen(function* () {
      const records = yield* PicsRecords;
      const lifecycle = runLifecycle(yield* RunLog);
      const connection = yield* OneFileConnection;

      const read = (entity: Entity, id: string) => (entity === "officer" ? records.getOfficer(id) : records.getOrganisation(id));

      /** One journaled change set, as a run of kind `link`. */
      const journaled = (
        message: string,
        changes: ReadonlyArray<Change>,
        write: Effect.Effect<void, RecordNotFound | StoreError>,
      ) =>
        lifecycle.run({ kind: "link", trigger: "http", total: 1 }, () => write, {
          // The journal is written with the closing, after the write: a failed write journals nothing.
          close: () => ({ journal: changes, progress: { done: 1 }, message }),
          onFailure: { catches: "work" },
        });

      const link = (entity: Entity, id: string, onefileId: number) =>
        Effect.gen(function* () {
          const { client, settings } = yield* connection.client;
          const record = yield* read(entity, id);
          const notLinkable = (reason: string) => new NotLinkable({ entity, onefileId, reason });
          const lookUp = <A>(read: Effect.Effect<A, OneFileError>) =>
            read.pipe(
              Effect.catchTags({
                NotFound: () => Effect.fail(notLinkable("OneFile has no such record")),
                Forbidden: () => Effect.fail(notLinkable("it belongs to another OneFile customer")),
              }),
            );
          let centreOf: number | null;
          if (entity === "officer") {
            const user = yield* lookUp(client.getUser(onefileId));
            if (user.Role !== 5 && user.Role !== 4)
              return yield* notLinkable(`OneFile user ${onefileId} is not an assessor (role ${user.Role}; 5 or 4 can be linked)`);
            centreOf = user.OrganisationID;
          } else centreOf = (yield* lookUp(client.getPlacement(onefileId))).OrganisationID;
          const centres = yield* client.searchCentres();
          const centreId = centreOf ?? 0;
          if (!centres.some((c) => c.ID === centreId))
            return yield* notLinkable(`it is in centre ${centreId}, which is not one of the customer's centres`);
          const holder = yield* records.linkedTo(entity, centreId, onefileId);
          if (holder !== null && holder !== id)
            return yield* new OneFileRecordLinked({ entity, onefileId, centreId, linkedTo: holder });

          // The centre's link always; the single-centre id too in single-centre mode, or when it has none.
          const single = !effectiveMultipleCentres(settings, centres.length);
          const fields: Record<string, unknown> = { onefileLink: { centreId, onefileId } };
          const changes: Array<Change> = [
            {
              learnerId: null,
              entity,
              entityId: id,
              field: `onefileLinks[centre ${centreId}]`,
              before: linkInCentre(record, centreId),
              after: onefileId,
              direction: "toPics",
              onefileId,
            },
          ];
          if (single || record.onefileId === null) {
            fields.onefileId = onefileId;
            changes.push({
              learnerId: null,
              entity,
              entityId: id,
              field: "onefileId",
              before: record.onefileId,
              after: onefileId,
              direction: "toPics",
              onefileId,
            });
          }
          yield* journaled(
            `${entity} ${id} linked by hand to OneFile ${onefileId} in centre ${centreId}`,
            changes,
            records.patch({ entity, id }, fields),
          );
          return yield* read(entity, id);
        });

      const unlink = (entity: Entity, id: string, centreId?: number) =>
        Effect.gen(function* () {
          const record = yield* read(entity, id);
          const removed = (record.onefileLinks ?? []).filter((l) => centreId === undefined || l.centreId === centreId);
          const changes: Array<Change> = removed.map((l) => ({
            learnerId: null,
            entity,
            entityId: id,
            field: `onefileLinks[centre ${l.centreId}]`,
            before: l.onefileId,
            after: null,
            direction: "toPics" as const,
            onefileId: l.onefileId,
          }));
          // The single-centre id goes with the whole link, or with the centre link it equals.
          const clearsId =
            record.onefileId !== null && (centreId === undefined || removed.some((l) => l.onefileId === record.onefileId));
          if (clearsId)
            changes.push({
              learnerId: null,
              entity,
              entityId: id,
              field: "onefileId",
              before: record.onefileId,
              after: null,
              direction: "toPics",
              onefileId: record.onefileId,
            });
          if (changes.length === 0) return;
          const write = Effect.gen(function* () {
            for (const l of removed)
              yield* records.patch({ entity, id }, { onefileLink: { centreId: l.centreId, onefileId: null } });
            if (clearsId) yield* records.patch({ entity, id }, { onefileId: null });
          });
          yield* journaled(
            `${entity} ${id} unlinked from OneFile${centreId === undefined ? "" : ` in centre ${centreId}`}`,
            changes,
            write,
          );
        });

      return {
        linkOfficer: (id, onefileId) => link("officer", id, onefileId) as Effect.Effect<Officer, RecordLinkError>,
        unlinkOfficer: (id, centreId) => unlink("officer", id, centreId),
        linkOrganisation: (id, onefileId) => link("organisation", id, onefileId) as Effect.Effect<Organisation, RecordLinkError>,
        unlinkOrganisation: (id, centreId) => unlink("organisation", id, centreId),
      } satisfies RecordLinksShape;
    }),
  );
}
