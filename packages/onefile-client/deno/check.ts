/**
 * Runtime check under Deno (the client must run there too): a loopback stub, one session,
 * one read, one typed error. Run: `npm run test:deno` (from this package).
 */
import { Effect } from "effect";
import { makeOneFileClient } from "../src/index.ts";

const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
  const path = new URL(req.url).pathname;
  if (path.endsWith("/Authentication")) {
    return req.headers.get("X-CustomerToken") === "t" ? new Response(JSON.stringify("tok")) : new Response(null, { status: 401 });
  }
  if (req.headers.get("X-TokenID") !== "tok") return new Response(null, { status: 401 });
  if (path.endsWith("/Customer")) return Response.json({ ID: 1, Name: "Deno" });
  if (path.endsWith("/User/Search/1/100")) return new Response(null, { status: 204 });
  return new Response(null, { status: 404 });
});
const baseUrl = `http://127.0.0.1:${server.addr.port}/api/v2.1/`;

const result = await Effect.runPromise(
  Effect.gen(function* () {
    const client = yield* makeOneFileClient({ baseUrl, customerToken: "t" });
    const customer = yield* client.getCustomer();
    const users = yield* client.searchUsers({ MISID: "x" });
    const missing = yield* Effect.flip(client.getUser(5));
    return { customer, users, missing: missing._tag, counters: yield* client.counters() };
  }),
);
await server.shutdown();

const ok =
  result.customer.Name === "Deno" &&
  result.users.length === 0 &&
  result.missing === "NotFound" &&
  result.counters.authentications === 1;
console.log(ok ? "onefile-client under Deno: ok" : `onefile-client under Deno: FAILED ${JSON.stringify(result)}`);
if (!ok) Deno.exit(1);
