/**
 * `run-once [--dry-run] [--learner ID]…`: a full run now (or of the named learners), with a
 * progress bar on a terminal and plain progress lines otherwise. Exit code 0 succeeded,
 * 2 partially succeeded, 1 failed or could not start.
 */
import { Exchange } from "@pics/core";
import { RunLog, type Run } from "@pics/pics-store";
import { Effect } from "effect";

export interface RunOnceArgs {
  readonly dryRun: boolean;
  readonly learnerIds: ReadonlyArray<string>;
}

export const parseRunOnceArgs = (argv: ReadonlyArray<string>): RunOnceArgs => {
  const learnerIds: Array<string> = [];
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--dry-run") dryRun = true;
    else if (arg === "--learner") {
      const id = argv[++i];
      if (!id) throw new Error("--learner needs a learner id");
      learnerIds.push(id);
    } else if (arg.startsWith("--learner=")) learnerIds.push(arg.slice("--learner=".length));
    else throw new Error(`unknown argument "${arg}" (run-once takes --dry-run and --learner ID)`);
  }
  return { dryRun, learnerIds };
};

export const exitCodeOf = (status: Run["status"]): number =>
  status === "succeeded" ? 0 : status === "partially_succeeded" ? 2 : 1;

const bar = (run: Run, width = 30) => {
  const { total, done, failed } = run.progress;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}${failed ? `, ${failed} failed` : ""}`;
};

export const runOnce = (args: RunOnceArgs, out: { isTTY: boolean; write: (text: string) => void }) =>
  Effect.gen(function* () {
    const exchange = yield* Exchange;
    const log = yield* RunLog;
    const { runId } = yield* exchange.startRun({
      kind: "full",
      trigger: "cli",
      dryRun: args.dryRun,
      ...(args.learnerIds.length > 0 ? { learnerIds: args.learnerIds } : {}),
    });
    out.write(`run ${runId}${args.dryRun ? " (dry run)" : ""} started\n`);
    let lastLine = "";
    while (true) {
      const run = yield* log.get(runId);
      const line = bar(run);
      if (out.isTTY) out.write(`\r${line}`);
      else if (line !== lastLine)
        out.write(`progress ${run.progress.done}/${run.progress.total} failed ${run.progress.failed}\n`);
      lastLine = line;
      if (run.status !== "running") {
        if (out.isTTY) out.write("\n");
        out.write(`run ${run.id} ${run.status}: ${run.changes} changes${run.message ? ` (${run.message})` : ""}\n`);
        for (const error of run.errors) out.write(`  ${error.learnerId ?? "(run)"}: ${error.code}: ${error.reason}\n`);
        return run;
      }
      yield* Effect.sleep(out.isTTY ? 150 : 500);
    }
  });
