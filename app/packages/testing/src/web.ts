/**
 * The built web desk (`app/packages/web/dist/web`) served over HTTP on a free port, and Debian's
 * Chromium driven headless by playwright-core: the browser test and the bench open the desk with
 * them.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join } from "node:path";

import { chromium, type Browser } from "playwright-core";

import { repoDir } from "./desk";

/** The web desk's build output. */
export const WEB_DIR = join(repoDir, "app", "packages", "web", "dist", "web");
/** Debian's Chromium (`apt-get install chromium`), or `P2P_CHROMIUM`. */
export const CHROMIUM = process.env.P2P_CHROMIUM ?? "/usr/bin/chromium";

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
};

/** The web desk served on 127.0.0.1; `url(rpc)` opens it on that RPC. */
export type WebDesk = { server: Server; url: (rpcUrl: string) => string; close: () => void };

export async function serveWebDesk(): Promise<WebDesk> {
  if (!existsSync(join(WEB_DIR, "index.html"))) {
    throw new Error(`${WEB_DIR} has no build: run \`npm run build\` in app/ first`);
  }
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const file = join(WEB_DIR, path === "/" ? "index.html" : path);
    if (!file.startsWith(WEB_DIR) || !existsSync(file) || statSync(file).isDirectory()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    server,
    url: (rpcUrl) => `http://127.0.0.1:${port}/?rpc=${encodeURIComponent(rpcUrl)}`,
    close: () => server.close(),
  };
}

/** Headless Chromium with the flags these machines need. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
