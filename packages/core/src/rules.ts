/**
 * The contract of a rule package, the capabilities rules lend each other, and the registry that
 * builds the enabled set from configuration (JRN-4) and checks it once, at start-up.
 */
import type { OneFileError } from "@pics/onefile-client";
import type { Learner, Officer, Organisation, Settings } from "@pics/pics-store";
import { Context, Effect, Layer } from "effect";
import { RuleConfigurationError } from "./errors.ts";
import type { OneFileView } from "./onefile-view.ts";
import type { IdOrRef, PlanBuilder } from "./plan.ts";

export const RULE_NAMES = ["officer", "organisation", "learner", "review"] as const;
export type RuleName = (typeof RULE_NAMES)[number];

// ---------------------------------------------------------------- what rules see

/** What every planning rule reads: one learner's PICS side, the OneFile view, the settings. */
export interface PlanningContext {
  readonly settings: Settings;
  readonly learner: Learner;
  /** Every officer and organisation the learner refers to, by PICS id. */
  readonly officers: ReadonlyMap<string, Officer>;
  readonly organisations: ReadonlyMap<string, Organisation>;
  /** The OneFile centre the learner is (or will be) in. */
  readonly centreId: number;
  /** SET-14, effective: on when the customer has several centres (auto) or when set on. */
  readonly multipleCentres: boolean;
  readonly view: OneFileView;
  readonly plan: PlanBuilder;
  readonly report: Report;
}

/** What an operation tells people it matched, created or skipped (ENR-1, ENR-12). */
export interface Report {
  readonly items: Array<ReportItem>;
}

