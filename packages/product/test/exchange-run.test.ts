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

describe("full run over generated data", () => {
  it("exchanges every learner in scope, then a second run changes nothing (SYNC-1, SYNC-3)", async () => {
    const data = generateDemoData({ learners: 30, seed: 7 });
    const sandbox = await startSandbox({ port: 0, state: data.onefile });
    world = await openWorld({
      sandbox,
      pics: data.pics,
      settings: {
        customerToken: data.customerToken,
        ...EVERY_EXCHANGE_OPTION,
      },
    });
    const first = await world.run(Effect.flatMap(Exchange, (x) => x.run({ kind: "full", trigger: "cli" })));
    const firstChanges = await world.run(Effect.flatMap(RunLog, (l) => l.changes(first.id)));
    // Every planted difference was acted on: each names an entity whose record the run changed.
    for (const difference of data.differences) {
      expect(firstChanges.some((c) => c.entityId === difference.id || c.learnerId === difference.id)).toBe(true);
    }
    expect(first.errors).toEqual([]);
    expect(first.status).toBe("succeeded");
    expect(first.changes).toBeGreaterThan(0);

    const second = await world.run(Effect.flatMap(Exchange, (x) => x.run({ kind: "full", trigger: "cli" })));
    const changes = await world.run(Effect.flatMap(RunLog, (l) => l.changes(second.id)));
    expect(second.status).toBe("succeeded");
    expect(changes).toEqual([]);
    expect(second.changes).toBe(0);
    await sandbox.close();
  });
});
