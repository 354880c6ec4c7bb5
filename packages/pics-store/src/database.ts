/**
 * The libSQL connection as an Effect service. One URL chooses the database:
 * - `file:./data/pics.db` (the default): a local file in WAL mode, shared safely by several
 *   processes because every client waits (busy timeout) instead of failing with SQLITE_BUSY;
 * - `:memory:` for tests;
 * - `libsql://…` / `https://…` for a libSQL server (sqld, Turso) with an auth token.
 * The code path is the same for all three; migrations are applied when the layer is built.
 */
import { createClient, type Client } from "@libsql/client";
import { sql } from "drizzle-orm";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { Context, Data, Effect, Layer } from "effect";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import * as schema from "./schema.ts";

export type Db = LibSQLDatabase<typeof schema>;
/** A transaction handle: it has the same query API as `Db`. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Anything that can run queries: the database itself or an open transaction. */
export type Executor = Db | Tx;

/**
 * LIM-4: "now" on the database's clock, in epoch milliseconds, so processes on hosts with skewed
 * clocks agree on lease expiry, heartbeats and the call budget's window. (julianday works on
 * every SQLite and libSQL server; unixepoch('subsec') needs SQLite 3.42.)
 */
export const dbNowMs = sql<number>`CAST(ROUND((julianday('now') - 2440587.5) * 86400000) AS INTEGER)`;
/** The database's "now" as an ISO timestamp, the format of the runs' time columns. */
export const dbNowIso = sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;

export const DEFAULT_DATABASE_URL = "file:./data/pics.db";

export interface DatabaseConfig {
  readonly url: string;
  /** For `libsql://` and `https://` servers. */
  readonly authToken?: string | undefined;
  /** How long a writer waits for another process's lock before failing (file databases). */
  readonly busyTimeoutMs?: number;
  /** Where the SQL migrations are; the package's own `drizzle/` folder unless a test says otherwise. */
  readonly migrationsFolder?: string;
}

/** A database operation failed; `operation` says which, the cause is kept for logs. */
export class StoreError extends Data.TaggedError("StoreError")<{
  readonly operation: string;
  readonly cause: unknown;
}> {
  override get message(): string {
    const reason = this.cause instanceof Error ? this.cause.message : String(this.cause);
    return `database ${this.operation} failed: ${reason}`;
  }
  /**
   * Another connection held the database's lock past the busy timeout (SEC-3): nothing is wrong
   * with the request or the data, it can be tried again shortly (HTTP 503 with Retry-After).
   */
  get busy(): boolean {
    return isDatabaseBusy(this.cause);
  }
}

