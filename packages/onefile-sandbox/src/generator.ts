import { Prng } from "./prng.ts";
import type { Classroom, LearningAim, Organisation, Placement, Review, Standard, User, Visit } from "./records.ts";
import { blankUser, Roles, progressOf } from "./records.ts";
import type { CustomerDocument, SandboxSeed } from "./state.ts";
import { localToUtcMillis } from "./timezone.ts";

// ---- the PICS side, in the shape of shared/spec/http-api.md "PICS records" -----------------------

export interface PicsOfficer {
  id: string;
  ident: string;
  firstName: string;
  surname: string;
  email: string | null;
  phone: string | null;
  mobile: string | null;
  birthDate: string | null;
  onefileId: number | null;
}

export interface PicsOrganisation {
  id: string;
  ident: string;
  name: string;
  phone: string | null;
  email: string | null;
  website: string | null;
  address1: string | null;
  address2: string | null;
  address3: string | null;
  address4: string | null;
  postcode: string | null;
  onefileId: number | null;
}

export interface PicsPlacement {
  id: string;
  organisationId: string;
  type: string;
  startDate: string;
  endDate: string | null;
}

export interface PicsQualification {
  id: string;
  vqReference: string;
  title: string | null;
  assessorId: string | null;
  startDate: string | null;
  plannedEndDate: string | null;
  hasUnits: boolean;
  totalElements: number | null;
  elementsDone: number | null;
  registrationNumber: string | null;
  registrationDate: string | null;
  certificateAppliedDate: string | null;
  certificateReceivedDate: string | null;
  onefileStandardId: number | null;
  onefileLearningAimId: number | null;
}

export interface PicsReview {
  id: string;
  type: "Normal" | "Other";
  scheduledDate: string | null;
  startTime: string | null;
  officerId: string | null;
  attended: "Yes" | "No" | "Unknown" | null;
  actualDate: string | null;
  traineeSignedDate: string | null;
  onefileSystemId: number | null;
  onefileVisitId: number | null;
}

export interface PicsLearner {
  id: string;
  firstName: string;
  surname: string;
  email: string | null;
  telephone: string | null;
  mobile: string | null;
  birthDate: string | null;
  uln: string | null;
  niNumber: string | null;
  sex: string | null;
  ethnicity: string | null;
  disability: string | null;
  address1: string | null;
  address2: string | null;
  address3: string | null;
  address4: string | null;
  postcode: string | null;
  startDate: string | null;
  plannedEndDate: string | null;
  actualEndDate: string | null;
  systemStatus: "Live" | "Archived" | "Deleted";
  learningStatus: "InLearning" | "Completed" | "Withdrawn" | "BreakInLearning" | "Transferred";
  mainOfficerId: string | null;
  mainTag: string | null;
  officers: { officerId: string; type: string }[];
  onefileId: number | null;
  onefileCentreId: number | null;
  placements: PicsPlacement[];
  qualifications: PicsQualification[];
  reviews: PicsReview[];
}

/** The body of `POST /api/v1/import`. */
export interface PicsImportDocument {
  officers: PicsOfficer[];
  organisations: PicsOrganisation[];
  learners: PicsLearner[];
}

export type DifferenceKind =
  | "progress"
  | "registrationFromOneFile"
  | "certificateFromPics"
  | "reviewStarted"
  | "newPicsReview"
  | "newOneFileReview"
  | "learnerDemographics"
  | "employerChanged"
  | "mainOfficerChanged"
  | "officerDemographics"
  | "organisationDemographics";

/** One planted difference between the two sides: what a sync should find. */
export interface Difference {
  entity: "learner" | "officer" | "organisation";
  /** The PICS id. */
  id: string;
  kind: DifferenceKind;
  detail: string;
}

export interface DemoDataOptions {
  learners: number;
  seed: number;
  /** OneFile centres (Organisations) of the customer. Default 1. */
  centres?: number;
  qualificationsPerLearner?: number;
  reviewsPerLearner?: number;
  /** Default "sandbox-token". */
  customerToken?: string;
  customerName?: string;
  /** Share of learners already enrolled in OneFile. Default 0.8 (at least one learner stays unenrolled when learners ≥ 2). */
  enrolledShare?: number;
  /** Share of enrolled learners (and of officers/organisations) whose records differ between the sides. Default 0.25. */
  differingShare?: number;
  /** The zone PICS times are local to. Default Europe/London. */
  timeZone?: string;
  /** The day the data is "as of" (YYYY-MM-DD); no clock is read, so output depends on the options only. Default 2025-06-02. */
  today?: string;
}

export interface DemoData {
  customerToken: string;
  /** Load with `POST /__sandbox/seed` or `startSandbox({ state })`. */
  onefile: SandboxSeed;
  /** Load with the product's `POST /api/v1/import`. */
  pics: PicsImportDocument;
  /** PICS ids of learners not yet in OneFile (to enrol). */
  notEnrolled: string[];
  differences: Difference[];
}

