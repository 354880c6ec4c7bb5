import type { FieldKind } from "./body.ts";

// Records are kept in OneFile's own PascalCase wire shape, key order included, so an answer is the
// stored record as is and `GET /__sandbox/state` reads like the API.

export type Id = number;

export interface Customer {
  ID: Id;
  Name: string;
  Token: string;
}

export interface Organisation {
  ID: Id;
  Name: string;
}

export interface Classroom {
  ID: Id;
  OrganisationID: Id;
  Name: string;
  MISID: string | null;
}

export interface Pathway {
  ID: Id;
  Title: string;
}

export interface Standard {
  ID: Id;
  OrganisationID: Id;
  Title: string;
  Pathways: Pathway[];
}

export interface Placement {
  ID: Id;
  OrganisationID: Id;
  Name: string;
  Address: string | null;
  Telephone: string | null;
  Email: string | null;
  Web: string | null;
  Contact: string | null;
  MISID: string | null;
  Active: boolean;
  LastModified: string;
}

export type IlrCode = string | number | null;

export interface User {
  ID: Id;
  OrganisationID: Id;
  Role: number;
  Username: string | null;
  FirstName: string;
  LastName: string;
  Email: string | null;
  MISID: string | null;
  Telephone: string | null;
  MobileNumber: string | null;
  DOB: string | null;
  Archived: boolean;
  CreatedOn: string;
  LastModified: string;
  // learner only (null for other roles)
  ULN: string | null;
  NINO: string | null;
  StartOn: string | null;
  PlannedEndDate: string | null;
  HomeAddress: string | null;
  DefaultAssessorID: Id | null;
  DefaultEmployerID: Id | null;
  ClassroomID: Id | null;
  PlacementID: Id | null;
  L12: IlrCode;
  L13: IlrCode;
  L15: IlrCode;
  LearnerStatusID: number | null;
}

export interface LearningAim {
  ID: Id;
  UserID: Id;
  StandardID: Id;
  PathwayID: Id | null;
  Status: number | null;
  StartDate: string | null;
  PlannedEnd: string | null;
  Progress: number;
  TotalElements: number;
  ElementsDone: number;
  RegistrationNumber: string | null;
  RegistrationDate: string | null;
  CertificateAppliedDate: string | null;
  CertificateReceivedDate: string | null;
  AchievedDate: string | null;
}

export interface Review {
  ID: Id;
  LearnerID: Id;
  AssessorID: Id;
  VisitID: Id | null;
  Status: number;
  ScheduledFor: string;
  EndTime: string | null;
  StartedOn: string | null;
  AssessorSignedOn: string | null;
  LearnerSignedOn: string | null;
  CreatedOn: string;
}

export interface Visit {
  ID: Id;
  OrganisationID: Id;
  LearnerID: Id;
  AssessorID: Id;
  DateFrom: string;
  DateTo: string;
  VisitTypeID: number;
  SMSReminder: boolean | null;
}

/** `POST User/{id}/Assign`: an assessor linked to a learner (Level 1) or to one of its learning aims (Level 3). */
export interface Assignment {
  AssigneeID: Id;
  LearnerID: Id;
  Level: number;
  StandardID: Id | null;
}

export const Roles = {
  learner: 1,
  traineeAssessor: 4,
  assessor: 5,
  iqa: 10,
  employer: 40,
  observer: 45,
} as const;

export const knownRoles: readonly number[] = Object.values(Roles);
/** Roles that may be a learner's default assessor or be assigned to a learner. */
export const assessorRoles: readonly number[] = [Roles.assessor, Roles.traineeAssessor];

export type FieldTable = readonly (readonly [name: string, kind: FieldKind])[];

/** User fields a client may write (create and partial update). */
export const userCommonFields: FieldTable = [
  ["OrganisationID", "int"],
  ["Role", "int"],
  ["Username", "text"],
  ["FirstName", "str"],
  ["LastName", "str"],
  ["Email", "str"],
  ["MISID", "text"],
  ["Telephone", "text"],
  ["MobileNumber", "text"],
  ["DOB", "date"],
  ["Archived", "bool"],
];

