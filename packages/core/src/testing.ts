/**
 * Test kit for rules (`@pics/core/testing`): a fail-loud service builder, a fake OneFile view over
 * plain arrays and a planning context, so a rule package's plans and blockers are tested in
 * milliseconds without the sandbox. The scenario suite in @pics/product stays the product-level proof.
 */
import type { Centre, Classroom, LearningAim, Placement, Review, Standard, User } from "@pics/onefile-client";
import { Roles } from "@pics/onefile-client";
import { defaultSettings, type Learner, type Officer, type Organisation, type Settings } from "@pics/pics-store";
import { Effect, Layer, type Context } from "effect";
import type { OneFileView } from "./onefile-view.ts";
import { PlanBuilder } from "./plan.ts";
import type { ExchangeContext, OfficerDirectory, PlanningContext, Report } from "./rules.ts";
import { sameMisReference } from "./mis-reference.ts";

/**
 * A member the test did not supply: calling it, or running it as an Effect, dies with a message
 * naming the service and the member. It is both a function and an Effect because services have both.
 */
const unsupplied = (service: string, member: PropertyKey): unknown => {
  const dead = Effect.dieMessage(`${service}.${String(member)} was used, but the test did not supply it`);
  const member_ = function () {
    return dead;
  };
  Object.setPrototypeOf(member_, Object.getPrototypeOf(dead));
  for (const key of Reflect.ownKeys(dead)) Object.defineProperty(member_, key, Object.getOwnPropertyDescriptor(dead, key)!);
  return member_;
};

/** The service `supplied` describes; every other member dies naming itself when used. */
export const failLoud = <S extends object>(service: string, supplied: Partial<S>): S =>
  new Proxy(supplied as S, {
    get: (target, member, receiver) =>
      member in target || typeof member === "symbol" || member === "then"
        ? Reflect.get(target, member, receiver)
        : unsupplied(service, member),
  });

/** A Layer of a fail-loud service: `testLayer(PicsRecords)({ getLearner: … })`. */
export const testLayer =
  <I, S extends object>(tag: Context.Tag<I, S>) =>
  (supplied: Partial<S>): Layer.Layer<I> =>
    Layer.succeed(tag, failLoud<S>(tag.key, supplied));

// ---------------------------------------------------------------- a fake OneFile

/** What the fake OneFile holds; a read of something not given dies naming the view member. */
export interface FakeOneFile {
  readonly centres?: ReadonlyArray<Partial<Centre> & { ID: number }>;
  /** Every user (assessors, learners); searched by centre, role and field as OneFile does. */
  readonly users?: ReadonlyArray<Partial<User> & { ID: number }>;
  readonly placements?: ReadonlyArray<Partial<Placement> & { ID: number }>;
  /** By centre id. */
  readonly standards?: Readonly<Record<number, ReadonlyArray<Partial<Standard> & { ID: number }>>>;
  readonly classrooms?: Readonly<Record<number, ReadonlyArray<Partial<Classroom> & { ID: number }>>>;
  /** By OneFile learner id. */
  readonly learningAims?: Readonly<Record<number, ReadonlyArray<Partial<LearningAim> & { ID: number }>>>;
  /** By OneFile learner id. */
  readonly reviews?: Readonly<Record<number, ReadonlyArray<Partial<Review> & { ID: number }>>>;
}

/**
 * A OneFile view over plain data, answering each read as the real view would (searches filter by
 * centre, role and field). `reads` lists every read made, to assert what a plan needed.
 */
