use anchor_lang::prelude::*;

use crate::constants::TRADE_SEED;
use crate::errors::EscrowError;
use crate::events::EndingProposed;
use crate::state::{Proposal, Trade};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ProposeEndingArgs {
    /// Tokens (base units) the buyer gets before the protocol fee, at most the trade's amount; the
    /// rest returns to the offer. Zero is a collaborative cancel.
    pub buyer_amount: u64,
}

#[event_cpi]
#[derive(Accounts)]
pub struct ProposeEnding<'info> {
    /// The buyer or the seller of the trade.
    pub party: Signer<'info>,
    /// The paid or disputed trade; its proposal is set (replacing any earlier one).
    #[account(
        mut,
        seeds = [TRADE_SEED, trade.buyer.as_ref(), &trade.trade_id.to_le_bytes()],
        bump = trade.bump,
    )]
    pub trade: Box<Account<'info, Trade>>,
}

impl ProposeEnding<'_> {
    pub fn validate(&self, args: &ProposeEndingArgs) -> Result<()> {
        self.trade.may_negotiate(self.party.key())?;
        require!(
            args.buyer_amount <= self.trade.amount,
            EscrowError::ProposalExceedsAmount
        );
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>, args: ProposeEndingArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let proposed_by = ctx.accounts.party.key();
        let trade = &mut ctx.accounts.trade;
        trade.proposal = Some(Proposal {
            proposed_by,
            buyer_amount: args.buyer_amount,
            proposed_at: now,
        });
        trade.invariant()?;
        emit_cpi!(EndingProposed {
            trade: trade.key(),
            proposed_by,
            buyer_amount: args.buyer_amount,
            proposed_at: now,
        });
        Ok(())
    }
}
