use anchor_lang::prelude::*;
use anchor_spl::associated_token::get_associated_token_address_with_program_id;

use crate::attestation::{attestation_payload, verify_attestation};
use crate::constants::CONFIG_SEED;
use crate::errors::EscrowError;
// Glob: the accounts derive also needs the composite's generated client module and bumps.
use crate::instructions::trade_payout::*;
use crate::state::{Config, TradeState};

#[event_cpi]
#[derive(Accounts)]
pub struct ReleaseWithAttestation<'info> {
    /// Anyone relaying the attestor's signature; pays for missing token accounts.
    #[account(mut)]
    pub relayer: Signer<'info>,
    /// The protocol config, owner of the fee vaults.
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    /// The trade to release, its offer (naming the attestor), and the token accounts that pay it
    /// out.
    pub payout: TradePayout<'info>,
    /// CHECK: the trade's buyer (address checked); only receives the trade's rent and bond, so any
    /// account will do.
    #[account(mut, address = payout.trade.buyer @ EscrowError::NotBuyer)]
    pub buyer: UncheckedAccount<'info>,
    /// CHECK: the mint's fee vault, the config's associated token account (address checked),
    /// receiving the protocol fee; created if missing.
    #[account(
        mut,
        address = get_associated_token_address_with_program_id(&config.key(), &payout.mint.key(), &payout.token_program.key())
            @ EscrowError::FeeVaultMismatch,
    )]
    pub fee_vault: UncheckedAccount<'info>,
    /// CHECK: the instructions sysvar (address checked), read to find the Ed25519 instruction.
    #[account(address = solana_instructions_sysvar::ID)]
    pub instructions_sysvar: UncheckedAccount<'info>,
}

impl ReleaseWithAttestation<'_> {
    pub fn validate(&self) -> Result<()> {
        let (offer, trade) = (&self.payout.offer, &self.payout.trade);
        let attestor = offer.terms.attestor.ok_or(EscrowError::NoAttestor)?;
        require!(
            matches!(trade.state, TradeState::Locked | TradeState::Paid),
            EscrowError::TradeNotReleasable
        );
        verify_attestation(
            &self.instructions_sysvar.to_account_info(),
            &attestor,
            &attestation_payload(&trade.key(), trade),
        )
    }

    pub fn handler(ctx: Context<'_, Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let attestor = accounts.payout.offer.terms.attestor;
        let (event, held) = accounts.payout.release(
            accounts.buyer.to_account_info(),
            accounts.relayer.to_account_info(),
            &accounts.fee_vault.to_account_info(),
            &accounts.config.to_account_info(),
            attestor,
        )?;
        emit_cpi!(event);
        if let Some(held) = held {
            emit_cpi!(held);
        }
        Ok(())
    }
}
