import { it } from "@effect/vitest";
import { Effect } from "effect";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { Database, MIGRATIONS_FOLDER, PicsRecords, PicsStore } from "../src/index.ts";
import { officer, tempDatabaseUrl, TEST_SECRET } from "./support.ts";

const appliedMigrations = Effect.gen(function* () {
  const { client } = yield* Database;
  const rows = yield* Effect.promise(() => client.execute("SELECT hash FROM __drizzle_migrations ORDER BY id"));
  return rows.rows.length;
});

describe("migrations", () => {
  it.effect("a second start on an existing database applies only the new migrations", () =>
    Effect.gen(function* () {
      const url = tempDatabaseUrl();
      // A copy of the real migrations, to which the "next release" adds one.
      const folder = mkdtempSync(join(tmpdir(), "pics-migrations-"));
      cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
      const layer = () => PicsStore.layer({ url, secretKey: TEST_SECRET, migrationsFolder: folder });
      const shipped = JSON.parse(readFileSync(join(folder, "meta/_journal.json"), "utf8")).entries.length;

      yield* Effect.gen(function* () {
        expect(yield* appliedMigrations).toBe(shipped);
        yield* (yield* PicsRecords).importDocument({ officers: [officer("O1")] });
      }).pipe(Effect.provide(layer()));

      // Same migrations again: nothing re-applied (re-running CREATE TABLE would fail), data intact.
      yield* Effect.gen(function* () {
        expect(yield* appliedMigrations).toBe(shipped);
      }).pipe(Effect.provide(layer()));

      const journal = JSON.parse(readFileSync(join(folder, "meta/_journal.json"), "utf8"));
      journal.entries.push({ idx: shipped, version: "6", when: Date.now() + 1000, tag: "9999_next_release", breakpoints: true });
      writeFileSync(join(folder, "meta/_journal.json"), JSON.stringify(journal));
      writeFileSync(join(folder, "9999_next_release.sql"), "ALTER TABLE `officers` ADD `nickname` text;");

      yield* Effect.gen(function* () {
        expect(yield* appliedMigrations).toBe(shipped + 1);
        expect((yield* (yield* PicsRecords).getOfficer("O1")).surname).toBe("Officer O1");
        const { client } = yield* Database;
        const columns = yield* Effect.promise(() => client.execute("SELECT name FROM pragma_table_info('officers')"));
        expect(columns.rows.map((r) => r.name)).toContain("nickname");
      }).pipe(Effect.provide(layer()));
    }),
  );

  it.effect("the default url opens in WAL mode", () =>
    Effect.gen(function* () {
      const { client } = yield* Database;
      const mode = yield* Effect.promise(() => client.execute("PRAGMA journal_mode"));
      expect(mode.rows[0]?.journal_mode).toBe("wal");
    }).pipe(Effect.provide(PicsStore.layer({ url: tempDatabaseUrl(), secretKey: TEST_SECRET }))),
  );
});
