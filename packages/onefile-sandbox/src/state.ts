import { RequestBody } from "./body.ts";
import { formatIso } from "./dates.ts";
import { AdminError, HttpFailure, OneFileError } from "./errors.ts";
import {
  blankLearningAim,
  blankPlacement,
  blankReview,
  blankUser,
  placementFields,
  progressOf,
  userCommonFields,
  userLearnerFields,
  Roles,
  knownRoles,
  type Assignment,
  type Classroom,
  type Customer,
  type FieldTable,
  type Id,
  type LearningAim,
  type Organisation,
  type Placement,
  type Review,
  type Standard,
  type User,
  type Visit,
} from "./records.ts";

/** One customer's records in a seed or state document (PascalCase records, as on the wire). */
export interface CustomerDocument<Loose extends boolean = false> {
  ID?: Id;
  Name: string;
  Token: string;
  Organisations?: RecordList<Organisation, Loose>;
  Classrooms?: RecordList<Classroom, Loose>;
  Placements?: RecordList<Placement, Loose>;
  Standards?: RecordList<Standard, Loose>;
  Users?: RecordList<User, Loose>;
  LearningAims?: RecordList<LearningAim, Loose>;
  Visits?: RecordList<Visit, Loose>;
  Reviews?: RecordList<Review, Loose>;
  Assignments?: RecordList<Assignment, Loose>;
}

type RecordList<T, Loose extends boolean> = Loose extends true ? Partial<T>[] : T[];

/**
 * What `POST /__sandbox/seed` loads: records may omit their ID (one is assigned) and any field
 * that has a default. References between records use the given IDs.
 */
export interface SandboxSeed {
  nextId?: number;
  customers: CustomerDocument<true>[];
}

/** What `GET /__sandbox/state` answers: every record complete, sorted by ID. Loadable as a seed. */
export interface SandboxStateDocument {
  nextId: number;
  customers: Required<CustomerDocument>[];
}

export interface Session {
  customerId: Id;
  expiresAt: number;
}

export const firstId = 1000;

/**
 * A Map that tells its owner when it changes, so answers computed from it can be kept until then.
 * Records are replaced, never edited in place (handlers copy, change and `set`), so a `set` is
 * every change there is.
 */
class TrackedMap<K, V> extends Map<K, V> {
  constructor(private readonly changed: () => void) {
    super();
  }
  override set(key: K, value: V): this {
    super.set(key, value);
    this.changed();
    return this;
  }
  override delete(key: K): boolean {
    const deleted = super.delete(key);
    if (deleted) this.changed();
    return deleted;
  }
  override clear(): void {
    super.clear();
    this.changed();
  }
}

/**
 * A TrackedMap that also groups its records by a key that never changes for a record (a learning
 * aim's user, a review's learner), so "the records of X" is one lookup instead of a scan of every
 * record: at a centre with years of history the scan made each per-learner search cost tens of
 * milliseconds.
 */
class GroupedMap<V extends { ID: Id }> extends TrackedMap<Id, V> {
  private readonly groups = new Map<Id, Map<Id, V>>();
  constructor(
    changed: () => void,
    private readonly groupOf: (record: V) => Id,
  ) {
    super(changed);
  }
  override set(key: Id, value: V): this {
    const old = super.get(key);
    if (old) this.groups.get(this.groupOf(old))?.delete(key);
    const group = this.groups.get(this.groupOf(value)) ?? new Map<Id, V>();
    group.set(key, value);
    this.groups.set(this.groupOf(value), group);
    return super.set(key, value);
  }
  override delete(key: Id): boolean {
    const old = super.get(key);
    if (old) this.groups.get(this.groupOf(old))?.delete(key);
    return super.delete(key);
  }
  override clear(): void {
    this.groups.clear();
    super.clear();
  }
  /** The records whose group key is `id`, in no particular order. */
  of(id: Id): V[] {
    return [...(this.groups.get(id)?.values() ?? [])];
  }
}

