/**
 * The console's reads and actions, as Effects over the same core services the API routes use (no
 * second path to OneFile or the store). Pages run them through their Deployment (`attempt`).
 */
import { Exchange, IntegrationDisabled, Rules } from "@pics/core";
import { PicsRecords, RunLog, SettingsStore, type Officer, type Organisation, type Run, type RunKind } from "@pics/pics-store";
import { Effect, Option } from "effect";
import { HttpError } from "../errors.ts";

/** The exchange (refresh and runs), when this build provides it. */
export const exchange = Effect.flatMap(
  Effect.serviceOption(Exchange),
  Option.match({
    onNone: () =>
      Effect.fail(
        new HttpError({ status: 501, code: "not_implemented", text: "the OneFile exchange is not available in this build" }),
      ),
    onSome: Effect.succeed,
  }),
);

/** SET-1: refused before anything starts when the integration is switched off. */
export const requireEnabled = Effect.flatMap(
  Effect.flatMap(SettingsStore, (s) => s.get),
  (settings) => (settings.integrationEnabled ? Effect.void : Effect.fail(new IntegrationDisabled())),
);

export const startFullRun = (dryRun: boolean) =>
  Effect.gen(function* () {
    yield* requireEnabled;
    return yield* (yield* exchange).startRun({ kind: "full", trigger: "http", dryRun });
  });

/** Every page of a store list, for counts and filters over records a provider has in the hundreds. */
export const everyRecord = <A>(
  list: (options: {
    limit: number;
    cursor: string | null;
  }) => Effect.Effect<{ items: ReadonlyArray<A>; nextCursor: string | null }, any>,
) =>
  Effect.gen(function* () {
    const all: Array<A> = [];
    let cursor: string | null = null;
    do {
      const page: { items: ReadonlyArray<A>; nextCursor: string | null } = yield* list({ limit: 500, cursor });
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return all;
  });

export const allOfficers = Effect.flatMap(PicsRecords, (r) => everyRecord<Officer>(r.listOfficers));
export const allOrganisations = Effect.flatMap(PicsRecords, (r) => everyRecord<Organisation>(r.listOrganisations));

/** Linked in OneFile: the single-centre id or any per-centre link (OFF-6, ORG-5). */
export const isLinked = (record: { onefileId: number | null; onefileLinks?: ReadonlyArray<unknown> }): boolean =>
  record.onefileId !== null || (record.onefileLinks?.length ?? 0) > 0;

/** The newest run of these kinds (the last daily or full run for the summary's open problems). */
export const newestRun = (kinds: ReadonlyArray<RunKind>) =>
  Effect.gen(function* () {
    const runLog = yield* RunLog;
    const newest = (yield* Effect.forEach(kinds, (kind) => runLog.list({ kind, limit: 1 })))
      .flatMap((page) => page.items)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
    return newest ? yield* runLog.get(newest.id) : null;
  });

export const enabledRules = Effect.map(Rules, (rules) => rules.enabled);

export const currentRun = Effect.map(
  Effect.flatMap(RunLog, (r) => r.running),
  (running): Run | null => running.filter((r) => r.kind === "daily" || r.kind === "full").at(-1) ?? null,
);
