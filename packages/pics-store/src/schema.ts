/**
 * The libSQL tables, as a drizzle schema. `drizzle-kit generate` turns changes here into the
 * SQL migrations committed under `../drizzle/`, which the store applies at start-up.
 *
 * Column names are snake_case; the TypeScript side keeps the camelCase names of the HTTP API.
 * Nested PICS records (placements, qualifications, reviews) are keyed by (learner, id): PICS ids
 * are the caller's own references, unique within their learner.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const createdAt = () =>
  text("created_at")
    .notNull()
    .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`);
const updatedAt = () =>
  text("updated_at")
    .notNull()
    .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`);

// ---------------------------------------------------------------- PICS records

export const officers = sqliteTable("officers", {
  id: text("id").primaryKey(),
  ident: text("ident").notNull(),
  firstName: text("first_name").notNull(),
  surname: text("surname").notNull(),
  email: text("email"),
  phone: text("phone"),
  mobile: text("mobile"),
  birthDate: text("birth_date"),
  onefileId: integer("onefile_id"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const organisations = sqliteTable("organisations", {
  id: text("id").primaryKey(),
  ident: text("ident").notNull(),
  name: text("name").notNull(),
  phone: text("phone"),
  email: text("email"),
  website: text("website"),
  address1: text("address1"),
  address2: text("address2"),
  address3: text("address3"),
  address4: text("address4"),
  postcode: text("postcode"),
  onefileId: integer("onefile_id"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/**
 * OFF-6, ORG-5: with several centres an officer (organisation) may have one OneFile assessor
 * (placement) per centre. One row per centre; a OneFile record links one PICS record per centre.
 */
const onefileLinksTable = (name: string, entityTable: typeof officers | typeof organisations) =>
  sqliteTable(
    name,
    {
      entityId: text("entity_id")
        .notNull()
        .references(() => entityTable.id, { onDelete: "cascade" }),
      centreId: integer("centre_id").notNull(),
      onefileId: integer("onefile_id").notNull(),
      linkedAt: text("linked_at")
        .notNull()
        .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
    },
    (t) => [primaryKey({ columns: [t.entityId, t.centreId] }), uniqueIndex(`${name}_onefile`).on(t.centreId, t.onefileId)],
  );
export const officerOnefileLinks = onefileLinksTable("officer_onefile_links", officers);
export const organisationOnefileLinks = onefileLinksTable("organisation_onefile_links", organisations);

