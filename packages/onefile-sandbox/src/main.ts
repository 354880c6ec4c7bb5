// Standalone sandbox on Node: `tsx packages/onefile-sandbox/src/main.ts` (or `npm run sandbox`).
import { demoCustomerToken, demoSeed } from "./generator.ts";
import { startSandbox } from "./node.ts";

const port = Number(process.env.SANDBOX_PORT ?? 0);
const running = await startSandbox({ port, hostname: process.env.SANDBOX_HOST ?? "127.0.0.1", state: demoSeed() });
console.log(`OneFile sandbox listening on ${running.url}`);
console.log(`  base URL:       ${running.baseUrl}`);
console.log(`  customer token: ${demoCustomerToken}`);
console.log(`  admin:          ${running.adminUrl}`);

const stop = async (signal: string) => {
  console.log(`${signal}: closing the sandbox`);
  await running.close();
  process.exit(0);
};
process.once("SIGINT", () => void stop("SIGINT"));
process.once("SIGTERM", () => void stop("SIGTERM"));
