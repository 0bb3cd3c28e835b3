use anchor_lang::prelude::*;

use crate::constants::{ARBITER_SEED, PUBLIC_DISPUTE_GRACE, TRADE_SEED};
use crate::errors::EscrowError;
use crate::events::DisputeOpened;
use crate::math::deadline;
use crate::state::{Arbiter, Dispute, Trade, TradeState};

#[event_cpi]
#[derive(Accounts)]
pub struct OpenDispute<'info> {
    /// The seller (any time), the buyer (after the release deadline), or anyone (after the release
    /// deadline and a grace period).
    pub caller: Signer<'info>,
    /// The paid trade to dispute; its ruling window was fixed at take.
    #[account(
        mut,
        seeds = [TRADE_SEED, trade.buyer.as_ref(), &trade.trade_id.to_le_bytes()],
        bump = trade.bump,
    )]
    pub trade: Box<Account<'info, Trade>>,
    /// The trade's arbiter, who gets the case.
    #[account(
        mut,
        seeds = [ARBITER_SEED, trade.arbiter.as_ref()],
        bump = arbiter.bump,
    )]
    pub arbiter: Box<Account<'info, Arbiter>>,
}

impl OpenDispute<'_> {
    pub fn validate(&self) -> Result<()> {
        let trade = &self.trade;
        require!(trade.state == TradeState::Paid, EscrowError::TradeNotPaid);
        let now = Clock::get()?.unix_timestamp;
        let caller = self.caller.key();
        if caller == trade.buyer {
            require!(now > trade.release_deadline, EscrowError::ReleaseWindowOpen);
        } else if caller != trade.seller {
            require!(
                now > deadline(trade.release_deadline, PUBLIC_DISPUTE_GRACE)?,
                EscrowError::DisputeGraceNotOver
            );
        }
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let ruling_deadline = deadline(now, ctx.accounts.trade.ruling_window)?;
        let arbiter = &mut ctx.accounts.arbiter;
        arbiter.open_cases = arbiter
            .open_cases
            .checked_add(1)
            .ok_or(EscrowError::MathOverflow)?;
        arbiter.invariant()?;
        let trade = &mut ctx.accounts.trade;
        trade.state = TradeState::Disputed;
        trade.dispute = Some(Dispute {
            opened_by: ctx.accounts.caller.key(),
            opened_at: now,
            arbiter: trade.arbiter,
            ruling_deadline,
            escalated: false,
            buyer_evidence: [0; 32],
            seller_evidence: [0; 32],
        });
        // A proposal made before the dispute does not outlive it: accepting a stale one alone
        // would get around the arbiter. The parties propose again in the dispute.
        trade.proposal = None;
        trade.invariant()?;
        let event = DisputeOpened {
            trade: trade.key(),
            offer: trade.offer,
            opened_by: ctx.accounts.caller.key(),
            arbiter: trade.arbiter,
            ruling_deadline,
            amount: trade.amount,
            fiat_amount: trade.fiat_amount,
        };
        emit_cpi!(event);
        Ok(())
    }
}
