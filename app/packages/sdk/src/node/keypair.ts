/**
 * Solana CLI keypair files: a JSON array of 64 bytes, the Ed25519 private key then the public key.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

import { createKeyPairSignerFromBytes, type KeyPairSigner } from "@solana/kit";

/** A keypair file that cannot be read, is not a keypair, or would be overwritten. */
export class KeypairFileError extends Error {
  override name = "KeypairFileError";
}

/** A new key pair as the 64 bytes a keypair file holds. */
export async function generateKeyPairBytes(): Promise<Uint8Array> {
  const pair = (await crypto.subtle.generateKey("Ed25519", true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  const publicKey = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  const bytes = new Uint8Array(64);
  bytes.set(pkcs8.slice(pkcs8.length - 32), 0);
  bytes.set(publicKey, 32);
  return bytes;
}

/**
 * Writes a new keypair file and returns its signer; `KeypairFileError` if a file is already there
 * (a keypair file is never overwritten) or the file cannot be written.
 */
export async function writeNewKeypairFile(path: string): Promise<KeyPairSigner> {
  const bytes = await generateKeyPairBytes();
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(Array.from(bytes)), { flag: "wx", mode: 0o600 });
  } catch (error) {
    const exists = (error as NodeJS.ErrnoException).code === "EEXIST";
    throw new KeypairFileError(
      exists
        ? `${path} already exists: a keypair file is never overwritten`
        : `cannot write the keypair file ${path}: ${(error as Error).message}`,
    );
  }
  return createKeyPairSignerFromBytes(bytes);
}

/** The signer of a keypair file; `KeypairFileError` if the file is missing or not a keypair. */
export async function readKeypairFile(path: string): Promise<KeyPairSigner> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new KeypairFileError(`cannot read the keypair file ${path}`);
  }
  let bytes: unknown;
  try {
    bytes = JSON.parse(text);
  } catch {
    throw new KeypairFileError(`${path} is not a keypair file: it is not JSON`);
  }
  if (
    !Array.isArray(bytes) ||
    bytes.length !== 64 ||
    !bytes.every((b) => Number.isInteger(b) && b >= 0 && b < 256)
  ) {
    throw new KeypairFileError(
      `${path} is not a keypair file: it must hold a JSON array of 64 bytes`,
    );
  }
  try {
    return await createKeyPairSignerFromBytes(new Uint8Array(bytes));
  } catch {
    throw new KeypairFileError(
      `${path} is not a keypair file: its public key does not match its private key`,
    );
  }
}
