/**
 * @pics/onefile-client: the OneFile REST API v2.1 as an Effect service.
 * See README.md; the wire contract is shared/spec/onefile-api.md.
 */
export { OneFileClient, makeOneFileClient } from "./client.ts";
export type { ClientCounters, OneFileClientShape } from "./client.ts";
export { ClientSettings, resolveConfig } from "./config.ts";
export type { OneFileClientConfig, ResolvedConfig } from "./config.ts";
export * as Contract from "./contract.ts";
export { AssignLevels, BaseUrls, DefaultVisitTypeIds, ErrorCodes, InferredFields, Roles } from "./contract.ts";
export type { Environment } from "./contract.ts";
export {
  CallBudgetFailed,
  CreateOutcomeUnknown,
  Forbidden,
  InvalidClientConfig,
  UnsendableRequest,
  NotFound,
  OneFileUnavailable,
  RateLimited,
  RejectedByOneFile,
  Unauthorized,
  UndecodableResponse,
} from "./errors.ts";
export type { OneFileError } from "./errors.ts";
export { budgetLimit, defaultSafetyMarginMs, inMemoryCallBudget, RateLimiter } from "./limiter.ts";
export type { BudgetLimit, CallBudget, RateLimiterShape, RateLimitSettings } from "./limiter.ts";
export * from "./schema.ts";
export { scrubSecrets } from "./transport.ts";
