/**
 * Apply: executes a plan's steps in order — OneFile writes through the client (paced by its
 * limiter), PICS writes through the store — journaling each change as it lands (JRN-2). Creates
 * are recorded as intended before they are sent (ENR-13). The first failure stops the plan; what
 * landed stays landed and journaled, and a re-run picks up from there because planning looks
 * every record up before creating it.
 */
import type { OneFileClientShape, OneFileError } from "@pics/onefile-client";
import type { IntentsShape, LeaseLost, PicsRecordsShape, RecordNotFound, RunLogShape, StoreError } from "@pics/pics-store";
import { Data, Effect } from "effect";
import { isCreate, resolveBody, resolveChange, resolveValue, type IdOrRef, type OneFileWrite, type Step } from "./plan.ts";

export class StepFailed extends Data.TaggedError("StepFailed")<{
  readonly step: string;
  readonly reason: OneFileError | StoreError | RecordNotFound | LeaseLost;
}> {
  override get message(): string {
    return `${this.step}: ${this.reason.message}`;
  }
  /** The OneFile error's tag (`RejectedByOneFile`, `CreateOutcomeUnknown`, …), used as the run error code. */
  get code(): string {
    return this.reason._tag;
  }
}

export interface ApplyEnv {
  readonly client: OneFileClientShape;
  readonly records: PicsRecordsShape;
  readonly runLog: RunLogShape;
  readonly intents: IntentsShape;
  readonly runId: string;
  readonly learnerId: string | null;
  /**
   * SYNC-5 fencing: checked before every write, OneFile or PICS; fails once a lease the operation
   * holds may belong to another process, so a holder that lost it writes nothing more.
   */
  readonly fence?: Effect.Effect<void, LeaseLost>;
}

const idOf = (value: IdOrRef, results: ReadonlyMap<number, number>): number => {
  const resolved = resolveValue(value, results);
  if (typeof resolved !== "number") throw new Error(`unresolved reference: ${String(resolved)}`);
  return resolved;
};

/** One OneFile call with the write's body, its refs resolved; creates answer with the new id. */
const send = (client: OneFileClientShape, write: OneFileWrite, results: ReadonlyMap<number, number>) => {
  switch (write.call) {
    case "createUser": {
      const body = resolveBody(write.body, results);
      const { Email } = body;
      if (Email === null) return Effect.dieMessage(`a blocked plan was applied: ${body.MISID ?? "a user"} has no Email`);
      return Effect.map(client.createUser({ ...body, Email }), (user) => user.ID);
    }
    case "updateUser":
      return Effect.as(client.updateUser(idOf(write.id, results), resolveBody(write.body, results)), null);
    case "assignToLearner":
      return Effect.as(client.assignToLearner(idOf(write.assigneeId, results), resolveBody(write.body, results)), null);
    case "createClassroom":
      return client.createClassroom(resolveBody(write.body, results));
    case "createPlacement":
      return client.createPlacement(resolveBody(write.body, results));
    case "updatePlacement":
      return Effect.as(client.updatePlacement(idOf(write.id, results), resolveBody(write.body, results)), null);
    case "assignStandard":
      return client.assignStandard(write.standardId, idOf(write.learnerId, results), resolveBody(write.body, results));
    case "updateLearningAim":
      return Effect.as(client.updateLearningAim(idOf(write.id, results), resolveBody(write.body, results)), null);
    case "createVisit":
      return client.createVisit(resolveBody(write.body, results));
    case "createReview":
      return client.createReview(resolveBody(write.body, results));
  }
};

const runStep = (env: ApplyEnv, step: Step, results: Map<number, number>) =>
  Effect.gen(function* () {
    if (env.fence) yield* env.fence;
    if ("pics" in step.write) {
      const write = step.write.pics;
      if ("insert" in write) yield* env.records.insertReview(write.insert.learnerId, write.insert.record);
      else yield* env.records.patch(write.target, resolveBody(write.fields, results));
    } else {
      const write = step.write.onefile;
      const intent = isCreate(write) ? step.intent : undefined;
      // ENR-13: a create that cannot be looked up, left "sent" by a process that died before its
      // answer (kill -9), may exist in OneFile: journal that attempt as "outcome unknown" before sending again.
      if (intent?.ifAnswerLost === "orphan") {
        const before = yield* env.intents.get(intent.key);
        if (before?.state === "sent" && before.runId !== env.runId) {
          yield* env.intents.unknown(intent.key);
          yield* env.runLog.journal(env.runId, [
            {
              learnerId: env.learnerId,
              entity: step.journal[0]?.entity ?? "learner",
              entityId: step.journal[0]?.entityId ?? env.learnerId ?? "",
              field: "outcome",
              before: null,
              after: `unknown: ${step.description} was sent by run ${before.runId ?? "(unknown)"}, whose process stopped before the answer; it may exist in OneFile as an orphan`,
              direction: "toOneFile",
            },
          ]);
        }
      }
      if (intent) yield* env.intents.sent(intent.key, env.learnerId, env.runId);
      const id = yield* send(env.client, write, results).pipe(
        Effect.tapError((error) =>
          intent && error._tag === "CreateOutcomeUnknown" && intent.ifAnswerLost === "orphan"
            ? Effect.zipRight(
                env.intents.unknown(intent.key),
                env.runLog.journal(env.runId, [
                  {
                    learnerId: env.learnerId,
                    entity: step.journal[0]?.entity ?? "learner",
                    entityId: step.journal[0]?.entityId ?? env.learnerId ?? "",
                    field: "outcome",
                    before: null,
                    after: `unknown: ${step.description} was sent but its answer was lost; it may exist in OneFile as an orphan`,
                    direction: "toOneFile",
                  },
                ]),
              ).pipe(Effect.ignore)
            : Effect.void,
        ),
      );
      if (typeof id === "number") {
        results.set(step.id, id);
        if (intent) yield* env.intents.done(intent.key, id);
      }
    }
    yield* env.runLog.journal(
      env.runId,
      step.journal.map((row) => resolveChange({ ...row, learnerId: row.learnerId ?? env.learnerId }, results)),
    );
  }).pipe(Effect.mapError((reason) => new StepFailed({ step: step.description, reason })));

/** Applies the steps in order; returns the ids the creates produced, by step. */
export const applyPlan = (env: ApplyEnv, steps: ReadonlyArray<Step>): Effect.Effect<ReadonlyMap<number, number>, StepFailed> =>
  Effect.gen(function* () {
    const results = new Map<number, number>();
    for (const step of steps) yield* runStep(env, step, results);
    return results;
  });
