import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { adminPrefix, createSandboxApp } from "./app.ts";
import { Sandbox, type SandboxConfig, type SandboxOptions } from "./sandbox.ts";
import type { SandboxSeed, SandboxState } from "./state.ts";

export interface StartSandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  hostname?: string;
  seed?: number;
  state?: SandboxSeed;
  config?: Partial<SandboxConfig>;
  clock?: () => number;
}

export interface RunningSandbox {
  /** http://127.0.0.1:PORT */
  url: string;
  /** url + "/api/v2.1/" — what a OneFile client takes as its base URL. */
  baseUrl: string;
  /** url + "/__sandbox" */
  adminUrl: string;
  /** The store, in process: read or change records directly. */
  state: SandboxState;
  /** Configuration, faults and observation, in process. */
  sandbox: Sandbox;
  /** Stops listening; hung requests are released and open connections closed. */
  close(): Promise<void>;
}

/** Serves a sandbox on Node (in-process in tests). */
export const startSandbox = async (options: StartSandboxOptions = {}): Promise<RunningSandbox> => {
  const sandboxOptions: SandboxOptions = {
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.state ? { state: options.state } : {}),
    ...(options.config ? { config: options.config } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  };
  const sandbox = new Sandbox(sandboxOptions);
  const app = createSandboxApp(sandbox);
  const hostname = options.hostname ?? "127.0.0.1";
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port ?? 0, hostname }, (info: AddressInfo) =>
      resolve({ server, port: info.port }),
    );
    server.once("error", reject);
  });
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  const url = `http://${host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    baseUrl: `${url}/api/v2.1/`,
    adminUrl: `${url}${adminPrefix}`,
    state: sandbox.state,
    sandbox,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        sandbox.close();
        server.close(() => resolve());
        // Keep-alive and hung sockets would otherwise hold close() open.
        const http = server as unknown as { closeAllConnections?: () => void };
        http.closeAllConnections?.();
      })),
  };
};
