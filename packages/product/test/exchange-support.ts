/**
 * Shared set-up for the daily exchange scenario tests (exchange-*.test.ts): learners already linked
 * to OneFile, seeded on both sides directly (PICS import with OneFile ids + sandbox seed), agreeing
 * field for field unless a test makes them differ. Tweak one side, run the exchange, look at both.
 */
import { Exchange, type ExchangeStrategy } from "@pics/core";
import type { SandboxSeed } from "@pics/onefile-sandbox";
import { Leases, PicsRecords, RunLog } from "@pics/pics-store";
import { Effect } from "effect";
import { baseSeed, CENTRE, customerOf, openWorld, type World } from "./world.ts";

/** Every option of the exchange on (upload and download reviews, every push and pull): what most runs test. */
export const EVERY_EXCHANGE_OPTION = {
  uploadReviews: true,
  downloadReviews: true,
  learnerDemographicsMode: "PushToOneFile",
  officerDemographicsMode: "PullFromOneFile",
  organisationDemographicsMode: "PushToOneFile",
  pushMainOfficerChanges: true,
  pushEmployerChanges: true,
} as const;

/** OneFile ids of the seeded records. */
export const OF = {
  /** Assessor "Ada" (OFF-A), seeded by baseSeed, linked to officer O1. */
  ada: 130,
  /** Assessor "Cy" (OFF-C), linked to officer O3. */
  cy: 131,
  /** Placement "Acme Ltd" (ORG-A), seeded by baseSeed, linked to organisation G1. */
  acme: 140,
  classroom: 110,
  standard: 120,
  /** OneFile learner of PICS learner `L<n>`. */
  learner: (n: number) => 1000 + n,
  /** The learning aim of qualification Q1 of learner `L<n>`. */
  aim: (n: number) => 2000 + n,
} as const;

/** A date `days` from today (UTC), as YYYY-MM-DD. */
export const daysFromToday = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

export interface PairTweaks {
  /** Fields of the PICS learner (merged over the agreeing defaults). */
  readonly pics?: Record<string, unknown>;
  /** Fields of the OneFile learner (merged over the agreeing defaults). */
  readonly user?: Record<string, unknown>;
  /** Fields of the learning aim of Q1; `null` for no learning aim (and no linked qualification). */
  readonly aim?: Record<string, unknown> | null;
  /** Fields of PICS qualification Q1. */
  readonly qualification?: Record<string, unknown>;
}

/** PICS learner `L<n>` and its OneFile learner, linked and agreeing on every exchanged field. */
export const pair = (n: number, tweaks: PairTweaks = {}) => {
  const id = `L${n}`;
  const pics = {
    id,
    firstName: "Lee",
    surname: `Learner${n}`,
    email: `l${n}@learner.test`,
    birthDate: "2004-05-06",
    uln: String(1000000000 + n),
    niNumber: "AB123456C",
    ethnicity: "31",
    disability: "98",
    address1: "1 High Street",
    address2: "Flat 2",
    address3: null,
    address4: "Leeds",
    postcode: "LS1 1AA",
    startDate: "2025-09-01",
    plannedEndDate: "2027-08-31",
    mainOfficerId: "O1",
    officers: [{ officerId: "O1", type: "Assessor" }],
    placements: [{ id: "P1", organisationId: "G1", type: "P", startDate: "2025-09-01" }],
    qualifications:
      tweaks.aim === null
        ? []
        : [
            {
              id: "Q1",
              vqReference: "ST0795",
              assessorId: "O1",
              totalElements: 10,
              elementsDone: 4,
              registrationNumber: "REG-1",
              registrationDate: "2025-10-01",
              onefileStandardId: OF.standard,
              onefileLearningAimId: OF.aim(n),
              ...tweaks.qualification,
            },
          ],
    reviews: [] as Array<Record<string, unknown>>,
    onefileId: OF.learner(n),
    onefileCentreId: CENTRE,
    ...tweaks.pics,
  };
  const user = {
    ID: OF.learner(n),
    OrganisationID: CENTRE,
    Role: 1,
    FirstName: "Lee",
    LastName: `Learner${n}`,
    Email: `l${n}@learner.test`,
    MISID: id,
    DOB: "2004-05-06T00:00:00.000Z",
    ULN: String(1000000000 + n),
    NINO: "AB123456C",
    L12: "31",
    L15: "98",
    HomeAddress: "1 High Street\nFlat 2\nLeeds\nLS1 1AA",
    DefaultAssessorID: OF.ada,
    PlacementID: OF.acme,
    ClassroomID: OF.classroom,
    ...tweaks.user,
  };
  const aims: Array<Record<string, unknown>> =
    tweaks.aim === null
      ? []
      : [
          {
            ID: OF.aim(n),
            UserID: OF.learner(n),
            StandardID: OF.standard,
            TotalElements: 10,
            ElementsDone: 4,
            RegistrationNumber: "REG-1",
            RegistrationDate: "2025-10-01T00:00:00.000Z",
            ...tweaks.aim,
          },
        ];
  return { pics, user, aims };
};

export type Pair = ReturnType<typeof pair>;

