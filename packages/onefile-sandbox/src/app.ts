import { Hono } from "hono";
import { adminRoutes } from "./admin.ts";
import { isApiPath } from "./endpoints.ts";
import { Sandbox, type SandboxOptions } from "./sandbox.ts";

export const adminPrefix = "/__sandbox";

/**
 * The sandbox as a Hono app: OneFile's API under `/api/v2.1/` (any letter case) and the admin API
 * under `/__sandbox`. Host it with any Web-standard server (Node via `startSandbox`, `Deno.serve`).
 */
export const createSandboxApp = (sandboxOrOptions: Sandbox | SandboxOptions = {}): Hono => {
  const sandbox = sandboxOrOptions instanceof Sandbox ? sandboxOrOptions : new Sandbox(sandboxOrOptions);
  const app = new Hono();
  app.route(adminPrefix, adminRoutes(sandbox));
  app.all("*", (c) => {
    if (isApiPath(new URL(c.req.url).pathname)) {
      return sandbox.handleApi(c.req.raw).catch((error: unknown) => {
        // Only a sandbox bug gets here: bad input is answered inside handleApi.
        sandbox.observer.unexpectedErrors++;
        console.error("onefile-sandbox: unexpected error", error);
        return c.json({ Message: "An error has occurred." }, 500);
      });
    }
    return c.json(
      { error: "not_found", message: "The OneFile API is under /api/v2.1/, the sandbox admin under /__sandbox" },
      404,
    );
  });
  return app;
};
