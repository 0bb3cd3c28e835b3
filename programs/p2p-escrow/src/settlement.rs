//! How a trade ends with a payout out of its offer's vault: a release (`release`,
//! `release_with_attestation`), or a dispute's end (`rule`, `settle`, the default ruling of
//! `escalate`) with its split, the seller's share back to the offer, and the bond.

use anchor_lang::prelude::*;
use anchor_spl::memo::Memo;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::errors::EscrowError;
use crate::events::{DisputeResolved, Resolution};
use crate::math::{bps_share, split, Split};
use crate::state::{Arbiter, Offer, Trade};
use crate::token::{balance_of, Vault};

/// The accounts a dispute's end touches.
pub struct DisputeEnd<'a, 'info> {
    /// The trade's offer; the seller's share returns to its available tokens.
    pub offer: &'a mut Account<'info, Offer>,
    /// The disputed trade; closed by the instruction afterwards.
    pub trade: &'a Account<'info, Trade>,
    /// The arbiter in charge of the dispute now.
    pub arbiter: &'a mut Account<'info, Arbiter>,
    /// The offer's vault.
    pub vault: &'a InterfaceAccount<'info, TokenAccount>,
    /// The offer's mint.
    pub mint: &'a InterfaceAccount<'info, Mint>,
    /// The mint's token program.
    pub token_program: &'a Interface<'info, TokenInterface>,
    /// The memo program, for recipients that require memos.
    pub memo_program: &'a Program<'info, Memo>,
    /// The buyer's associated token account.
    pub buyer_token_account: &'a InterfaceAccount<'info, TokenAccount>,
    /// The arbiter's associated token account, when the arbiter is owed a fee.
    pub arbiter_token_account: Option<&'a InterfaceAccount<'info, TokenAccount>>,
    /// The seller's wallet, which receives the bond when the buyer gets nothing.
    pub seller: AccountInfo<'info>,
}

impl DisputeEnd<'_, '_> {
    /// Ends the dispute with `buyer_bps` of what is left after `arbiter_fee_bps`: pays the buyer
    /// and (when owed) the arbiter out of the vault, returns the seller's share to the offer's
    /// available tokens, takes the case off the arbiter's open cases, and moves the bond to the
    /// seller when the buyer gets nothing (otherwise the bond goes back to the buyer with the
    /// trade's rent when the trade closes). Returns the event to emit.
    pub fn resolve(
        self,
        resolution: Resolution,
        arbiter_fee_bps: u16,
        buyer_bps: u16,
    ) -> Result<DisputeResolved> {
        let DisputeEnd {
            offer,
            trade,
            arbiter,
            vault,
            mint,
            token_program,
            memo_program,
            buyer_token_account,
            arbiter_token_account,
            seller,
        } = self;
        let Split {
            arbiter_fee,
            to_buyer,
            to_seller,
        } = split(trade.amount, arbiter_fee_bps, buyer_bps)?;
        let paying = Vault {
            offer: &*offer,
            vault,
            mint,
            token_program,
            memo_program,
        };
        paying.pay(buyer_token_account, to_buyer)?;
        match arbiter_token_account {
            Some(arbiter_token_account) => paying.pay(arbiter_token_account, arbiter_fee)?,
            None => require!(arbiter_fee == 0, EscrowError::InvariantViolated),
        }
        let vault_balance = balance_of(&vault.to_account_info())?;
        offer.unlock(trade.amount, to_seller)?;
        offer.invariant(vault_balance)?;

        arbiter.close_case()?;
        match resolution {
            Resolution::Ruled => {
                arbiter.rulings = arbiter
                    .rulings
                    .checked_add(1)
                    .ok_or(EscrowError::MathOverflow)?
            }
            Resolution::Settled => {}
            Resolution::DefaultRuling => {
                arbiter.missed_deadlines = arbiter
                    .missed_deadlines
                    .checked_add(1)
                    .ok_or(EscrowError::MathOverflow)?
            }
        }
        arbiter.invariant()?;

        let bond_to_seller = if buyer_bps == 0 { trade.buyer_bond } else { 0 };
        if bond_to_seller > 0 {
            trade.sub_lamports(bond_to_seller)?;
            seller.add_lamports(bond_to_seller)?;
        }
        Ok(DisputeResolved {
            trade: trade.key(),
            offer: trade.offer,
            seller: trade.seller,
            buyer: trade.buyer,
            resolution,
            arbiter: arbiter.authority,
            buyer_bps,
            to_buyer,
            to_seller,
            arbiter_fee,
            bond_to_seller,
        })
    }
}

/// The accounts a release touches.
pub struct ReleaseEnd<'a, 'info> {
    /// The trade's offer; its locked tokens shrink by the trade's amount.
    pub offer: &'a mut Account<'info, Offer>,
    /// The released trade; closed by the instruction afterwards, its rent and bond to the buyer.
    pub trade: &'a Account<'info, Trade>,
    /// The offer's vault.
    pub vault: &'a InterfaceAccount<'info, TokenAccount>,
    /// The offer's mint.
    pub mint: &'a InterfaceAccount<'info, Mint>,
    /// The mint's token program.
    pub token_program: &'a Interface<'info, TokenInterface>,
    /// The memo program, for recipients that require memos.
    pub memo_program: &'a Program<'info, Memo>,
    /// The buyer's associated token account.
    pub buyer_token_account: &'a InterfaceAccount<'info, TokenAccount>,
    /// The treasury's associated token account.
    pub treasury_token_account: &'a InterfaceAccount<'info, TokenAccount>,
}

impl ReleaseEnd<'_, '_> {
    /// Pays the buyer the trade's amount less the protocol fee and the treasury the fee, out of
    /// the vault. Returns what each received (before any transfer fee of the mint).
    pub fn release(self) -> Result<ReleasePayout> {
        let amount = self.trade.amount;
        let protocol_fee = bps_share(amount, self.trade.fee_bps)?;
        let to_buyer = amount
            .checked_sub(protocol_fee)
            .ok_or(EscrowError::MathOverflow)?;
        let paying = Vault {
            offer: &*self.offer,
            vault: self.vault,
            mint: self.mint,
            token_program: self.token_program,
            memo_program: self.memo_program,
        };
        paying.pay(self.buyer_token_account, to_buyer)?;
        paying.pay(self.treasury_token_account, protocol_fee)?;
        self.offer.unlock(amount, 0)?;
        self.offer
            .invariant(balance_of(&self.vault.to_account_info())?)?;
        Ok(ReleasePayout {
            to_buyer,
            protocol_fee,
        })
    }
}

/// What a release paid.
pub struct ReleasePayout {
    /// Tokens that left the vault for the buyer.
    pub to_buyer: u64,
    /// Tokens that left the vault for the treasury.
    pub protocol_fee: u64,
}
