/**
 * A wallet for browser tests, registered through the Wallet Standard exactly as an extension
 * registers itself: it connects with one account and signs Solana transactions and messages with
 * that account's Ed25519 key (WebCrypto). `installTestWallet` runs inside the page (Playwright's addInitScript),
 * so it is self-contained.
 */
export type TestWalletOptions = { secret: number[]; name: string };

export function installTestWallet({ secret, name }: TestWalletOptions): void {
  const bytes = new Uint8Array(secret);
  const publicKey = bytes.slice(32);
  const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  const base58 = (data: Uint8Array): string => {
    const digits = [0];
    for (const byte of data) {
      let carry = byte;
      for (let i = 0; i < digits.length; i++) {
        carry += digits[i] << 8;
        digits[i] = carry % 58;
        carry = Math.floor(carry / 58);
      }
      while (carry > 0) {
        digits.push(carry % 58);
        carry = Math.floor(carry / 58);
      }
    }
    let out = "";
    for (const byte of data) {
      if (byte !== 0) break;
      out += "1";
    }
    return (
      out +
      digits
        .reverse()
        .map((d) => alphabet[d])
        .join("")
    );
  };
  const pkcs8Prefix = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
  ];
  const key = crypto.subtle.importKey(
    "pkcs8",
    new Uint8Array([...pkcs8Prefix, ...bytes.slice(0, 32)]),
    "Ed25519",
    false,
    ["sign"],
  );
  const compactU16 = (data: Uint8Array, offset: number): [number, number] => {
    let value = 0;
    for (let i = 0; i < 3; i++) {
      const byte = data[offset + i];
      value |= (byte & 0x7f) << (7 * i);
      if ((byte & 0x80) === 0) return [value, i + 1];
    }
    throw new Error("bad compact-u16");
  };
  const sign = async (transaction: Uint8Array): Promise<Uint8Array> => {
    const [count, countSize] = compactU16(transaction, 0);
    const message = transaction.slice(countSize + 64 * count);
    let offset = message[0] & 0x80 ? 1 : 0;
    const required = message[offset];
    offset += 3;
    offset += compactU16(message, offset)[1];
    let index = -1;
    for (let i = 0; i < required; i++) {
      const candidate = message.subarray(offset + 32 * i, offset + 32 * i + 32);
      if (candidate.every((b, j) => b === publicKey[j])) index = i;
    }
    if (index < 0) throw new Error(`${name} is not a signer of this transaction`);
    const signature = new Uint8Array(await crypto.subtle.sign("Ed25519", await key, message));
    const signed = transaction.slice();
    signed.set(signature, countSize + 64 * index);
    return signed;
  };
  const account = {
    address: base58(publicKey),
    publicKey,
    chains: ["solana:localnet"],
    features: ["solana:signTransaction", "solana:signMessage"],
  };
  const wallet = {
    version: "1.0.0",
    name,
    icon: "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=",
    chains: ["solana:localnet"],
    accounts: [account],
    features: {
      "standard:connect": { version: "1.0.0", connect: async () => ({ accounts: [account] }) },
      "standard:events": { version: "1.0.0", on: () => () => {} },
      "solana:signMessage": {
        version: "1.0.0",
        signMessage: (...inputs: { message: Uint8Array }[]) =>
          Promise.all(
            inputs.map(async ({ message }) => ({
              signedMessage: message,
              signature: new Uint8Array(
                await crypto.subtle.sign("Ed25519", await key, new Uint8Array(message)),
              ),
            })),
          ),
      },
      "solana:signTransaction": {
        version: "1.0.0",
        supportedTransactionVersions: ["legacy", 0],
        // Like a real wallet, it signs only for the chain it serves.
        signTransaction: (...inputs: { transaction: Uint8Array; chain: string }[]) =>
          Promise.all(
            inputs.map(async (input) => {
              if (input.chain !== "solana:localnet") {
                throw new Error(`${name} does not sign for ${input.chain}`);
              }
              return { signedTransaction: await sign(input.transaction) };
            }),
          ),
      },
    },
  };
  type Register = { register: (w: typeof wallet) => void };
  const callback = ({ register }: Register) => register(wallet);
  window.dispatchEvent(new CustomEvent("wallet-standard:register-wallet", { detail: callback }));
  window.addEventListener("wallet-standard:app-ready", (event) =>
    callback((event as CustomEvent<Register>).detail),
  );
}
