/**
 * The enabled rule packages as a service, built once at start-up from ONEFILE_SYNC_RULES.
 */
import { Context, Effect, Layer } from "effect";
import type { RuleConfigurationError } from "./errors.ts";
import { buildRegistry, parseRuleList, type RulePackage, type RuleRegistry } from "./rules.ts";

export class Rules extends Context.Tag("core/Rules")<Rules, RuleRegistry>() {
  /** `enabledList` is the raw ONEFILE_SYNC_RULES value (unset = all). Fails at start-up when inconsistent. */
  static layer(
    available: ReadonlyArray<RulePackage>,
    enabledList: string | undefined,
  ): Layer.Layer<Rules, RuleConfigurationError> {
    return Layer.effect(
      Rules,
      Effect.flatMap(parseRuleList(enabledList), (enabled) => buildRegistry(available, enabled)),
    );
  }
}