export const fakeOneFileView = (data: FakeOneFile): OneFileView & { readonly reads: Array<string> } => {
  const reads: Array<string> = [];
  const read = <A>(label: string, value: A) => Effect.sync(() => (reads.push(label), value));
  const users = (data.users ?? []) as ReadonlyArray<User>;
  const given: { -readonly [K in keyof OneFileView]?: OneFileView[K] } = {
    prime: () => {},
    forget: () => {},
  };
  if (data.centres) given.centres = read("centres", data.centres as ReadonlyArray<Centre>);
  if (data.users) {
    given.assessorsByMisId = (centreId, misId) =>
      read(
        `assessorsByMisId(${centreId}, ${misId})`,
        users.filter((u) => u.OrganisationID === centreId && u.Role === Roles.assessor && sameMisReference(u.MISID, misId)),
      );
    given.learnersBy = (centreId, field, value) =>
      read(
        `learnersBy(${centreId}, ${field}, ${value})`,
        users.filter((u) => u.OrganisationID === centreId && u.Role === Roles.learner && sameMisReference(u[field], value)),
      );
    given.user = (id) => {
      const user = users.find((u) => u.ID === id);
      return user ? read(`user(${id})`, user) : Effect.dieMessage(`fake OneFile has no user ${id}`);
    };
  }
  if (data.placements) {
    const placements = data.placements as ReadonlyArray<Placement>;
    given.placementsByMisId = (centreId, misId) =>
      read(
        `placementsByMisId(${centreId}, ${misId})`,
        placements.filter((p) => p.OrganisationID === centreId && sameMisReference(p.MISID, misId)),
      );
    given.placement = (id) => {
      const placement = placements.find((p) => p.ID === id);
      return placement ? read(`placement(${id})`, placement) : Effect.dieMessage(`fake OneFile has no placement ${id}`);
    };
  }
  const byKey = <A>(label: string, record: Readonly<Record<number, ReadonlyArray<unknown>>> | undefined) =>
    record === undefined ? undefined : (key: number) => read(`${label}(${key})`, (record[key] ?? []) as ReadonlyArray<A>);
  const standards = byKey<Standard>("standards", data.standards);
  if (standards) given.standards = standards;
  const classrooms = byKey<Classroom>("classrooms", data.classrooms);
  if (classrooms) given.classrooms = classrooms;
  const aims = byKey<LearningAim>("learningAims", data.learningAims);
  if (aims) given.learningAims = aims;
  if (data.reviews) {
    const reviews = data.reviews as Readonly<Record<number, ReadonlyArray<Review>>>;
    given.reviews = (centreId, learnerId) => read(`reviews(${centreId}, ${learnerId})`, reviews[learnerId] ?? []);
  }
  return Object.assign(failLoud<OneFileView>("OneFileView", given), { reads });
};

// ---------------------------------------------------------------- a planning context

/** A planning context for one learner, with a fresh plan and report; `overrides` replace any part. */
export const planningContext = (options: {
  readonly learner: Learner;
  readonly officers?: ReadonlyArray<Officer>;
  readonly organisations?: ReadonlyArray<Organisation>;
  readonly view: OneFileView;
  readonly centreId?: number;
  readonly multipleCentres?: boolean;
  readonly settings?: Partial<Settings>;
}): PlanningContext & { readonly plan: PlanBuilder; readonly report: Report } => ({
  settings: { ...defaultSettings, ...options.settings },
  learner: options.learner,
  officers: new Map((options.officers ?? []).map((o) => [o.id, o])),
  organisations: new Map((options.organisations ?? []).map((o) => [o.id, o])),
  centreId: options.centreId ?? 100,
  multipleCentres: options.multipleCentres ?? false,
  view: options.view,
  plan: new PlanBuilder(),
  report: { items: [] },
});

/** An exchange context (SYNC) for a learner linked to `onefileLearner`. */
export const exchangeContext = (
  options: Parameters<typeof planningContext>[0] & {
    readonly onefileLearner: number;
    readonly today?: string;
    readonly officerDirectory?: Partial<OfficerDirectory>;
  },
): ExchangeContext & { readonly plan: PlanBuilder } => {
  const seen = new Set<string>();
  const officers = options.officers ?? [];
  return {
    ...planningContext(options),
    onefileLearner: options.onefileLearner,
    today: options.today ?? "2026-06-01",
    once: (key) => (seen.has(key) ? false : (seen.add(key), true)),
    officerDirectory: {
      byOnefileId: (id) => officers.find((o) => o.onefileId === id),
      byIdent: (ident) => officers.find((o) => o.ident === ident),
      ...options.officerDirectory,
    },
  };
};