export const demoCustomerToken = "sandbox-token";

const standardCatalogue: { code: string; title: string; pathways: string[] }[] = [
  { code: "ST0795", title: "Level 3 Data Technician", pathways: [] },
  { code: "ST0070", title: "Level 3 Business Administrator", pathways: [] },
  { code: "ST0384", title: "Level 3 Team Leader or Supervisor", pathways: [] },
  { code: "ST0213", title: "Level 2 Hair Professional", pathways: ["Hair Services", "Barbering"] },
  { code: "ST0005", title: "Level 2 Adult Care Worker", pathways: ["Core"] },
  { code: "ST0116", title: "Level 4 Software Developer", pathways: [] },
  { code: "ST0072", title: "Level 2 Customer Service Practitioner", pathways: [] },
  { code: "ST0122", title: "Level 3 Digital Marketer", pathways: [] },
];

const firstNames = [
  "Amelia",
  "Oliver",
  "Isla",
  "George",
  "Ava",
  "Noah",
  "Mia",
  "Arthur",
  "Ivy",
  "Leo",
  "Freya",
  "Oscar",
  "Lily",
  "Harry",
  "Grace",
  "Jack",
  "Sophia",
  "Theo",
  "Ella",
  "Finley",
  "Aisha",
  "Mohammed",
  "Zara",
  "Yusuf",
  "Chloe",
  "Ethan",
  "Ruby",
  "Jacob",
  "Evie",
  "Alfie",
];
const surnames = [
  "Smith",
  "Jones",
  "Taylor",
  "Brown",
  "Williams",
  "Wilson",
  "Johnson",
  "Davies",
  "Patel",
  "Robinson",
  "Wright",
  "Thompson",
  "Evans",
  "Walker",
  "White",
  "Roberts",
  "Green",
  "Hall",
  "Khan",
  "Wood",
  "Clarke",
  "Hughes",
  "Edwards",
  "Turner",
  "Hill",
  "Ahmed",
  "Cooper",
  "Ward",
  "Morris",
  "King",
];
const streets = [
  "High Street",
  "Station Road",
  "Church Lane",
  "Victoria Road",
  "Mill Lane",
  "Park Avenue",
  "Queen Street",
  "London Road",
];
const towns = ["Leeds", "York", "Bradford", "Wakefield", "Harrogate", "Huddersfield", "Halifax", "Doncaster"];
const employerWords = [
  "Acme",
  "Northern",
  "Riverside",
  "Summit",
  "Harbour",
  "Oakwood",
  "Pennine",
  "Beacon",
  "Meridian",
  "Castle",
];
const employerKinds = [
  "Logistics Ltd",
  "Care Homes",
  "Digital Ltd",
  "Salons",
  "Engineering plc",
  "Retail Group",
  "Services Ltd",
  "Hospitality",
];
const centreNames = ["North Campus", "South Campus", "City Centre", "East Academy", "West Academy"];
const tags = ["Cohort A", "Cohort B", "Cohort C"];
const ethnicities = ["31", "32", "33", "34", "35", "39", "40", "41", "42", "43", "46", "98"];

const pad = (n: number, width: number) => String(n).padStart(width, "0");

const addDays = (date: string, days: number): string => {
  const [y = 0, m = 1, d = 1] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
};

const midnight = (date: string | null): string | null => (date === null ? null : `${date}T00:00:00.000Z`);

/** OneFile's one-field address: the PICS lines that are not blank. */
const addressLines = (lines: ReadonlyArray<string | null>): string => lines.filter((l) => l).join("\n");

// ---- random values; each draws from the shared source in the order written ---------------------

const landline = (rng: Prng, exchange = "496") => `0113 ${exchange} ${pad(rng.int(0, 9999), 4)}`;
const mobile = (rng: Prng, lead = "9") => `07700 ${lead}${pad(rng.int(0, 99999), 5)}`;
const letter = (rng: Prng, last: number) => String.fromCharCode(65 + rng.int(0, last));
const postcode = (rng: Prng) => `LS${rng.int(1, 28)} ${rng.int(1, 9)}${letter(rng, 25)}${letter(rng, 25)}`;
const streetLine = (rng: Prng) => `${rng.int(1, 200)} ${rng.pick(streets)}`;
const registration = (rng: Prng) => `REG${pad(rng.int(0, 999999), 6)}`;

// ---- what the builders share ------------------------------------------------------------------

/**
 * One generation in progress: the options with their defaults, the one seeded random source every
 * builder draws from (so the builders must run, and draw, in a fixed order), the id counter, and
 * the records of both sides built so far.
 */
