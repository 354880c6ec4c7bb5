/**
 * OFF-7, ORG-6: the link routes — an officer linked by hand to a chosen OneFile assessor, an
 * organisation to a chosen placement: checked, journaled, read back as onefileLinks, removable.
 */
import { RunLog } from "@pics/pics-store";
import { Effect } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { baseSeed, CENTRE, picsDocument, startServer, type TestServer } from "./support.ts";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("OFF-7, ORG-6: linking officers and organisations by hand", () => {
  it("links to a chosen assessor and placement, refuses what cannot be linked, journals and removes links", async () => {
    const learnerUser = { ID: 150, OrganisationID: CENTRE, Role: 1, FirstName: "Lee", LastName: "Learner", MISID: "X" };
    server = await startServer({ seed: baseSeed({ users: [learnerUser] }), pics: picsDocument() });
    const s = server;

    const linked = await s.request("POST", "/api/v1/officers/O1/onefile/link", { body: { onefileId: 130 } });
    expect(linked.status).toBe(200);
    expect([linked.json.id, linked.json.onefileId, linked.json.onefileLinks]).toEqual([
      "O1",
      130,
      [{ centreId: CENTRE, onefileId: 130 }],
    ]);
    expect((await s.request("GET", "/api/v1/officers/O1")).json.onefileLinks).toEqual([{ centreId: CENTRE, onefileId: 130 }]);

    // Not linked to another officer in that centre.
    const taken = await s.request("POST", "/api/v1/officers/O2/onefile/link", { body: { onefileId: 130 } });
    expect([taken.status, taken.json.error, taken.json.details?.linkedTo]).toEqual([409, "onefile_record_linked", "O1"]);
    // An assessor of the customer only: not a learner, not a record OneFile does not have.
    const learner = await s.request("POST", "/api/v1/officers/O2/onefile/link", { body: { onefileId: 150 } });
    expect([learner.status, learner.json.error]).toEqual([422, "not_linkable"]);
    const missing = await s.request("POST", "/api/v1/officers/O2/onefile/link", { body: { onefileId: 99999 } });
    expect([missing.status, missing.json.error]).toEqual([422, "not_linkable"]);
    const bad = await s.request("POST", "/api/v1/officers/O2/onefile/link", { body: { onefileId: "130" } });
    expect(bad.status).toBe(400);
    expect((await s.request("POST", "/api/v1/officers/NOPE/onefile/link", { body: { onefileId: 130 } })).status).toBe(404);

    const organisation = await s.request("POST", "/api/v1/organisations/G1/onefile/link", { body: { onefileId: 140 } });
    expect([organisation.status, organisation.json.onefileId, organisation.json.onefileLinks]).toEqual([
      200,
      140,
      [{ centreId: CENTRE, onefileId: 140 }],
    ]);
    const notPlacement = await s.request("POST", "/api/v1/organisations/G1/onefile/link", { body: { onefileId: 130 } });
    expect([notPlacement.status, notPlacement.json.error]).toEqual([422, "not_linkable"]);

    // Removal, in one centre.
    expect((await s.request("DELETE", `/api/v1/officers/O1/onefile/link?centreId=${CENTRE}`)).status).toBe(204);
    const unlinked = (await s.request("GET", "/api/v1/officers/O1")).json;
    expect([unlinked.onefileId, unlinked.onefileLinks]).toEqual([null, []]);
    expect((await s.request("DELETE", "/api/v1/officers/O1/onefile/link?centreId=abc")).status).toBe(400);
    // Now free for another officer.
    expect((await s.request("POST", "/api/v1/officers/O2/onefile/link", { body: { onefileId: 130 } })).status).toBe(200);

    // Every link and removal is journaled, as a run of kind "link".
    const journal = await s.run(
      Effect.gen(function* () {
        const log = yield* RunLog;
        const runs = (yield* log.list({ kind: "link" })).items;
        return (yield* Effect.forEach(runs, (r) => log.changes(r.id))).flat();
      }),
    );
    const rows = journal.map((c) => [c.entity, c.entityId, c.field, c.before, c.after]);
    expect(rows).toEqual(
      expect.arrayContaining([
        ["officer", "O1", `onefileLinks[centre ${CENTRE}]`, null, 130],
        ["officer", "O1", "onefileId", null, 130],
        ["organisation", "G1", "onefileId", null, 140],
        ["officer", "O1", `onefileLinks[centre ${CENTRE}]`, 130, null],
        ["officer", "O1", "onefileId", 130, null],
        ["officer", "O2", "onefileId", null, 130],
      ]),
    );
  }, 60_000);
});
