import { Prng } from "./prng.ts";
import type { Assignment, Classroom, LearningAim, Organisation, Placement, Review, Standard, User, Visit } from "./records.ts";
import { blankUser, Roles, progressOf } from "./records.ts";
import type { SandboxSeed } from "./state.ts";
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

/**
 * Both sides of an integration at once: a OneFile seed and the matching PICS import, linked by
 * MIS references and onefile ids, with some learners still to enrol and a share of planted
 * differences for a sync to find. The same options always give the same output.
 */
export const generateDemoData = (options: DemoDataOptions): DemoData => {
  const rng = new Prng(options.seed);
  const centreCount = Math.max(1, Math.min(options.centres ?? 1, centreNames.length));
  const qualificationsPerLearner = Math.max(0, options.qualificationsPerLearner ?? 1);
  const reviewsPerLearner = Math.max(0, options.reviewsPerLearner ?? 2);
  const enrolledShare = options.enrolledShare ?? 0.8;
  const differingShare = options.differingShare ?? 0.25;
  const timeZone = options.timeZone ?? "Europe/London";
  const today = options.today ?? "2025-06-02";
  const customerToken = options.customerToken ?? demoCustomerToken;
  const differences: Difference[] = [];
  let nextId = 1000;
  const newId = () => nextId++;
  const instant = (date: string, time: string) => new Date(localToUtcMillis(date, time, timeZone)).toISOString();
  const stamp = `${today}T06:00:00.000Z`;

  const customerId = newId();
  const organisations: Organisation[] = [];
  const classrooms: Classroom[] = [];
  const standards: Standard[] = [];
  const placements: Placement[] = [];
  const users: User[] = [];
  const learningAims: LearningAim[] = [];
  const visits: Visit[] = [];
  const reviews: Review[] = [];
  const assignments: Assignment[] = [];
  const pics: PicsImportDocument = { officers: [], organisations: [], learners: [] };

  const baseUser = (organisationId: number, role: number): User => ({ ...blankUser(newId(), organisationId, stamp), Role: role });

  // Centres, each with its classrooms (one per PICS main tag) and its standards. The first centre
  // offers every standard; the others every other one, so some standards exist in two centres.
  const centreIds: number[] = [];
  const classroomByCentreTag = new Map<string, number>();
  const standardsByCentre = new Map<number, Standard[]>();
  for (let c = 0; c < centreCount; c++) {
    const centre: Organisation = { ID: newId(), Name: centreNames[c] ?? `Centre ${c + 1}` };
    organisations.push(centre);
    centreIds.push(centre.ID);
    for (const tag of tags) {
      const classroom: Classroom = { ID: newId(), OrganisationID: centre.ID, Name: tag, MISID: null };
      classrooms.push(classroom);
      classroomByCentreTag.set(`${centre.ID}|${tag}`, classroom.ID);
    }
    const offered = standardCatalogue.filter((_, i) => c === 0 || i % 2 === 1 || i === 3);
    const list = offered.map((s) => ({
      ID: newId(),
      OrganisationID: centre.ID,
      Title: `${s.title} [${s.code}]`,
      Pathways: s.pathways.map((title) => ({ ID: newId(), Title: title })),
    }));
    standards.push(...list);
    standardsByCentre.set(centre.ID, list);
  }

  // Officers → assessors. Every fourth officer is not in OneFile yet (to be created at enrolment).
  const officerCount = Math.max(2 * centreCount, Math.ceil(options.learners / 6), 2);
  const officerCentre = new Map<string, number>();
  const assessorOf = new Map<string, User>();
  for (let i = 0; i < officerCount; i++) {
    const firstName = rng.pick(firstNames);
    const surname = rng.pick(surnames);
    const officer: PicsOfficer = {
      id: `O${pad(i + 1, 4)}`,
      ident: `ASR${pad(i + 1, 3)}`,
      firstName,
      surname,
      email: `${firstName}.${surname}.${i + 1}@provider.example`.toLowerCase(),
      phone: `0113 496 ${pad(rng.int(0, 9999), 4)}`,
      mobile: `07700 9${pad(rng.int(0, 99999), 5)}`,
      birthDate: addDays("1965-01-01", rng.int(0, 12000)),
      onefileId: null,
    };
    const centreId = centreIds[i % centreCount] as number;
    officerCentre.set(officer.id, centreId);
    const inOneFile = i < 2 * centreCount || i % 4 !== 3;
    if (inOneFile) {
      const assessor = baseUser(centreId, Roles.assessor);
      Object.assign(assessor, {
        FirstName: firstName,
        LastName: surname,
        Email: officer.email,
        MISID: officer.ident,
        Telephone: officer.phone,
        MobileNumber: officer.mobile,
        DOB: midnight(officer.birthDate),
      });
      if (i % 4 === 1 && rng.chance(differingShare * 2)) {
        assessor.MobileNumber = `07700 8${pad(rng.int(0, 99999), 5)}`;
        differences.push({
          entity: "officer",
          id: officer.id,
          kind: "officerDemographics",
          detail: `OneFile mobile ${assessor.MobileNumber}, PICS ${officer.mobile}`,
        });
      }
      users.push(assessor);
      assessorOf.set(officer.id, assessor);
      officer.onefileId = assessor.ID;
    }
    pics.officers.push(officer);
  }
  const officersIn = (centreId: number, enrolledOnly: boolean) =>
    pics.officers.filter((o) => officerCentre.get(o.id) === centreId && (!enrolledOnly || o.onefileId !== null));

  // Organisations (employers) → placements. Every fifth is not in OneFile yet.
  const organisationCount = Math.max(3, Math.ceil(options.learners / 5));
  const organisationCentre = new Map<string, number>();
  const placementOf = new Map<string, Placement>();
  for (let i = 0; i < organisationCount; i++) {
    const name = `${employerWords[i % employerWords.length]} ${employerKinds[(i * 3) % employerKinds.length]}${i >= employerWords.length ? ` ${Math.floor(i / employerWords.length) + 1}` : ""}`;
    const organisation: PicsOrganisation = {
      id: `G${pad(i + 1, 4)}`,
      ident: `EMP${pad(i + 1, 3)}`,
      name,
      phone: `0113 496 ${pad(rng.int(0, 9999), 4)}`,
      email: `info@${name.toLowerCase().replace(/[^a-z0-9]+/g, "")}.example`,
      website: `https://www.${name.toLowerCase().replace(/[^a-z0-9]+/g, "")}.example`,
      address1: `${rng.int(1, 200)} ${rng.pick(streets)}`,
      address2: rng.pick(towns),
      address3: null,
      address4: null,
      postcode: `LS${rng.int(1, 28)} ${rng.int(1, 9)}${String.fromCharCode(65 + rng.int(0, 25))}${String.fromCharCode(65 + rng.int(0, 25))}`,
      onefileId: null,
    };
    const centreId = centreIds[i % centreCount] as number;
    organisationCentre.set(organisation.id, centreId);
    if (i < centreCount || i % 5 !== 4) {
      const placement: Placement = {
        ID: newId(),
        OrganisationID: centreId,
        Name: organisation.name,
        Address: [
          organisation.address1,
          organisation.address2,
          organisation.address3,
          organisation.address4,
          organisation.postcode,
        ]
          .filter((l) => l)
          .join("\n"),
        Telephone: organisation.phone,
        Email: organisation.email,
        Web: organisation.website,
        Contact: null,
        MISID: organisation.ident,
        Active: true,
        LastModified: stamp,
      };
      if (i % 5 === 2 && rng.chance(differingShare * 2)) {
        placement.Telephone = `0113 555 ${pad(rng.int(0, 9999), 4)}`;
        differences.push({
          entity: "organisation",
          id: organisation.id,
          kind: "organisationDemographics",
          detail: `OneFile telephone ${placement.Telephone}, PICS ${organisation.phone}`,
        });
      }
      placements.push(placement);
      placementOf.set(organisation.id, placement);
      organisation.onefileId = placement.ID;
    }
    pics.organisations.push(organisation);
  }
  const organisationsIn = (centreId: number, enrolledOnly: boolean) =>
    pics.organisations.filter((o) => organisationCentre.get(o.id) === centreId && (!enrolledOnly || o.onefileId !== null));

  const notEnrolled: string[] = [];
  for (let i = 0; i < options.learners; i++) {
    const id = `L${pad(i + 1, 5)}`;
    const centreId = centreIds[i % centreCount] as number;
    const enrolled =
      options.learners >= 2 && i === options.learners - 1 ? false : i === 0 ? enrolledShare > 0 : rng.chance(enrolledShare);
    const firstName = rng.pick(firstNames);
    const surname = rng.pick(surnames);
    const startDate = addDays(today, -rng.int(60, 420));
    const plannedEndDate = addDays(startDate, rng.int(365, 730));
    const mainOfficer = rng.pick(officersIn(centreId, enrolled));
    const employer = rng.pick(organisationsIn(centreId, enrolled));
    const mainTag = rng.pick(tags);
    const learner: PicsLearner = {
      id,
      firstName,
      surname,
      email: `${firstName}.${surname}.${i + 1}@learner.example`.toLowerCase(),
      telephone: `0113 496 ${pad(rng.int(0, 9999), 4)}`,
      mobile: `07700 9${pad(rng.int(0, 99999), 5)}`,
      birthDate: addDays("1985-01-01", rng.int(0, 7000)),
      uln: String(rng.int(1_000_000_000, 9_999_999_999)),
      niNumber: `${String.fromCharCode(65 + rng.int(0, 20))}${String.fromCharCode(65 + rng.int(0, 20))}${pad(rng.int(0, 999999), 6)}${rng.pick(["A", "B", "C", "D"])}`,
      sex: rng.pick(["M", "F"]),
      ethnicity: rng.pick(ethnicities),
      disability: rng.pick(["1", "2", "2", "9"]),
      address1: `${rng.int(1, 200)} ${rng.pick(streets)}`,
      address2: rng.pick(towns),
      address3: null,
      address4: null,
      postcode: `LS${rng.int(1, 28)} ${rng.int(1, 9)}${String.fromCharCode(65 + rng.int(0, 25))}${String.fromCharCode(65 + rng.int(0, 25))}`,
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
    const mentor = rng.chance(0.3) ? officersIn(centreId, enrolled).find((o) => o.id !== mainOfficer.id) : undefined;
    if (mentor) learner.officers.push({ officerId: mentor.id, type: "Mentor" });

    // Qualifications: distinct standards of the learner's centre; now and then one OneFile lacks.
    const offered = [...(standardsByCentre.get(centreId) ?? [])];
    for (let q = 0; q < Math.min(qualificationsPerLearner, offered.length); q++) {
      const standard = offered.splice(rng.int(0, offered.length - 1), 1)[0] as Standard;
      const code = /\[([^\]]+)\]\s*$/.exec(standard.Title)?.[1] ?? "";
      const total = rng.int(20, 80);
      const done = rng.int(0, total);
      learner.qualifications.push({
        id: `${id}-Q${q + 1}`,
        vqReference: code,
        title: standard.Title.replace(/\s*\[[^\]]+\]\s*$/, ""),
        assessorId: mainOfficer.id,
        startDate,
        plannedEndDate,
        hasUnits: rng.chance(0.1),
        totalElements: total,
        elementsDone: done,
        registrationNumber: rng.chance(0.5) ? `REG${pad(rng.int(0, 999999), 6)}` : null,
        registrationDate: null,
        certificateAppliedDate: null,
        certificateReceivedDate: null,
        onefileStandardId: null,
        onefileLearningAimId: null,
      });
    }
    for (const q of learner.qualifications) if (q.registrationNumber) q.registrationDate = addDays(startDate, 30);
    if (rng.chance(0.05)) {
      learner.qualifications.push({
        id: `${id}-Q9`,
        vqReference: "ZZ0001",
        title: "Legacy NVQ (not in OneFile)",
        assessorId: mainOfficer.id,
        startDate,
        plannedEndDate,
        hasUnits: false,
        totalElements: null,
        elementsDone: null,
        registrationNumber: null,
        registrationDate: null,
        certificateAppliedDate: null,
        certificateReceivedDate: null,
        onefileStandardId: null,
        onefileLearningAimId: null,
      });
    }

    // Reviews every eight weeks from the start, at a local time; past ones happened.
    for (let r = 0; r < reviewsPerLearner; r++) {
      const scheduledDate = addDays(startDate, 56 * (r + 1));
      const past = scheduledDate < today;
      learner.reviews.push({
        id: `${id}-R${r + 1}`,
        type: "Normal",
        scheduledDate,
        startTime: rng.pick(["09:30", "10:00", "13:00", "14:30"]),
        officerId: mainOfficer.id,
        attended: past ? "Yes" : null,
        actualDate: past ? scheduledDate : null,
        traineeSignedDate: past ? scheduledDate : null,
        onefileSystemId: null,
        onefileVisitId: null,
      });
    }

    if (!enrolled) {
      notEnrolled.push(id);
      pics.learners.push(learner);
      continue;
    }

    // The OneFile side of an enrolled learner.
    const assessor = assessorOf.get(mainOfficer.id) as User;
    const user = baseUser(centreId, Roles.learner);
    Object.assign(user, {
      FirstName: learner.firstName,
      LastName: learner.surname,
      Email: learner.email,
      MISID: learner.id,
      Telephone: learner.telephone,
      MobileNumber: learner.mobile,
      DOB: midnight(learner.birthDate),
      CreatedOn: `${startDate}T08:00:00.000Z`,
      ULN: learner.uln,
      NINO: learner.niNumber,
      StartOn: midnight(startDate),
      PlannedEndDate: midnight(plannedEndDate),
      HomeAddress: [learner.address1, learner.address2, learner.address3, learner.address4, learner.postcode]
        .filter((l) => l)
        .join("\n"),
      DefaultAssessorID: assessor.ID,
      ClassroomID: classroomByCentreTag.get(`${centreId}|${mainTag}`) ?? null,
      PlacementID: placementOf.get(employer.id)?.ID ?? null,
      L12: Number(learner.ethnicity),
      L13: learner.sex,
      L15: Number(learner.disability),
      LearnerStatusID: 1,
    });
    users.push(user);
    learner.onefileId = user.ID;
    learner.onefileCentreId = centreId;
    if (mentor) {
      const mentorAssessor = assessorOf.get(mentor.id);
      if (mentorAssessor) assignments.push({ AssigneeID: mentorAssessor.ID, LearnerID: user.ID, Level: 1, StandardID: null });
    }

    const aimOf = new Map<string, LearningAim>();
    for (const q of learner.qualifications) {
      const standard = standardsByCentre.get(centreId)?.find((s) => s.Title.endsWith(`[${q.vqReference}]`));
      if (!standard) continue;
      const aim: LearningAim = {
        ID: newId(),
        UserID: user.ID,
        StandardID: standard.ID,
        PathwayID: standard.Pathways.length > 0 ? rng.pick(standard.Pathways).ID : null,
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
      learningAims.push(aim);
      aimOf.set(q.id, aim);
      assignments.push({ AssigneeID: assessor.ID, LearnerID: user.ID, Level: 3, StandardID: standard.ID });
      q.onefileStandardId = standard.ID;
      q.onefileLearningAimId = aim.ID;
    }

    const reviewOf = new Map<string, Review>();
    for (const r of learner.reviews) {
      const scheduledFor = instant(r.scheduledDate as string, r.startTime as string);
      const endTime = new Date(Date.parse(scheduledFor) + 3_600_000).toISOString();
      const visit: Visit = {
        ID: newId(),
        OrganisationID: centreId,
        LearnerID: user.ID,
        AssessorID: assessor.ID,
        DateFrom: scheduledFor,
        DateTo: endTime,
        VisitTypeID: 3,
        SMSReminder: false,
      };
      const signed = r.attended === "Yes" ? instant(r.scheduledDate as string, "15:00") : null;
      const review: Review = {
        ID: newId(),
        LearnerID: user.ID,
        AssessorID: assessor.ID,
        VisitID: visit.ID,
        Status: 1,
        ScheduledFor: scheduledFor,
        EndTime: endTime,
        StartedOn: r.attended === "Yes" ? scheduledFor : null,
        AssessorSignedOn: signed,
        LearnerSignedOn: signed,
        CreatedOn: `${startDate}T08:00:00.000Z`,
      };
      visits.push(visit);
      reviews.push(review);
      reviewOf.set(r.id, review);
      r.onefileSystemId = review.ID;
      r.onefileVisitId = visit.ID;
    }

    if (!rng.chance(differingShare)) {
      pics.learners.push(learner);
      continue;
    }

    // Plant one or two differences for a sync to find.
    const kinds: DifferenceKind[] = [
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
    const planted = new Set<DifferenceKind>([rng.pick(kinds)]);
    if (rng.chance(0.5)) planted.add(rng.pick(kinds));
    const note = (kind: DifferenceKind, detail: string) => differences.push({ entity: "learner", id, kind, detail });
    const linked = learner.qualifications.filter((q) => aimOf.has(q.id));
    for (const kind of planted) {
      switch (kind) {
        case "progress": {
          const q = linked.find((x) => !x.hasUnits);
          const aim = q && aimOf.get(q.id);
          if (!q || !aim || aim.ElementsDone >= aim.TotalElements) break;
          aim.ElementsDone = Math.min(aim.TotalElements, aim.ElementsDone + rng.int(1, 10));
          aim.Progress = progressOf(aim.ElementsDone, aim.TotalElements);
          note(kind, `${q.id}: OneFile elements done ${aim.ElementsDone}, PICS ${q.elementsDone}`);
          break;
        }
        case "registrationFromOneFile": {
          const q = linked.find((x) => x.registrationNumber === null);
          const aim = q && aimOf.get(q.id);
          if (!q || !aim) break;
          aim.RegistrationNumber = `REG${pad(rng.int(0, 999999), 6)}`;
          aim.RegistrationDate = midnight(addDays(startDate, 45));
          note(kind, `${q.id}: OneFile registration ${aim.RegistrationNumber}, PICS blank`);
          break;
        }
        case "certificateFromPics": {
          const q = linked[0];
          if (!q) break;
          q.certificateAppliedDate = addDays(today, -10);
          note(kind, `${q.id}: PICS certificate applied ${q.certificateAppliedDate}, OneFile blank`);
          break;
        }
        case "reviewStarted": {
          const r = learner.reviews.find((x) => x.attended === null);
          const review = r && reviewOf.get(r.id);
          if (!r || !review) break;
          review.StartedOn = review.ScheduledFor;
          note(kind, `${r.id}: started in OneFile, not attended in PICS`);
          break;
        }
        case "newPicsReview": {
          const scheduledDate = addDays(today, 14);
          learner.reviews.push({
            id: `${id}-R90`,
            type: "Normal",
            scheduledDate,
            startTime: "10:00",
            officerId: mainOfficer.id,
            attended: null,
            actualDate: null,
            traineeSignedDate: null,
            onefileSystemId: null,
            onefileVisitId: null,
          });
          note(kind, `${id}-R90 on ${scheduledDate} is not in OneFile`);
          break;
        }
        case "newOneFileReview": {
          const scheduledFor = instant(addDays(today, 21), "11:00");
          const review: Review = {
            ID: newId(),
            LearnerID: user.ID,
            AssessorID: assessor.ID,
            VisitID: null,
            Status: 1,
            ScheduledFor: scheduledFor,
            EndTime: new Date(Date.parse(scheduledFor) + 3_600_000).toISOString(),
            StartedOn: null,
            AssessorSignedOn: null,
            LearnerSignedOn: null,
            CreatedOn: stamp,
          };
          reviews.push(review);
          note(kind, `OneFile review ${review.ID} is not in PICS`);
          break;
        }
        case "learnerDemographics": {
          user.LastName = `${learner.surname}-${rng.pick(surnames)}`;
          user.MobileNumber = `07700 7${pad(rng.int(0, 99999), 5)}`;
          note(kind, `OneFile name ${user.FirstName} ${user.LastName}, PICS ${learner.firstName} ${learner.surname}`);
          break;
        }
        case "employerChanged": {
          const other = organisationsIn(centreId, false).find((o) => o.id !== employer.id);
          if (!other) break;
          const moved = addDays(today, -20);
          (learner.placements[0] as PicsPlacement).endDate = addDays(moved, -1);
          learner.placements.push({ id: `${id}-P2`, organisationId: other.id, type: "P", startDate: moved, endDate: null });
          note(kind, `PICS placement now ${other.id}, OneFile placement still ${employer.id}`);
          break;
        }
        case "mainOfficerChanged": {
          const other = officersIn(centreId, false).find((o) => o.id !== mainOfficer.id);
          if (!other) break;
          learner.mainOfficerId = other.id;
          note(kind, `PICS main officer now ${other.id}, OneFile default assessor still ${mainOfficer.id}`);
          break;
        }
        default:
          break;
      }
    }
    pics.learners.push(learner);
  }

  const onefile: SandboxSeed = {
    nextId,
    customers: [
      {
        ID: customerId,
        Name: options.customerName ?? "Sandbox Training Ltd",
        Token: customerToken,
        Organisations: organisations,
        Classrooms: classrooms,
        Placements: placements,
        Standards: standards,
        Users: users,
        LearningAims: learningAims,
        Visits: visits,
        Reviews: reviews,
        Assignments: assignments,
      },
    ],
  };
  return { customerToken, onefile, pics, notEnrolled, differences };
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
