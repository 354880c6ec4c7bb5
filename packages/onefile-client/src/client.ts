/**
 * The OneFile REST API v2.1 as an Effect service: one method per endpoint of the contract.
 *
 * Every request goes: session (cached, renewed ahead of expiry) → rate limiter (shared budget) →
 * ofetch (`retry: 0`, per-request timeout) → status handling:
 * - 2xx: body decoded with Schema (`UndecodableResponse` names the field);
 * - 401: the session is renewed once and the call repeated, then `Unauthorized`;
 * - 429: wait `Retry-After` or one window, repeat; after `maxRateLimitWaitMs` in total `RateLimited`;
 * - 5xx / timeout / dropped connection: reads, updates and authentication retried with jittered
 *   exponential backoff up to `maxReadRetries`, then `OneFileUnavailable`; a create is never
 *   retried and fails `CreateOutcomeUnknown` (look the record up again, ENR-13);
 * - 400 `RejectedByOneFile` (code and message), 403 `Forbidden`, 404 `NotFound`.
 */
import {
  Chunk,
  Clock,
  Context,
  Duration,
  Effect,
  Layer,
  Option,
  ParseResult,
  Random,
  Redacted,
  Ref,
  Schema,
  Stream,
  SynchronizedRef,
} from "effect";
import {
  endpointLabel,
  endpointPath,
  type EndpointDef,
  Endpoints,
  errorCodeName,
  FIRST_PAGE,
  Headers,
  parseCreatedId,
  parseRetryAfterMs,
  parseSessionToken,
  SEARCH_NO_MATCH_STATUS,
  SESSION_EXPIRED_STATUS,
} from "./contract.ts";
import { type OneFileClientConfig, resolveConfig, type ResolvedConfig } from "./config.ts";
import {
  CreateOutcomeUnknown,
  Forbidden,
  InvalidClientConfig,
  UnsendableRequest,
  NotFound,
  type OneFileError,
  OneFileUnavailable,
  RateLimited,
  RejectedByOneFile,
  Unauthorized,
  UndecodableResponse,
} from "./errors.ts";
import { budgetLimit, inMemoryCallBudget, RateLimiter, type RateLimiterShape } from "./limiter.ts";
import {
  Assignment,
  Centre,
  CentreSearch,
  Classroom,
  ClassroomFilter,
  Customer,
  LearningAim,
  LearningAimChanges,
  LearningAimFilter,
  NewClassroom,
  NewPlacement,
  NewReview,
  NewUser,
  NewVisit,
  OneFileErrorBody,
  Placement,
  PlacementChanges,
  PlacementFilter,
  Review,
  ReviewFilter,
  Standard,
  StandardAssignment,
  StandardFilter,
  User,
  UserChanges,
  UserFilter,
  UserSummary,
} from "./schema.ts";
import { type RawResponse, send, type TransportFailure } from "./transport.ts";

// ---------------------------------------------------------------------------------------------
// Public shape
// ---------------------------------------------------------------------------------------------

/** Snapshot of what the client did since its layer was built. */
export interface ClientCounters {
  /** HTTP exchanges attempted (each retry counts). */
  readonly total: number;
  /** endpoint label (`POST User/Search`) → status (`200`, `429`, `timeout`, `network`) → count. */
  readonly calls: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly http429: number;
  /** Time spent waiting for the call budget (pacing). */
  readonly limiterWaitMs: number;
  /** Time spent waiting out 429 answers. */
  readonly rateLimitWaitMs: number;
  /** Repeats after 5xx / timeout / dropped connection. */
  readonly retries: number;
  /** Successful `POST Authentication` calls (first session and renewals). */
  readonly authentications: number;
}

type Fx<A> = Effect.Effect<A, OneFileError>;
type Rows<A> = Fx<ReadonlyArray<A>>;