const startBuild = (options: DemoDataOptions) => {
  const timeZone = options.timeZone ?? "Europe/London";
  const today = options.today ?? "2025-06-02";
  let nextId = 1000;
  const newId = () => nextId++;
  const customerToken = options.customerToken ?? demoCustomerToken;
  const customer: Required<CustomerDocument> = {
    ID: newId(),
    Name: options.customerName ?? "Sandbox Training Ltd",
    Token: customerToken,
    Organisations: [],
    Classrooms: [],
    Placements: [],
    Standards: [],
    Users: [],
    LearningAims: [],
    Visits: [],
    Reviews: [],
    Assignments: [],
  };
  return {
    rng: new Prng(options.seed),
    learners: options.learners,
    centreCount: Math.max(1, Math.min(options.centres ?? 1, centreNames.length)),
    qualificationsPerLearner: Math.max(0, options.qualificationsPerLearner ?? 1),
    reviewsPerLearner: Math.max(0, options.reviewsPerLearner ?? 2),
    enrolledShare: options.enrolledShare ?? 0.8,
    differingShare: options.differingShare ?? 0.25,
    today,
    /** When the OneFile records were last modified (06:00Z of `today`). */
    stamp: `${today}T06:00:00.000Z`,
    newId,
    /** The next id the sandbox would give. */
    nextId: () => nextId,
    /** A PICS local date and time as an ISO instant. */
    instant: (date: string, time: string) => new Date(localToUtcMillis(date, time, timeZone)).toISOString(),
    customerToken,
    /** The OneFile side. */
    customer,
    pics: { officers: [], organisations: [], learners: [] } as PicsImportDocument,
    notEnrolled: [] as string[],
    differences: [] as Difference[],
  };
};

type Build = ReturnType<typeof startBuild>;

const baseUser = (build: Build, organisationId: number, role: number): User => ({
  ...blankUser(build.newId(), organisationId, build.stamp),
  Role: role,
});

// ---- centres ----------------------------------------------------------------------------------

interface Centres {
  readonly ids: number[];
  readonly classroomOf: Map<string, number>;
  readonly standardsOf: Map<number, Standard[]>;
}

const classroomKey = (centreId: number, tag: string) => `${centreId}|${tag}`;

/**
 * Centres, each with its classrooms (one per PICS main tag) and its standards. The first centre
 * offers every standard; the others every other one, so some standards exist in two centres.
 */
const buildCentres = (build: Build): Centres => {
  const centres: Centres = { ids: [], classroomOf: new Map(), standardsOf: new Map() };
  for (let c = 0; c < build.centreCount; c++) {
    const centre: Organisation = { ID: build.newId(), Name: centreNames[c] ?? `Centre ${c + 1}` };
    build.customer.Organisations.push(centre);
    centres.ids.push(centre.ID);
    for (const tag of tags) {
      const classroom: Classroom = { ID: build.newId(), OrganisationID: centre.ID, Name: tag, MISID: null };
      build.customer.Classrooms.push(classroom);
      centres.classroomOf.set(classroomKey(centre.ID, tag), classroom.ID);
    }
    const offered = standardCatalogue.filter((_, i) => c === 0 || i % 2 === 1 || i === 3);
    const list = offered.map((s) => ({
      ID: build.newId(),
      OrganisationID: centre.ID,
      Title: `${s.title} [${s.code}]`,
      Pathways: s.pathways.map((title) => ({ ID: build.newId(), Title: title })),
    }));
    build.customer.Standards.push(...list);
    centres.standardsOf.set(centre.ID, list);
  }
  return centres;
};

const centreOfIndex = (centres: Centres, i: number) => centres.ids[i % centres.ids.length] as number;

// ---- officers and assessors -------------------------------------------------------------------

interface Officers {
  readonly assessorOf: Map<string, User>;
  /** The officers of a centre; `enrolledOnly`: those with an assessor in OneFile. */
  readonly inCentre: (centreId: number, enrolledOnly: boolean) => PicsOfficer[];
}

/** Officers → assessors. Every fourth officer is not in OneFile yet (to be created at enrolment). */
const buildOfficers = (build: Build, centres: Centres): Officers => {
  const { rng } = build;
  const count = Math.max(2 * build.centreCount, Math.ceil(build.learners / 6), 2);
  const centreOf = new Map<string, number>();
  const assessorOf = new Map<string, User>();
  for (let i = 0; i < count; i++) {
    const firstName = rng.pick(firstNames);
    const surname = rng.pick(surnames);
    const officer: PicsOfficer = {
      id: `O${pad(i + 1, 4)}`,
      ident: `ASR${pad(i + 1, 3)}`,
      firstName,
      surname,
      email: `${firstName}.${surname}.${i + 1}@provider.example`.toLowerCase(),
      phone: landline(rng),
      mobile: mobile(rng),
      birthDate: addDays("1965-01-01", rng.int(0, 12000)),
      onefileId: null,
    };
    const centreId = centreOfIndex(centres, i);
    centreOf.set(officer.id, centreId);
    if (i < 2 * build.centreCount || i % 4 !== 3) {
      const assessor = assessorFor(build, officer, centreId, i);
      assessorOf.set(officer.id, assessor);
      officer.onefileId = assessor.ID;
    }
    build.pics.officers.push(officer);
  }
  return {
    assessorOf,
    inCentre: (centreId, enrolledOnly) =>
      build.pics.officers.filter((o) => centreOf.get(o.id) === centreId && (!enrolledOnly || o.onefileId !== null)),
  };
};

