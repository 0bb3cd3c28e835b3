use anchor_lang::prelude::*;

use crate::constants::{MAX_EVIDENCE_URI_LEN, TRADE_SEED};
use crate::errors::EscrowError;
use crate::events::EvidenceSubmitted;
use crate::state::{Trade, TradeState};

#[event_cpi]
#[derive(Accounts)]
pub struct SubmitEvidence<'info> {
    /// The trade's buyer or seller.
    pub party: Signer<'info>,
    /// The disputed trade; the party's evidence slot keeps the latest hash.
    #[account(
        mut,
        seeds = [TRADE_SEED, trade.buyer.as_ref(), &trade.trade_id.to_le_bytes()],
        bump = trade.bump,
    )]
    pub trade: Box<Account<'info, Trade>>,
}

impl SubmitEvidence<'_> {
    pub fn validate(&self, evidence_hash: &[u8; 32], uri: &str) -> Result<()> {
        let party = self.party.key();
        require!(
            party == self.trade.buyer || party == self.trade.seller,
            EscrowError::NotAParty
        );
        require!(
            self.trade.state == TradeState::Disputed,
            EscrowError::TradeNotDisputed
        );
        require!(*evidence_hash != [0; 32], EscrowError::InvalidEvidence);
        require!(
            uri.len() <= MAX_EVIDENCE_URI_LEN as usize,
            EscrowError::EvidenceUriTooLong
        );
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>, evidence_hash: [u8; 32], uri: String) -> Result<()> {
        let party = ctx.accounts.party.key();
        let trade = &mut ctx.accounts.trade;
        let by_buyer = party == trade.buyer;
        let dispute = trade.open_dispute_mut()?;
        if by_buyer {
            dispute.buyer_evidence = evidence_hash;
        } else {
            dispute.seller_evidence = evidence_hash;
        }
        trade.invariant()?;
        let event = EvidenceSubmitted {
            trade: trade.key(),
            submitted_by: party,
            by_buyer,
            evidence_hash,
            uri,
        };
        emit_cpi!(event);
        Ok(())
    }
}