export interface OneFileClientShape {
  /** Opens a fresh session now (a connection test, STAT-2). Other calls authenticate on their own. */
  readonly authenticate: () => Fx<void>;
  readonly getCustomer: () => Fx<Customer>;
  /** `Organisation/Search`: the customer's centres; without an id the customer is read first. */
  readonly searchCentres: (customerId?: number) => Rows<Centre>;
  /** Paged `User/Search`, every page collected: full user rows. */
  readonly searchUsers: (filter: UserFilter) => Rows<User>;
  readonly streamUsers: (filter: UserFilter) => Stream.Stream<User, OneFileError>;
  /** Unpaged `User/Search`: summary rows [I]. */
  readonly searchUserSummaries: (filter: UserFilter) => Rows<UserSummary>;
  readonly getUser: (id: number) => Fx<User>;
  readonly createUser: (user: NewUser) => Fx<User>;
  readonly updateUser: (id: number, changes: UserChanges) => Fx<void>;
  /** `User/{assigneeId}/Assign`. */
  readonly assignToLearner: (assigneeId: number, assignment: Assignment) => Fx<void>;
  readonly searchClassrooms: (filter: ClassroomFilter) => Rows<Classroom>;
  /** Returns the new classroom's id. */
  readonly createClassroom: (classroom: NewClassroom) => Fx<number>;
  readonly searchPlacements: (filter: PlacementFilter) => Rows<Placement>;
  readonly streamPlacements: (filter: PlacementFilter) => Stream.Stream<Placement, OneFileError>;
  readonly getPlacement: (id: number) => Fx<Placement>;
  /** Returns the new placement's id. */
  readonly createPlacement: (placement: NewPlacement) => Fx<number>;
  readonly updatePlacement: (id: number, changes: PlacementChanges) => Fx<void>;
  readonly searchStandards: (filter: StandardFilter) => Rows<Standard>;
  /** `Standard/{standardId}/Assign/{learnerId}`: returns the new learning aim's id. */
  readonly assignStandard: (standardId: number, learnerId: number, assignment?: StandardAssignment) => Fx<number>;
  readonly searchLearningAims: (filter: LearningAimFilter) => Rows<LearningAim>;
  readonly streamLearningAims: (filter: LearningAimFilter) => Stream.Stream<LearningAim, OneFileError>;
  readonly getLearningAim: (id: number) => Fx<LearningAim>;
  readonly updateLearningAim: (id: number, changes: LearningAimChanges) => Fx<void>;
  /** Returns the new visit's id. */
  readonly createVisit: (visit: NewVisit) => Fx<number>;
  /** Returns the new review's id. */
  readonly createReview: (review: NewReview) => Fx<number>;
  readonly searchReviews: (filter: ReviewFilter) => Rows<Review>;
  readonly streamReviews: (filter: ReviewFilter) => Stream.Stream<Review, OneFileError>;
  readonly getReview: (id: number) => Fx<Review>;
  readonly counters: () => Effect.Effect<ClientCounters>;
}

const methodNames = [
  "authenticate",
  "getCustomer",
  "searchCentres",
  "searchUsers",
  "streamUsers",
  "searchUserSummaries",
  "getUser",
  "createUser",
  "updateUser",
  "assignToLearner",
  "searchClassrooms",
  "createClassroom",
  "searchPlacements",
  "streamPlacements",
  "getPlacement",
  "createPlacement",
  "updatePlacement",
  "searchStandards",
  "assignStandard",
  "searchLearningAims",
  "streamLearningAims",
  "getLearningAim",
  "updateLearningAim",
  "createVisit",
  "createReview",
  "searchReviews",
  "streamReviews",
  "getReview",
  "counters",
] as const satisfies ReadonlyArray<keyof OneFileClientShape>;

export class OneFileClient extends Context.Tag("onefile-client/OneFileClient")<OneFileClient, OneFileClientShape>() {
  /**
   * Builds the client. Uses the `RateLimiter` built from `config.callBudget` (or an in-memory
   * budget from `config.rateLimit`), private to this layer.
   */
  static layer = (config: OneFileClientConfig): Layer.Layer<OneFileClient, InvalidClientConfig> =>
    Layer.effect(OneFileClient, makeOneFileClient(config));