/** The officer's OneFile assessor; some of every fourth differ in their mobile. */
const assessorFor = (build: Build, officer: PicsOfficer, centreId: number, i: number): User => {
  const assessor = baseUser(build, centreId, Roles.assessor);
  Object.assign(assessor, {
    FirstName: officer.firstName,
    LastName: officer.surname,
    Email: officer.email,
    MISID: officer.ident,
    Telephone: officer.phone,
    MobileNumber: officer.mobile,
    DOB: midnight(officer.birthDate),
  });
  if (i % 4 === 1 && build.rng.chance(build.differingShare * 2)) {
    assessor.MobileNumber = mobile(build.rng, "8");
    build.differences.push({
      entity: "officer",
      id: officer.id,
      kind: "officerDemographics",
      detail: `OneFile mobile ${assessor.MobileNumber}, PICS ${officer.mobile}`,
    });
  }
  build.customer.Users.push(assessor);
  return assessor;
};

// ---- employers and placements -----------------------------------------------------------------

interface Employers {
  readonly placementOf: Map<string, Placement>;
  /** The organisations of a centre; `enrolledOnly`: those with a placement in OneFile. */
  readonly inCentre: (centreId: number, enrolledOnly: boolean) => PicsOrganisation[];
}

const employerName = (i: number) =>
  `${employerWords[i % employerWords.length]} ${employerKinds[(i * 3) % employerKinds.length]}${i >= employerWords.length ? ` ${Math.floor(i / employerWords.length) + 1}` : ""}`;

/** Organisations (employers) → placements. Every fifth is not in OneFile yet. */
const buildEmployers = (build: Build, centres: Centres): Employers => {
  const { rng } = build;
  const count = Math.max(3, Math.ceil(build.learners / 5));
  const centreOf = new Map<string, number>();
  const placementOf = new Map<string, Placement>();
  for (let i = 0; i < count; i++) {
    const name = employerName(i);
    const domain = name.toLowerCase().replace(/[^a-z0-9]+/g, "");
    const phone = landline(rng);
    const address1 = streetLine(rng);
    const address2 = rng.pick(towns);
    const organisation: PicsOrganisation = {
      id: `G${pad(i + 1, 4)}`,
      ident: `EMP${pad(i + 1, 3)}`,
      name,
      phone,
      email: `info@${domain}.example`,
      website: `https://www.${domain}.example`,
      address1,
      address2,
      address3: null,
      address4: null,
      postcode: postcode(rng),
      onefileId: null,
    };
    const centreId = centreOfIndex(centres, i);
    centreOf.set(organisation.id, centreId);
    if (i < build.centreCount || i % 5 !== 4) {
      const placement = placementFor(build, organisation, centreId, i);
      placementOf.set(organisation.id, placement);
      organisation.onefileId = placement.ID;
    }
    build.pics.organisations.push(organisation);
  }
  return {
    placementOf,
    inCentre: (centreId, enrolledOnly) =>
      build.pics.organisations.filter((o) => centreOf.get(o.id) === centreId && (!enrolledOnly || o.onefileId !== null)),
  };
};

/** The organisation's OneFile placement; some of every fifth differ in their telephone. */
const placementFor = (build: Build, organisation: PicsOrganisation, centreId: number, i: number): Placement => {
  const o = organisation;
  const placement: Placement = {
    ID: build.newId(),
    OrganisationID: centreId,
    Name: o.name,
    Address: addressLines([o.address1, o.address2, o.address3, o.address4, o.postcode]),
    Telephone: o.phone,
    Email: o.email,
    Web: o.website,
    Contact: null,
    MISID: o.ident,
    Active: true,
    LastModified: build.stamp,
  };
  if (i % 5 === 2 && build.rng.chance(build.differingShare * 2)) {
    placement.Telephone = landline(build.rng, "555");
    build.differences.push({
      entity: "organisation",
      id: o.id,
      kind: "organisationDemographics",
      detail: `OneFile telephone ${placement.Telephone}, PICS ${o.phone}`,
    });
  }
  build.customer.Placements.push(placement);
  return placement;
};

// ---- learners: the PICS side ------------------------------------------------------------------

/** A learner as generated, with the records it was given. */
interface Trainee {
  readonly learner: PicsLearner;
  readonly index: number;
  readonly centreId: number;
  readonly mainOfficer: PicsOfficer;
  readonly employer: PicsOrganisation;
  readonly mentor: PicsOfficer | undefined;
}

