import { requireAll, type RequestBody } from "./body.ts";
import { isDateOnly, parseIsoMillis } from "./dates.ts";
import { Codes, HttpFailure, invalid, missing, OneFileError } from "./errors.ts";
import {
  assessorRoles,
  blankLearningAim,
  blankPlacement,
  blankReview,
  blankUser,
  knownRoles,
  learningAimWritableFields,
  placementFields,
  progressOf,
  Roles,
  userCommonFields,
  userLearnerFields,
  userSummary,
  type Customer,
  type FieldTable,
  type Id,
  type User,
  type Visit,
} from "./records.ts";
import { applyFields, sortById, type SandboxState } from "./state.ts";

/** What an endpoint handler sees: the caller's customer, the decoded body and the path's ids. */
export interface CallContext {
  state: SandboxState;
  customer: Customer;
  body: RequestBody;
  ids: number[];
  paging?: { page: number; size: number };
  /** SandboxConfig.listingsHideArchived. */
  listingsHideArchived?: boolean;
}

export type Answer = { status: 200; json: unknown } | { status: 204 };

type Handler = (call: CallContext) => Answer;

const ok = (json: unknown): Answer => ({ status: 200, json });
const noContent: Answer = { status: 204 };

const learnerRequired = [
  "OrganisationID",
  "FirstName",
  "LastName",
  "Email",
  "Role",
  "DefaultAssessorID",
  "ClassroomID",
  "PlacementID",
];
const otherRequired = ["OrganisationID", "FirstName", "LastName", "Email", "Role"];

// ---- search helpers --------------------------------------------------------------------------

type Filter<T> = readonly [field: string, kind: "int" | "text" | "date-from", pick: (record: T) => unknown];

/** Exact, case-insensitive, ANDed filters; a filter sent as null does not filter. */
const applyFilters = <T>(records: T[], body: RequestBody, filters: readonly Filter<T>[]): T[] => {
  let result = records;
  for (const [field, kind, pick] of filters) {
    if (kind === "int") {
      const wanted = body.int(field);
      if (wanted === undefined || wanted === null) continue;
      result = result.filter((r) => pick(r) === wanted);
    } else if (kind === "text") {
      const wanted = body.text(field);
      if (wanted === undefined || wanted === null) continue;
      result = result.filter((r) => {
        const value = pick(r);
        return value !== null && value !== undefined && String(value).toLowerCase() === wanted.toLowerCase();
      });
    } else {
      const wanted = body.date(field);
      if (wanted === undefined || wanted === null) continue;
      result = result.filter((r) => String(pick(r)) >= wanted);
    }
  }
  return result;
};

/** Bare array ascending by ID, optionally one page of it; nothing → 204. */
/**
 * A search's answer, sorted by id, one page of it when the path asks for a page. A paged search
 * (a listing) is computed once and kept while nothing changes: the next page asks the same.
 */
const searchAnswer = <T extends { ID: Id }>(
  call: CallContext,
  search: string,
  records: () => T[],
  row: (record: T) => unknown = (r) => r,
): Answer => {
  const paging = call.paging;
  if (!paging) {
    const rows = sortById(records());
    return rows.length === 0 ? noContent : ok(rows.map(row));
  }
  const key = `${search} ${call.customer.ID} ${call.listingsHideArchived === true} ${call.body.canonical()}`;
  const rows = call.state
    .cachedSearch(key, () => sortById(records()))
    .slice((paging.page - 1) * paging.size, paging.page * paging.size);
  return rows.length === 0 ? noContent : ok(rows.map(row));
};

// ---- shared checks ---------------------------------------------------------------------------

const requireOrganisation = (call: CallContext, id: Id) => {
  const organisation = call.state.organisationFor(call.customer.ID, id);
  if (!organisation) throw new OneFileError(Codes.organisationNotFound, `Organisation ${id} not found`);
  return organisation;
};

const requireLearner = (call: CallContext, id: Id, field = "LearnerID"): User => {
  const user = call.state.userFor(call.customer.ID, id);
  if (!user || user.Role !== Roles.learner) {
    throw new OneFileError(Codes.learnerNotFound, `${field}: learner ${id} not found`);
  }
  return user;
};

const requireAssessor = (call: CallContext, id: Id, field = "AssessorID"): User => {
  const user = call.state.userFor(call.customer.ID, id);
  if (!user || !assessorRoles.includes(user.Role)) {
    throw new OneFileError(Codes.assessorNotFound, `${field}: assessor ${id} not found`);
  }
  return user;
};

