/**
 * Builds the publishable package into `dist/`: `index.js` (the browser-safe entry) and `node.js`
 * (`@p2p-escrow/sdk/node`), each one ES module with the dependencies left as imports, and their
 * type declarations in `dist/types/`.
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

const sdkDir = fileURLToPath(new URL("..", import.meta.url));
rmSync(`${sdkDir}dist`, { recursive: true, force: true });
await build({
  entryPoints: { index: `${sdkDir}src/index.ts`, node: `${sdkDir}src/node/index.ts` },
  outdir: `${sdkDir}dist`,
  bundle: true,
  platform: "neutral",
  format: "esm",
  target: "es2022",
  packages: "external",
  logLevel: "warning",
});
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", `${sdkDir}tsconfig.build.json`], { stdio: "inherit" });
console.log(`built ${sdkDir}dist`);
