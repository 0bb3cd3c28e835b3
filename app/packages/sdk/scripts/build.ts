/**
 * Builds the publishable package into `dist/`: the sources compiled module by module (ES modules
 * with their type declarations; `index.js` is the browser-safe entry, `node/index.js` is
 * `@p2p-escrow/sdk/node`). tsc-alias completes the relative imports tsc leaves as written
 * (`./generated`) to the files they mean (`./generated/index.js`), as Node's module resolution
 * (and TypeScript's `nodenext`) requires.
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

import { replaceTscAliasPaths } from "tsc-alias";

const sdkDir = fileURLToPath(new URL("..", import.meta.url));
const config = `${sdkDir}tsconfig.build.json`;
rmSync(`${sdkDir}dist`, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", config], { stdio: "inherit" });
await replaceTscAliasPaths({ configFile: config, resolveFullPaths: true });
console.log(`built ${sdkDir}dist`);