/**
 * The sandbox's whole OneFile world in Maps. One id counter for every record, so ids are
 * unique across kinds and customers, like OneFile's.
 */
export class SandboxState {
  nextId = firstId;
  /** Bumped by every change to a record map: a cached search answer is good while it is unchanged. */
  private version = 0;
  private readonly changed = () => void this.version++;
  private readonly cachedAnswers = new Map<string, { version: number; rows: unknown[] }>();
  readonly customers = new TrackedMap<Id, Customer>(this.changed);
  readonly organisations = new TrackedMap<Id, Organisation>(this.changed);
  readonly organisationCustomer = new TrackedMap<Id, Id>(this.changed);
  readonly classrooms = new TrackedMap<Id, Classroom>(this.changed);
  readonly placements = new TrackedMap<Id, Placement>(this.changed);
  readonly standards = new TrackedMap<Id, Standard>(this.changed);
  readonly users = new TrackedMap<Id, User>(this.changed);
  readonly learningAims = new GroupedMap<LearningAim>(this.changed, (aim) => aim.UserID);
  readonly reviews = new GroupedMap<Review>(this.changed, (review) => review.LearnerID);
  readonly visits = new TrackedMap<Id, Visit>(this.changed);
  assignments: Assignment[] = [];
  readonly sessions = new Map<string, Session>();

  constructor(readonly clock: () => number = Date.now) {}

  now(): string {
    return formatIso(this.clock());
  }

  newId(): Id {
    return this.nextId++;
  }

  /**
   * The rows of a search, computed once while nothing changes: a client listing a centre page by
   * page asks the same search once per page, and recomputing (filter and sort of every record)
   * for each page made a centre of 100,000 reviews cost minutes. A few searches are kept.
   */
  cachedSearch<T>(key: string, compute: () => T[]): T[] {
    const hit = this.cachedAnswers.get(key);
    if (hit && hit.version === this.version) return hit.rows as T[];
    const rows = compute();
    this.cachedAnswers.delete(key);
    this.cachedAnswers.set(key, { version: this.version, rows });
    if (this.cachedAnswers.size > 8) this.cachedAnswers.delete(this.cachedAnswers.keys().next().value as string);
    return rows;
  }

  reset(): void {
    this.nextId = firstId;
    for (const map of [
      this.customers,
      this.organisations,
      this.organisationCustomer,
      this.classrooms,
      this.placements,
      this.standards,
      this.users,
      this.learningAims,
      this.reviews,
      this.visits,
      this.sessions,
    ]) {
      map.clear();
    }
    this.assignments = [];
  }

  // ---- ownership -------------------------------------------------------------------------

  customerByToken(token: string): Customer | undefined {
    for (const customer of this.customers.values()) if (customer.Token === token) return customer;
    return undefined;
  }

  customerOfOrganisation(organisationId: Id): Id | undefined {
    return this.organisationCustomer.get(organisationId);
  }

  customerOfUser(userId: Id): Id | undefined {
    const user = this.users.get(userId);
    return user ? this.customerOfOrganisation(user.OrganisationID) : undefined;
  }

  /** A record named by an id in the request path: 404 when unknown, 403 when another customer's. */
  inPath<T>(kind: string, record: T | undefined, ownerId: Id | undefined, customerId: Id): T {
    if (record === undefined || ownerId === undefined) throw new HttpFailure(404, `${kind} not found`);
    if (ownerId !== customerId) throw new HttpFailure(403, `${kind} belongs to another customer`);
    return record;
  }

  // Lookups for ids in a request body: another customer's record counts as not found.

  organisationFor(customerId: Id, id: Id): Organisation | undefined {
    return this.organisationCustomer.get(id) === customerId ? this.organisations.get(id) : undefined;
  }

  userFor(customerId: Id, id: Id): User | undefined {
    return this.customerOfUser(id) === customerId ? this.users.get(id) : undefined;
  }

  placementFor(customerId: Id, id: Id): Placement | undefined {
    const placement = this.placements.get(id);
    return placement && this.customerOfOrganisation(placement.OrganisationID) === customerId ? placement : undefined;
  }

