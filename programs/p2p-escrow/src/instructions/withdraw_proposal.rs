use anchor_lang::prelude::*;

use crate::constants::TRADE_SEED;
use crate::errors::EscrowError;
use crate::events::ProposalWithdrawn;
use crate::state::Trade;

#[event_cpi]
#[derive(Accounts)]
pub struct WithdrawProposal<'info> {
    /// The party who proposed.
    pub party: Signer<'info>,
    /// The trade whose proposal is withdrawn.
    #[account(
        mut,
        seeds = [TRADE_SEED, trade.buyer.as_ref(), &trade.trade_id.to_le_bytes()],
        bump = trade.bump,
    )]
    pub trade: Box<Account<'info, Trade>>,
}

impl WithdrawProposal<'_> {
    pub fn validate(&self) -> Result<()> {
        self.trade.may_negotiate(self.party.key())?;
        let proposal = self
            .trade
            .proposal
            .as_ref()
            .ok_or(EscrowError::NoProposal)?;
        require_keys_eq!(
            proposal.proposed_by,
            self.party.key(),
            EscrowError::NotProposer
        );
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>) -> Result<()> {
        let trade = &mut ctx.accounts.trade;
        trade.proposal = None;
        trade.invariant()?;
        emit_cpi!(ProposalWithdrawn {
            trade: trade.key(),
            proposed_by: ctx.accounts.party.key(),
        });
        Ok(())
    }
}
