use anchor_lang::prelude::*;

use crate::constants::{ARBITER_SEED, BPS_DENOMINATOR};
use crate::errors::EscrowError;
use crate::events::Resolution;
// Glob: the accounts derive also needs the composite's generated client module and bumps.
use crate::instructions::trade_payout::*;
use crate::state::Arbiter;

#[event_cpi]
#[derive(Accounts)]
pub struct Settle<'info> {
    /// The trade's buyer, agreeing to the split; pays for missing token accounts.
    #[account(mut, address = payout.trade.buyer @ EscrowError::NotBuyer)]
    pub buyer: Signer<'info>,
    /// The trade's seller, agreeing to the split.
    #[account(mut, address = payout.trade.seller @ EscrowError::NotSeller)]
    pub seller: Signer<'info>,
    /// The arbiter in charge of the dispute, whose case closes without a fee.
    #[account(mut, seeds = [ARBITER_SEED, arbiter.authority.as_ref()], bump = arbiter.bump)]
    pub arbiter: Box<Account<'info, Arbiter>>,
    /// The disputed trade, its offer, and the token accounts that pay it out.
    pub payout: TradePayout<'info>,
}

impl Settle<'_> {
    pub fn validate(&self, buyer_bps: u16) -> Result<()> {
        let dispute = self.payout.trade.open_dispute()?;
        require_keys_eq!(
            dispute.arbiter,
            self.arbiter.authority,
            EscrowError::ArbiterMismatch
        );
        require!(buyer_bps <= BPS_DENOMINATOR, EscrowError::InvalidBps);
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>, buyer_bps: u16) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let (end, tokens) = accounts.payout.end(PayoutParties {
            buyer: accounts.buyer.to_account_info(),
            seller: Some(accounts.seller.to_account_info()),
            payer: accounts.buyer.to_account_info(),
        });
        let (event, held) = end.resolve(
            tokens,
            &mut accounts.arbiter,
            None,
            Resolution::Settled,
            0,
            buyer_bps,
        )?;
        emit_cpi!(event);
        if let Some(held) = held {
            emit_cpi!(held);
        }
        Ok(())
    }
}