  classroomFor(customerId: Id, id: Id): Classroom | undefined {
    const classroom = this.classrooms.get(id);
    return classroom && this.customerOfOrganisation(classroom.OrganisationID) === customerId ? classroom : undefined;
  }

  standardFor(customerId: Id, id: Id): Standard | undefined {
    const standard = this.standards.get(id);
    return standard && this.customerOfOrganisation(standard.OrganisationID) === customerId ? standard : undefined;
  }

  visitFor(customerId: Id, id: Id): Visit | undefined {
    const visit = this.visits.get(id);
    return visit && this.customerOfOrganisation(visit.OrganisationID) === customerId ? visit : undefined;
  }

  organisationsOf(customerId: Id): Organisation[] {
    return sortById([...this.organisations.values()].filter((o) => this.organisationCustomer.get(o.ID) === customerId));
  }

  // ---- documents -------------------------------------------------------------------------

  /** The whole state, deterministic: customers and records sorted by id, keys in a fixed order. */
  snapshot(): SandboxStateDocument {
    const customers = sortById([...this.customers.values()]).map((customer) => {
      const mine = (organisationId: Id) => this.organisationCustomer.get(organisationId) === customer.ID;
      const userIsMine = (userId: Id) => this.customerOfUser(userId) === customer.ID;
      return {
        ID: customer.ID,
        Name: customer.Name,
        Token: customer.Token,
        Organisations: this.organisationsOf(customer.ID),
        Classrooms: sortById([...this.classrooms.values()].filter((r) => mine(r.OrganisationID))),
        Placements: sortById([...this.placements.values()].filter((r) => mine(r.OrganisationID))),
        Standards: sortById([...this.standards.values()].filter((r) => mine(r.OrganisationID))),
        Users: sortById([...this.users.values()].filter((r) => mine(r.OrganisationID))),
        LearningAims: sortById([...this.learningAims.values()].filter((r) => userIsMine(r.UserID))),
        Visits: sortById([...this.visits.values()].filter((r) => mine(r.OrganisationID))),
        Reviews: sortById([...this.reviews.values()].filter((r) => userIsMine(r.LearnerID))),
        Assignments: this.assignments
          .filter((a) => userIsMine(a.LearnerID))
          .sort(
            (a, b) =>
              a.LearnerID - b.LearnerID ||
              a.AssigneeID - b.AssigneeID ||
              a.Level - b.Level ||
              (a.StandardID ?? 0) - (b.StandardID ?? 0),
          ),
      };
    });
    return structuredClone({ nextId: this.nextId, customers });
  }

  /**
   * Replaces the whole state with a seed document. Invalid documents are refused whole. Open
   * sessions survive for customers whose token is still there, so a client's cached session
   * stays valid across a re-seed.
   */
  load(seed: SandboxSeed): void {
    const loaded = new SandboxState(this.clock);
    new SeedLoader(loaded).load(seed);
    const sessions = [...this.sessions].map(
      ([key, session]) => [key, session, this.customers.get(session.customerId)?.Token] as const,
    );
    this.reset();
    for (const [key, session, token] of sessions) {
      const customer = token === undefined ? undefined : loaded.customerByToken(token);
      if (customer) this.sessions.set(key, { ...session, customerId: customer.ID });
    }
    Object.assign(this, {
      nextId: loaded.nextId,
      assignments: loaded.assignments,
    });
    copyMap(loaded.customers, this.customers);
    copyMap(loaded.organisations, this.organisations);
    copyMap(loaded.organisationCustomer, this.organisationCustomer);
    copyMap(loaded.classrooms, this.classrooms);
    copyMap(loaded.placements, this.placements);
    copyMap(loaded.standards, this.standards);
    copyMap(loaded.users, this.users);
    copyMap(loaded.learningAims, this.learningAims);
    copyMap(loaded.reviews, this.reviews);
    copyMap(loaded.visits, this.visits);
  }
}