export const learners = sqliteTable(
  "learners",
  {
    id: text("id").primaryKey(),
    firstName: text("first_name").notNull(),
    surname: text("surname").notNull(),
    email: text("email"),
    telephone: text("telephone"),
    mobile: text("mobile"),
    birthDate: text("birth_date"),
    uln: text("uln"),
    niNumber: text("ni_number"),
    sex: text("sex"),
    ethnicity: text("ethnicity"),
    disability: text("disability"),
    address1: text("address1"),
    address2: text("address2"),
    address3: text("address3"),
    address4: text("address4"),
    postcode: text("postcode"),
    startDate: text("start_date"),
    plannedEndDate: text("planned_end_date"),
    actualEndDate: text("actual_end_date"),
    systemStatus: text("system_status").notNull().default("Live"),
    learningStatus: text("learning_status").notNull().default("InLearning"),
    mainOfficerId: text("main_officer_id"),
    mainTag: text("main_tag"),
    onefileId: integer("onefile_id"),
    onefileCentreId: integer("onefile_centre_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("learners_onefile_id").on(t.onefileId)],
);

export const learnerOfficers = sqliteTable(
  "learner_officers",
  {
    learnerId: text("learner_id")
      .notNull()
      .references(() => learners.id, { onDelete: "cascade" }),
    officerId: text("officer_id").notNull(),
    type: text("type").notNull(),
  },
  (t) => [primaryKey({ columns: [t.learnerId, t.officerId, t.type] })],
);

export const placements = sqliteTable(
  "placements",
  {
    learnerId: text("learner_id")
      .notNull()
      .references(() => learners.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    organisationId: text("organisation_id").notNull(),
    type: text("type").notNull(),
    startDate: text("start_date").notNull(),
    endDate: text("end_date"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.learnerId, t.id] })],
);

export const qualifications = sqliteTable(
  "qualifications",
  {
    learnerId: text("learner_id")
      .notNull()
      .references(() => learners.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    vqReference: text("vq_reference").notNull(),
    title: text("title"),
    assessorId: text("assessor_id"),
    startDate: text("start_date"),
    plannedEndDate: text("planned_end_date"),
    hasUnits: integer("has_units", { mode: "boolean" }).notNull().default(false),
    totalElements: integer("total_elements"),
    elementsDone: integer("elements_done"),
    registrationNumber: text("registration_number"),
    registrationDate: text("registration_date"),
    certificateAppliedDate: text("certificate_applied_date"),
    certificateReceivedDate: text("certificate_received_date"),
    onefileStandardId: integer("onefile_standard_id"),
    onefileLearningAimId: integer("onefile_learning_aim_id"),
  },
  (t) => [primaryKey({ columns: [t.learnerId, t.id] })],
);

export const reviews = sqliteTable(
  "reviews",
  {
    learnerId: text("learner_id")
      .notNull()
      .references(() => learners.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    type: text("type").notNull().default("Normal"),
    scheduledDate: text("scheduled_date"),
    startTime: text("start_time"),
    officerId: text("officer_id"),
    attended: text("attended"),
    actualDate: text("actual_date"),
    traineeSignedDate: text("trainee_signed_date"),
    onefileSystemId: integer("onefile_system_id"),
    onefileVisitId: integer("onefile_visit_id"),
  },
  (t) => [primaryKey({ columns: [t.learnerId, t.id] }), index("reviews_onefile_system_id").on(t.onefileSystemId)],
);

// ---------------------------------------------------------------- integration state

/** One row per deployment (`tenant` = "default" until tenants exist). */
export const settings = sqliteTable("settings", {
  tenant: text("tenant").primaryKey(),
  /** The validated settings document (JSON) without the customer token. */
  document: text("document").notNull(),
  /** AES-GCM ciphertext of the OneFile customer token (`v1.<iv>.<data>`, base64url), or null. */
  customerTokenCiphertext: text("customer_token_ciphertext"),
  /** NOT-4: the webhook signing secret and the SMTP URL (it carries the password), sealed like the token. */
  webhookSecretCiphertext: text("webhook_secret_ciphertext"),
  smtpUrlCiphertext: text("smtp_url_ciphertext"),
  updatedAt: updatedAt(),
});

/** The OneFile Standards of every centre, as last fetched (STAT-3). */
export const onefileStandards = sqliteTable(
  "onefile_standards",
  {
    standardId: integer("standard_id").notNull(),
    centreId: integer("centre_id").notNull(),
    title: text("title").notNull(),
    vqReference: text("vq_reference"),
    /** JSON array of `{id, title}`. */
    pathways: text("pathways").notNull().default("[]"),
    refreshedAt: text("refreshed_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.centreId, t.standardId] }), index("onefile_standards_vq").on(t.vqReference)],
);

export const runs = sqliteTable(
  "runs",
  {
    id: text("id").primaryKey(),
    kind: text("kind").notNull(), // enrolment | refresh | daily | full | reconciliation | enrolment_batch
    trigger: text("trigger").notNull(), // http | scheduler | cli
    dryRun: integer("dry_run", { mode: "boolean" }).notNull().default(false),
    /** A run over named learners only (run-once --learner): not a synchronisation of everyone. */
    partialScope: integer("partial_scope", { mode: "boolean" }).notNull().default(false),
    learnerId: text("learner_id"),
    status: text("status").notNull(), // running | succeeded | partially_succeeded | failed
    message: text("message"),
    total: integer("total").notNull().default(0),
    done: integer("done").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    changes: integer("changes").notNull().default(0),
    startedAt: text("started_at").notNull(),
    endedAt: text("ended_at"),
    /** Set by the process running it, renewed while it works; a stale heartbeat means it died. */
    heartbeatAt: text("heartbeat_at"),
    owner: text("owner"),
  },
  (t) => [index("runs_started_at").on(t.startedAt), index("runs_status").on(t.status)],
);

export const runErrors = sqliteTable(
  "run_errors",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    runId: text("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    learnerId: text("learner_id"),
    code: text("code").notNull(),
    reason: text("reason").notNull(),
    at: text("at").notNull(),
  },
  (t) => [index("run_errors_run").on(t.runId), index("run_errors_learner").on(t.learnerId)],
);

/** JRN-2: one row per field changed (or planned, in a dry run). */
export const journal = sqliteTable(
  "journal",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    runId: text("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    at: text("at").notNull(),
    learnerId: text("learner_id"),
    entity: text("entity").notNull(), // learner | officer | organisation | qualification | review
    entityId: text("entity_id").notNull(),
    field: text("field").notNull(),
    before: text("before"),
    after: text("after"),
    direction: text("direction").notNull(), // toOneFile | toPics
    onefileId: integer("onefile_id"),
  },
  (t) => [index("journal_run").on(t.runId), index("journal_learner").on(t.learnerId)],
);

/** Cross-process locks with expiry (a learner, the daily run). */
export const leases = sqliteTable("leases", {
  name: text("name").primaryKey(),
  owner: text("owner").notNull(),
  expiresAt: integer("expires_at").notNull(), // epoch ms
});

/** Sliding-window log of OneFile calls per customer token (hashed), shared by every process. */
export const rateLimitCalls = sqliteTable(
  "rate_limit_calls",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    budgetKey: text("budget_key").notNull(),
    at: integer("at").notNull(), // epoch ms
  },
  (t) => [index("rate_limit_calls_key_at").on(t.budgetKey, t.at)],
);

/**
 * ENR-13: every OneFile create is recorded here before it is sent, so a re-run after a crash can
 * tell its own unfinished work (to look up and resume) from somebody else's record.
 */
export const onefileIntents = sqliteTable(
  "onefile_intents",
  {
    /** What is being created, e.g. `learner:L1`, `visit:L1/R3`. */
    key: text("key").primaryKey(),
    learnerId: text("learner_id"),
    runId: text("run_id"),
    state: text("state").notNull(), // sent | done | unknown
    onefileId: integer("onefile_id"),
    at: text("at").notNull(),
  },
  (t) => [index("onefile_intents_learner").on(t.learnerId)],
);

/**
 * How many records of each kind (learners, reviews, placements, assessors) a OneFile centre held
 * when a run last listed it: the exchange's read planner compares listing pages with per-learner
 * searches from these.
 */
export const onefileCentreCounts = sqliteTable(
  "onefile_centre_counts",
  {
    centreId: integer("centre_id").notNull(),
    kind: text("kind").notNull(), // learners | reviews | placements | assessors
    count: integer("count").notNull(),
    seenAt: text("seen_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.centreId, t.kind] })],
);

// ---------------------------------------------------------------- notifications (NOT)

/**
 * NOT-1: each notification is raised once across processes. Whoever inserts the key first sends
 * it (`run:<runId>`, `daily_run_missed:<slot>`); everyone else sees the row and stays quiet.
 */
export const notificationClaims = sqliteTable("notification_claims", {
  key: text("key").primaryKey(),
  notificationId: text("notification_id").notNull(),
  event: text("event").notNull(),
  owner: text("owner"),
  claimedAt: text("claimed_at").notNull(),
});

/** NOT-3: the deliveries log, one row per attempt per channel. */
export const notificationDeliveries = sqliteTable(
  "notification_deliveries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    notificationId: text("notification_id").notNull(),
    event: text("event").notNull(), // run_failed | run_partially_succeeded | daily_run_missed | test
    channel: text("channel").notNull(), // webhook | email
    runId: text("run_id"),
    at: text("at").notNull(),
    ok: integer("ok", { mode: "boolean" }).notNull(),
    attempt: integer("attempt").notNull(),
    status: integer("status"),
    error: text("error"),
  },
  (t) => [index("notification_deliveries_notification").on(t.notificationId)],
);

/**
 * What a run was asked and what it found, as one JSON document: a reconciliation's proposals
 * (REC-1), an enrolment batch's request (REC-3, so REC-4 can retry it).
 */
export const runDocuments = sqliteTable("run_documents", {
  runId: text("run_id")
    .primaryKey()
    .references(() => runs.id, { onDelete: "cascade" }),
  document: text("document").notNull(),
  updatedAt: text("updated_at").notNull(),
});
