use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

use crate::constants::{OFFER_SEED, TRADE_SEED};
use crate::errors::EscrowError;
use crate::events::TradeExpired;
use crate::settlement::TradeEnd;
use crate::state::{Offer, Trade, TradeState};

#[event_cpi]
#[derive(Accounts)]
pub struct ExpireTrade<'info> {
    /// Anyone may expire an unpaid trade after its payment deadline.
    pub cranker: Signer<'info>,
    /// CHECK: the trade's seller (checked against the trade); only receives the buyer's bond, so
    /// any account will do (a wallet its owner re-assigned to another program included). Should it
    /// be unable to take lamports, the bond waits on the offer for the seller.
    #[account(mut)]
    pub seller: UncheckedAccount<'info>,
    /// CHECK: the trade's buyer (checked against the trade); only receives the trade's rent. Should
    /// it be unable to take lamports, the rent waits on the trade for the buyer's claim.
    #[account(mut)]
    pub buyer: UncheckedAccount<'info>,
    /// The trade's offer; the amount returns to its available tokens.
    #[account(
        mut,
        seeds = [OFFER_SEED, offer.seller.as_ref(), &offer.offer_id.to_le_bytes()],
        bump = offer.bump,
        has_one = vault @ EscrowError::VaultMismatch,
    )]
    pub offer: Box<Account<'info, Offer>>,
    /// The trade to expire, closed here.
    #[account(
        mut,
        seeds = [TRADE_SEED, trade.buyer.as_ref(), &trade.trade_id.to_le_bytes()],
        bump = trade.bump,
        has_one = seller @ EscrowError::NotSeller,
        has_one = buyer @ EscrowError::NotBuyer,
        has_one = offer @ EscrowError::OfferMismatch,
    )]
    pub trade: Box<Account<'info, Trade>>,
    /// The offer's vault.
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
}

impl ExpireTrade<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.trade.state == TradeState::Locked,
            EscrowError::TradeNotLocked
        );
        let now = Clock::get()?.unix_timestamp;
        require!(
            now > self.trade.payment_deadline,
            EscrowError::PaymentDeadlineNotReached
        );
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let trade = accounts.trade.key();
        let amount = accounts.trade.amount;
        let (bond_to_seller, held) = TradeEnd {
            offer: &mut accounts.offer,
            trade: &mut accounts.trade,
            buyer: accounts.buyer.to_account_info(),
            seller: Some(accounts.seller.to_account_info()),
        }
        .unwind(&accounts.vault)?;
        let event = TradeExpired {
            trade,
            offer: accounts.offer.key(),
            buyer: accounts.buyer.key(),
            cranked_by: accounts.cranker.key(),
            amount,
            bond_to_seller,
        };
        emit_cpi!(event);
        if let Some(held) = held {
            emit_cpi!(held);
        }
        Ok(())
    }
}