/** The last learner is never enrolled (when there are two or more); the first is unless the share is 0. */
const isEnrolled = (build: Build, i: number): boolean =>
  build.learners >= 2 && i === build.learners - 1
    ? false
    : i === 0
      ? build.enrolledShare > 0
      : build.rng.chance(build.enrolledShare);

/**
 * The PICS learner: demographics, main officer, employer and mentor from its centre (an enrolled
 * learner's from those already in OneFile).
 */
const picsLearner = (
  build: Build,
  officers: Officers,
  employers: Employers,
  i: number,
  centreId: number,
  enrolled: boolean,
): Trainee => {
  const { rng } = build;
  const id = `L${pad(i + 1, 5)}`;
  const firstName = rng.pick(firstNames);
  const surname = rng.pick(surnames);
  const startDate = addDays(build.today, -rng.int(60, 420));
  const plannedEndDate = addDays(startDate, rng.int(365, 730));
  const mainOfficer = rng.pick(officers.inCentre(centreId, enrolled));
  const employer = rng.pick(employers.inCentre(centreId, enrolled));
  const mainTag = rng.pick(tags);
  const learner: PicsLearner = {
    id,
    firstName,
    surname,
    email: `${firstName}.${surname}.${i + 1}@learner.example`.toLowerCase(),
    telephone: landline(rng),
    mobile: mobile(rng),
    birthDate: addDays("1985-01-01", rng.int(0, 7000)),
    uln: String(rng.int(1_000_000_000, 9_999_999_999)),
    niNumber: `${letter(rng, 20)}${letter(rng, 20)}${pad(rng.int(0, 999999), 6)}${rng.pick(["A", "B", "C", "D"])}`,
    sex: rng.pick(["M", "F"]),
    ethnicity: rng.pick(ethnicities),
    disability: rng.pick(["1", "2", "2", "9"]),
    address1: streetLine(rng),
    address2: rng.pick(towns),
    address3: null,
    address4: null,
    postcode: postcode(rng),
    startDate,
    plannedEndDate,
    actualEndDate: null,
    systemStatus: "Live",
    learningStatus: "InLearning",
    mainOfficerId: mainOfficer.id,
    mainTag,
    officers: [],
    onefileId: null,
    onefileCentreId: null,
    placements: [{ id: `${id}-P1`, organisationId: employer.id, type: "P", startDate, endDate: null }],
    qualifications: [],
    reviews: [],
  };
  const mentor = rng.chance(0.3) ? officers.inCentre(centreId, enrolled).find((o) => o.id !== mainOfficer.id) : undefined;
  if (mentor) learner.officers.push({ officerId: mentor.id, type: "Mentor" });
  return { learner, index: i, centreId, mainOfficer, employer, mentor };
};

const picsQualification = (
  trainee: Trainee,
  suffix: string,
  fields: Pick<PicsQualification, "vqReference" | "title" | "hasUnits" | "totalElements" | "elementsDone" | "registrationNumber">,
): PicsQualification => {
  const { learner, mainOfficer } = trainee;
  return {
    id: `${learner.id}-${suffix}`,
    vqReference: fields.vqReference,
    title: fields.title,
    assessorId: mainOfficer.id,
    startDate: learner.startDate,
    plannedEndDate: learner.plannedEndDate,
    hasUnits: fields.hasUnits,
    totalElements: fields.totalElements,
    elementsDone: fields.elementsDone,
    registrationNumber: fields.registrationNumber,
    registrationDate: null,
    certificateAppliedDate: null,
    certificateReceivedDate: null,
    onefileStandardId: null,
    onefileLearningAimId: null,
  };
};

/** Qualifications: distinct standards of the learner's centre; now and then one OneFile lacks. */
const addQualifications = (build: Build, centres: Centres, trainee: Trainee): void => {
  const { rng } = build;
  const { learner } = trainee;
  const offered = [...(centres.standardsOf.get(trainee.centreId) ?? [])];
  for (let q = 0; q < Math.min(build.qualificationsPerLearner, offered.length); q++) {
    const standard = offered.splice(rng.int(0, offered.length - 1), 1)[0] as Standard;
    const total = rng.int(20, 80);
    const done = rng.int(0, total);
    learner.qualifications.push(
      picsQualification(trainee, `Q${q + 1}`, {
        vqReference: /\[([^\]]+)\]\s*$/.exec(standard.Title)?.[1] ?? "",
        title: standard.Title.replace(/\s*\[[^\]]+\]\s*$/, ""),
        hasUnits: rng.chance(0.1),
        totalElements: total,
        elementsDone: done,
        registrationNumber: rng.chance(0.5) ? registration(rng) : null,
      }),
    );
  }
  for (const q of learner.qualifications) if (q.registrationNumber) q.registrationDate = addDays(learner.startDate as string, 30);
  if (rng.chance(0.05)) {
    learner.qualifications.push(
      picsQualification(trainee, "Q9", {
        vqReference: "ZZ0001",
        title: "Legacy NVQ (not in OneFile)",
        hasUnits: false,
        totalElements: null,
        elementsDone: null,
        registrationNumber: null,
      }),
    );
  }
};

