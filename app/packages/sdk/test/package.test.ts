/**
 * The SDK as it is published: the built entries (`npm run build`) load in plain Node without the
 * workspace's `@p2p-escrow/source` condition and export exactly what the sources export; their
 * type declarations type-check for a project resolving modules as Node does (`nodenext`); the
 * browser entry imports no Node module; the package ships its build, README and IDL and depends on
 * no UI code.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import assert from "node:assert/strict";

import * as sdk from "@p2p-escrow/sdk";
import * as sdkNode from "@p2p-escrow/sdk/node";

const sdkDir = fileURLToPath(new URL("..", import.meta.url));
const dist = join(sdkDir, "dist");

/** The export names of `specifier` as plain Node (no workspace condition) loads it. */
function builtExports(specifier: string): string[] {
  const script = `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m)));`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: sdkDir,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  assert.equal(run.status, 0, `${specifier} does not load from dist/: ${run.stderr}`);
  return (JSON.parse(run.stdout) as string[]).sort();
}

/** Every file below `dir`, relative to it. */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

test("the built entries export what the sources export", () => {
  assert.deepEqual(builtExports("@p2p-escrow/sdk"), Object.keys(sdk).sort());
  assert.deepEqual(builtExports("@p2p-escrow/sdk/node"), Object.keys(sdkNode).sort());
});

test("the published types check under Node's module resolution (nodenext)", () => {
  // Inside the package, so that its name resolves to itself (and its dependencies to app/).
  const consumer = mkdtempSync(join(sdkDir, ".consumer-"));
  try {
    writeFileSync(
      join(consumer, "consumer.ts"),
      [
        'import { EscrowClient, getReleaseInstructionAsync, type Offer } from "@p2p-escrow/sdk";',
        'import { readKeypairFile } from "@p2p-escrow/sdk/node";',
        "export const uses: unknown[] = [EscrowClient, getReleaseInstructionAsync, readKeypairFile];",
        "export type Uses = Offer;",
      ].join("\n"),
    );
    writeFileSync(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          strict: true,
          noEmit: true,
          types: [],
          lib: ["es2022", "dom"],
        },
        files: ["consumer.ts"],
      }),
    );
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    const check = spawnSync(process.execPath, [tsc, "-p", consumer], { encoding: "utf8" });
    assert.equal(check.status, 0, `the published types do not check: ${check.stdout}`);
  } finally {
    rmSync(consumer, { recursive: true, force: true });
  }
});

test("the browser entry imports no Node module", () => {
  const browser = filesBelow(dist).filter(
    (path) => path.endsWith(".js") && !path.startsWith("node/"),
  );
  assert.ok(browser.includes("index.js"));
  for (const path of browser) {
    assert.doesNotMatch(readFileSync(join(dist, path), "utf8"), /from ["']node:|\bBuffer\./, path);
  }
});

test("the package holds its build, README and IDL, and no UI dependency", () => {
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: sdkDir,
      encoding: "utf8",
    }),
  ) as { files: { path: string }[] }[];
  const files = packed[0].files.map((file) => file.path).sort();
  for (const required of [
    "README.md",
    "package.json",
    "dist/index.js",
    "dist/index.d.ts",
    "dist/node/index.js",
    "dist/node/index.d.ts",
    "dist/generated/idl.json",
  ]) {
    assert.ok(files.includes(required), `the package lacks ${required}`);
  }
  const stray = files.filter((path) => !/^(README\.md|package\.json|dist\/)/.test(path));
  assert.deepEqual(stray, [], "only the build and README are published");
  const manifest = JSON.parse(readFileSync(join(sdkDir, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  const ui = Object.keys(manifest.dependencies).filter((name) => /react|vite|wallet/.test(name));
  assert.deepEqual(ui, []);
});
