/** Bundles the command line into `dist/p2p-escrow.mjs`, the package's `p2p-escrow` binary. */
import { chmodSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

const appDir = fileURLToPath(new URL("..", import.meta.url));
const outfile = `${appDir}dist/p2p-escrow.mjs`;
await build({
  entryPoints: [`${appDir}src/cli/bin.ts`],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  banner: { js: "#!/usr/bin/env node" },
  logLevel: "warning",
});
chmodSync(outfile, 0o755);
console.log(`built ${outfile}`);