  /** Builds the client on a `RateLimiter` from the context (to share one limiter between layers). */
  static layerWithLimiter = (config: OneFileClientConfig): Layer.Layer<OneFileClient, InvalidClientConfig, RateLimiter> =>
    Layer.effect(
      OneFileClient,
      Effect.flatMap(RateLimiter, (limiter) => makeOneFileClient(config, limiter)),
    );

  /** A fail-loud fake: methods not given die naming themselves. */
  static testLayer = (impl: Partial<OneFileClientShape>): Layer.Layer<OneFileClient> =>
    Layer.succeed(OneFileClient, {
      ...(Object.fromEntries(
        methodNames.map((name) => [
          name,
          (..._: Array<unknown>) => {
            const defect = Effect.dieMessage(`OneFileClient.${name} is not implemented in this test layer`);
            return name.startsWith("stream") ? Stream.fromEffect(defect) : defect;
          },
        ]),
      ) as unknown as OneFileClientShape),
      ...impl,
    });
}

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

interface Session {
  readonly token: string;
  readonly renewAt: number;
}

interface Call<A> {
  readonly endpoint: EndpointDef;
  readonly params?: Readonly<Record<string, number>>;
  readonly page?: { readonly page: number; readonly size: number };
  /** Already encoded (wire keys). */
  readonly body?: unknown;
  /** Reads a 2xx answer. */
  readonly decode: (response: RawResponse, label: string) => Effect.Effect<A, UndecodableResponse>;
}

