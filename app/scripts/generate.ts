/**
 * Regenerates the Codama client in `src/generated/` from the committed IDL
 * (`../idl/p2p_escrow.json`). It always renders into a temporary folder, so the renderer formats
 * the same way whichever folder it runs for; without `--check` the result replaces
 * `src/generated/`, with `--check` it fails when the committed code differs: the generated client
 * is never edited by hand.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import { rootNodeFromAnchor, type AnchorIdl } from "@codama/nodes-from-anchor";
import { renderVisitor } from "@codama/renderers-js";
import { createFromRoot, definedTypeNode, type RootNode } from "codama";

const appDir = fileURLToPath(new URL("..", import.meta.url));
const idlPath = join(appDir, "..", "idl", "p2p_escrow.json");
const generatedFolder = join("src", "generated");

/**
 * The JS renderer skips event nodes, so every event also becomes a defined type whose codec
 * carries the event's 8-byte discriminator as a checked prefix: `getTradeTakenDecoder()` decodes
 * (and refuses anything but) the bytes the program emits for a `TradeTaken` event.
 */
function withEventTypes(root: RootNode): RootNode {
  const events = root.program.events ?? [];
  const eventTypes = events.map((event) =>
    definedTypeNode({ name: event.name, type: event.data, docs: event.docs }),
  );
  return {
    ...root,
    program: { ...root.program, definedTypes: [...root.program.definedTypes, ...eventTypes] },
  };
}

async function render(packageFolder: string): Promise<void> {
  const idl = JSON.parse(readFileSync(idlPath, "utf8")) as AnchorIdl;
  const codama = createFromRoot(withEventTypes(rootNodeFromAnchor(idl)));
  await codama.accept(
    renderVisitor(packageFolder, {
      generatedFolder,
      deleteFolderBeforeRendering: true,
      formatCode: true,
      syncPackageJson: false,
      kitImportStrategy: "rootOnly",
    }),
  );
}

function files(root: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else found.set(relative(root, path), readFileSync(path, "utf8"));
    }
  };
  walk(root);
  return found;
}

const scratch = mkdtempSync(join(tmpdir(), "p2p-escrow-codama-"));
try {
  await render(scratch);
  const target = join(appDir, generatedFolder);
  if (process.argv.includes("--check")) {
    const fresh = files(join(scratch, generatedFolder));
    const committed = files(target);
    const stale = [...new Set([...fresh.keys(), ...committed.keys()])].filter(
      (path) => fresh.get(path) !== committed.get(path),
    );
    if (stale.length > 0) {
      console.error(
        `app/${generatedFolder} is stale (${stale.join(", ")}): run \`npm run generate\` in app/ and commit it`,
      );
      process.exit(1);
    }
    console.log(`app/${generatedFolder} matches the IDL`);
  } else {
    rmSync(target, { recursive: true, force: true });
    cpSync(join(scratch, generatedFolder), target, { recursive: true });
    console.log(`regenerated app/${generatedFolder} from idl/p2p_escrow.json`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
