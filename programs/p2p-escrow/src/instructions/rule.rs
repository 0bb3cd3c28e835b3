use anchor_lang::prelude::*;
use anchor_spl::associated_token::get_associated_token_address_with_program_id;

use crate::constants::{ARBITER_SEED, BPS_DENOMINATOR};
use crate::errors::EscrowError;
use crate::events::Resolution;
// Glob: the accounts derive also needs the composite's generated client module and bumps.
use crate::instructions::trade_payout::*;
use crate::state::Arbiter;

#[event_cpi]
#[derive(Accounts)]
pub struct Rule<'info> {
    /// The arbiter now in charge of the dispute; pays for missing token accounts.
    #[account(mut)]
    pub arbiter_authority: Signer<'info>,
    /// The arbiter's registry account.
    #[account(
        mut,
        seeds = [ARBITER_SEED, arbiter.authority.as_ref()],
        bump = arbiter.bump,
        constraint = arbiter.authority == arbiter_authority.key() @ EscrowError::NotTradeArbiter,
    )]
    pub arbiter: Box<Account<'info, Arbiter>>,
    /// CHECK: the arbiter's associated token account (address checked), receiving its fee;
    /// created if missing.
    #[account(
        mut,
        address = get_associated_token_address_with_program_id(&arbiter_authority.key(), &payout.mint.key(), &payout.token_program.key())
            @ EscrowError::ArbiterTokenAccountMismatch,
    )]
    pub arbiter_token_account: UncheckedAccount<'info>,
    /// The disputed trade, its offer, and the token accounts that pay it out.
    pub payout: TradePayout<'info>,
    /// CHECK: the trade's buyer (address checked); only receives the trade's rent and bond, so any
    /// account will do. Should it be unable to take lamports, they wait on the trade for the
    /// buyer's claim.
    #[account(mut, address = payout.trade.buyer @ EscrowError::NotBuyer)]
    pub buyer: UncheckedAccount<'info>,
    /// CHECK: the trade's seller (address checked); only receives the bond when the buyer gets
    /// nothing, so any account will do. Should it be unable to take lamports, the bond waits on the
    /// offer for the seller.
    #[account(mut, address = payout.trade.seller @ EscrowError::NotSeller)]
    pub seller: UncheckedAccount<'info>,
}

impl Rule<'_> {
    pub fn validate(&self, buyer_bps: u16) -> Result<()> {
        let dispute = self.payout.trade.open_dispute()?;
        require_keys_eq!(
            dispute.arbiter,
            self.arbiter_authority.key(),
            EscrowError::NotTradeArbiter
        );
        let now = Clock::get()?.unix_timestamp;
        require!(
            now <= dispute.ruling_deadline,
            EscrowError::RulingDeadlinePassed
        );
        require!(buyer_bps <= BPS_DENOMINATOR, EscrowError::InvalidBps);
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>, buyer_bps: u16) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let arbiter_fee_bps = accounts.payout.trade.arbiter_fee_bps;
        let arbiter_token_account = accounts.arbiter_token_account.to_account_info();
        let arbiter_authority = accounts.arbiter_authority.to_account_info();
        accounts.payout.ensure_token_account(
            &arbiter_token_account,
            &arbiter_authority,
            &arbiter_authority,
        )?;
        let (end, tokens) = accounts.payout.end(PayoutParties {
            buyer: accounts.buyer.to_account_info(),
            seller: Some(accounts.seller.to_account_info()),
            payer: accounts.arbiter_authority.to_account_info(),
        });
        let (event, held) = end.resolve(
            tokens,
            &mut accounts.arbiter,
            Some(&arbiter_token_account),
            Resolution::Ruled,
            arbiter_fee_bps,
            buyer_bps,
        )?;
        emit_cpi!(event);
        if let Some(held) = held {
            emit_cpi!(held);
        }
        Ok(())
    }
}