const picsReview = (trainee: Trainee, suffix: string, scheduledDate: string, startTime: string, past: boolean): PicsReview => ({
  id: `${trainee.learner.id}-${suffix}`,
  type: "Normal",
  scheduledDate,
  startTime,
  officerId: trainee.mainOfficer.id,
  attended: past ? "Yes" : null,
  actualDate: past ? scheduledDate : null,
  traineeSignedDate: past ? scheduledDate : null,
  onefileSystemId: null,
  onefileVisitId: null,
});

/** Reviews every eight weeks from the start, at a local time; past ones happened. */
const addReviews = (build: Build, trainee: Trainee): void => {
  for (let r = 0; r < build.reviewsPerLearner; r++) {
    const scheduledDate = addDays(trainee.learner.startDate as string, 56 * (r + 1));
    const startTime = build.rng.pick(["09:30", "10:00", "13:00", "14:30"]);
    trainee.learner.reviews.push(picsReview(trainee, `R${r + 1}`, scheduledDate, startTime, scheduledDate < build.today));
  }
};

// ---- learners: the OneFile side of an enrolled one --------------------------------------------

/** An enrolled learner's OneFile records, by the PICS ids they are linked to. */
interface Enrolment {
  readonly user: User;
  readonly assessor: User;
  readonly aimOf: Map<string, LearningAim>;
  readonly reviewOf: Map<string, Review>;
}

/** The learner's OneFile user (linked both ways) and its mentor's assignment. */
const oneFileLearner = (
  build: Build,
  centres: Centres,
  officers: Officers,
  employers: Employers,
  trainee: Trainee,
): Enrolment => {
  const { learner, centreId } = trainee;
  const assessor = officers.assessorOf.get(trainee.mainOfficer.id) as User;
  const user = baseUser(build, centreId, Roles.learner);
  Object.assign(user, {
    FirstName: learner.firstName,
    LastName: learner.surname,
    Email: learner.email,
    MISID: learner.id,
    Telephone: learner.telephone,
    MobileNumber: learner.mobile,
    DOB: midnight(learner.birthDate),
    CreatedOn: `${learner.startDate}T08:00:00.000Z`,
    ULN: learner.uln,
    NINO: learner.niNumber,
    StartOn: midnight(learner.startDate),
    PlannedEndDate: midnight(learner.plannedEndDate),
    HomeAddress: addressLines([learner.address1, learner.address2, learner.address3, learner.address4, learner.postcode]),
    DefaultAssessorID: assessor.ID,
    ClassroomID: centres.classroomOf.get(classroomKey(centreId, learner.mainTag as string)) ?? null,
    PlacementID: employers.placementOf.get(trainee.employer.id)?.ID ?? null,
    L12: Number(learner.ethnicity),
    L13: learner.sex,
    L15: Number(learner.disability),
    LearnerStatusID: 1,
  });
  build.customer.Users.push(user);
  learner.onefileId = user.ID;
  learner.onefileCentreId = centreId;
  if (trainee.mentor) {
    const mentorAssessor = officers.assessorOf.get(trainee.mentor.id);
    if (mentorAssessor) {
      build.customer.Assignments.push({ AssigneeID: mentorAssessor.ID, LearnerID: user.ID, Level: 1, StandardID: null });
    }
  }
  return { user, assessor, aimOf: new Map(), reviewOf: new Map() };
};

/** A learning aim (and the assessor's assignment) for each qualification whose standard the centre offers. */
const addLearningAims = (build: Build, centres: Centres, trainee: Trainee, enrolment: Enrolment): void => {
  const { user, assessor } = enrolment;
  for (const q of trainee.learner.qualifications) {
    const standard = centres.standardsOf.get(trainee.centreId)?.find((s) => s.Title.endsWith(`[${q.vqReference}]`));
    if (!standard) continue;
    const aim: LearningAim = {
      ID: build.newId(),
      UserID: user.ID,
      StandardID: standard.ID,
      PathwayID: standard.Pathways.length > 0 ? build.rng.pick(standard.Pathways).ID : null,
      Status: 1,
      StartDate: midnight(q.startDate),
      PlannedEnd: midnight(q.plannedEndDate),
      Progress: progressOf(q.elementsDone ?? 0, q.totalElements ?? 0),
      TotalElements: q.totalElements ?? 0,
      ElementsDone: q.elementsDone ?? 0,
      RegistrationNumber: q.registrationNumber,
      RegistrationDate: midnight(q.registrationDate),
      CertificateAppliedDate: null,
      CertificateReceivedDate: null,
      AchievedDate: null,
    };
    build.customer.LearningAims.push(aim);
    enrolment.aimOf.set(q.id, aim);
    build.customer.Assignments.push({ AssigneeID: assessor.ID, LearnerID: user.ID, Level: 3, StandardID: standard.ID });
    q.onefileStandardId = standard.ID;
    q.onefileLearningAimId = aim.ID;
  }
};

