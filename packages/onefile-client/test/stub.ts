/**
 * A tiny local OneFile stand-in (Hono on 127.0.0.1, ephemeral port) for unit tests that need
 * exact control of answers. Contract tests use the real sandbox instead.
 */
import { serve } from "@hono/node-server";
import { Effect } from "effect";
import { Hono } from "hono";
import type { AddressInfo } from "node:net";

export interface RecordedCall {
  readonly method: string;
  /** Path after `/api/v2.1/`. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface Stub {
  readonly baseUrl: string;
  readonly calls: Array<RecordedCall>;
  /** Calls to one path (method + path, e.g. `GET Customer`). */
  readonly callsTo: (label: string) => Array<RecordedCall>;
}

/** Starts a stub for the scope; `routes` registers handlers on a Hono app mounted at `/api/v2.1`. */
export const stubServer = (routes: (app: Hono, calls: Array<RecordedCall>) => void) =>
  Effect.acquireRelease(
    Effect.async<{ stub: Stub; close: () => Promise<void> }>((resume) => {
      const calls: Array<RecordedCall> = [];
      const api = new Hono();
      api.use("*", async (c, next) => {
        const body = await c.req.raw.clone().text();
        calls.push({
          method: c.req.method,
          path: c.req.path.replace(/^\/api\/v2\.1\//, ""),
          headers: Object.fromEntries(c.req.raw.headers.entries()),
          body,
        });
        await next();
      });
      routes(api, calls);
      const app = new Hono().route("/api/v2.1", api);
      const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) => {
        resume(
          Effect.succeed({
            stub: {
              baseUrl: `http://127.0.0.1:${info.port}/api/v2.1/`,
              calls,
              callsTo: (label: string) => calls.filter((c) => `${c.method} ${c.path}` === label),
            },
            close: () =>
              new Promise<void>((done) => {
                // Hanging handlers must not keep the server open.
                (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
                server.close(() => done());
              }),
          }),
        );
      });
    }),
    ({ close }) => Effect.promise(close),
  ).pipe(Effect.map(({ stub }) => stub));

/** Standard authentication route answering a fresh token each time (quoted JSON by default). */
export const authRoute = (app: Hono, opts: { quoted?: boolean; token?: () => string } = {}) => {
  let n = 0;
  app.post("/Authentication", (c) => {
    if (c.req.header("X-CustomerToken") !== "secret-token") return c.body(null, 401);
    n += 1;
    const token = opts.token?.() ?? `session-${n}`;
    return opts.quoted === false ? c.text(token) : c.json(token);
  });
};