/** Fails −1 when a required field of `table` is sent as null or blank in a partial update. */
const refuseBlanking = (body: RequestBody, required: readonly string[]) => {
  for (const field of required) {
    if (!body.has(field)) continue;
    const value = body.raw(field);
    if (value === null || (typeof value === "string" && value.trim() === "")) throw missing(field);
  }
};

/** Checks what the user record refers to; only `fields` are checked (all of them on create). */
const checkUserReferences = (call: CallContext, user: User, fields: (name: string) => boolean) => {
  if (fields("Role") && !knownRoles.includes(user.Role)) {
    throw invalid("Role", `${user.Role} is not a OneFile role (${knownRoles.join(", ")})`);
  }
  if (fields("OrganisationID")) requireOrganisation(call, user.OrganisationID);
  if (user.Role !== Roles.learner) return;
  if (fields("DefaultAssessorID") && user.DefaultAssessorID !== null) {
    requireAssessor(call, user.DefaultAssessorID, "DefaultAssessorID");
  }
  if (fields("ClassroomID") && user.ClassroomID !== null) {
    const classroom = call.state.classroomFor(call.customer.ID, user.ClassroomID);
    if (!classroom || classroom.OrganisationID !== user.OrganisationID) {
      throw new OneFileError(
        Codes.classroomNotFound,
        `Classroom ${user.ClassroomID} not found in organisation ${user.OrganisationID}`,
      );
    }
  }
  if (fields("PlacementID") && user.PlacementID !== null) {
    const placement = call.state.placementFor(call.customer.ID, user.PlacementID);
    if (!placement || placement.OrganisationID !== user.OrganisationID) {
      throw new OneFileError(
        Codes.placementNotFound,
        `Placement ${user.PlacementID} not found in organisation ${user.OrganisationID}`,
      );
    }
  }
  if (fields("DefaultEmployerID") && user.DefaultEmployerID !== null) {
    const employer = call.state.userFor(call.customer.ID, user.DefaultEmployerID);
    if (!employer || employer.Role !== Roles.employer) {
      throw invalid("DefaultEmployerID", `employer ${user.DefaultEmployerID} not found`);
    }
  }
};

const userTable = (role: number): FieldTable =>
  role === Roles.learner ? [...userCommonFields, ...userLearnerFields] : userCommonFields;

const pathUser = (call: CallContext): User => {
  const id = call.ids[0] ?? -1;
  return call.state.inPath("User", call.state.users.get(id), call.state.customerOfUser(id), call.customer.ID);
};

const pathPlacement = (call: CallContext) => {
  const id = call.ids[0] ?? -1;
  const placement = call.state.placements.get(id);
  return call.state.inPath(
    "Placement",
    placement,
    placement && call.state.customerOfOrganisation(placement.OrganisationID),
    call.customer.ID,
  );
};

const pathLearningAim = (call: CallContext) => {
  const id = call.ids[0] ?? -1;
  const aim = call.state.learningAims.get(id);
  return call.state.inPath("LearningAim", aim, aim && call.state.customerOfUser(aim.UserID), call.customer.ID);
};

const checkPathway = (call: CallContext, standardId: Id, pathwayId: Id | null | undefined): Id | null => {
  const standard = call.state.standards.get(standardId);
  const pathways = standard?.Pathways ?? [];
  if (pathwayId === undefined || pathwayId === null) {
    if (pathways.length >= 2) {
      const choices = pathways.map((p) => `${p.ID} ${p.Title}`).join("; ");
      throw new OneFileError(Codes.pathwayRequiredOrUnknown, `PathwayID is required for Standard ${standardId} (${choices})`);
    }
    return pathways[0]?.ID ?? null;
  }
  if (!pathways.some((p) => p.ID === pathwayId)) {
    throw new OneFileError(Codes.pathwayRequiredOrUnknown, `Pathway ${pathwayId} is not a pathway of Standard ${standardId}`);
  }
  return pathwayId;
};

// ---- endpoints -------------------------------------------------------------------------------

