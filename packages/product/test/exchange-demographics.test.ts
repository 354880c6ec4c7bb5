/**
 * Demographics in the daily exchange (DEM-L1, DEM-L2, DEM-O1, DEM-G1, DEM-G2, DEM-X) and the push
 * flags (DEM-M1, DEM-M2), against the sandbox and a real libSQL store.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  callsSince,
  changesOf,
  fullRun,
  learner,
  linkedWorld,
  OF,
  officer,
  onefileNow,
  organisation,
  pair,
  refresh,
  userIn,
  writesIn,
} from "./exchange-support.ts";
import { CENTRE, type World } from "./world.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** The fields of a OneFile record that differ between two reads (LastModified aside). */
const changedKeys = (before: Record<string, unknown>, after: Record<string, unknown>) =>
  Object.keys(after)
    .filter((k) => k !== "LastModified" && JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .sort();

const placementIn = (of: any, id: number) => of.Placements.find((p: any) => p.ID === id);

describe("learner demographics (DEM-L)", () => {
  it("DEM-L1, DEM-X: push writes exactly the differing fields of the list (address lines 1–4 + postcode as HomeAddress, ULN) in one call, never a blank", async () => {
    world = await linkedWorld({
      settings: { learnerDemographicsMode: "PushToOneFile" },
      pairs: [
        pair(1, {
          pics: {
            firstName: "Leo",
            surname: "Lerner",
            birthDate: "2004-05-07",
            address3: "Headingley",
            postcode: "LS6 2AA",
            ethnicity: "32",
            uln: "1999999999",
            disability: "99",
            niNumber: null, // blank in PICS: OneFile keeps its value
            email: "changed@learner.test", // not a demographics field: not pushed
            telephone: "0113 999",
          },
        }),
      ],
    });
    const before = userIn(await onefileNow(world), OF.learner(1));
    const picsBefore = await world.picsDump();

    const outcome = await world.run(refresh("L1"));

    const after = userIn(await onefileNow(world), OF.learner(1));
    expect(changedKeys(before, after)).toEqual(["DOB", "FirstName", "HomeAddress", "L12", "L15", "LastName", "ULN"]);
    expect(after).toMatchObject({
      FirstName: "Leo",
      LastName: "Lerner",
      DOB: "2004-05-07T00:00:00.000Z",
      HomeAddress: "1 High Street\nFlat 2\nHeadingley\nLeeds\nLS6 2AA",
      L12: "32",
      L15: "99",
      ULN: "1999999999",
      NINO: "AB123456C",
      Email: "l1@learner.test",
    });
    expect(writesIn(await callsSince(world)).map((c: any) => `${c.method} ${c.path}`)).toEqual([
      `POST /api/v2.1/User/${OF.learner(1)}`,
    ]);
    expect(outcome.changes.map((c) => c.field).sort()).toEqual([
      "address",
      "birthDate",
      "disability",
      "ethnicity",
      "firstName",
      "surname",
      "uln",
    ]);
    expect(
      outcome.changes.every((c) => c.direction === "toOneFile" && c.entity === "learner" && c.onefileId === OF.learner(1)),
    ).toBe(true);
    // Push never writes PICS.
    expect(await world.picsDump()).toBe(picsBefore);
  });

  it("DEM-L2, DEM-X: pull writes names, birth date, NI number, ethnicity, disability to PICS; never address, postcode, ULN; never a blank", async () => {
    world = await linkedWorld({
      settings: { learnerDemographicsMode: "PullFromOneFile" },
      pairs: [
        pair(1, {
          user: {
            FirstName: "Leo",
            LastName: "Lerner",
            DOB: "2004-05-07T00:00:00.000Z",
            NINO: "CD654321A",
            L12: "32",
            L15: "99",
            HomeAddress: "9 Other Road\nYork\nYO1 1AA",
            ULN: "1888888888",
            Email: "other@learner.test",
          },
        }),
        // Blanks in OneFile never clear PICS values; a numeric ILR code equal to PICS's text is no change.
        pair(2, { user: { NINO: null, L15: null, DOB: null, L12: 31 } }),
      ],
    });
    const onefileBefore = await world.onefileText();

    const run = await world.run(fullRun());

    expect(run.status).toBe("succeeded");
    expect(await world.onefileText()).toBe(onefileBefore);
    expect(await world.run(learner("L1"))).toMatchObject({
      firstName: "Leo",
      surname: "Lerner",
      birthDate: "2004-05-07",
      niNumber: "CD654321A",
      ethnicity: "32",
      disability: "99",
      address1: "1 High Street",
      address4: "Leeds",
      postcode: "LS1 1AA",
      uln: "1000000001",
      email: "l1@learner.test",
    });
    expect(await world.run(learner("L2"))).toMatchObject({
      niNumber: "AB123456C",
      disability: "98",
      birthDate: "2004-05-06",
      ethnicity: "31",
    });
    const changes = await world.run(changesOf(run.id));
    expect(changes.map((c) => `${c.entityId}.${c.field}`).sort()).toEqual(
      ["birthDate", "disability", "ethnicity", "firstName", "niNumber", "surname"].map((f) => `L1.${f}`),
    );
    expect(changes.every((c) => c.direction === "toPics")).toBe(true);
  });
});

describe("officer and organisation demographics (DEM-O, DEM-G)", () => {
  it("DEM-O1, DEM-X: push writes the officer's differing fields to its assessor, once per run however many learners share it", async () => {
    world = await linkedWorld({
      settings: { officerDemographicsMode: "PushToOneFile" },
      officers: [
        {
          id: "O1",
          ident: "OFF-A",
          firstName: "Adah",
          surname: "Assessor",
          email: "ada@provider.test",
          phone: "0113 000",
          mobile: "07700 900000",
          birthDate: "1980-01-02",
          onefileId: OF.ada,
        },
      ],
      pairs: [pair(1), pair(2), pair(3)],
    });
    const before = userIn(await onefileNow(world), OF.ada);

    const run = await world.run(fullRun());

    expect(run.status).toBe("succeeded");
    const after = userIn(await onefileNow(world), OF.ada);
    expect(changedKeys(before, after)).toEqual(["DOB", "FirstName", "MobileNumber", "Telephone"]);
    expect(after).toMatchObject({
      FirstName: "Adah",
      Telephone: "0113 000",
      MobileNumber: "07700 900000",
      DOB: "1980-01-02T00:00:00.000Z",
    });
    expect(writesIn(await callsSince(world)).map((c: any) => c.path)).toEqual([`/api/v2.1/User/${OF.ada}`]);
  });

  it("DEM-O1, DEM-X: pull writes the assessor's differing fields to the officer; blanks never clear PICS", async () => {
    world = await linkedWorld({
      settings: { officerDemographicsMode: "PullFromOneFile" },
      officers: [
        {
          id: "O1",
          ident: "OFF-A",
          firstName: "Ada",
          surname: "Assessor",
          email: "ada@provider.test",
          mobile: "07700 111111",
          onefileId: OF.ada,
        },
      ],
      pairs: [pair(1)],
    });
    await world.admin(`/users/${OF.ada}`, {
      FirstName: "Adeline",
      LastName: "Ashe",
      Email: "adeline@provider.test",
      Telephone: "0113 111",
      DOB: "1979-03-04T00:00:00.000Z",
      MobileNumber: null,
    });
    const onefileBefore = await world.onefileText();

    const outcome = await world.run(refresh("L1"));

    expect(await world.run(officer("O1"))).toMatchObject({
      firstName: "Adeline",
      surname: "Ashe",
      email: "adeline@provider.test",
      phone: "0113 111",
      mobile: "07700 111111",
      birthDate: "1979-03-04",
    });
    expect(outcome.changes.map((c) => c.field).sort()).toEqual(["birthDate", "email", "firstName", "phone", "surname"]);
    expect(await world.onefileText()).toBe(onefileBefore);
  });

  it("DEM-G1, DEM-X: push writes name, phone, email, website and address lines 1–4 + postcode to the employer's placement, in one call", async () => {
    world = await linkedWorld({
      settings: { organisationDemographicsMode: "PushToOneFile" },
      organisations: [
        {
          id: "G1",
          ident: "ORG-A",
          name: "Acme Limited",
          phone: "0113 222",
          email: "hello@acme.test",
          website: "https://acme.test",
          address1: "Unit 4",
          address2: "Mill Lane",
          address4: "Bradford",
          postcode: "BD1 1AA",
          onefileId: OF.acme,
        },
      ],
      pairs: [pair(1), pair(2)],
    });
    const before = placementIn(await onefileNow(world), OF.acme);

    await world.run(fullRun());

    const after = placementIn(await onefileNow(world), OF.acme);
    expect(changedKeys(before, after)).toEqual(["Address", "Email", "Name", "Telephone", "Web"]);
    expect(after).toMatchObject({
      Name: "Acme Limited",
      Telephone: "0113 222",
      Email: "hello@acme.test",
      Web: "https://acme.test",
      Address: "Unit 4\nMill Lane\nBradford\nBD1 1AA",
    });
    expect(writesIn(await callsSince(world)).map((c: any) => c.path)).toEqual([`/api/v2.1/Placement/${OF.acme}`]);
  });

  it("DEM-G2, DEM-X: pull writes name, phone, email, website to PICS; never address or postcode", async () => {
    world = await linkedWorld({
      settings: { organisationDemographicsMode: "PullFromOneFile" },
      organisations: [
        { id: "G1", ident: "ORG-A", name: "Acme Ltd", address1: "Unit 4", postcode: "BD1 1AA", onefileId: OF.acme },
      ],
      pairs: [pair(1)],
    });
    await world.admin(`/placements/${OF.acme}`, {
      Name: "Acme Group",
      Telephone: "0113 333",
      Email: "info@acme.test",
      Web: "acme.test",
      Address: "Elsewhere\nZZ1 1ZZ",
    });
    const onefileBefore = await world.onefileText();

    await world.run(refresh("L1"));

    expect(await world.run(organisation("G1"))).toMatchObject({
      name: "Acme Group",
      phone: "0113 333",
      email: "info@acme.test",
      website: "acme.test",
      address1: "Unit 4",
      postcode: "BD1 1AA",
    });
    expect(await world.onefileText()).toBe(onefileBefore);
  });

  it("DEM-X: with every mode Ignore and both push flags off, differing records change nothing on either side", async () => {
    world = await linkedWorld({
      officers: [
        {
          id: "O1",
          ident: "OFF-A",
          firstName: "Different",
          surname: "Name",
          email: "x@provider.test",
          phone: "1",
          onefileId: OF.ada,
        },
        { id: "O3", ident: "OFF-C", firstName: "Cy", surname: "Coach", email: "cy@provider.test", onefileId: OF.cy },
      ],
      organisations: [{ id: "G1", ident: "ORG-A", name: "Different Ltd", phone: "2", onefileId: OF.acme }],
      pairs: [
        pair(1, {
          pics: { firstName: "Other", niNumber: "ZZ999999Z", mainOfficerId: "O3" },
          user: { LastName: "Else", PlacementID: null },
        }),
      ],
    });
    const [picsBefore, onefileBefore] = [await world.picsDump(), await world.onefileText()];

    const outcome = await world.run(refresh("L1"));

    expect(outcome.changes).toEqual([]);
    expect(await world.picsDump()).toBe(picsBefore);
    expect(await world.onefileText()).toBe(onefileBefore);
    // Nothing to compare, so not even the records are read.
    expect((await callsSince(world)).filter((c: any) => c.method === "GET" && /User|Placement/.test(c.endpoint))).toEqual([]);
  });
});

describe("push flags (DEM-M)", () => {
  it("DEM-M1, DEM-X: a changed main officer becomes the default assessor — matched by stored id, or created once — in the learner's one update call", async () => {
    world = await linkedWorld({
      settings: { pushMainOfficerChanges: true, learnerDemographicsMode: "PushToOneFile" },
      pairs: [
        pair(1, { pics: { mainOfficerId: "O3", firstName: "Leo" } }), // linked officer: its stored id
        pair(2, { pics: { mainOfficerId: "O2" } }), // O2 is not in OneFile: created
        pair(3, { pics: { mainOfficerId: "O2" } }), // … once, though two learners need it
        pair(4, { pics: { mainOfficerId: "O2" } }),
        pair(5), // unchanged
      ],
    });

    const run = await world.run(fullRun());

    expect(run.status).toBe("succeeded");
    const of = await onefileNow(world);
    const bobs = of.Users.filter((u: any) => u.MISID === "OFF-B");
    expect(bobs).toHaveLength(1);
    expect(bobs[0]).toMatchObject({
      Role: 5,
      OrganisationID: CENTRE,
      FirstName: "Bob",
      LastName: "Builder",
      Email: "bob@provider.test",
    });
    expect(userIn(of, OF.learner(1))).toMatchObject({ DefaultAssessorID: OF.cy, FirstName: "Leo" });
    for (const n of [2, 3, 4]) expect(userIn(of, OF.learner(n)).DefaultAssessorID).toBe(bobs[0].ID);
    expect(userIn(of, OF.learner(5)).DefaultAssessorID).toBe(OF.ada);
    expect((await world.run(officer("O2"))).onefileId).toBe(bobs[0].ID);

    const writes = writesIn(await callsSince(world)).map((c: any) => `${c.method} ${c.path}`);
    expect(writes.filter((w: string) => w === `POST /api/v2.1/User/${OF.learner(1)}`)).toHaveLength(1);
    expect(writes.filter((w: string) => w === "POST /api/v2.1/User")).toHaveLength(1);
    expect(writes.filter((w: string) => w.startsWith("POST /api/v2.1/User/")).length).toBe(4);

    const changes = await world.run(changesOf(run.id));
    expect(changes.filter((c) => c.field === "mainOfficerId").map((c) => [c.entityId, c.before, c.after])).toEqual(
      expect.arrayContaining([
        ["L1", OF.ada, OF.cy],
        ["L2", OF.ada, bobs[0].ID],
      ]),
    );
    const again = await world.run(fullRun());
    expect(await world.run(changesOf(again.id))).toEqual([]);
  });

  it("DEM-M1: with several centres (officers matched by MIS reference only) a new assessor several learners need is still created once", async () => {
    world = await linkedWorld({
      secondCentre: true,
      settings: { pushMainOfficerChanges: true },
      pairs: [1, 2, 3].map((n) => pair(n, { pics: { mainOfficerId: "O2" } })),
    });

    const run = await world.run(fullRun());

    expect(run.status).toBe("succeeded");
    const of = await onefileNow(world);
    const bobs = of.Users.filter((u: any) => u.MISID === "OFF-B");
    expect(bobs.map((b: any) => b.OrganisationID)).toEqual([CENTRE]);
    for (const n of [1, 2, 3]) expect(userIn(of, OF.learner(n)).DefaultAssessorID).toBe(bobs[0].ID);
  });

  it("DEM-M2: a changed employer (ORG-1) becomes the learner's placement — matched by MIS reference, or created once", async () => {
    const employerB = {
      placements: [
        { id: "P1", organisationId: "G1", type: "W", startDate: "2025-09-01" },
        { id: "P2", organisationId: "G2", type: "P", startDate: "2025-06-01" },
      ],
    };
    world = await linkedWorld({
      settings: { pushEmployerChanges: true },
      organisations: [
        { id: "G1", ident: "ORG-A", name: "Acme Ltd", onefileId: OF.acme },
        { id: "G2", ident: "ORG-B", name: "Bolt Ltd" },
        { id: "G3", ident: "ORG-C", name: "Cog Ltd" },
      ],
      placements: [{ ID: 141, OrganisationID: CENTRE, Name: "Cog Ltd", MISID: "ORG-C" }],
      pairs: [
        pair(1, { pics: employerB }), // G2: no placement in OneFile → created
        pair(2, { pics: employerB }), // … once
        pair(3, { pics: { placements: [{ id: "P1", organisationId: "G3", type: "P", startDate: "2025-09-01" }] } }), // matched by MISID
        pair(4),
      ],
    });

    const run = await world.run(fullRun());

    expect(run.status).toBe("succeeded");
    const of = await onefileNow(world);
    const bolts = of.Placements.filter((p: any) => p.MISID === "ORG-B");
    expect(bolts).toHaveLength(1);
    expect(bolts[0]).toMatchObject({ Name: "Bolt Ltd", OrganisationID: CENTRE });
    expect(userIn(of, OF.learner(1)).PlacementID).toBe(bolts[0].ID);
    expect(userIn(of, OF.learner(2)).PlacementID).toBe(bolts[0].ID);
    expect(userIn(of, OF.learner(3)).PlacementID).toBe(141);
    expect(userIn(of, OF.learner(4)).PlacementID).toBe(OF.acme);
    expect((await world.run(organisation("G2"))).onefileId).toBe(bolts[0].ID);
    expect((await world.run(organisation("G3"))).onefileId).toBe(141);

    const again = await world.run(fullRun());
    expect(await world.run(changesOf(again.id))).toEqual([]);
  });
});