/** The PICS officers and organisations every linked world has. */
export const picsReferenceData = () => ({
  officers: [
    { id: "O1", ident: "OFF-A", firstName: "Ada", surname: "Assessor", email: "ada@provider.test", onefileId: OF.ada },
    { id: "O2", ident: "OFF-B", firstName: "Bob", surname: "Builder", email: "bob@provider.test" },
    { id: "O3", ident: "OFF-C", firstName: "Cy", surname: "Coach", email: "cy@provider.test", onefileId: OF.cy },
  ],
  organisations: [
    { id: "G1", ident: "ORG-A", name: "Acme Ltd", onefileId: OF.acme },
    { id: "G2", ident: "ORG-B", name: "Bolt Ltd" },
  ],
});

export interface LinkedWorldOptions {
  readonly pairs: ReadonlyArray<Pair>;
  readonly settings?: Record<string, unknown>;
  /** More OneFile users (assessors), placements, reviews, visits. */
  readonly users?: Array<Record<string, unknown>>;
  readonly placements?: Array<Record<string, unknown>>;
  readonly reviews?: Array<Record<string, unknown>>;
  readonly secondCentre?: boolean;
  /** Replaces the PICS officers / organisations. */
  readonly officers?: Array<Record<string, unknown>>;
  readonly organisations?: Array<Record<string, unknown>>;
  readonly sandboxConfig?: Record<string, unknown>;
  readonly requestTimeoutMs?: number;
  readonly rules?: string;
  readonly exchangeStrategy?: ExchangeStrategy;
}

export const linkedSeed = (options: LinkedWorldOptions): SandboxSeed => {
  const seed = baseSeed({
    secondCentre: options.secondCentre,
    users: [
      {
        ID: OF.cy,
        OrganisationID: CENTRE,
        Role: 5,
        FirstName: "Cy",
        LastName: "Coach",
        Email: "cy@provider.test",
        MISID: "OFF-C",
      },
      ...(options.users ?? []),
      ...options.pairs.map((p) => p.user),
    ],
    placements: options.placements ?? [],
    learningAims: options.pairs.flatMap((p) => p.aims),
  }) as unknown as { customers: Array<Record<string, unknown>> };
  seed.customers[0]!.Reviews = options.reviews ?? [];
  return seed as unknown as SandboxSeed;
};

/** A world whose learners are already linked to OneFile on both sides. */
export const linkedWorld = async (options: LinkedWorldOptions): Promise<World> => {
  const reference = picsReferenceData();
  const world = await openWorld({
    seed: linkedSeed(options),
    pics: {
      officers: options.officers ?? reference.officers,
      organisations: options.organisations ?? reference.organisations,
      learners: options.pairs.map((p) => p.pics),
    },
    settings: options.settings,
    rules: options.rules,
    requestTimeoutMs: options.requestTimeoutMs,
    exchangeStrategy: options.exchangeStrategy,
  });
  await world.admin("/calls/clear", {});
  if (options.sandboxConfig) await world.admin("/config", options.sandboxConfig);
  return world;
};

// ---------------------------------------------------------------- operations

export const refresh = (learnerId: string, options: { dryRun?: boolean } = {}) =>
  Effect.flatMap(Exchange, (x) => x.refresh(learnerId, options));

export const fullRun = (options: { dryRun?: boolean; kind?: "daily" | "full"; learnerIds?: ReadonlyArray<string> } = {}) =>
  Effect.flatMap(Exchange, (x) => x.run({ kind: options.kind ?? "full", trigger: "cli", ...options }));

export const learner = (id: string) => Effect.flatMap(PicsRecords, (r) => r.getLearner(id));
export const officer = (id: string) => Effect.flatMap(PicsRecords, (r) => r.getOfficer(id));
export const organisation = (id: string) => Effect.flatMap(PicsRecords, (r) => r.getOrganisation(id));
export const changesOf = (runId: string) => Effect.flatMap(RunLog, (l) => l.changes(runId));
export const lastSynchronised = Effect.flatMap(RunLog, (l) => l.lastSynchronisedAt);
export const takeLease = (name: string, owner: string, ttlMs = 60_000) =>
  Effect.flatMap(Leases, (l) => l.tryAcquire(name, owner, ttlMs));
export const releaseLease = (name: string, owner: string) => Effect.flatMap(Leases, (l) => l.release(name, owner));

/** The OneFile records of the test customer now. */
export const onefileNow = async (world: World) => customerOf(await world.onefile());
export const userIn = (of: any, id: number) => of.Users.find((u: any) => u.ID === id);
export const aimIn = (of: any, id: number) => of.LearningAims.find((a: any) => a.ID === id);

/** Calls made since the last clear, with the request body where the log has one. */
export const callsSince = async (world: World) => (await world.calls()).filter((c: any) => c.endpoint !== "POST Authentication");

/** Calls that write to OneFile (not authentication, reads or searches). */
export const writesIn = (calls: ReadonlyArray<any>) =>
  calls.filter((c) => c.method !== "GET" && c.endpoint !== "POST Authentication" && !/\/Search$/.test(c.endpoint));
