use anchor_lang::prelude::*;

use crate::constants::OFFER_SEED;
use crate::errors::EscrowError;
use crate::events::OfferStatusChanged;
use crate::state::{Offer, OfferStatus};

#[event_cpi]
#[derive(Accounts)]
pub struct SetOfferPaused<'info> {
    /// The offer's seller.
    pub seller: Signer<'info>,
    /// The offer to pause or resume.
    #[account(
        mut,
        seeds = [OFFER_SEED, offer.seller.as_ref(), &offer.offer_id.to_le_bytes()],
        bump = offer.bump,
        has_one = seller @ EscrowError::NotSeller,
    )]
    pub offer: Box<Account<'info, Offer>>,
}

impl SetOfferPaused<'_> {
    pub fn validate(&self, paused: bool) -> Result<()> {
        require!(
            (self.offer.status == OfferStatus::Paused) != paused,
            EscrowError::OfferStatusUnchanged
        );
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>, paused: bool) -> Result<()> {
        let offer = &mut ctx.accounts.offer;
        offer.status = if paused {
            OfferStatus::Paused
        } else {
            OfferStatus::Open
        };
        offer.terms.validate()?;
        let event = OfferStatusChanged {
            offer: offer.key(),
            paused,
        };
        emit_cpi!(event);
        Ok(())
    }
}