/** A visit and a review for each PICS review, an hour long; an attended one was started and signed. */
const addOneFileReviews = (build: Build, trainee: Trainee, enrolment: Enrolment): void => {
  const { user, assessor } = enrolment;
  for (const r of trainee.learner.reviews) {
    const scheduledFor = build.instant(r.scheduledDate as string, r.startTime as string);
    const endTime = new Date(Date.parse(scheduledFor) + 3_600_000).toISOString();
    const visit: Visit = {
      ID: build.newId(),
      OrganisationID: trainee.centreId,
      LearnerID: user.ID,
      AssessorID: assessor.ID,
      DateFrom: scheduledFor,
      DateTo: endTime,
      VisitTypeID: 3,
      SMSReminder: false,
    };
    const signed = r.attended === "Yes" ? build.instant(r.scheduledDate as string, "15:00") : null;
    const review: Review = {
      ID: build.newId(),
      LearnerID: user.ID,
      AssessorID: assessor.ID,
      VisitID: visit.ID,
      Status: 1,
      ScheduledFor: scheduledFor,
      EndTime: endTime,
      StartedOn: r.attended === "Yes" ? scheduledFor : null,
      AssessorSignedOn: signed,
      LearnerSignedOn: signed,
      CreatedOn: `${trainee.learner.startDate}T08:00:00.000Z`,
    };
    build.customer.Visits.push(visit);
    build.customer.Reviews.push(review);
    enrolment.reviewOf.set(r.id, review);
    r.onefileSystemId = review.ID;
    r.onefileVisitId = visit.ID;
  }
};

// ---- planted differences ----------------------------------------------------------------------

type LearnerDifference = Exclude<DifferenceKind, "officerDemographics" | "organisationDemographics">;

/** The kinds a learner can be given, in the order they are drawn from. */
const learnerDifferences: LearnerDifference[] = [
  "progress",
  "registrationFromOneFile",
  "certificateFromPics",
  "reviewStarted",
  "newPicsReview",
  "newOneFileReview",
  "learnerDemographics",
  "employerChanged",
  "mainOfficerChanged",
];

interface Planting {
  readonly build: Build;
  readonly officers: Officers;
  readonly employers: Employers;
  readonly trainee: Trainee;
  readonly enrolment: Enrolment;
  /** The qualifications with a learning aim in OneFile. */
  readonly linked: PicsQualification[];
}

/**
 * Each kind changes one side so a sync has something to find, and returns what it planted, or
 * nothing when the learner has no record to plant it on.
 */
const planters: Record<LearnerDifference, (p: Planting) => string | undefined> = {
  progress: ({ build, enrolment, linked }) => {
    const q = linked.find((x) => !x.hasUnits);
    const aim = q && enrolment.aimOf.get(q.id);
    if (!q || !aim || aim.ElementsDone >= aim.TotalElements) return undefined;
    aim.ElementsDone = Math.min(aim.TotalElements, aim.ElementsDone + build.rng.int(1, 10));
    aim.Progress = progressOf(aim.ElementsDone, aim.TotalElements);
    return `${q.id}: OneFile elements done ${aim.ElementsDone}, PICS ${q.elementsDone}`;
  },
  registrationFromOneFile: ({ build, trainee, enrolment, linked }) => {
    const q = linked.find((x) => x.registrationNumber === null);
    const aim = q && enrolment.aimOf.get(q.id);
    if (!q || !aim) return undefined;
    aim.RegistrationNumber = registration(build.rng);
    aim.RegistrationDate = midnight(addDays(trainee.learner.startDate as string, 45));
    return `${q.id}: OneFile registration ${aim.RegistrationNumber}, PICS blank`;
  },
  certificateFromPics: ({ build, linked }) => {
    const q = linked[0];
    if (!q) return undefined;
    q.certificateAppliedDate = addDays(build.today, -10);
    return `${q.id}: PICS certificate applied ${q.certificateAppliedDate}, OneFile blank`;
  },
  reviewStarted: ({ trainee, enrolment }) => {
    const r = trainee.learner.reviews.find((x) => x.attended === null);
    const review = r && enrolment.reviewOf.get(r.id);
    if (!r || !review) return undefined;
    review.StartedOn = review.ScheduledFor;
    return `${r.id}: started in OneFile, not attended in PICS`;
  },
  newPicsReview: ({ build, trainee }) => {
    const scheduledDate = addDays(build.today, 14);
    trainee.learner.reviews.push(picsReview(trainee, "R90", scheduledDate, "10:00", false));
    return `${trainee.learner.id}-R90 on ${scheduledDate} is not in OneFile`;
  },
  newOneFileReview: ({ build, enrolment }) => {
    const scheduledFor = build.instant(addDays(build.today, 21), "11:00");
    const review: Review = {
      ID: build.newId(),
      LearnerID: enrolment.user.ID,
      AssessorID: enrolment.assessor.ID,
      VisitID: null,
      Status: 1,
      ScheduledFor: scheduledFor,
      EndTime: new Date(Date.parse(scheduledFor) + 3_600_000).toISOString(),
      StartedOn: null,
      AssessorSignedOn: null,
      LearnerSignedOn: null,
      CreatedOn: build.stamp,
    };
    build.customer.Reviews.push(review);
    return `OneFile review ${review.ID} is not in PICS`;
  },
  learnerDemographics: ({ build, trainee, enrolment }) => {
    const { learner } = trainee;
    const { user } = enrolment;
    user.LastName = `${learner.surname}-${build.rng.pick(surnames)}`;
    user.MobileNumber = mobile(build.rng, "7");
    return `OneFile name ${user.FirstName} ${user.LastName}, PICS ${learner.firstName} ${learner.surname}`;
  },
  employerChanged: ({ build, employers, trainee }) => {
    const { learner, employer } = trainee;
    const other = employers.inCentre(trainee.centreId, false).find((o) => o.id !== employer.id);
    if (!other) return undefined;
    const moved = addDays(build.today, -20);
    (learner.placements[0] as PicsPlacement).endDate = addDays(moved, -1);
    learner.placements.push({ id: `${learner.id}-P2`, organisationId: other.id, type: "P", startDate: moved, endDate: null });
    return `PICS placement now ${other.id}, OneFile placement still ${employer.id}`;
  },
  mainOfficerChanged: ({ officers, trainee }) => {
    const other = officers.inCentre(trainee.centreId, false).find((o) => o.id !== trainee.mainOfficer.id);
    if (!other) return undefined;
    trainee.learner.mainOfficerId = other.id;
    return `PICS main officer now ${other.id}, OneFile default assessor still ${trainee.mainOfficer.id}`;
  },
};

