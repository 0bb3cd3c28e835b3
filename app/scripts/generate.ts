/**
 * Regenerates the SDK package's Codama client, `packages/sdk/src/generated/`, from the committed
 * IDL (`../idl/p2p_escrow.json`), with a copy of the IDL beside it (`idl.json`: the SDK reads the
 * program's error messages from it, and it ships with the package). It always renders into a
 * temporary folder, so the renderer formats the same way whichever folder it runs for; without
 * `--check` the result replaces the generated folder, with `--check` it fails when the committed
 * code differs: the generated client is never edited by hand.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import { rootNodeFromAnchor, type AnchorIdl } from "@codama/nodes-from-anchor";
import { renderVisitor } from "@codama/renderers-js";
import {
  accountValueNode,
  argumentValueNode,
  constantPdaSeedNode,
  constantPdaSeedNodeFromString,
  createFromRoot,
  definedTypeNode,
  numberTypeNode,
  pdaNode,
  pdaSeedValueNode,
  pdaValueNode,
  programIdValueNode,
  publicKeyTypeNode,
  publicKeyValueNode,
  setInstructionAccountDefaultValuesVisitor,
  variablePdaSeedNode,
  type RootNode,
} from "codama";

const appDir = fileURLToPath(new URL("..", import.meta.url));
const idlPath = join(appDir, "..", "idl", "p2p_escrow.json");
/** The SDK package, and its generated folder inside it. */
const sdkDir = join("packages", "sdk");
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

/** The programs whose PDAs the escrow names, by address. */
const ASSOCIATED_TOKEN_PROGRAM = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL";
const BPF_LOADER_UPGRADEABLE = "BPFLoaderUpgradeab1e11111111111111111111111";
/** The escrow program's address, as the IDL declares it. */
const P2P_ESCROW_PROGRAM = (JSON.parse(readFileSync(idlPath, "utf8")) as { address: string })
  .address;

/**
 * The PDAs the program derives, with the seeds `programs/p2p-escrow/src/constants.rs` declares.
 * Anchor's IDL names a seed only where the constraint reads an instruction's own accounts or
 * arguments (the config, an arbiter by its authority, a fee vault); these complete the set so that
 * every address a client needs is derived in one generated place. They replace the profile PDAs
 * the Anchor importer makes once per instruction (`openProfileProfile`, `takeOfferProfile`, ...).
 */
const PDAS = [
  pdaNode({
    name: "profile",
    docs: ["A wallet's profile, which hands out its offer and trade ids."],
    seeds: [
      constantPdaSeedNodeFromString("utf8", "profile"),
      variablePdaSeedNode("wallet", publicKeyTypeNode(), ["The wallet whose profile it is."]),
    ],
  }),
  pdaNode({
    name: "offer",
    docs: ["A seller's offer number `offerId` (its profile's `offersCreated` when created)."],
    seeds: [
      constantPdaSeedNodeFromString("utf8", "offer"),
      variablePdaSeedNode("seller", publicKeyTypeNode(), ["The seller."]),
      variablePdaSeedNode("offerId", numberTypeNode("u64"), ["The seller's offer id."]),
    ],
  }),
  pdaNode({
    name: "trade",
    docs: ["A buyer's trade number `tradeId` (its profile's `tradesTaken` when taken)."],
    seeds: [
      constantPdaSeedNodeFromString("utf8", "trade"),
      variablePdaSeedNode("buyer", publicKeyTypeNode(), ["The buyer."]),
      variablePdaSeedNode("tradeId", numberTypeNode("u64"), ["The buyer's trade id."]),
    ],
  }),
  pdaNode({
    name: "eventAuthority",
    docs: ["The signer of the program's self-CPI events (Anchor's `event_cpi`)."],
    seeds: [constantPdaSeedNodeFromString("utf8", "__event_authority")],
  }),
  pdaNode({
    name: "associatedToken",
    docs: [
      "The associated token account of `owner` for `mint`: an offer's vault, a trade's holding",
      "account, a party's token account, a fee vault (owned by the config).",
    ],
    programId: ASSOCIATED_TOKEN_PROGRAM,
    seeds: [
      variablePdaSeedNode("owner", publicKeyTypeNode(), ["The account's owner."]),
      variablePdaSeedNode("tokenProgram", publicKeyTypeNode(), ["The mint's token program."]),
      variablePdaSeedNode("mint", publicKeyTypeNode(), ["The mint."]),
    ],
  }),
  pdaNode({
    name: "programData",
    docs: ["The program's ProgramData account under the upgradeable loader."],
    programId: BPF_LOADER_UPGRADEABLE,
    seeds: [constantPdaSeedNode(publicKeyTypeNode(), publicKeyValueNode(P2P_ESCROW_PROGRAM))],
  }),
];

/** The associated token account of the instruction's account `owner` for its `mint`. */
const tokenAccountOf = (owner: string) =>
  pdaValueNode("associatedToken", [pdaSeedValueNode("owner", accountValueNode(owner))]);

/**
 * Account defaults, so that the generated async builders resolve every PDA and program account
 * from what the caller must know anyway (the signer, the offer, the trade, the mint and its token
 * program). Seeds not named here are filled from the instruction's accounts of the same name.
 */