/** SQLITE_BUSY / SQLITE_LOCKED (and their extended codes) anywhere in an error's cause chain. */
export const isDatabaseBusy = (error: unknown): boolean => {
  for (let e = error, depth = 0; typeof e === "object" && e !== null && depth < 8; depth++) {
    const { code, extendedCode, message } = e as { code?: unknown; extendedCode?: unknown; message?: unknown };
    if ([code, extendedCode].some((c) => typeof c === "string" && /^SQLITE_(BUSY|LOCKED)/.test(c))) return true;
    if (typeof message === "string" && /database (table )?is locked/i.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
};

export interface DatabaseShape {
  readonly db: Db;
  readonly client: Client;
  /** The busy timeout, in ms: how long a write waits for another connection's lock (SEC-3 Retry-After). */
  readonly busyTimeoutMs: number;
  /** Runs one query (or a few independent ones) outside a transaction. */
  readonly use: <A>(operation: string, f: (db: Db) => Promise<A>) => Effect.Effect<A, StoreError>;
  /** Runs `f` in one write transaction: all of it lands, or none of it. */
  readonly transaction: <A>(operation: string, f: (tx: Tx) => Promise<A>) => Effect.Effect<A, StoreError>;
  /**
   * Like `use`, but what `f` commits is on disk when it returns, even against a power loss or an
   * OS crash (a local file's commits are otherwise synced at checkpoints only, D58). For the few
   * writes another write must never outlive: ENR-13's intents, recorded before a OneFile create.
   */
  readonly durably: <A>(operation: string, f: (db: Db) => Promise<A>) => Effect.Effect<A, StoreError>;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../drizzle", import.meta.url));

/** The file path of a `file:` URL, for creating its folder; null for other URLs. */
const localFilePath = (url: string): string | null => {
  if (!url.startsWith("file:")) return null;
  const path = url.slice("file:".length).split("?")[0] ?? "";
  return path.startsWith("//") ? fileURLToPath(url) : path;
};

const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

/**
 * Set on every connection the client opens (they are per connection, not per file). A local file
 * in WAL mode commits without an fsync (`synchronous = NORMAL`, D58): a commit survives a crash
 * of the process, and the database is never corrupted, but the last commits before a power loss or
 * an OS crash may roll back; `durably` syncs the writes that must not (ENR-13's intents).
 */
const applyConnectionPragmas = async (client: Client, localFile: boolean) => {
  await client.execute("PRAGMA foreign_keys = ON");
  if (localFile) await client.execute("PRAGMA synchronous = NORMAL");
};

const open = (config: DatabaseConfig) =>
  Effect.tryPromise({
    try: async () => {
      const filePath = localFilePath(config.url);
      if (filePath) mkdirSync(dirname(filePath), { recursive: true });
      const client = createClient({
        url: config.url,
        ...(config.authToken ? { authToken: config.authToken } : {}),
        timeout: config.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
        // Calls are serialised per process (below), so one connection is enough, and the pragmas
        // set here hold for every call.
        concurrency: 1,
      });
      if (filePath) await client.execute("PRAGMA journal_mode = WAL");
      await applyConnectionPragmas(client, filePath !== null);
      const db = drizzle(client, { schema });
      await migrate(db, { migrationsFolder: config.migrationsFolder ?? MIGRATIONS_FOLDER });
      return { client, db, localFile: filePath !== null };
    },
    catch: (cause) => new StoreError({ operation: `open ${redactUrl(config.url)}`, cause }),
  });

/** URLs of remote servers may carry credentials in their query; keep only scheme, host and path. */
const redactUrl = (url: string): string => url.split("?")[0] ?? url;

export class Database extends Context.Tag("pics-store/Database")<Database, DatabaseShape>() {
  static layer(config: DatabaseConfig): Layer.Layer<Database, StoreError> {
    return Layer.scoped(
      Database,
      Effect.gen(function* () {
        const { client, db, localFile } = yield* Effect.acquireRelease(open(config), ({ client }) =>
          Effect.sync(() => client.close()),
        );
        // One database call at a time per process. The local libSQL driver waits for another
        // connection's lock synchronously: a write queued behind this process's own open
        // transaction would block the event loop that transaction needs to finish, until the busy
        // timeout. Serialising here costs little (calls take well under a millisecond) and leaves
        // the busy timeout for what it is for: other processes.
        const oneAtATime = yield* Effect.makeSemaphore(1);
        // SEC-3: a statement that failed with SQLITE_BUSY stays unfinished on its connection in the
        // libsql driver, and from then on every COMMIT there fails ("cannot commit transaction - SQL
        // statements in progress") and keeps the lock. So after a busy failure the connection is
        // dropped and a fresh one opened (with its pragmas) before anything else runs. An in-memory
        // database has one connection and no other writer: it is never busy and must not be reopened.
        const reopenable = !config.url.includes(":memory:");
        const recoverFromBusy = (error: StoreError) =>
          reopenable && error.busy
            ? Effect.tryPromise(async () => {
                await client.reconnect();
                await applyConnectionPragmas(client, localFile);
              }).pipe(Effect.ignore)
            : Effect.void;
        const guarded = <A>(operation: string, run: () => Promise<A>) =>
          oneAtATime.withPermits(1)(
            Effect.tryPromise({ try: run, catch: (cause) => new StoreError({ operation, cause }) }).pipe(
              Effect.tapError(recoverFromBusy),
            ),
          );
        return {
          db,
          client,
          busyTimeoutMs: config.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
          use: (operation, f) => guarded(operation, () => f(db)),
          transaction: (operation, f) => guarded(operation, () => db.transaction((tx) => f(tx))),
          // The WAL is one append-only file: syncing this commit syncs every commit before it too.
          durably: (operation, f) =>
            localFile
              ? guarded(operation, async () => {
                  await client.execute("PRAGMA synchronous = FULL");
                  try {
                    return await f(db);
                  } finally {
                    // A failure here must not hide f's (a busy one reopens the connection, with its pragmas).
                    await client.execute("PRAGMA synchronous = NORMAL").catch(() => undefined);
                  }
                })
              : guarded(operation, () => f(db)),
        } satisfies DatabaseShape;
      }),
    );
  }
}
