use anchor_lang::prelude::*;
use anchor_spl::associated_token::get_associated_token_address_with_program_id;

use crate::constants::{ARBITER_SEED, CONFIG_SEED};
use crate::errors::EscrowError;
// Glob: the accounts derive also needs the composite's generated client module and bumps.
use crate::instructions::trade_payout::*;
use crate::state::{Arbiter, Config, TradeState};

#[event_cpi]
#[derive(Accounts)]
pub struct Release<'info> {
    /// The trade's seller, confirming the fiat arrived; pays for missing token accounts.
    #[account(mut, address = payout.trade.seller @ EscrowError::NotSeller)]
    pub seller: Signer<'info>,
    /// The protocol config, owner of the fee vaults.
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    /// The trade to release, its offer, and the token accounts that pay it out.
    pub payout: TradePayout<'info>,
    /// CHECK: the trade's buyer (address checked); only receives the trade's rent and bond, so any
    /// account will do.
    #[account(mut, address = payout.trade.buyer @ EscrowError::NotBuyer)]
    pub buyer: UncheckedAccount<'info>,
    /// The arbiter in charge of the trade (its dispute's arbiter once disputed); releasing a
    /// disputed trade closes the arbiter's case.
    #[account(mut, seeds = [ARBITER_SEED, arbiter.authority.as_ref()], bump = arbiter.bump)]
    pub arbiter: Box<Account<'info, Arbiter>>,
    /// CHECK: the mint's fee vault, the config's associated token account (address checked),
    /// receiving the protocol fee; created if missing.
    #[account(
        mut,
        address = get_associated_token_address_with_program_id(&config.key(), &payout.mint.key(), &payout.token_program.key())
            @ EscrowError::FeeVaultMismatch,
    )]
    pub fee_vault: UncheckedAccount<'info>,
}

impl Release<'_> {
    pub fn validate(&self) -> Result<()> {
        let trade = &self.payout.trade;
        require!(trade.is_open(), EscrowError::TradeSettled);
        require_keys_eq!(
            self.arbiter.authority,
            trade.arbiter_in_charge(),
            EscrowError::ArbiterMismatch
        );
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        if accounts.payout.trade.state == TradeState::Disputed {
            accounts.arbiter.close_case()?;
        }
        let (event, held) = accounts.payout.release(
            accounts.buyer.to_account_info(),
            accounts.seller.to_account_info(),
            &accounts.fee_vault.to_account_info(),
            &accounts.config.to_account_info(),
            None,
        )?;
        emit_cpi!(event);
        if let Some(held) = held {
            emit_cpi!(held);
        }
        Ok(())
    }
}
