/**
 * The dependency direction of the monorepo, enforced: apps → product → rules → core → client/store.
 * A package's source may import only packages of a lower layer (never its own layer: no rule
 * package imports another, no app imports another), and no relative import leaves its package.
 * Tests and benchmarks are not checked (they may reach for the sandbox or the product freely).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Each package's layer; an import must point to a strictly lower one. */
const LAYERS: Readonly<Record<string, number>> = {
  "@pics/onefile-client": 0,
  "@pics/onefile-sandbox": 0,
  "@pics/pics-store": 0,
  "@pics/core": 1,
  "@pics/notifications": 1,
  "@pics/rules-officer": 2,
  "@pics/rules-organisation": 2,
  "@pics/rules-learner": 2,
  "@pics/rules-review": 2,
  "@pics/product": 3,
  "@pics/server": 4,
  "@pics/scheduler": 4,
};

interface SourceFile {
  readonly pkg: string;
  /** The package folder, relative to the repository root. */
  readonly pkgDir: string;
  /** The file, relative to the repository root. */
  readonly path: string;
  readonly text: string;
}

const IMPORT = /(?:^|[\s;}])(?:import|export)\s*(?:type\s+)?(?:[^"'`;]*?\sfrom\s*)?\(?\s*["']([^"']+)["']/g;

const importsOf = (text: string): Array<string> => [...text.matchAll(IMPORT)].map((m) => m[1]!);

/** Every import that goes against the direction, as `file: import (reason)`. */
const violations = (files: ReadonlyArray<SourceFile>): Array<string> =>
  files.flatMap((file) =>
    importsOf(file.text).flatMap((specifier) => {
      const own = LAYERS[file.pkg]!;
      if (specifier.startsWith("@pics/")) {
        const target = specifier.split("/").slice(0, 2).join("/");
        if (target === file.pkg) return [];
        const layer = LAYERS[target];
        if (layer === undefined) return [`${file.path}: ${specifier} (a package the graph does not know)`];
        return layer < own ? [] : [`${file.path}: ${specifier} (layer ${layer} imported from layer ${own})`];
      }
      if (specifier.startsWith(".")) {
        const target = relative(file.pkgDir, join(dirname(file.path), specifier));
        return target.startsWith("..") ? [`${file.path}: ${specifier} (a relative import out of its package)`] : [];
      }
      return [];
    }),
  );

const walk = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walk(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });

const sourceFiles = (): Array<SourceFile> =>
  ["packages", "apps"].flatMap((group) =>
    readdirSync(join(root, group)).flatMap((name) => {
      const pkgDir = join(group, name);
      const manifest = join(root, pkgDir, "package.json");
      let src: string;
      try {
        src = join(root, pkgDir, "src");
        statSync(src);
        statSync(manifest);
      } catch {
        return [];
      }
      const pkg = (JSON.parse(readFileSync(manifest, "utf8")) as { name: string }).name;
      return walk(src).map((file) => ({
        pkg,
        pkgDir,
        path: relative(root, file).split(sep).join("/"),
        text: readFileSync(file, "utf8"),
      }));
    }),
  );

describe("the import graph", () => {
  it("every package with sources has a layer", () => {
    const packages = [...new Set(sourceFiles().map((f) => f.pkg))].sort();
    expect(packages.filter((p) => LAYERS[p] === undefined)).toEqual([]);
    expect(packages.length).toBeGreaterThanOrEqual(11);
  });

  it("no source imports against apps → product → rules → core → client/store, nor between rule packages", () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(50);
    expect(violations(files)).toEqual([]);
  });

  it("the check itself catches each kind of wrong import", () => {
    const file = (pkg: string, pkgDir: string, name: string, text: string): SourceFile => ({
      pkg,
      pkgDir,
      path: `${pkgDir}/src/${name}`,
      text,
    });
    expect(
      violations([
        file("@pics/core", "packages/core", "a.ts", 'import { officerRules } from "@pics/rules-officer";'),
        file("@pics/rules-review", "packages/rules-review", "b.ts", 'import type { X } from "@pics/rules-learner";'),
        file("@pics/pics-store", "packages/pics-store", "c.ts", 'export { Exchange } from "@pics/core";'),
        file("@pics/product", "packages/product", "d.ts", 'const m = await import("@pics/server");'),
        file("@pics/core", "packages/core", "e.ts", 'import { x } from "../../pics-store/src/index.ts";'),
        file("@pics/server", "apps/server", "f.ts", 'import { a } from "@pics/product";\nimport { b } from "./b.ts";'),
      ]),
    ).toEqual([
      "packages/core/src/a.ts: @pics/rules-officer (layer 2 imported from layer 1)",
      "packages/rules-review/src/b.ts: @pics/rules-learner (layer 2 imported from layer 2)",
      "packages/pics-store/src/c.ts: @pics/core (layer 1 imported from layer 0)",
      "packages/product/src/d.ts: @pics/server (layer 4 imported from layer 3)",
      "packages/core/src/e.ts: ../../pics-store/src/index.ts (a relative import out of its package)",
    ]);
  });
});
