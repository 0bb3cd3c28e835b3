use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

use crate::constants::{OFFER_SEED, TRADE_SEED};
use crate::errors::EscrowError;
use crate::events::TradeCancelled;
use crate::settlement::TradeEnd;
use crate::state::{Offer, Trade, TradeState};

#[event_cpi]
#[derive(Accounts)]
pub struct CancelTrade<'info> {
    /// The trade's buyer; gets the trade's rent and bond back.
    #[account(mut)]
    pub buyer: Signer<'info>,
    /// The trade's offer; the amount returns to its available tokens.
    #[account(
        mut,
        seeds = [OFFER_SEED, offer.seller.as_ref(), &offer.offer_id.to_le_bytes()],
        bump = offer.bump,
        has_one = vault @ EscrowError::VaultMismatch,
    )]
    pub offer: Box<Account<'info, Offer>>,
    /// The trade to cancel, closed here.
    #[account(
        mut,
        seeds = [TRADE_SEED, trade.buyer.as_ref(), &trade.trade_id.to_le_bytes()],
        bump = trade.bump,
        has_one = buyer @ EscrowError::NotBuyer,
        has_one = offer @ EscrowError::OfferMismatch,
    )]
    pub trade: Box<Account<'info, Trade>>,
    /// The offer's vault.
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
}

impl CancelTrade<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.trade.state == TradeState::Locked,
            EscrowError::TradeNotLocked
        );
        let now = Clock::get()?.unix_timestamp;
        require!(
            now <= self.trade.payment_deadline,
            EscrowError::PaymentDeadlinePassed
        );
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let event = TradeCancelled {
            trade: accounts.trade.key(),
            offer: accounts.offer.key(),
            buyer: accounts.buyer.key(),
            amount: accounts.trade.amount,
        };
        let (_, held) = TradeEnd {
            offer: &mut accounts.offer,
            trade: &mut accounts.trade,
            buyer: accounts.buyer.to_account_info(),
            seller: None,
        }
        .unwind(&accounts.vault)?;
        emit_cpi!(event);
        if let Some(held) = held {
            emit_cpi!(held);
        }
        Ok(())
    }
}