export const userLearnerFields: FieldTable = [
  ["ULN", "text"],
  ["NINO", "str"],
  ["StartOn", "date"],
  ["PlannedEndDate", "date"],
  ["HomeAddress", "str"],
  ["DefaultAssessorID", "int"],
  ["DefaultEmployerID", "int"],
  ["ClassroomID", "int"],
  ["PlacementID", "int"],
  ["L12", "code"],
  ["L13", "code"],
  ["L15", "code"],
  ["LearnerStatusID", "int"],
];

export const placementFields: FieldTable = [
  ["OrganisationID", "int"],
  ["Name", "str"],
  ["Address", "str"],
  ["Telephone", "text"],
  ["Email", "str"],
  ["Web", "str"],
  ["Contact", "str"],
  ["MISID", "text"],
  ["Active", "bool"],
];

/** Learning-aim fields a client may write; element counts and Progress are OneFile's own. */
export const learningAimWritableFields: FieldTable = [
  ["PathwayID", "int"],
  ["Status", "int"],
  ["StartDate", "date"],
  ["PlannedEnd", "date"],
  ["RegistrationNumber", "text"],
  ["RegistrationDate", "date"],
  ["CertificateAppliedDate", "date"],
  ["CertificateReceivedDate", "date"],
  ["AchievedDate", "date"],
];

export const reviewDirectFields: FieldTable = [
  ["AssessorID", "int"],
  ["Status", "int"],
  ["ScheduledFor", "date"],
  ["EndTime", "date"],
  ["StartedOn", "date"],
  ["AssessorSignedOn", "date"],
  ["LearnerSignedOn", "date"],
];

export const progressOf = (done: number, total: number): number => (total > 0 ? Math.round((100 * done) / total) : 0);

export const blankUser = (id: Id, organisationId: Id, now: string): User => ({
  ID: id,
  OrganisationID: organisationId,
  Role: Roles.learner,
  Username: null,
  FirstName: "",
  LastName: "",
  Email: null,
  MISID: null,
  Telephone: null,
  MobileNumber: null,
  DOB: null,
  Archived: false,
  CreatedOn: now,
  LastModified: now,
  ULN: null,
  NINO: null,
  StartOn: null,
  PlannedEndDate: null,
  HomeAddress: null,
  DefaultAssessorID: null,
  DefaultEmployerID: null,
  ClassroomID: null,
  PlacementID: null,
  L12: null,
  L13: null,
  L15: null,
  LearnerStatusID: null,
});

export const blankPlacement = (id: Id, organisationId: Id, now: string): Placement => ({
  ID: id,
  OrganisationID: organisationId,
  Name: "",
  Address: null,
  Telephone: null,
  Email: null,
  Web: null,
  Contact: null,
  MISID: null,
  Active: true,
  LastModified: now,
});

export const blankLearningAim = (id: Id, userId: Id, standardId: Id): LearningAim => ({
  ID: id,
  UserID: userId,
  StandardID: standardId,
  PathwayID: null,
  Status: 1,
  StartDate: null,
  PlannedEnd: null,
  Progress: 0,
  TotalElements: 0,
  ElementsDone: 0,
  RegistrationNumber: null,
  RegistrationDate: null,
  CertificateAppliedDate: null,
  CertificateReceivedDate: null,
  AchievedDate: null,
});

export const blankReview = (id: Id, learnerId: Id, assessorId: Id, scheduledFor: string, now: string): Review => ({
  ID: id,
  LearnerID: learnerId,
  AssessorID: assessorId,
  VisitID: null,
  Status: 1,
  ScheduledFor: scheduledFor,
  EndTime: null,
  StartedOn: null,
  AssessorSignedOn: null,
  LearnerSignedOn: null,
  CreatedOn: now,
});

/** The unpaged `User/Search` row (onefile-api.md §5). */
export const userSummary = (user: User) => ({
  ID: user.ID,
  FirstName: user.FirstName,
  LastName: user.LastName,
  MISID: user.MISID,
  Role: user.Role,
  OrganisationID: user.OrganisationID,
});
