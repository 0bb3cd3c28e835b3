use anchor_lang::prelude::*;

use crate::constants::{
    MAX_PAYMENT_WINDOW, MAX_RELEASE_WINDOW, MAX_RESPONSE_WINDOW, MIN_PAYMENT_WINDOW,
    MIN_RELEASE_WINDOW, MIN_RESPONSE_WINDOW, OFFER_SEED,
};
use crate::errors::EscrowError;
use crate::pda::SignerSeeds;

/// Whether an offer accepts new trades.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum OfferStatus {
    /// Buyers may take the offer.
    Open,
    /// The seller paused the offer; open trades go on, no new ones start.
    Paused,
}

/// The terms a seller sets and a buyer accepts. Fixed for the offer's life.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct OfferTerms {
    /// Smallest amount (in the mint's base units) one trade may take.
    pub min_trade_amount: u64,
    /// Largest amount (in the mint's base units) one trade may take.
    pub max_trade_amount: u64,
    /// Price in fiat minor units (cents) per whole token.
    pub price: u64,
    /// ISO 4217 code of the fiat currency, three capital ASCII letters.
    pub fiat_currency: [u8; 3],
    /// Hash of the seller's payment instructions, shared off-chain.
    pub payment_terms_hash: [u8; 32],
    /// Seconds a buyer has to mark the trade paid: after the seller's payment details arrive in the
    /// trade's room when the offer has a response window, otherwise after taking.
    pub payment_window: i64,
    /// Seconds the seller has, after the trade is marked paid, to release before it can be disputed.
    pub release_window: i64,
    /// Authority of the registered arbiter who rules this offer's disputes.
    pub arbiter: Pubkey,
    /// Ed25519 key of a payment service whose attestation releases a trade, if any.
    pub attestor: Option<Pubkey>,
    /// Lamports a buyer posts at take; returned unless the trade expires unpaid.
    pub buyer_bond: u64,
    /// The only buyer allowed to take this offer, if it is private.
    pub allowed_buyer: Option<Pubkey>,
    /// Seconds the seller has, after a take, to post its payment details in the trade's room;
    /// should it let them pass, anyone may end the trade with the buyer's bond returned. Zero: no
    /// response window, the payment window runs from the take.
    pub response_window: i64,
}

impl OfferTerms {
    /// Refuses terms outside their bounds.
    pub fn validate(&self) -> Result<()> {
        require!(
            self.min_trade_amount > 0 && self.min_trade_amount <= self.max_trade_amount,
            EscrowError::InvalidTradeLimits
        );
        require!(self.price > 0, EscrowError::ZeroPrice);
        require!(
            self.fiat_currency.iter().all(u8::is_ascii_uppercase),
            EscrowError::InvalidFiatCurrency
        );
        require!(
            (MIN_PAYMENT_WINDOW..=MAX_PAYMENT_WINDOW).contains(&self.payment_window),
            EscrowError::PaymentWindowOutOfBounds
        );
        require!(
            (MIN_RELEASE_WINDOW..=MAX_RELEASE_WINDOW).contains(&self.release_window),
            EscrowError::ReleaseWindowOutOfBounds
        );
        require!(
            self.response_window == 0
                || (MIN_RESPONSE_WINDOW..=MAX_RESPONSE_WINDOW).contains(&self.response_window),
            EscrowError::ResponseWindowOutOfBounds
        );
        Ok(())
    }
}

/// A seller's standing offer, at `["offer", seller, offer_id]` (`offer_id` from the seller's
/// [`crate::state::Profile`], so the address never names another offer). Its vault, the associated
/// token account of this address, holds `available + locked` tokens. Lamports the seller could
/// not receive in its wallet (a bond) wait on this account and go to the seller at close.
#[account]
#[derive(InitSpace)]
pub struct Offer {
    /// The seller who funds the vault and receives fiat.
    pub seller: Pubkey,
    /// The seller's count of offers before this one, part of its address.
    pub offer_id: u64,
    /// The token being sold.
    pub mint: Pubkey,
    /// The token program that owns the mint (SPL Token or Token-2022).
    pub token_program: Pubkey,
    /// The associated token account of this offer that holds the tokens.
    pub vault: Pubkey,
    /// Tokens in the vault that buyers may take.
    pub available: u64,
    /// Tokens in the vault reserved by open trades.
    pub locked: u64,
    /// The trade terms.
    pub terms: OfferTerms,
    /// Whether the offer takes new trades.
    pub status: OfferStatus,
    /// Bump of this account's address.
    pub bump: u8,
    /// The seller's X25519 public key for this offer's trade rooms, copied into each trade.
    pub room_key: [u8; 32],
}

impl Offer {
    /// The seeds the offer signs with, as the owner of its vault.
    pub fn signer_seeds(&self) -> SignerSeeds {
        SignerSeeds::new(OFFER_SEED, self.seller, self.offer_id, self.bump)
    }

    /// Moves `amount` from available to locked for a new trade.
    pub fn lock(&mut self, amount: u64) -> Result<()> {
        self.available = self
            .available
            .checked_sub(amount)
            .ok_or(EscrowError::InsufficientAvailable)?;
        self.locked = self
            .locked
            .checked_add(amount)
            .ok_or(EscrowError::MathOverflow)?;
        Ok(())
    }

    /// Takes a finished trade's reservation out of locked, returning `to_seller` of it to available.
    pub fn unlock(&mut self, reserved: u64, to_seller: u64) -> Result<()> {
        require!(to_seller <= reserved, EscrowError::InvariantViolated);
        self.locked = self
            .locked
            .checked_sub(reserved)
            .ok_or(EscrowError::InvariantViolated)?;
        self.available = self
            .available
            .checked_add(to_seller)
            .ok_or(EscrowError::MathOverflow)?;
        Ok(())
    }

    /// Tokens the vault must hold at least.
    pub fn escrowed(&self) -> Result<u64> {
        self.available
            .checked_add(self.locked)
            .ok_or_else(|| error!(EscrowError::MathOverflow))
    }

    /// Holds after every change of an offer: terms in bounds and the vault covering what the offer
    /// owes (a stranger's donation may make it hold more).
    pub fn invariant(&self, vault_balance: u64) -> Result<()> {
        self.terms.validate()?;
        require!(
            vault_balance >= self.escrowed()?,
            EscrowError::InvariantViolated
        );
        Ok(())
    }
}
