export { closeInterruptedRuns, daemon, tick } from "./daemon.ts";
export { exitCodeOf, parseRunOnceArgs, runOnce } from "./run-once.ts";
export { CATCH_UP_MS, dueSlot, nextSlot } from "./slots.ts";
