/**
 * Token helpers over SPL Token and Token-2022: a mint's decimals and program, balances, associated
 * token accounts, wrapped SOL, and (for tests, demos and local chains) mint creation, including a
 * Token-2022 mint with a transfer fee.
 */
import {
  fetchEncodedAccount,
  fetchEncodedAccounts,
  generateKeyPairSigner,
  getBase64Encoder,
  isSome,
  type Address,
  type Option,
  type Instruction,
  type MaybeEncodedAccount,
  type TransactionSigner,
} from "@solana/kit";
import { getCreateAccountInstruction, getTransferSolInstruction } from "@solana-program/system";
import {
  AccountState,
  getCloseAccountInstruction,
  getCreateAssociatedTokenIdempotentInstruction,
  getInitializeMint2Instruction,
  getMintDecoder,
  getMintSize,
  getMintToCheckedInstruction,
  getSyncNativeInstruction,
  getTokenDecoder,
  TOKEN_PROGRAM_ADDRESS,
} from "@solana-program/token";

import {
  extension,
  getInitializeTransferFeeConfigInstruction,
  getMintDecoder as getMint2022Decoder,
  getMintSize as getMint2022Size,
  getTokenDecoder as getToken2022Decoder,
  type Extension,
} from "@solana-program/token-2022";

import { NATIVE_MINT_ADDRESS, TOKEN_2022_PROGRAM_ADDRESS, tokenAccountAddress } from "./addresses";
import { sendInstructions, type EscrowRpc, type SendOptions } from "./transactions";

/** A mint's decimals and the token program that owns it. */
export type MintInfo = { address: Address; decimals: number; tokenProgram: Address };

function mintInfo(account: MaybeEncodedAccount): MintInfo {
  if (!account.exists) throw new Error(`mint ${account.address} does not exist`);
  if (
    account.programAddress !== TOKEN_PROGRAM_ADDRESS &&
    account.programAddress !== TOKEN_2022_PROGRAM_ADDRESS
  ) {
    throw new Error(`${account.address} is not a mint: its owner is ${account.programAddress}`);
  }
  const decoded = getMintDecoder().decode(account.data);
  return {
    address: account.address,
    decimals: decoded.decimals,
    tokenProgram: account.programAddress,
  };
}

export async function getMintInfo(rpc: EscrowRpc, mint: Address): Promise<MintInfo> {
  return mintInfo(await fetchEncodedAccount(rpc, mint));
}

/** The most accounts one `getMultipleAccounts` request may name (Solana's JSON-RPC limit). */
const MULTIPLE_ACCOUNTS_LIMIT = 100;

/** Several mints' decimals and programs, in one `getMultipleAccounts` request per 100 mints. */
export async function getMintInfos(rpc: EscrowRpc, mints: readonly Address[]): Promise<MintInfo[]> {
  const infos: MintInfo[] = [];
  for (let start = 0; start < mints.length; start += MULTIPLE_ACCOUNTS_LIMIT) {
    const chunk = mints.slice(start, start + MULTIPLE_ACCOUNTS_LIMIT);
    infos.push(...(await fetchEncodedAccounts(rpc, chunk)).map(mintInfo));
  }
  return infos;
}

/** The token balance of `owner`'s associated token account for `mint` (0 if it has none). */
export async function getTokenBalance(
  rpc: EscrowRpc,
  owner: Address,
  mint: MintInfo,
): Promise<bigint> {
  const account = await tokenAccountAddress(owner, mint.address, mint.tokenProgram);
  return getTokenAccountAmount(rpc, account);
}

/** The amount held by a token account (0 if it does not exist). */
export async function getTokenAccountAmount(rpc: EscrowRpc, account: Address): Promise<bigint> {
  const { value } = await rpc.getAccountInfo(account, { encoding: "base64" }).send();
  if (!value) return 0n;
  return getTokenDecoder().decode(getBase64Encoder().encode(value.data[0])).amount;
}

/**
 * Whether `owner`'s associated token account for `mint` can take a transfer now: `"missing"`
 * (it can be created), `"ready"`, or why not (`"frozen"`, `"another owner"`). Token-2022 accounts
 * that accept only confidential transfers are not detected; the transfer then fails with the
 * token program's error.
 */
