/**
 * @pics/core — the orchestrator: the rule-package contract and registry, plan → apply, the
 * OneFile view, the learner lease, and the operations (enrolment, reference data).
 */
export * from "./apply.ts";
export * from "./connection.ts";
export * from "./enrolment.ts";
export * from "./errors.ts";
export * from "./learner-lease.ts";
export * from "./mis-reference.ts";
export * from "./shared-record.ts";
export * from "./onefile-view.ts";
export * from "./plan.ts";
export * from "./reference-data.ts";
export * from "./status.ts";
export * from "./registry.ts";
export * from "./rules.ts";
export * from "./time.ts";
export * from "./vq.ts";
export * from "./exchange-api.ts";
export * from "./demographics.ts";
export * from "./exchange.ts";
export * from "./pics-side.ts";
export * from "./onefile-lookups.ts";
export * from "./read-planner.ts";
export * from "./shared-claims.ts";
export * from "./reconciliation.ts";
export * from "./bulk-enrolment.ts";
export * from "./links.ts";
export * from "./record-links.ts";
