/**
 * The console's static files, served by the deployment itself (CON-7: nothing fetched from
 * elsewhere): htmx 2.0.11 from node_modules/htmx.org/dist, and the console's own stylesheet.
 * Read once, on first use; `node:fs` works the same under Node and Deno.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** The nearest node_modules/htmx.org/dist/htmx.min.js above this file (workspace or root install). */
const findHtmx = (): string => {
  for (let dir = here; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", "htmx.org", "dist", "htmx.min.js");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error("htmx.org is not installed (node_modules/htmx.org/dist/htmx.min.js)");
  }
};

const files: Record<string, { readonly path: () => string; readonly type: string }> = {
  "htmx-2.0.11.min.js": { path: findHtmx, type: "text/javascript; charset=utf-8" },
  "console.css": { path: () => join(here, "console.css"), type: "text/css; charset=utf-8" },
  "favicon.svg": { path: () => join(here, "favicon.svg"), type: "image/svg+xml" },
};

const loaded = new Map<string, string>();

export const consoleAsset = (name: string): { readonly body: string; readonly type: string } | undefined => {
  const file = files[name];
  if (!file) return undefined;
  let body = loaded.get(name);
  if (body === undefined) {
    body = readFileSync(file.path(), "utf8");
    loaded.set(name, body);
  }
  return { body, type: file.type };
};
