/**
 * Wallets through the Wallet Standard: discovery of every registered wallet that can connect and
 * sign Solana transactions, and a kit `TransactionPartialSigner` over a connected account (also a
 * `MessagePartialSigner` when the wallet signs messages, which derives trade-room keys), so the
 * SDK signs with the wallet exactly as the command line signs with a key pair.
 *
 * Not @solana/react: its newest release (7.0.0) pins @solana/kit 7.0.0 and its own @solana/*
 * 7.0.0 packages, whose signer and transaction types are not kit 8.4's; the Wallet Standard's own
 * packages used here are what it wraps.
 */
import { useEffect, useState } from "react";
import {
  address,
  getTransactionDecoder,
  getTransactionEncoder,
  type Address,
  type MessagePartialSigner,
  type TransactionPartialSigner,
} from "@solana/kit";
import type { SolanaChain } from "@p2p-escrow/sdk";
import { getWallets } from "@wallet-standard/app";
import type { Wallet, WalletAccount } from "@wallet-standard/base";
import { StandardConnect, type StandardConnectFeature } from "@wallet-standard/features";
import {
  SolanaSignMessage,
  SolanaSignTransaction,
  type SolanaSignMessageFeature,
  type SolanaSignTransactionFeature,
} from "@solana/wallet-standard-features";

/**
 * A wallet the desk can use: it connects, signs Solana transactions, and signs messages (an offer
 * or a trade carries its owner's trade-room key, derived from a message signature).
 */
function usable(wallet: Wallet): boolean {
  return (
    StandardConnect in wallet.features &&
    SolanaSignTransaction in wallet.features &&
    SolanaSignMessage in wallet.features
  );
}

/** Every registered wallet that can connect and sign transactions and messages, kept up to date. */
export function useWallets(): readonly Wallet[] {
  const [wallets, setWallets] = useState<readonly Wallet[]>(() =>
    getWallets().get().filter(usable),
  );
  useEffect(() => {
    const registry = getWallets();
    const refresh = () => setWallets(registry.get().filter(usable));
    const offRegister = registry.on("register", refresh);
    const offUnregister = registry.on("unregister", refresh);
    refresh();
    return () => {
      offRegister();
      offUnregister();
    };
  }, []);
  return wallets;
}

/** Asks the wallet to connect; returns its first account. */
export async function connect(wallet: Wallet): Promise<WalletAccount> {
  const feature = wallet.features[
    StandardConnect
  ] as StandardConnectFeature[typeof StandardConnect];
  const { accounts } = await feature.connect();
  if (accounts.length === 0) throw new Error(`${wallet.name} shared no account`);
  return accounts[0];
}

/** A wallet's account as a signer of transactions, and of messages when the wallet can. */
export type WalletSigner = TransactionPartialSigner & Partial<MessagePartialSigner>;

/**
 * A signer that has the wallet sign each transaction for `chain` (the cluster the desk's RPC
 * serves, see `fetchWalletChain`) and returns the account's signature; with `solana:signMessage`,
 * it signs messages too (the trade room's key texts).
 */
export function walletSigner(
  wallet: Wallet,
  account: WalletAccount,
  chain: SolanaChain,
): WalletSigner {
  const signer: Address = address(account.address);
  const feature = wallet.features[
    SolanaSignTransaction
  ] as SolanaSignTransactionFeature[typeof SolanaSignTransaction];
  // An account may not sign messages even in a wallet that can (a hardware key, for one).
  const messages = account.features.includes(SolanaSignMessage)
    ? (wallet.features[SolanaSignMessage] as SolanaSignMessageFeature[typeof SolanaSignMessage])
    : undefined;
  const signMessages: MessagePartialSigner["signMessages"] | undefined =
    messages &&
    (async (signables) => {
      const outputs = await messages.signMessage(
        ...signables.map(({ content }) => ({ account, message: new Uint8Array(content) })),
      );
      return outputs.map(({ signature }) => ({ [signer]: signature as never }));
    });
  return {
    address: signer,
    ...(signMessages ? { signMessages } : {}),
    async signTransactions(transactions) {
      const encoder = getTransactionEncoder();
      const decoder = getTransactionDecoder();
      const outputs = await feature.signTransaction(
        ...transactions.map((transaction) => ({
          account,
          chain,
          transaction: new Uint8Array(encoder.encode(transaction)),
        })),
      );
      return outputs.map(({ signedTransaction }) => {
        const signature = decoder.decode(signedTransaction).signatures[signer];
        if (!signature) throw new Error("the wallet did not sign the transaction");
        return { [signer]: signature };
      });
    },
  };
}