const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`),
    "",
  ) || "(body)";

const firstIssue = (error: ParseResult.ParseError): { field: string; message: string } => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error);
  const issue = issues[0];
  return issue === undefined
    ? { field: "(body)", message: error.message }
    : { field: formatPath(issue.path), message: issue.message };
};

const parseJson = (label: string, text: string): Effect.Effect<unknown, UndecodableResponse> =>
  Effect.try({
    try: (): unknown => JSON.parse(text),
    catch: () =>
      new UndecodableResponse({
        endpoint: label,
        field: "(body)",
        message: `${label}: (body) is not JSON: ${JSON.stringify(text.slice(0, 80))}`,
      }),
  });

/**
 * One compiled function per schema, made on first use: building a decoder (and, for searches, the
 * array schema around a row) on every answer cost more than the decoding itself.
 */
const memoBySchema = <S extends object, F>(make: (schema: S) => F) => {
  const made = new WeakMap<S, F>();
  return (schema: S): F => {
    let f = made.get(schema);
    if (f === undefined) made.set(schema, (f = make(schema)));
    return f;
  };
};
const decoderOf = memoBySchema((schema: Schema.Schema.AnyNoContext) => Schema.decodeUnknown(schema));
const arrayDecoderOf = memoBySchema((schema: Schema.Schema.AnyNoContext) => Schema.decodeUnknown(Schema.Array(schema)));
const encoderOf = memoBySchema((schema: Schema.Schema.AnyNoContext) => Schema.encode(schema));

const decodeWith = <A>(
  decoder: (value: unknown) => Effect.Effect<A, ParseResult.ParseError>,
  label: string,
  value: unknown,
): Effect.Effect<A, UndecodableResponse> =>
  decoder(value).pipe(
    Effect.mapError((e) => {
      const { field, message } = firstIssue(e);
      return new UndecodableResponse({ endpoint: label, field, message: `${label}: field ${field}: ${message}` });
    }),
  );

/** A record answer (GET, create User). */
const record =
  <A, I>(schema: Schema.Schema<A, I>) =>
  (response: RawResponse, label: string) =>
    parseJson(label, response.text).pipe(
      Effect.flatMap((json) =>
        decodeWith(decoderOf(schema) as (value: unknown) => Effect.Effect<A, ParseResult.ParseError>, label, json),
      ),
    );

/** A search answer: a JSON array, or 204 / an empty body for no match. */
const rows =
  <A, I>(schema: Schema.Schema<A, I>) =>
  (response: RawResponse, label: string) =>
    response.status === SEARCH_NO_MATCH_STATUS || response.text.trim() === ""
      ? Effect.succeed<ReadonlyArray<A>>([])
      : parseJson(label, response.text).pipe(
          Effect.flatMap((json) =>
            json === null
              ? Effect.succeed<ReadonlyArray<A>>([])
              : decodeWith(
                  arrayDecoderOf(schema) as (value: unknown) => Effect.Effect<ReadonlyArray<A>, ParseResult.ParseError>,
                  label,
                  json,
                ),
          ),
        );

/** A create answer: the new id, as a bare integer or `{ID}`. */
const createdId = (response: RawResponse, label: string): Effect.Effect<number, UndecodableResponse> => {
  const text = response.text.trim();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // a bare integer that is not JSON-clean (e.g. with a BOM) is tried as text below
  }
  const id = parseCreatedId(json) ?? parseCreatedId(text);
  return id === undefined
    ? Effect.fail(
        new UndecodableResponse({
          endpoint: label,
          field: "ID",
          message: `${label}: field ID: expected the new id as an integer or {ID}, got ${JSON.stringify(text.slice(0, 80))}`,
        }),
      )
    : Effect.succeed(id);
};

/** An update / action answer: 204 (any 2xx accepted). */
const nothing = (_: RawResponse, __: string): Effect.Effect<void> => Effect.void;

const sessionToken = (response: RawResponse, label: string): Effect.Effect<string, UndecodableResponse> => {
  const token = parseSessionToken(response.text);
  return token === undefined
    ? Effect.fail(
        new UndecodableResponse({ endpoint: label, field: "(body)", message: `${label}: (body) holds no session token` }),
      )
    : Effect.succeed(token);
};

const encode = <A, I>(schema: Schema.Schema<A, I>, endpoint: EndpointDef, value: A): Effect.Effect<I, UnsendableRequest> =>
  (encoderOf(schema) as (value: A) => Effect.Effect<I, ParseResult.ParseError>)(value).pipe(
    Effect.mapError((e) => {
      const label = endpointLabel(endpoint);
      const { field, message } = firstIssue(e);
      return new UnsendableRequest({ endpoint: label, field, message: `${label}: request field ${field}: ${message}` });
    }),
  );

const truncate = (s: string, n = 200): string => (s.length > n ? `${s.slice(0, n)}…` : s);

const rejection = (label: string, response: RawResponse): RejectedByOneFile => {
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    body = undefined;
  }
  // The contract says `{code, message}`; accept any key case.
  const lowered =
    typeof body === "object" && body !== null
      ? Object.fromEntries(Object.entries(body).map(([k, v]) => [k.toLowerCase(), v]))
      : body;
  const parsed = Schema.decodeUnknownOption(OneFileErrorBody)(lowered);
  if (Option.isSome(parsed)) {
    const { code, message } = parsed.value;
    return new RejectedByOneFile({
      endpoint: label,
      status: response.status,
      code,
      codeName: errorCodeName(code) ?? null,
      message: message ?? `OneFile error ${code}`,
    });
  }
  return new RejectedByOneFile({
    endpoint: label,
    status: response.status,
    code: null,
    codeName: null,
    message: truncate(response.text.trim()) || `HTTP ${response.status}`,
  });
};

interface MutableCounters {
  total: number;
  calls: Record<string, Record<string, number>>;
  http429: number;
  limiterWaitMs: number;
  rateLimitWaitMs: number;
  retries: number;
  authentications: number;
}

export const makeOneFileClient = (
  config: OneFileClientConfig,
  sharedLimiter?: RateLimiterShape,
): Effect.Effect<OneFileClientShape, InvalidClientConfig> =>
  Effect.gen(function* () {
    const cfg: ResolvedConfig = yield* resolveConfig(config);
    const limit = budgetLimit(cfg.rateLimit);
    const limiter = sharedLimiter ?? (yield* RateLimiter.make(cfg.callBudget ?? inMemoryCallBudget(limit)));
    const counters = yield* Ref.make<MutableCounters>({
      total: 0,
      calls: {},
      http429: 0,
      limiterWaitMs: 0,
      rateLimitWaitMs: 0,
      retries: 0,
      authentications: 0,
    });
    const count = (f: (c: MutableCounters) => void) =>
      Ref.update(counters, (c) => {
        const next: MutableCounters = { ...c, calls: { ...c.calls } };
        f(next);
        return next;
      });
    const countCall = (label: string, status: string) =>
      count((c) => {
        c.total += 1;
        const byStatus = { ...c.calls[label] };
        byStatus[status] = (byStatus[status] ?? 0) + 1;
        c.calls[label] = byStatus;
      });

    const backoff = (retry: number) =>
      Effect.gen(function* () {
        const exp = Math.min(cfg.retryMaxDelayMs, cfg.retryBaseDelayMs * 2 ** (retry - 1));
        const jitter = yield* Random.nextRange(0.5, 1);
        yield* Effect.sleep(Duration.millis(Math.round(exp * jitter)));
      });

    // --- the exchange ------------------------------------------------------------------------

    const execute = <A>(call: Call<A>, sessionFor: Effect.Effect<string, OneFileError> | undefined): Fx<A> =>
      Effect.gen(function* () {
        const label = endpointLabel(call.endpoint);
        const kind = call.endpoint.kind;
        const url = cfg.baseUrl + endpointPath(call.endpoint, call.params, call.page);
        const body = call.body === undefined ? undefined : JSON.stringify(call.body);
        let attempts = 0;
        let renewed = false;
        let rateLimitWaited = 0;

        for (;;) {
          const session = sessionFor === undefined ? undefined : yield* sessionFor;
          const headers: Record<string, string> = { Accept: "application/json" };
          if (body !== undefined) headers["Content-Type"] = "application/json";
          if (session === undefined) headers[Headers.customerToken] = Redacted.value(cfg.customerToken);
          else headers[Headers.session] = session;

          const waited = yield* limiter.acquire;
          if (waited > 0) yield* count((c) => void (c.limiterWaitMs += waited));
          attempts += 1;
          const outcome = yield* Effect.either(
            send({
              method: call.endpoint.method,
              url,
              headers,
              body,
              timeoutMs: cfg.requestTimeoutMs,
              maxAnswerBytes: cfg.maxAnswerBytes,
              secrets: [session ?? Redacted.value(cfg.customerToken)],
            }),
          );

          // No answer, or a server fault: the outcome of the call is unknown.
          const unknownOutcome = (reason: string, message: string) =>
            Effect.gen(function* () {
              if (kind === "create") {
                return yield* new CreateOutcomeUnknown({
                  endpoint: label,
                  reason,
                  message: `${label}: outcome unknown (${message}); not retried, look the record up again`,
                });
              }
              if (attempts > cfg.maxReadRetries) {
                return yield* new OneFileUnavailable({
                  endpoint: label,
                  attempts,
                  reason,
                  message: `${label}: ${message} after ${attempts} attempt(s)`,
                });
              }
              yield* count((c) => void (c.retries += 1));
              yield* backoff(attempts);
            });

          if (outcome._tag === "Left") {
            const failure: TransportFailure = outcome.left;
            yield* countCall(label, failure.reason);
            // An answer too large to read is not the contract's answer: never read it again.
            if (failure.reason === "tooLarge") {
              return yield* new UndecodableResponse({
                endpoint: label,
                field: "(body)",
                message: `${label}: ${failure.message}`,
              });
            }
            yield* unknownOutcome(failure.reason, failure.message);
            continue;
          }

          const response = outcome.right;
          const status = response.status;
          yield* countCall(label, String(status));

          if (status >= 200 && status < 300) {
            const value = yield* call.decode(response, label);
            if (kind === "auth") yield* count((c) => void (c.authentications += 1));
            return value;
          }
          if (status === SESSION_EXPIRED_STATUS) {
            if (session === undefined) {
              return yield* new Unauthorized({ endpoint: label, message: `${label}: OneFile refused the customer token (401)` });
            }
            if (!renewed) {
              renewed = true;
              yield* invalidateSession(session);
              continue;
            }
            return yield* new Unauthorized({ endpoint: label, message: `${label}: still 401 after renewing the session` });
          }
          if (status === 429) {
            const now = yield* Clock.currentTimeMillis;
            const wait = parseRetryAfterMs(response.retryAfter, now) ?? limit.windowMs;
            yield* count((c) => void (c.http429 += 1));
            if (rateLimitWaited + wait > cfg.maxRateLimitWaitMs) {
              return yield* new RateLimited({
                endpoint: label,
                waitedMs: rateLimitWaited,
                message: `${label}: still rate-limited after waiting ${rateLimitWaited} ms`,
              });
            }
            // Everyone in this process holds back, not just this fibre.
            yield* limiter.pauseFor(wait);
            yield* Effect.sleep(Duration.millis(wait));
            rateLimitWaited += wait;
            yield* count((c) => void (c.rateLimitWaitMs += wait));
            continue;
          }
          const path = endpointPath(call.endpoint, call.params, call.page);
          if (status === 404) {
            return yield* new NotFound({ endpoint: label, path, message: `${label}: ${path} not found` });
          }
          if (status === 403) {
            return yield* new Forbidden({ endpoint: label, path, message: `${label}: ${path} belongs to another customer` });
          }
          if (status >= 500) {
            yield* unknownOutcome(`status ${status}`, `HTTP ${status}`);
            continue;
          }
          return yield* rejection(label, response);
        }
      });

    // --- the session (LIM-2) -----------------------------------------------------------------

    const sessionRef = yield* SynchronizedRef.make<Option.Option<Session>>(Option.none());

    const login: Fx<Session> = Effect.gen(function* () {
      const issuedAt = yield* Clock.currentTimeMillis;
      const token = yield* execute({ endpoint: Endpoints.authentication, decode: sessionToken }, undefined);
      return { token, renewAt: issuedAt + cfg.sessionRenewAfterMs };
    });

    // One fibre authenticates while the others wait on the ref: no stampede.
    const currentSession: Fx<string> = SynchronizedRef.modifyEffect(sessionRef, (current) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis;
        if (Option.isSome(current) && now < current.value.renewAt) return [current.value.token, current] as const;
        const fresh = yield* login;
        return [fresh.token, Option.some(fresh)] as const;
      }),
    );

    // Only drop the session the failed call used: another fibre may have renewed it already.
    const invalidateSession = (token: string) =>
      SynchronizedRef.update(sessionRef, (current) =>
        Option.isSome(current) && current.value.token === token ? Option.none() : current,
      );

    const call = <A>(c: Call<A>): Fx<A> => execute(c, currentSession);

    // --- searches ----------------------------------------------------------------------------

    const paged = <A, I, F, FI>(
      endpoint: EndpointDef,
      row: Schema.Schema<A, I>,
      filterSchema: Schema.Schema<F, FI>,
      filter: F,
    ): Stream.Stream<A, OneFileError> =>
      Stream.unwrap(
        encode(filterSchema, endpoint, filter).pipe(
          Effect.map((body) =>
            Stream.paginateChunkEffect(FIRST_PAGE, (page) =>
              call({ endpoint, page: { page, size: cfg.pageSize }, body, decode: rows(row) }).pipe(
                Effect.map(
                  (found) =>
                    [
                      Chunk.fromIterable(found),
                      found.length < cfg.pageSize ? Option.none<number>() : Option.some(page + 1),
                    ] as const,
                ),
              ),
            ),
          ),
        ),
      );

    const collect = <A>(stream: Stream.Stream<A, OneFileError>): Rows<A> =>
      Stream.runCollect(stream).pipe(Effect.map(Chunk.toReadonlyArray));

    const search = <A, I, F, FI>(
      endpoint: EndpointDef,
      row: Schema.Schema<A, I>,
      filterSchema: Schema.Schema<F, FI>,
      filter: F,
    ): Rows<A> =>
      encode(filterSchema, endpoint, filter).pipe(Effect.flatMap((body) => call({ endpoint, body, decode: rows(row) })));

    const write = <A, I, R>(
      endpoint: EndpointDef,
      schema: Schema.Schema<A, I>,
      value: A,
      decode: Call<R>["decode"],
      params?: Record<string, number>,
    ): Fx<R> =>
      encode(schema, endpoint, value).pipe(
        Effect.flatMap((body) => call({ endpoint, body, decode, ...(params === undefined ? {} : { params }) })),
      );

    const get = <A, I>(endpoint: EndpointDef, schema: Schema.Schema<A, I>, id: number): Fx<A> =>
      call({ endpoint, params: { id }, decode: record(schema) });

    const getCustomer = () => call({ endpoint: Endpoints.getCustomer, decode: record(Customer) });

    const client: OneFileClientShape = {
      authenticate: () => SynchronizedRef.updateEffect(sessionRef, () => Effect.map(login, Option.some)),
      getCustomer,
      searchCentres: (customerId) =>
        (customerId === undefined ? Effect.map(getCustomer(), (c) => c.ID) : Effect.succeed(customerId)).pipe(
          Effect.flatMap((CustomerID) => search(Endpoints.searchOrganisations, Centre, CentreSearch, { CustomerID })),
        ),
      searchUsers: (filter) => collect(paged(Endpoints.searchUsers, User, UserFilter, filter)),
      streamUsers: (filter) => paged(Endpoints.searchUsers, User, UserFilter, filter),
      searchUserSummaries: (filter) => search(Endpoints.searchUsers, UserSummary, UserFilter, filter),
      getUser: (id) => get(Endpoints.getUser, User, id),
      createUser: (user) => write(Endpoints.createUser, NewUser, user, record(User)),
      updateUser: (id, changes) => write(Endpoints.updateUser, UserChanges, changes, nothing, { id }),
      assignToLearner: (assigneeId, assignment) =>
        write(Endpoints.assignToLearner, Assignment, assignment, nothing, { id: assigneeId }),
      searchClassrooms: (filter) => search(Endpoints.searchClassrooms, Classroom, ClassroomFilter, filter),
      createClassroom: (classroom) => write(Endpoints.createClassroom, NewClassroom, classroom, createdId),
      searchPlacements: (filter) => collect(paged(Endpoints.searchPlacements, Placement, PlacementFilter, filter)),
      streamPlacements: (filter) => paged(Endpoints.searchPlacements, Placement, PlacementFilter, filter),
      getPlacement: (id) => get(Endpoints.getPlacement, Placement, id),
      createPlacement: (placement) => write(Endpoints.createPlacement, NewPlacement, placement, createdId),
      updatePlacement: (id, changes) => write(Endpoints.updatePlacement, PlacementChanges, changes, nothing, { id }),
      searchStandards: (filter) => search(Endpoints.searchStandards, Standard, StandardFilter, filter),
      assignStandard: (standardId, learnerId, assignment = {}) =>
        write(Endpoints.assignStandard, StandardAssignment, assignment, createdId, { standardId, learnerId }),
      searchLearningAims: (filter) => collect(paged(Endpoints.searchLearningAims, LearningAim, LearningAimFilter, filter)),
      streamLearningAims: (filter) => paged(Endpoints.searchLearningAims, LearningAim, LearningAimFilter, filter),
      getLearningAim: (id) => get(Endpoints.getLearningAim, LearningAim, id),
      updateLearningAim: (id, changes) => write(Endpoints.updateLearningAim, LearningAimChanges, changes, nothing, { id }),
      createVisit: (visit) => write(Endpoints.createVisit, NewVisit, visit, createdId),
      createReview: (review) => write(Endpoints.createReview, NewReview, review, createdId),
      searchReviews: (filter) => collect(paged(Endpoints.searchReviews, Review, ReviewFilter, filter)),
      streamReviews: (filter) => paged(Endpoints.searchReviews, Review, ReviewFilter, filter),
      getReview: (id) => get(Endpoints.getReview, Review, id),
      counters: () =>
        Ref.get(counters).pipe(
          Effect.map((c): ClientCounters => ({
            ...c,
            calls: Object.fromEntries(Object.entries(c.calls).map(([k, v]) => [k, { ...v }])),
          })),
        ),
    };
    return client;
  });
