use anchor_lang::prelude::*;

use crate::errors::EscrowError;

/// A wallet's counters, at `["profile", wallet]`, written only by the program. Opened by
/// `open_profile` before the wallet's first offer or trade and never closed, so the ids it hands
/// out never repeat: an offer lives at `["offer", seller, offers_created]` and a trade at
/// `["trade", buyer, trades_taken]`, and every address the program derives names one thing,
/// ever. Each wallet's takes contend only with its own, never with other buyers of one offer.
#[account]
#[derive(InitSpace)]
pub struct Profile {
    /// The wallet this profile counts for.
    pub wallet: Pubkey,
    /// Offers this wallet created; the id of its next offer.
    pub offers_created: u64,
    /// Trades this wallet took; the id of its next trade.
    pub trades_taken: u64,
    /// Bump of this account's address.
    pub bump: u8,
}

impl Profile {
    /// Hands out the wallet's next offer id.
    pub fn next_offer_id(&mut self) -> Result<u64> {
        let id = self.offers_created;
        self.offers_created = id.checked_add(1).ok_or(EscrowError::MathOverflow)?;
        Ok(id)
    }

    /// Hands out the wallet's next trade id.
    pub fn next_trade_id(&mut self) -> Result<u64> {
        let id = self.trades_taken;
        self.trades_taken = id.checked_add(1).ok_or(EscrowError::MathOverflow)?;
        Ok(id)
    }
}
