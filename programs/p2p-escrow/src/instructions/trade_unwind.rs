//! The accounts of the ends without a payout (`cancel_trade`, `expire_trade`), declared and
//! checked once and composed into both.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

use crate::constants::{OFFER_SEED, TRADE_SEED};
use crate::errors::EscrowError;
use crate::events::PayoutHeld;
use crate::settlement::TradeEnd;
use crate::state::{Offer, Trade};

/// An unpaid trade and its offer, whose amount returns to the offer's available tokens. The
/// instruction that composes it checks the parties' wallets against `trade`.
#[derive(Accounts)]
pub struct TradeUnwind<'info> {
    /// The trade's offer; the amount returns to its available tokens.
    #[account(
        mut,
        seeds = [OFFER_SEED, offer.seller.as_ref(), &offer.offer_id.to_le_bytes()],
        bump = offer.bump,
        has_one = vault @ EscrowError::VaultMismatch,
    )]
    pub offer: Box<Account<'info, Offer>>,
    /// The trade, closed here.
    #[account(
        mut,
        seeds = [TRADE_SEED, trade.buyer.as_ref(), &trade.trade_id.to_le_bytes()],
        bump = trade.bump,
        has_one = offer @ EscrowError::OfferMismatch,
    )]
    pub trade: Box<Account<'info, Trade>>,
    /// The offer's vault, whose balance the offer's invariant is checked against.
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
}

impl<'info> TradeUnwind<'info> {
    /// Ends the trade without a payout (see [`TradeEnd::unwind`]): the bond to `seller` when given
    /// (an expiry), otherwise back to `buyer` with the rent (a cancel). Returns the bond the seller
    /// got and what waits for the buyer's claim, if anything.
    pub fn unwind(
        &mut self,
        buyer: AccountInfo<'info>,
        seller: Option<AccountInfo<'info>>,
    ) -> Result<(u64, Option<PayoutHeld>)> {
        TradeEnd {
            offer: &mut self.offer,
            trade: &mut self.trade,
            buyer,
            seller,
        }
        .unwind(&self.vault)
    }
}
