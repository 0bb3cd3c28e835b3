/**
 * Bundles the command line into `dist/p2p-escrow.mjs`, the package's `p2p-escrow` binary, with the
 * payment attestor (`@p2p-escrow/attestor`, a workspace package of TypeScript sources); the SDK and
 * the other dependencies stay imports, resolved from the installed packages.
 */
import { chmodSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

const cliDir = fileURLToPath(new URL("..", import.meta.url));
const outfile = `${cliDir}dist/p2p-escrow.mjs`;
await build({
  entryPoints: [`${cliDir}src/bin.ts`],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  plugins: [
    {
      name: "dependencies-external",
      setup(build) {
        build.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith("@p2p-escrow/attestor")
            ? undefined
            : { path: args.path, external: true },
        );
      },
    },
  ],
  banner: { js: "#!/usr/bin/env node" },
  logLevel: "warning",
});
chmodSync(outfile, 0o755);
console.log(`built ${outfile}`);
