export { createSandboxApp, adminPrefix } from "./app.ts";
export { startSandbox, type RunningSandbox, type StartSandboxOptions } from "./node.ts";
export { Sandbox, defaultConfig, type SandboxConfig, type SandboxOptions } from "./sandbox.ts";
export { SandboxState, firstId, type SandboxSeed, type SandboxStateDocument, type CustomerDocument } from "./state.ts";
export type { FaultRule, FaultRuleState, FaultAction } from "./faults.ts";
export type { CallRecord, Counters } from "./observer.ts";
export { endpointNames, resolveEndpoint, canonicalEndpoint, apiPrefix } from "./endpoints.ts";
export * from "./records.ts";
export {
  generateDemoData,
  demoData,
  demoSeed,
  demoCustomerToken,
  type DemoData,
  type DemoDataOptions,
  type PicsImportDocument,
} from "./generator.ts";
