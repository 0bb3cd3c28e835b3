/**
 * The SDK as it is published: the built entries (`npm run build`) load in plain Node without the
 * workspace's `source` condition and export exactly what the sources export; the browser entry
 * needs nothing of Node's; the package ships its build, README and IDL and depends on no UI code.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import assert from "node:assert/strict";

import * as sdk from "@p2p-escrow/sdk";
import * as sdkNode from "@p2p-escrow/sdk/node";

const sdkDir = fileURLToPath(new URL("..", import.meta.url));

/** The export names of `specifier` as plain Node (no `source` condition) loads it. */
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

test("the built entries export what the sources export", () => {
  assert.deepEqual(builtExports("@p2p-escrow/sdk"), Object.keys(sdk).sort());
  assert.deepEqual(builtExports("@p2p-escrow/sdk/node"), Object.keys(sdkNode).sort());
});

test("the browser entry imports nothing of Node's", () => {
  const bundle = readFileSync(new URL("../dist/index.js", import.meta.url), "utf8");
  assert.doesNotMatch(bundle, /from ["']node:|\bBuffer\./);
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
    "dist/node.js",
    "dist/types/index.d.ts",
    "dist/types/node/index.d.ts",
    "src/generated/idl.json",
  ]) {
    assert.ok(files.includes(required), `the package lacks ${required}`);
  }
  const stray = files.filter(
    (path) => !/^(README\.md|package\.json|dist\/|src\/generated\/idl\.json$)/.test(path),
  );
  assert.deepEqual(stray, [], "only the build, README and IDL are published");
  const manifest = JSON.parse(readFileSync(`${sdkDir}package.json`, "utf8")) as {
    dependencies: Record<string, string>;
  };
  const ui = Object.keys(manifest.dependencies).filter((name) => /react|vite|wallet/.test(name));
  assert.deepEqual(ui, []);
});
