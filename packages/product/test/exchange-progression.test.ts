/**
 * Progression (PRG-1..3) through "Refresh with OneFile" (SYNC-1), against the sandbox and a real
 * libSQL store: learners seeded linked on both sides, one side changed, the exchange run, both
 * sides read back.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  aimIn,
  callsSince,
  changesOf,
  learner,
  linkedWorld,
  OF,
  onefileNow,
  pair,
  refresh,
  writesIn,
} from "./exchange-support.ts";
import type { World } from "./world.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe("progression (PRG)", () => {
  it("SYNC-1, PRG-1: a refresh copies total and done elements from OneFile and returns its outcome", async () => {
    world = await linkedWorld({ pairs: [pair(1)] });
    await world.admin(`/learning-aims/${OF.aim(1)}/elements`, { total: 24, done: 9 });

    const outcome = await world.run(refresh("L1"));

    expect(outcome.run).toMatchObject({ kind: "refresh", learnerId: "L1", status: "succeeded", dryRun: false, errors: [] });
    expect(outcome.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          entity: "qualification",
          entityId: "Q1",
          field: "totalElements",
          before: 10,
          after: 24,
          direction: "toPics",
        }),
        expect.objectContaining({
          entity: "qualification",
          entityId: "Q1",
          field: "elementsDone",
          before: 4,
          after: 9,
          direction: "toPics",
        }),
      ]),
    );
    expect(outcome.changes).toHaveLength(2);
    const q1 = (await world.run(learner("L1"))).qualifications[0]!;
    expect(q1).toMatchObject({ totalElements: 24, elementsDone: 9 });
    // Element counts are never written to OneFile; nothing was.
    expect(writesIn(await callsSince(world))).toEqual([]);
  });

  it("PRG-1: a qualification with units keeps its element counts; its registration still follows PRG-2", async () => {
    world = await linkedWorld({
      pairs: [
        pair(1, {
          qualification: { hasUnits: true },
          aim: { TotalElements: 30, ElementsDone: 30, RegistrationNumber: "REG-NEW" },
        }),
      ],
    });

    const outcome = await world.run(refresh("L1"));

    const q1 = (await world.run(learner("L1"))).qualifications[0]!;
    expect(q1).toMatchObject({ totalElements: 10, elementsDone: 4, registrationNumber: "REG-NEW" });
    expect(outcome.changes.map((c) => c.field)).toEqual(["registrationNumber"]);
  });

  it("PRG-2: blanks are filled both ways, OneFile wins when both differ (registration number and the three dates)", async () => {
    world = await linkedWorld({
      pairs: [
        pair(1, {
          // PICS: number differs (OneFile wins), registration date blank (filled from OneFile),
          // applied-for date only in PICS (pushed), received date only in OneFile (pulled).
          qualification: {
            registrationNumber: "REG-PICS",
            registrationDate: null,
            certificateAppliedDate: "2026-02-03",
            certificateReceivedDate: null,
          },
          aim: {
            RegistrationNumber: "REG-ONEFILE",
            RegistrationDate: "2025-10-01T00:00:00.000Z",
            CertificateAppliedDate: null,
            CertificateReceivedDate: "2026-03-04T00:00:00.000Z",
          },
        }),
        // Both sides differ on a date: OneFile wins; PICS-only registration number is pushed.
        pair(2, {
          qualification: { registrationNumber: "REG-2", registrationDate: "2025-01-01" },
          aim: { RegistrationNumber: null, RegistrationDate: "2025-02-02T00:00:00.000Z" },
        }),
      ],
    });

    await world.run(refresh("L1"));
    await world.run(refresh("L2"));

    const of = await onefileNow(world);
    const [l1, l2] = [await world.run(learner("L1")), await world.run(learner("L2"))];
    expect(l1.qualifications[0]).toMatchObject({
      registrationNumber: "REG-ONEFILE",
      registrationDate: "2025-10-01",
      certificateAppliedDate: "2026-02-03",
      certificateReceivedDate: "2026-03-04",
    });
    expect(aimIn(of, OF.aim(1))).toMatchObject({
      RegistrationNumber: "REG-ONEFILE",
      RegistrationDate: "2025-10-01T00:00:00.000Z",
      CertificateAppliedDate: "2026-02-03T00:00:00.000Z",
      CertificateReceivedDate: "2026-03-04T00:00:00.000Z",
    });
    expect(l2.qualifications[0]).toMatchObject({ registrationNumber: "REG-2", registrationDate: "2025-02-02" });
    expect(aimIn(of, OF.aim(2))).toMatchObject({ RegistrationNumber: "REG-2", RegistrationDate: "2025-02-02T00:00:00.000Z" });

    // Exactly one learning-aim write per learning aim.
    const writes = writesIn(await callsSince(world));
    expect(writes.map((c) => c.path).sort()).toEqual([
      `/api/v2.1/LearningAim/${OF.aim(1)}`,
      `/api/v2.1/LearningAim/${OF.aim(2)}`,
    ]);
  });

  it("PRG-3: OneFile learning aims with no PICS qualification are ignored and nothing is created in PICS", async () => {
    const p = pair(1);
    // A second learning aim in OneFile that PICS knows nothing about.
    const extra = {
      ID: 2999,
      UserID: OF.learner(1),
      StandardID: OF.standard,
      TotalElements: 50,
      ElementsDone: 50,
      RegistrationNumber: "X",
    };
    world = await linkedWorld({ pairs: [{ ...p, aims: [...p.aims, extra] }] });
    const before = await world.picsDump();

    const outcome = await world.run(refresh("L1"));

    expect(outcome.run.status).toBe("succeeded");
    expect(outcome.changes).toEqual([]);
    expect(await world.picsDump()).toBe(before);
    expect(await world.run(changesOf(outcome.run.id))).toEqual([]);
    expect(writesIn(await callsSince(world))).toEqual([]);
  });
});