const ACCOUNT_DEFAULTS = [
  { account: "eventAuthority", defaultValue: pdaValueNode("eventAuthority") },
  { account: "program", defaultValue: programIdValueNode() },
  { account: "programData", defaultValue: pdaValueNode("programData") },
  { account: "vault", defaultValue: tokenAccountOf("offer") },
  { account: "holding", defaultValue: tokenAccountOf("trade") },
  { account: "buyerTokenAccount", defaultValue: tokenAccountOf("buyer") },
  { account: "sellerTokenAccount", defaultValue: tokenAccountOf("seller") },
  { account: "arbiterTokenAccount", defaultValue: tokenAccountOf("arbiterAuthority") },
  { account: "feeVault", defaultValue: tokenAccountOf("config") },
  {
    instruction: "openProfile",
    account: "profile",
    defaultValue: pdaValueNode("profile", [pdaSeedValueNode("wallet", accountValueNode("wallet"))]),
  },
  {
    instruction: "createOffer",
    account: "profile",
    defaultValue: pdaValueNode("profile", [pdaSeedValueNode("wallet", accountValueNode("seller"))]),
  },
  {
    instruction: "takeOffer",
    account: "profile",
    defaultValue: pdaValueNode("profile", [pdaSeedValueNode("wallet", accountValueNode("buyer"))]),
  },
  {
    instruction: "createOffer",
    account: "offer",
    defaultValue: pdaValueNode("offer", [
      pdaSeedValueNode("seller", accountValueNode("seller")),
      pdaSeedValueNode("offerId", argumentValueNode("offerId")),
    ]),
  },
  {
    instruction: "takeOffer",
    account: "trade",
    defaultValue: pdaValueNode("trade", [
      pdaSeedValueNode("buyer", accountValueNode("buyer")),
      pdaSeedValueNode("tradeId", argumentValueNode("tradeId")),
    ]),
  },
];

/**
 * The program's PDAs: the importer's, less its per-instruction profile PDAs, plus `PDAS`. (Codama's
 * `addPdasVisitor` would drop the PDAs' own program ids.)
 */
function withPdas(root: RootNode): RootNode {
  const imported = root.program.pdas.filter((pda) => !/^(\w+Profile|profile)$/.test(pda.name));
  return { ...root, program: { ...root.program, pdas: [...imported, ...PDAS] } };
}

/**
 * The token program an instruction names is the mint's, SPL Token or Token-2022; the importer
 * defaults it to SPL Token, which would silently derive a Token-2022 mint's accounts wrong. Without
 * a default it is a required input of every builder.
 */
function withRequiredTokenProgram(root: RootNode): RootNode {
  const instructions = root.program.instructions.map((instruction) => ({
    ...instruction,
    accounts: instruction.accounts.map((account) =>
      account.name === "tokenProgram" ? { ...account, defaultValue: undefined } : account,
    ),
  }));
  return { ...root, program: { ...root.program, instructions } };
}

async function render(packageFolder: string): Promise<void> {
  const idl = JSON.parse(readFileSync(idlPath, "utf8")) as AnchorIdl;
  const root = withRequiredTokenProgram(withPdas(withEventTypes(rootNodeFromAnchor(idl))));
  const codama = createFromRoot(root);
  codama.update(setInstructionAccountDefaultValuesVisitor(ACCOUNT_DEFAULTS));
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

/**
 * @codama/renderers-js 2.2.0 (the newest release) annotates its program plugin's return type the
 * way @solana/kit 6's `extendClient` returned it; kit 8's returns `ExtendedClient<T, U>`, which a
 * generic `T` cannot prove equal to that annotation. Dropping the annotation lets TypeScript take
 * kit 8's own type, so the generated code type-checks as it is. Fails if the renderer's output no
 * longer has exactly that one annotation.
 */
function withKit8PluginType(folder: string): void {
  const path = join(folder, generatedFolder, "programs", "p2pEscrow.ts");
  const source = readFileSync(path, "utf8");
  const annotation = '): Omit<T, "p2pEscrow"> & { p2pEscrow: P2pEscrowPlugin } => {';
  if (source.split(annotation).length !== 2) {
    throw new Error(`${path}: the plugin's return type is not what generate.ts expects`);
  }
  writeFileSync(path, source.replace(annotation, ") => {"));
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
  withKit8PluginType(scratch);
  cpSync(idlPath, join(scratch, generatedFolder, "idl.json"));
  const target = join(appDir, sdkDir, generatedFolder);
  const shown = join("app", sdkDir, generatedFolder);
  if (process.argv.includes("--check")) {
    const fresh = files(join(scratch, generatedFolder));
    const committed = files(target);
    const stale = [...new Set([...fresh.keys(), ...committed.keys()])].filter(
      (path) => fresh.get(path) !== committed.get(path),
    );
    if (stale.length > 0) {
      console.error(
        `${shown} is stale (${stale.join(", ")}): run \`npm run generate\` in app/ and commit it`,
      );
      process.exit(1);
    }
    console.log(`${shown} matches the IDL`);
  } else {
    rmSync(target, { recursive: true, force: true });
    cpSync(join(scratch, generatedFolder), target, { recursive: true });
    console.log(`regenerated ${shown} from idl/p2p_escrow.json`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
