/**
 * SEC-3 (the database part): a lock another connection holds past the busy timeout answers 503
 * database_busy with Retry-After, never 500; once it is released every write works again in the
 * same process, with no restart.
 */
import { createClient } from "@libsql/client";
import { afterEach, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "./support.ts";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const officer = (id: string) => ({ id, ident: `I-${id}`, firstName: "Olive", surname: "Officer", email: `${id}@p.test` });

/** One of every kind of write the API offers without OneFile. */
const writes = (s: TestServer, tag: string) => [
  () => s.request("POST", "/api/v1/import", { body: { officers: [officer(`O-import-${tag}`)] } }),
  () => s.request("POST", "/api/v1/officers", { body: officer(`O-post-${tag}`) }),
  () => s.request("PATCH", "/api/v1/officers/O1", { body: { phone: `0161 ${tag}` } }),
  () => s.request("PUT", "/api/v1/settings", { body: { endedWithinDays: tag === "during" ? 11 : 12 } }),
  () => s.request("DELETE", `/api/v1/officers/O-delete-${tag}`),
];

describe("SEC-3: a busy database", () => {
  it("answers 503 database_busy with Retry-After while another connection holds the lock, and every write works after it", async () => {
    server = await startServer({ busyTimeoutMs: 300 });
    const s = server;
    const seeded = await s.request("POST", "/api/v1/import", {
      body: { officers: [officer("O1"), officer("O-delete-during"), officer("O-delete-after")] },
    });
    expect(seeded.status).toBe(200);

    const other = createClient({ url: s.databaseUrl });
    const hold = await other.transaction("write");
    await hold.execute("UPDATE officers SET phone = 'held' WHERE id = 'O1'");
    const during = [];
    for (const write of writes(s, "during")) during.push(await write());
    await hold.rollback();
    other.close();
    for (const answer of during) {
      expect([answer.status, answer.json?.error]).toEqual([503, "database_busy"]);
      expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(0);
    }

    const after = [];
    for (const write of writes(s, "after")) after.push(await write());
    expect(after.map((a) => a.status)).toEqual([200, 201, 200, 200, 204]);
    expect((await s.request("GET", "/api/v1/officers/O1")).json.phone).toBe("0161 after");
    expect(s.logs.filter((l) => l.level === "error")).toEqual([]);
  }, 60_000);
});
