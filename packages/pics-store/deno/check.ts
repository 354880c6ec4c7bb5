/**
 * Runs under Deno (`npm run test:deno`): opens a libSQL file through pics-store, applies the
 * migrations, writes and reads back. Proves the store works on the second runtime we ship for.
 */
import { Effect } from "effect";
import { PicsRecords, PicsStore, SettingsStore } from "../src/index.ts";

declare const Deno: { makeTempDirSync(): string; exit(code: number): never; version: { deno: string } };

const url = `file:${Deno.makeTempDirSync()}/deno-check.db`;

const program = Effect.gen(function* () {
  const records = yield* PicsRecords;
  yield* records.importDocument({
    officers: [{ id: "O1", ident: "I1", firstName: "Dee", surname: "Eno" }],
    organisations: [{ id: "G1", ident: "G1", name: "Employer" }],
    learners: [
      {
        id: "L1",
        firstName: "Deno",
        surname: "Learner",
        mainOfficerId: "O1",
        placements: [{ id: "P1", organisationId: "G1", type: "P", startDate: "2026-01-05" }],
      },
    ],
  });
  const learner = yield* records.getLearner("L1");
  yield* (yield* SettingsStore).update({ customerToken: "deno-token" });
  const token = yield* (yield* SettingsStore).customerToken;
  if (learner.placements[0]?.organisationId !== "G1" || token !== "deno-token") {
    return yield* Effect.fail(new Error(`read back something else: ${JSON.stringify({ learner, token })}`));
  }
  return learner;
});

try {
  const learner = await Effect.runPromise(Effect.provide(program, PicsStore.layer({ url, secretKey: "deno-check-secret-key" })));
  console.log(`deno ${Deno.version.deno}: pics-store migrated, wrote and read learner ${learner.id} — 1 passed, 0 failed`);
} catch (error) {
  console.error("deno check failed:", error);
  console.log("deno: 0 passed, 1 failed");
  Deno.exit(1);
}