export async function associatedAccountReadiness(
  rpc: EscrowRpc,
  owner: Address,
  mint: MintInfo,
): Promise<"missing" | "ready" | "frozen" | "another owner"> {
  const account = await tokenAccountAddress(owner, mint.address, mint.tokenProgram);
  const { value } = await rpc.getAccountInfo(account, { encoding: "base64" }).send();
  if (!value) return "missing";
  const state = getTokenDecoder().decode(getBase64Encoder().encode(value.data[0]));
  if (state.owner !== owner) return "another owner";
  return state.state === AccountState.Frozen ? "frozen" : "ready";
}

/** Creates `owner`'s associated token account for `mint` if it is missing. */
export async function createTokenAccountInstruction(
  payer: TransactionSigner,
  owner: Address,
  mint: MintInfo,
): Promise<Instruction> {
  return getCreateAssociatedTokenIdempotentInstruction({
    payer,
    owner,
    mint: mint.address,
    ata: await tokenAccountAddress(owner, mint.address, mint.tokenProgram),
    tokenProgram: mint.tokenProgram,
  });
}

/** Wraps `amount` lamports into `owner`'s wrapped-SOL account, creating it if needed. */
export async function wrapSolInstructions(
  owner: TransactionSigner,
  amount: bigint,
  mint: MintInfo,
): Promise<Instruction[]> {
  const account = await tokenAccountAddress(owner.address, NATIVE_MINT_ADDRESS, mint.tokenProgram);
  return [
    await createTokenAccountInstruction(owner, owner.address, mint),
    getTransferSolInstruction({ source: owner, destination: account, amount }),
    getSyncNativeInstruction({ account }, { programAddress: mint.tokenProgram }),
  ];
}

/** Closes `owner`'s wrapped-SOL account, returning its lamports (tokens and rent) as SOL. */
export async function unwrapSolInstruction(
  owner: TransactionSigner,
  mint: MintInfo,
): Promise<Instruction> {
  const account = await tokenAccountAddress(owner.address, NATIVE_MINT_ADDRESS, mint.tokenProgram);
  return getCloseAccountInstruction(
    { account, destination: owner.address, owner },
    { programAddress: mint.tokenProgram },
  );
}

/** A Token-2022 transfer fee: `bps` of every transfer, at most `maximum` base units. */
export type TransferFee = { bps: number; maximum: bigint };

/** The TransferFeeConfig extension of a new mint: `authority` may change the fee and withdraw. */
function transferFeeConfig(authority: Address, fee: TransferFee) {
  const transferFee = { epoch: 0n, maximumFee: fee.maximum, transferFeeBasisPoints: fee.bps };
  return extension("TransferFeeConfig", {
    transferFeeConfigAuthority: authority,
    withdrawWithheldAuthority: authority,
    withheldAmount: 0n,
    olderTransferFee: transferFee,
    newerTransferFee: transferFee,
  });
}

export type CreateMintInput = {
  payer: TransactionSigner;
  mintAuthority: Address;
  decimals: number;
  /** SPL Token (default) or Token-2022. */
  tokenProgram?: Address;
  /** A Token-2022 transfer fee. */
  transferFee?: TransferFee;
  /** Who may freeze and thaw token accounts of the mint; none by default. */
  freezeAuthority?: Address;
};