export const handlers: Record<string, Handler> = {
  "GET Customer": (call) => ok({ ID: call.customer.ID, Name: call.customer.Name }),

  "POST Organisation/Search": (call) => {
    const customerId = call.body.int("CustomerID");
    if (customerId === undefined || customerId === null) throw missing("CustomerID");
    if (customerId !== call.customer.ID) {
      if (call.state.customers.has(customerId)) throw new HttpFailure(403, "Customer is another customer");
      return noContent;
    }
    const centres = applyFilters(call.state.organisationsOf(call.customer.ID), call.body, [["Name", "text", (o) => o.Name]]);
    return searchAnswer(
      call,
      "Organisation",
      () => centres,
      (o) => ({ ID: o.ID, Name: o.Name }),
    );
  },

  "POST User/Search": (call) => {
    const listing = call.body.raw("MISID") === undefined || call.body.raw("MISID") === null;
    const found = () =>
      applyFilters(
        [...call.state.users.values()].filter(
          (u) =>
            call.state.customerOfOrganisation(u.OrganisationID) === call.customer.ID &&
            !(listing && call.listingsHideArchived === true && u.Archived),
        ),
        call.body,
        [
          ["OrganisationID", "int", (u) => u.OrganisationID],
          ["Role", "int", (u) => u.Role],
          ["FirstName", "text", (u) => u.FirstName],
          ["LastName", "text", (u) => u.LastName],
          ["Email", "text", (u) => u.Email],
          ["MISID", "text", (u) => u.MISID],
          ["ULN", "text", (u) => u.ULN],
          ["LastModified", "date-from", (u) => u.LastModified],
        ],
      );
    return searchAnswer(call, "User", found, call.paging ? (u) => u : userSummary);
  },

  "GET User/{id}": (call) => ok(pathUser(call)),

  "POST User": (call) => {
    const state = call.state;
    const role = call.body.int("Role");
    const user = blankUser(state.nextId, 0, state.now());
    applyFields(user, call.body, userTable(role ?? 0));
    requireAll(call.body, role === Roles.learner ? learnerRequired : otherRequired);
    checkUserReferences(call, user, () => true);
    user.ID = state.newId();
    state.users.set(user.ID, user);
    return ok(user);
  },

  "POST User/{id}": (call) => {
    const current = pathUser(call);
    const updated: User = { ...current };
    const required = updated.Role === Roles.learner ? learnerRequired : otherRequired;
    refuseBlanking(call.body, required);
    const changed = applyFields(updated, call.body, userTable(call.body.int("Role") ?? updated.Role));
    checkUserReferences(call, updated, (field) => call.body.has(field));
    if (changed) {
      updated.LastModified = call.state.now();
      call.state.users.set(updated.ID, updated);
    }
    return noContent;
  },

  "POST User/Assign": (call) => {
    const assignee = pathUser(call);
    if (!assessorRoles.includes(assignee.Role) && assignee.Role !== Roles.iqa) {
      throw new OneFileError(Codes.assessorNotFound, `User ${assignee.ID} is not an assessor`);
    }
    const learnerId = call.body.int("LearnerID");
    const level = call.body.int("Level");
    const standardId = call.body.int("StandardID");
    requireAll(call.body, ["LearnerID", "Level"]);
    if (level !== 1 && level !== 3) throw invalid("Level", "expected 1 (additional assessor) or 3 (learning-aim assessor)");
    const learner = requireLearner(call, learnerId as Id);
    if (level === 3) {
      if (standardId === undefined || standardId === null) throw missing("StandardID");
      if (!call.state.standardFor(call.customer.ID, standardId)) {
        throw new OneFileError(Codes.standardNotFound, `Standard ${standardId} not found`);
      }
      const hasAim = [...call.state.learningAims.values()].some((a) => a.UserID === learner.ID && a.StandardID === standardId);
      if (!hasAim) throw invalid("StandardID", `learner ${learner.ID} has no learning aim on Standard ${standardId}`);
    }
    const assignment = {
      AssigneeID: assignee.ID,
      LearnerID: learner.ID,
      Level: level,
      StandardID: level === 3 ? (standardId ?? null) : null,
    };
    const exists = call.state.assignments.some(
      (a) =>
        a.AssigneeID === assignment.AssigneeID &&
        a.LearnerID === assignment.LearnerID &&
        a.Level === assignment.Level &&
        a.StandardID === assignment.StandardID,
    );
    if (!exists) {
      call.state.assignments.push(assignment);
      call.state.users.set(learner.ID, { ...learner, LastModified: call.state.now() });
    }
    return noContent;
  },

  "POST Classroom/Search": (call) => {
    const organisationId = call.body.int("OrganisationID");
    if (organisationId === undefined || organisationId === null) throw missing("OrganisationID");
    requireOrganisation(call, organisationId);
    const found = () =>
      applyFilters(
        [...call.state.classrooms.values()].filter((c) => c.OrganisationID === organisationId),
        call.body,
        [["Name", "text", (c) => c.Name]],
      );
    return searchAnswer(call, "Classroom", found);
  },

  "POST Classroom": (call) => {
    const organisationId = call.body.int("OrganisationID");
    const name = call.body.text("Name");
    const misId = call.body.text("MISID");
    requireAll(call.body, ["OrganisationID", "Name"]);
    requireOrganisation(call, organisationId as Id);
    const id = call.state.newId();
    call.state.classrooms.set(id, { ID: id, OrganisationID: organisationId as Id, Name: name as string, MISID: misId ?? null });
    return ok(id);
  },

  "POST Placement/Search": (call) => {
    const organisationId = call.body.int("OrganisationID");
    if (organisationId === undefined || organisationId === null) throw missing("OrganisationID");
    requireOrganisation(call, organisationId);
    const found = () =>
      applyFilters(
        [...call.state.placements.values()].filter((p) => p.OrganisationID === organisationId),
        call.body,
        [
          ["Name", "text", (p) => p.Name],
          ["MISID", "text", (p) => p.MISID],
        ],
      );
    return searchAnswer(call, "Placement", found);
  },

  "GET Placement/{id}": (call) => ok(pathPlacement(call)),

  "POST Placement": (call) => {
    const placement = blankPlacement(call.state.nextId, 0, call.state.now());
    applyFields(placement, call.body, placementFields);
    requireAll(call.body, ["OrganisationID", "Name"]);
    requireOrganisation(call, placement.OrganisationID);
    placement.ID = call.state.newId();
    call.state.placements.set(placement.ID, placement);
    return ok(placement.ID);
  },

  "POST Placement/{id}": (call) => {
    const current = pathPlacement(call);
    refuseBlanking(call.body, ["OrganisationID", "Name"]);
    const updated = { ...current };
    const changed = applyFields(updated, call.body, placementFields);
    if (call.body.has("OrganisationID")) requireOrganisation(call, updated.OrganisationID);
    if (changed) {
      updated.LastModified = call.state.now();
      call.state.placements.set(updated.ID, updated);
    }
    return noContent;
  },

  "POST Standard/Search": (call) => {
    const organisationId = call.body.int("OrganisationID");
    if (organisationId === undefined || organisationId === null) throw missing("OrganisationID");
    requireOrganisation(call, organisationId);
    const inCentre = () => [...call.state.standards.values()].filter((s) => s.OrganisationID === organisationId);
    return searchAnswer(call, "Standard", () => applyFilters(inCentre(), call.body, [["Title", "text", (s) => s.Title]]));
  },

  "POST Standard/Assign": (call) => {
    const [standardId = -1, learnerId = -1] = call.ids;
    const standard = call.state.standards.get(standardId);
    call.state.inPath(
      "Standard",
      standard,
      standard && call.state.customerOfOrganisation(standard.OrganisationID),
      call.customer.ID,
    );
    const learner = call.state.users.get(learnerId);
    call.state.inPath("Learner", learner, call.state.customerOfUser(learnerId), call.customer.ID);
    if (learner?.Role !== Roles.learner) throw new OneFileError(Codes.learnerNotFound, `User ${learnerId} is not a learner`);
    const pathwayId = checkPathway(call, standardId, call.body.int("PathwayID"));
    const aim = blankLearningAim(call.state.newId(), learnerId, standardId);
    aim.PathwayID = pathwayId;
    call.state.learningAims.set(aim.ID, aim);
    return ok(aim.ID);
  },

  "POST LearningAim/Search": (call) => {
    const userId = call.body.int("UserID");
    if (userId === undefined || userId === null) throw missing("UserID");
    const aims = () => (call.state.customerOfUser(userId) === call.customer.ID ? call.state.learningAims.of(userId) : []);
    return searchAnswer(call, "LearningAim", aims);
  },

  "GET LearningAim/{id}": (call) => ok(pathLearningAim(call)),

  "POST LearningAim/{id}": (call) => {
    const updated = { ...pathLearningAim(call) };
    applyFields(updated, call.body, learningAimWritableFields);
    if (call.body.has("PathwayID")) updated.PathwayID = checkPathway(call, updated.StandardID, updated.PathwayID);
    updated.Progress = progressOf(updated.ElementsDone, updated.TotalElements);
    call.state.learningAims.set(updated.ID, updated);
    return noContent;
  },

  "POST Visit": (call) => {
    const b = call.body;
    const fields = {
      LearnerID: b.int("LearnerID"),
      OrganisationID: b.int("OrganisationID"),
      AssessorID: b.int("AssessorID"),
      DateFrom: b.date("DateFrom"),
      DateTo: b.date("DateTo"),
      VisitTypeID: b.int("VisitTypeID"),
      SMSReminder: b.bool("SMSReminder") ?? null,
    };
    requireAll(b, ["LearnerID", "OrganisationID", "AssessorID", "DateFrom", "DateTo", "VisitTypeID"]);
    const visit = { ID: 0, ...fields } as Visit;
    requireOrganisation(call, visit.OrganisationID);
    requireLearner(call, visit.LearnerID);
    requireAssessor(call, visit.AssessorID);
    if (visit.VisitTypeID < 1) throw invalid("VisitTypeID", "expected a positive visit type id");
    if (visit.DateTo < visit.DateFrom) throw invalid("DateTo", "is before DateFrom");
    visit.ID = call.state.newId();
    call.state.visits.set(visit.ID, visit);
    return ok(visit.ID);
  },

  "POST Review": (call) => {
    const b = call.body;
    const learnerId = b.int("LearnerID");
    const assessorId = b.int("AssessorID");
    const scheduledFor = b.date("ScheduledFor");
    const status = b.int("Status");
    const endTime = b.date("EndTime");
    const visitId = b.int("VisitID");
    requireAll(b, ["LearnerID", "AssessorID", "ScheduledFor"]);
    requireLearner(call, learnerId as Id);
    requireAssessor(call, assessorId as Id);
    if (endTime && endTime < (scheduledFor as string)) throw invalid("EndTime", "is before ScheduledFor");
    if (visitId !== undefined && visitId !== null && !call.state.visitFor(call.customer.ID, visitId)) {
      throw invalid("VisitID", `visit ${visitId} not found`);
    }
    const review = blankReview(call.state.newId(), learnerId as Id, assessorId as Id, scheduledFor as string, call.state.now());
    review.Status = status ?? 1;
    review.EndTime = endTime ?? null;
    review.VisitID = visitId ?? null;
    call.state.reviews.set(review.ID, review);
    return ok(review.ID);
  },

  "POST Review/Search": (call) => {
    const b = call.body;
    const organisationId = b.int("OrganisationID");
    if (organisationId === undefined || organisationId === null) throw missing("OrganisationID");
    requireOrganisation(call, organisationId);
    const learnerId = b.int("LearnerID");
    const from = b.date("DateFrom");
    const to = b.date("DateTo");
    // A date-only DateTo means "up to the end of that day", so the filter stays inclusive.
    const rawTo = b.raw("DateTo");
    const toMillis = to
      ? (parseIsoMillis(to) ?? 0) + (typeof rawTo === "string" && isDateOnly(rawTo) ? 86_399_999 : 0)
      : undefined;
    // A learner's reviews are one lookup; a centre's are its learners' (a learner's centre can change).
    const candidates = () =>
      learnerId !== undefined && learnerId !== null
        ? call.state.reviews.of(learnerId)
        : [...call.state.users.values()]
            .filter((u) => u.OrganisationID === organisationId)
            .flatMap((u) => call.state.reviews.of(u.ID));
    const reviews = () =>
      candidates().filter((r) => {
        const learner = call.state.users.get(r.LearnerID);
        if (!learner || learner.OrganisationID !== organisationId) return false;
        const at = parseIsoMillis(r.ScheduledFor) ?? 0;
        if (from && at < (parseIsoMillis(from) ?? 0)) return false;
        if (toMillis !== undefined && at > toMillis) return false;
        return true;
      });
    return searchAnswer(call, "Review", reviews);
  },

  "GET Review/{id}": (call) => {
    const id = call.ids[0] ?? -1;
    const review = call.state.reviews.get(id);
    return ok(call.state.inPath("Review", review, review && call.state.customerOfUser(review.LearnerID), call.customer.ID));
  },
};
