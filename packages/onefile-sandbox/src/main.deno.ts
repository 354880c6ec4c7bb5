// Standalone sandbox on Deno: `npx deno run --allow-all packages/onefile-sandbox/src/main.deno.ts`.
import { createSandboxApp } from "./app.ts";
import { demoCustomerToken, demoSeed } from "./generator.ts";
import { Sandbox } from "./sandbox.ts";

// Declared loosely so `tsc` passes without Deno's type definitions.
declare const Deno: any;

const sandbox = new Sandbox({ state: demoSeed() });
const app = createSandboxApp(sandbox);
const controller = new AbortController();
const server = Deno.serve(
  {
    port: Number(Deno.env.get("SANDBOX_PORT") ?? 0),
    hostname: Deno.env.get("SANDBOX_HOST") ?? "127.0.0.1",
    signal: controller.signal,
    onListen: ({ hostname, port }: { hostname: string; port: number }) => {
      const url = `http://${hostname}:${port}`;
      console.log(`OneFile sandbox listening on ${url}`);
      console.log(`  base URL:       ${url}/api/v2.1/`);
      console.log(`  customer token: ${demoCustomerToken}`);
      console.log(`  admin:          ${url}/__sandbox`);
    },
  },
  app.fetch,
);

const stop = () => {
  sandbox.close();
  controller.abort();
};
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
await server.finished;
