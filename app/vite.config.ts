/** The web desk: `npm run build:web` writes static files to dist/web. */
import { fileURLToPath } from "node:url";

import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL("./web", import.meta.url)),
  base: "./",
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("./dist/web", import.meta.url)),
    emptyOutDir: true,
    // @solana/kit and React in one chunk: about 515 kB minified, 127 kB gzipped.
    chunkSizeWarningLimit: 1024,
  },
});
