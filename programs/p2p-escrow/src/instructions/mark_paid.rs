use anchor_lang::prelude::*;

use crate::constants::TRADE_SEED;
use crate::errors::EscrowError;
use crate::events::TradePaid;
use crate::math::deadline;
use crate::state::{Trade, TradeState};

#[event_cpi]
#[derive(Accounts)]
pub struct MarkPaid<'info> {
    /// The trade's buyer, saying the fiat was sent.
    pub buyer: Signer<'info>,
    /// The trade; its release window was fixed at take.
    #[account(
        mut,
        seeds = [TRADE_SEED, trade.buyer.as_ref(), &trade.trade_id.to_le_bytes()],
        bump = trade.bump,
        has_one = buyer @ EscrowError::NotBuyer,
    )]
    pub trade: Box<Account<'info, Trade>>,
}

impl MarkPaid<'_> {
    pub fn validate(&self, payment_ref_hash: &[u8; 32]) -> Result<()> {
        require!(
            self.trade.state == TradeState::Locked,
            EscrowError::TradeNotLocked
        );
        let now = Clock::get()?.unix_timestamp;
        require!(
            now <= self.trade.payment_deadline,
            EscrowError::PaymentDeadlinePassed
        );
        require!(
            *payment_ref_hash != [0; 32],
            EscrowError::InvalidPaymentReference
        );
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>, payment_ref_hash: [u8; 32]) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let trade = &mut ctx.accounts.trade;
        let release_window = trade.release_window;
        trade.state = TradeState::Paid;
        trade.paid_at = now;
        trade.release_deadline = deadline(now, release_window)?;
        trade.payment_ref_hash = payment_ref_hash;
        trade.invariant()?;
        let event = TradePaid {
            trade: trade.key(),
            offer: trade.offer,
            buyer: trade.buyer,
            payment_ref_hash,
            paid_at: now,
            release_deadline: trade.release_deadline,
        };
        emit_cpi!(event);
        Ok(())
    }
}