/** One or two differences for a sync to find. */
const plantDifferences = (planting: Planting): void => {
  const { rng } = planting.build;
  const planted = new Set<LearnerDifference>([rng.pick(learnerDifferences)]);
  if (rng.chance(0.5)) planted.add(rng.pick(learnerDifferences));
  for (const kind of planted) {
    const detail = planters[kind](planting);
    if (detail !== undefined)
      planting.build.differences.push({ entity: "learner", id: planting.trainee.learner.id, kind, detail });
  }
};

// ---- the whole --------------------------------------------------------------------------------

/** One learner, both sides: PICS always; OneFile when enrolled, with a share given differences. */
const buildLearner = (build: Build, centres: Centres, officers: Officers, employers: Employers, i: number): void => {
  const centreId = centreOfIndex(centres, i);
  const enrolled = isEnrolled(build, i);
  const trainee = picsLearner(build, officers, employers, i, centreId, enrolled);
  addQualifications(build, centres, trainee);
  addReviews(build, trainee);
  if (!enrolled) {
    build.notEnrolled.push(trainee.learner.id);
  } else {
    const enrolment = oneFileLearner(build, centres, officers, employers, trainee);
    addLearningAims(build, centres, trainee, enrolment);
    addOneFileReviews(build, trainee, enrolment);
    if (build.rng.chance(build.differingShare)) {
      const linked = trainee.learner.qualifications.filter((q) => enrolment.aimOf.has(q.id));
      plantDifferences({ build, officers, employers, trainee, enrolment, linked });
    }
  }
  build.pics.learners.push(trainee.learner);
};

/**
 * Both sides of an integration at once: a OneFile seed and the matching PICS import, linked by
 * MIS references and onefile ids, with some learners still to enrol and a share of planted
 * differences for a sync to find. The same options always give the same output.
 */
export const generateDemoData = (options: DemoDataOptions): DemoData => {
  const build = startBuild(options);
  const centres = buildCentres(build);
  const officers = buildOfficers(build, centres);
  const employers = buildEmployers(build, centres);
  for (let i = 0; i < options.learners; i++) buildLearner(build, centres, officers, employers, i);
  const { customerToken, customer, pics, notEnrolled, differences } = build;
  return { customerToken, onefile: { nextId: build.nextId(), customers: [customer] }, pics, notEnrolled, differences };
};

/** The fixed demo world of `npm run sandbox` and the product's demo mode, both sides. */
export const demoData = (): DemoData =>
  generateDemoData({
    learners: 20,
    seed: 20250602,
    centres: 2,
    qualificationsPerLearner: 1,
    reviewsPerLearner: 2,
    customerToken: demoCustomerToken,
  });

/** The OneFile side of `demoData()`: customer token `sandbox-token`, 2 centres, ~20 learners. */
export const demoSeed = (): SandboxSeed => demoData().onefile;
