/**
 * Regenerates the Codama client in `src/generated/` from the committed IDL
 * (`../idl/p2p_escrow.json`). With `--check`, renders into a temporary folder instead and fails
 * when the committed code differs: the generated client is never edited by hand.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
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

if (process.argv.includes("--check")) {
  const scratch = mkdtempSync(join(tmpdir(), "p2p-escrow-codama-"));
  try {
    await render(scratch);
    const fresh = files(join(scratch, generatedFolder));
    const committed = files(join(appDir, generatedFolder));
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
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
} else {
  await render(appDir);
  console.log(`regenerated app/${generatedFolder} from idl/p2p_escrow.json`);
}
