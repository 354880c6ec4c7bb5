/**
 * DATA-1 and DATA-2 end to end: a run reads OneFile answers shaped as real installations send them
 * (sandbox `fieldData` fault: "" and .NET default dates, numeric ULNs and telephones, ids as numeric
 * strings, offset midnights, unknown fields) as the same data, so nothing changes either way; and
 * one record that cannot be read at all fails only its own learner, naming the field.
 */
import { Exchange } from "@pics/core";
import { generateDemoData, startSandbox } from "@pics/onefile-sandbox";
import { RunLog } from "@pics/pics-store";
import { Effect } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { EVERY_EXCHANGE_OPTION } from "./exchange-support.ts";
import { openWorld, type World } from "./world.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe("field data as real OneFile installations send it (DATA-1, DATA-2)", () => {
  it("reads blanks, numbers and offset midnights as meant; one unreadable record fails only its learner", async () => {
    const data = generateDemoData({ learners: 40, seed: 11, centres: 1 });
    const sandbox = await startSandbox({ port: 0, state: data.onefile });
    world = await openWorld({
      sandbox,
      pics: data.pics,
      settings: {
        customerToken: data.customerToken,
        ...EVERY_EXCHANGE_OPTION,
      },
    });
    const runFull = () => world!.run(Effect.flatMap(Exchange, (x) => x.run({ kind: "full", trigger: "cli" })));
    const first = await runFull();
    expect(first.errors).toEqual([]);

    // Birth dates become offset midnights and blank "review started" dates the .NET default (DATA-2, DATA-1).
    const state = await world.admin("/state");
    expect((state.customers[0].Users as Array<any>).some((u) => u.Role === 1 && u.DOB !== null)).toBe(true);
    expect((state.customers[0].Reviews as Array<any>).some((r) => r.StartedOn === null)).toBe(true);
    const linked = (data.pics.learners as Array<any>).filter((l) => l.onefileId != null);
    const broken = linked[3]!;

    await world.admin("/faults", [
      // The one record nothing can read: a birth date in words, in the listing and the single read.
      { endpoint: "POST User/Search", action: "rewrite", recordId: broken.onefileId, set: { DOB: "3rd of May" } },
      { endpoint: "GET User/{id}", action: "rewrite", recordId: broken.onefileId, set: { DOB: "3rd of May" } },
      // Every other answer as a real installation shapes it.
      { action: "fieldData" },
    ]);
    const second = await runFull();
    const changes = await world.run(Effect.flatMap(RunLog, (l) => l.changes(second.id)));
    const calls = await world.calls();
    expect(calls.filter((c) => c.fault === "fieldData").length).toBeGreaterThan(20);

    expect(second.status).toBe("partially_succeeded");
    expect(second.errors).toEqual([
      expect.objectContaining({ learnerId: broken.id, code: "UndecodableResponse", reason: expect.stringContaining("DOB") }),
    ]);
    expect(second.progress).toMatchObject({ total: first.progress.total, done: first.progress.total, failed: 1 });
    // Read as meant, the answers hold the same data as before: nothing to write either way.
    expect(changes).toEqual([]);
    await sandbox.close();
  });
});