const copyMap = <K, V>(from: Map<K, V>, to: Map<K, V>) => {
  for (const [k, v] of from) to.set(k, v);
};

export const sortById = <T extends { ID: Id }>(records: T[]): T[] => records.sort((a, b) => a.ID - b.ID);

/** Copies the fields of `table` present in `body` onto `target` (type-checked, dates normalised). */
export const applyFields = (target: object, body: RequestBody, table: FieldTable): boolean => {
  let changed = false;
  const record = target as Record<string, unknown>;
  for (const [name, kind] of table) {
    const value = body.read(name, kind);
    if (value === undefined) continue;
    if (record[name] !== value) changed = true;
    record[name] = value;
  }
  return changed;
};

/** Reads seed documents; a mistake names the record it is in. */
class SeedLoader {
  constructor(private readonly state: SandboxState) {}

  load(seed: SandboxSeed): void {
    if (!seed || typeof seed !== "object" || !Array.isArray(seed.customers)) {
      throw new AdminError("seed: expected {customers: [...]}");
    }
    const given = collectIds(seed);
    // A reduce, not Math.max(...given): a seed of a few hundred thousand records would overflow the stack.
    const maxGiven = given.reduce((max, id) => (id > max ? id : max), firstId - 1);
    if (new Set(given).size !== given.length) throw new AdminError("seed: the same ID is used twice");
    this.state.nextId = Math.max(seed.nextId ?? firstId, maxGiven + 1);
    seed.customers.forEach((customer, index) => this.customer(customer, `customers[${index}]`));
  }

  private id(record: { ID?: unknown }): Id {
    return typeof record.ID === "number" ? record.ID : this.state.newId();
  }

  private body(record: object, where: string): RequestBody {
    if (!record || typeof record !== "object") throw new AdminError(`${where}: expected an object`);
    return RequestBody.fromObject(record as Record<string, unknown>);
  }

  private read<T>(where: string, action: () => T): T {
    try {
      return action();
    } catch (error) {
      if (error instanceof OneFileError) throw new AdminError(`${where}: ${error.message}`);
      throw error;
    }
  }

  private need(condition: unknown, where: string, message: string): void {
    if (!condition) throw new AdminError(`${where}: ${message}`);
  }