export interface ReportItem {
  readonly entity: "learner" | "officer" | "organisation" | "classroom" | "qualification" | "review";
  readonly id: string;
  /** `matched`, `create`, `resumed`, `linked`, `upload`, `available`, `not_available`, `needs_pathway`, `needs_centre`, … */
  readonly outcome: string;
  readonly onefileId: IdOrRef | null;
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** An enrolment request (ENR-2, ENR-6, ENR-7). */
export interface EnrolmentRequest {
  readonly learnerId: string;
  readonly centreId: number;
  readonly classroomId?: number | null | undefined;
  readonly qualifications?: Readonly<Record<string, { readonly centreId?: number; readonly pathwayId?: number }>> | undefined;
  readonly dryRun?: boolean | undefined;
}

export interface EnrolmentContext extends PlanningContext {
  readonly request: EnrolmentRequest;
  /** The OneFile learner: an id when resumed, a ref once the learner rule plans its creation. */
  onefileLearner: IdOrRef | null;
}

export interface ExchangeContext extends PlanningContext {
  /** The OneFile learner (SYNC-2: only linked learners are exchanged). */
  readonly onefileLearner: number;
  /** Today in the deployment's time zone, YYYY-MM-DD. */
  readonly today: string;
  /** True the first time a key is seen in this run: records shared by learners are exchanged once. */
  readonly once: (key: string) => boolean;
  /** Every PICS officer, by OneFile id and by Ident (REV-D3 matches review assessors to officers). */
  readonly officerDirectory: OfficerDirectory;
}

export interface OfficerDirectory {
  readonly byOnefileId: (onefileId: number) => Officer | undefined;
  readonly byIdent: (ident: string) => Officer | undefined;
}

// ---------------------------------------------------------------- capabilities

/** "The OneFile assessor for this officer": matched, or planned for creation (OFF rules). */
export interface AssessorResolverShape {
  /** Null when blocked (the blocker is on the plan). `why` says which role needs it (OFF-1). */
  readonly resolve: (ctx: PlanningContext, officerId: string, why: string) => Effect.Effect<IdOrRef | null, OneFileError>;
}
export class AssessorResolver extends Context.Tag("core/AssessorResolver")<AssessorResolver, AssessorResolverShape>() {}

/** "The OneFile placement for this organisation": matched, or planned for creation (ORG rules). */
export interface PlacementResolverShape {
  /** ORG-1: the organisation that is the learner's employer placement, or null when it has none. */
  readonly employerOf: (learner: Learner) => string | null;
  readonly resolve: (ctx: PlanningContext, organisationId: string) => Effect.Effect<IdOrRef | null, OneFileError>;
}
export class PlacementResolver extends Context.Tag("core/PlacementResolver")<PlacementResolver, PlacementResolverShape>() {}

export type Capabilities = AssessorResolver | PlacementResolver;

// ---------------------------------------------------------------- the contract

export interface RulePackage {
  readonly name: RuleName;
  /** Packages whose capabilities this one uses. */
  readonly needs: ReadonlyArray<RuleName>;
  /** The settings it reads (shown in status and docs). */
  readonly reads: ReadonlyArray<keyof Settings>;
  /** The capabilities it provides to other packages. */
  readonly provides?: Layer.Layer<AssessorResolver> | Layer.Layer<PlacementResolver>;
  /** Its part of an enrolment, run in package order: officer, organisation, learner, review. */
  readonly enrolment?: (ctx: EnrolmentContext) => Effect.Effect<void, OneFileError, Capabilities>;
  /** Its part of the daily exchange for one learner (SYNC, PRG, REV, DEM). */
  readonly exchange?: (ctx: ExchangeContext) => Effect.Effect<void, OneFileError, Capabilities>;
}

export interface RuleRegistry {
  readonly enabled: ReadonlyArray<RuleName>;
  readonly packages: ReadonlyArray<RulePackage>;
  readonly has: (name: RuleName) => boolean;
  /** Runs a rule contribution with the capabilities of the enabled packages. */
  readonly provide: <A, E>(effect: Effect.Effect<A, E, Capabilities>) => Effect.Effect<A, E>;
}

/** `ONEFILE_SYNC_RULES`: a comma list of rule names; unset or blank means all. */
export const parseRuleList = (value: string | undefined): Effect.Effect<ReadonlyArray<RuleName>, RuleConfigurationError> => {
  if (value === undefined || value.trim() === "") return Effect.succeed(RULE_NAMES);
  const names = value
    .split(",")
    .map((n) =>
      n
        .trim()
        .toLowerCase()
        .replace(/^rules-/, ""),
    )
    .filter((n) => n !== "");
  const unknown = names.filter((n) => !(RULE_NAMES as ReadonlyArray<string>).includes(n));
  if (unknown.length > 0) {
    return Effect.fail(
      new RuleConfigurationError({
        problems: unknown.map((n) => `ONEFILE_SYNC_RULES names an unknown rule package "${n}" (known: ${RULE_NAMES.join(", ")})`),
      }),
    );
  }
  return Effect.succeed(RULE_NAMES.filter((n) => names.includes(n)));
};

/**
 * Builds the enabled set from the available packages. Fails, naming every problem, when an
 * enabled package needs one that is disabled or missing — at start-up, not at 2 a.m.
 */
export const buildRegistry = (
  available: ReadonlyArray<RulePackage>,
  enabled: ReadonlyArray<RuleName>,
): Effect.Effect<RuleRegistry, RuleConfigurationError> => {
  const problems: Array<string> = [];
  const byName = new Map(available.map((p) => [p.name, p]));
  const packages = RULE_NAMES.filter((n) => enabled.includes(n)).flatMap((n) => {
    const found = byName.get(n);
    if (!found) problems.push(`rule package "${n}" is enabled but not installed`);
    return found ? [found] : [];
  });
  for (const p of packages) {
    for (const need of p.needs) {
      if (!enabled.includes(need)) {
        problems.push(`rules-${p.name} needs rules-${need}, which is disabled: enable it or disable rules-${p.name}`);
      }
    }
  }
  if (problems.length > 0) return Effect.fail(new RuleConfigurationError({ problems }));

  const layers = packages.flatMap((p) => (p.provides ? [p.provides] : []));
  // Only the enabled packages' capabilities are provided; the checks above guarantee that every
  // capability an enabled package uses is among them.
  const capabilities = (
    layers.length === 0 ? Layer.empty : Layer.mergeAll(...(layers as unknown as [Layer.Layer<Capabilities>]))
  ) as Layer.Layer<Capabilities>;
  return Effect.succeed({
    enabled: packages.map((p) => p.name),
    packages,
    has: (name) => packages.some((p) => p.name === name),
    provide: (effect) => Effect.provide(effect, capabilities),
  });
};