/** Creates a mint; returns its address. */
export async function createMint(
  rpc: EscrowRpc,
  input: CreateMintInput,
  options?: SendOptions,
): Promise<MintInfo> {
  const tokenProgram =
    input.tokenProgram ?? (input.transferFee ? TOKEN_2022_PROGRAM_ADDRESS : TOKEN_PROGRAM_ADDRESS);
  if (input.transferFee && tokenProgram !== TOKEN_2022_PROGRAM_ADDRESS) {
    throw new Error("a transfer fee needs a Token-2022 mint");
  }
  const mint = await generateKeyPairSigner();
  const space = input.transferFee
    ? getMint2022Size([transferFeeConfig(input.mintAuthority, input.transferFee)])
    : getMintSize();
  const lamports = await rpc.getMinimumBalanceForRentExemption(BigInt(space)).send();
  const instructions: Instruction[] = [
    getCreateAccountInstruction({
      payer: input.payer,
      newAccount: mint,
      lamports,
      space,
      programAddress: tokenProgram,
    }),
  ];
  if (input.transferFee) {
    instructions.push(
      getInitializeTransferFeeConfigInstruction({
        mint: mint.address,
        transferFeeConfigAuthority: input.mintAuthority,
        withdrawWithheldAuthority: input.mintAuthority,
        transferFeeBasisPoints: input.transferFee.bps,
        maximumFee: input.transferFee.maximum,
      }),
    );
  }
  instructions.push(
    getInitializeMint2Instruction(
      {
        mint: mint.address,
        decimals: input.decimals,
        mintAuthority: input.mintAuthority,
        freezeAuthority: input.freezeAuthority ?? null,
      },
      { programAddress: tokenProgram },
    ),
  );
  await sendInstructions(rpc, input.payer, instructions, options);
  return { address: mint.address, decimals: input.decimals, tokenProgram };
}

/** Mints `amount` base units to `owner`'s associated token account, creating it if needed. */
export async function mintTo(
  rpc: EscrowRpc,
  input: {
    payer: TransactionSigner;
    mintAuthority: TransactionSigner;
    mint: MintInfo;
    owner: Address;
    amount: bigint;
  },
  options?: SendOptions,
): Promise<Address> {
  const token = await tokenAccountAddress(input.owner, input.mint.address, input.mint.tokenProgram);
  await sendInstructions(
    rpc,
    input.payer,
    [
      await createTokenAccountInstruction(input.payer, input.owner, input.mint),
      getMintToCheckedInstruction(
        {
          mint: input.mint.address,
          token,
          mintAuthority: input.mintAuthority,
          amount: input.amount,
          decimals: input.mint.decimals,
        },
        { programAddress: input.mint.tokenProgram },
      ),
    ],
    options,
  );
  return token;
}

/** The Token-2022 account's data, if `address` is one. */
async function token2022Data(rpc: EscrowRpc, address: Address): Promise<Uint8Array | null> {
  const { value } = await rpc.getAccountInfo(address, { encoding: "base64" }).send();
  if (!value || value.owner !== TOKEN_2022_PROGRAM_ADDRESS) return null;
  return new Uint8Array(getBase64Encoder().encode(value.data[0]));
}

/** The withheld amount of the first transfer-fee extension among `extensions`, else 0. */
function withheld(extensions: Option<Extension[]>): bigint {
  const found = isSome(extensions)
    ? extensions.value.find(
        (e) => e.__kind === "TransferFeeAmount" || e.__kind === "TransferFeeConfig",
      )
    : undefined;
  return found && "withheldAmount" in found ? found.withheldAmount : 0n;
}

/**
 * Transfer fees withheld in a Token-2022 token account (its `TransferFeeAmount` extension); 0
 * without the extension or the account. Decoded by @solana-program/token-2022.
 */
export async function getWithheldFees(rpc: EscrowRpc, tokenAccount: Address): Promise<bigint> {
  const data = await token2022Data(rpc, tokenAccount);
  return data ? withheld(getToken2022Decoder().decode(data).extensions) : 0n;
}

/**
 * Transfer fees harvested into a Token-2022 mint (its `TransferFeeConfig` extension); 0 without
 * the extension or the mint.
 */
export async function getMintWithheldFees(rpc: EscrowRpc, mint: Address): Promise<bigint> {
  const data = await token2022Data(rpc, mint);
  return data ? withheld(getMint2022Decoder().decode(data).extensions) : 0n;
}

/** A mint's supply. */
export async function getMintSupply(rpc: EscrowRpc, mint: Address): Promise<bigint> {
  const { value } = await rpc.getAccountInfo(mint, { encoding: "base64" }).send();
  if (!value) throw new Error(`mint ${mint} does not exist`);
  return getMintDecoder().decode(getBase64Encoder().encode(value.data[0])).supply;
}