  private customer(doc: CustomerDocument<true>, where: string): void {
    const s = this.state;
    this.need(typeof doc.Token === "string" && doc.Token !== "", where, "Token is required");
    this.need(s.customerByToken(doc.Token) === undefined, where, `Token '${doc.Token}' is used twice`);
    const customer: Customer = { ID: this.id(doc), Name: String(doc.Name ?? "Customer"), Token: doc.Token };
    s.customers.set(customer.ID, customer);
    // With a single centre, records may leave OrganisationID out.
    const organisationId = (body: RequestBody, at: string): Id => {
      const centres = s.organisationsOf(customer.ID);
      const id = this.read(at, () => body.int("OrganisationID")) ?? (centres.length === 1 ? centres[0]?.ID : undefined);
      this.need(
        id !== undefined && s.organisationFor(customer.ID, id),
        at,
        `OrganisationID ${id} is not a centre of this customer`,
      );
      return id as Id;
    };
    const fill = (target: object, body: RequestBody, table: FieldTable, at: string) =>
      this.read(at, () => applyFields(target, body, table));

    (doc.Organisations ?? []).forEach((record, i) => {
      const at = `${where}.Organisations[${i}]`;
      const body = this.body(record, at);
      const organisation: Organisation = { ID: this.id(record), Name: this.read(at, () => body.requireText("Name")) };
      s.organisations.set(organisation.ID, organisation);
      s.organisationCustomer.set(organisation.ID, customer.ID);
    });

    (doc.Classrooms ?? []).forEach((record, i) => {
      const at = `${where}.Classrooms[${i}]`;
      const body = this.body(record, at);
      const classroom: Classroom = {
        ID: this.id(record),
        OrganisationID: organisationId(body, at),
        Name: this.read(at, () => body.requireText("Name")),
        MISID: this.read(at, () => body.text("MISID")) ?? null,
      };
      s.classrooms.set(classroom.ID, classroom);
    });

    (doc.Placements ?? []).forEach((record, i) => {
      const at = `${where}.Placements[${i}]`;
      const body = this.body(record, at);
      const placement = blankPlacement(this.id(record), organisationId(body, at), s.now());
      fill(placement, body, placementFields, at);
      placement.LastModified = this.read(at, () => body.date("LastModified")) ?? placement.LastModified;
      this.need(placement.Name !== "", at, "Name is required");
      s.placements.set(placement.ID, placement);
    });

    (doc.Standards ?? []).forEach((record, i) => {
      const at = `${where}.Standards[${i}]`;
      const body = this.body(record, at);
      const pathways = (body.raw("Pathways") ?? []) as unknown;
      this.need(Array.isArray(pathways), at, "Pathways must be a list");
      const standard: Standard = {
        ID: this.id(record),
        OrganisationID: organisationId(body, at),
        Title: this.read(at, () => body.requireText("Title")),
        Pathways: (pathways as Record<string, unknown>[]).map((p, j) => {
          const pathway = this.body(p, `${at}.Pathways[${j}]`);
          return {
            ID: this.id(p as { ID?: unknown }),
            Title: this.read(`${at}.Pathways[${j}]`, () => pathway.requireText("Title")),
          };
        }),
      };
      s.standards.set(standard.ID, standard);
    });

    const users = (doc.Users ?? []).map((record, i) => {
      const at = `${where}.Users[${i}]`;
      const body = this.body(record, at);
      const user = blankUser(this.id(record), organisationId(body, at), s.now());
      fill(user, body, userCommonFields, at);
      const role = body.raw("Role");
      this.need(typeof role === "number" && knownRoles.includes(role), at, `Role must be one of ${knownRoles.join(", ")}`);
      if (user.Role === Roles.learner) fill(user, body, userLearnerFields, at);
      this.need(user.FirstName !== "" && user.LastName !== "", at, "FirstName and LastName are required");
      user.CreatedOn = this.read(at, () => body.date("CreatedOn")) ?? user.CreatedOn;
      user.LastModified = this.read(at, () => body.date("LastModified")) ?? user.LastModified;
      s.users.set(user.ID, user);
      return [user, at] as const;
    });
    // References between users are checked once every user of the customer exists.
    for (const [user, at] of users) {
      if (user.DefaultAssessorID !== null) {
        const assessor = s.userFor(customer.ID, user.DefaultAssessorID);
        this.need(assessor, at, `DefaultAssessorID ${user.DefaultAssessorID} is not a user of this customer`);
      }
      if (user.PlacementID !== null)
        this.need(s.placementFor(customer.ID, user.PlacementID), at, `PlacementID ${user.PlacementID} not found`);
      if (user.ClassroomID !== null)
        this.need(s.classroomFor(customer.ID, user.ClassroomID), at, `ClassroomID ${user.ClassroomID} not found`);
    }

    (doc.LearningAims ?? []).forEach((record, i) => {
      const at = `${where}.LearningAims[${i}]`;
      const body = this.body(record, at);
      const userId = this.read(at, () => body.requireInt("UserID"));
      const standardId = this.read(at, () => body.requireInt("StandardID"));
      this.need(s.userFor(customer.ID, userId), at, `UserID ${userId} is not a user of this customer`);
      const standard = s.standardFor(customer.ID, standardId);
      this.need(standard, at, `StandardID ${standardId} is not a standard of this customer`);
      const aim = blankLearningAim(this.id(record), userId, standardId);
      fill(aim, body, learningAimSeedFields, at);
      if (aim.PathwayID !== null) {
        this.need(
          standard?.Pathways.some((p) => p.ID === aim.PathwayID),
          at,
          `PathwayID ${aim.PathwayID} is not a pathway of the standard`,
        );
      }
      aim.Progress = progressOf(aim.ElementsDone, aim.TotalElements);
      s.learningAims.set(aim.ID, aim);
    });

    (doc.Visits ?? []).forEach((record, i) => {
      const at = `${where}.Visits[${i}]`;
      const body = this.body(record, at);
      const visit = this.read(at, (): Visit => ({
        ID: this.id(record),
        OrganisationID: organisationId(body, at),
        LearnerID: body.requireInt("LearnerID"),
        AssessorID: body.requireInt("AssessorID"),
        DateFrom: body.requireDate("DateFrom"),
        DateTo: body.requireDate("DateTo"),
        VisitTypeID: body.int("VisitTypeID") ?? 3,
        SMSReminder: body.bool("SMSReminder") ?? null,
      }));
      this.need(s.userFor(customer.ID, visit.LearnerID), at, `LearnerID ${visit.LearnerID} not found`);
      s.visits.set(visit.ID, visit);
    });

    (doc.Reviews ?? []).forEach((record, i) => {
      const at = `${where}.Reviews[${i}]`;
      const body = this.body(record, at);
      const review = this.read(at, () =>
        blankReview(
          this.id(record),
          body.requireInt("LearnerID"),
          body.requireInt("AssessorID"),
          body.requireDate("ScheduledFor"),
          s.now(),
        ),
      );
      fill(review, body, reviewSeedFields, at);
      this.need(s.userFor(customer.ID, review.LearnerID), at, `LearnerID ${review.LearnerID} not found`);
      this.need(s.userFor(customer.ID, review.AssessorID), at, `AssessorID ${review.AssessorID} not found`);
      s.reviews.set(review.ID, review);
    });

    (doc.Assignments ?? []).forEach((record, i) => {
      const at = `${where}.Assignments[${i}]`;
      const body = this.body(record, at);
      const assignment = this.read(at, (): Assignment => ({
        AssigneeID: body.requireInt("AssigneeID"),
        LearnerID: body.requireInt("LearnerID"),
        Level: body.requireInt("Level"),
        StandardID: body.int("StandardID") ?? null,
      }));
      this.need(s.userFor(customer.ID, assignment.LearnerID), at, `LearnerID ${assignment.LearnerID} not found`);
      this.need(s.userFor(customer.ID, assignment.AssigneeID), at, `AssigneeID ${assignment.AssigneeID} not found`);
      s.assignments.push(assignment);
    });
  }
}

