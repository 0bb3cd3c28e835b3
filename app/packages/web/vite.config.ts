/** The web desk: `npm run build` writes static files to dist/web. */
import { fileURLToPath } from "node:url";

import react from "@vitejs/plugin-react";
import { defaultClientConditions, defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  plugins: [react()],
  // The workspace's SDK from its sources (its `@p2p-escrow/source` export), as the type check reads it.
  resolve: { conditions: ["@p2p-escrow/source", ...defaultClientConditions] },
  build: {
    outDir: fileURLToPath(new URL("./dist/web", import.meta.url)),
    emptyOutDir: true,
    // @solana/kit and React in one chunk: about 515 kB minified, 127 kB gzipped.
    chunkSizeWarningLimit: 1024,
  },
});