const learningAimSeedFields: FieldTable = [
  ["PathwayID", "int"],
  ["Status", "int"],
  ["StartDate", "date"],
  ["PlannedEnd", "date"],
  ["TotalElements", "int"],
  ["ElementsDone", "int"],
  ["RegistrationNumber", "text"],
  ["RegistrationDate", "date"],
  ["CertificateAppliedDate", "date"],
  ["CertificateReceivedDate", "date"],
  ["AchievedDate", "date"],
];

const reviewSeedFields: FieldTable = [
  ["VisitID", "int"],
  ["Status", "int"],
  ["EndTime", "date"],
  ["StartedOn", "date"],
  ["AssessorSignedOn", "date"],
  ["LearnerSignedOn", "date"],
  ["CreatedOn", "date"],
];

/** Every ID written in a seed document, so assigned ids never collide with given ones. */
const collectIds = (seed: SandboxSeed): number[] => {
  const ids: number[] = [];
  const take = (record: unknown) => {
    if (record && typeof record === "object" && typeof (record as { ID?: unknown }).ID === "number") {
      ids.push((record as { ID: number }).ID);
    }
  };
  for (const customer of seed.customers) {
    take(customer);
    for (const list of [
      customer.Organisations,
      customer.Classrooms,
      customer.Placements,
      customer.Standards,
      customer.Users,
      customer.LearningAims,
      customer.Visits,
      customer.Reviews,
    ]) {
      for (const record of list ?? []) take(record);
    }
    for (const standard of customer.Standards ?? []) for (const pathway of standard.Pathways ?? []) take(pathway);
  }
  return ids;
};
