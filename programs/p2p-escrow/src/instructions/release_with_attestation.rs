use anchor_lang::prelude::*;
use anchor_spl::associated_token::{get_associated_token_address_with_program_id, AssociatedToken};
use anchor_spl::memo::Memo;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::attestation::{attestation_message, verify_attestation};
use crate::constants::{CONFIG_SEED, OFFER_SEED, TRADE_SEED};
use crate::errors::EscrowError;
use crate::events::TradeReleased;
use crate::settlement::{TokenAccounts, TradeEnd};
use crate::state::{Config, Offer, Trade, TradeState};

#[event_cpi]
#[derive(Accounts)]
pub struct ReleaseWithAttestation<'info> {
    /// Anyone relaying the attestor's signature; pays for missing token accounts.
    #[account(mut)]
    pub relayer: Signer<'info>,
    /// The protocol config, owner of the fee vaults.
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    /// The trade's offer, naming the attestor.
    #[account(
        mut,
        seeds = [OFFER_SEED, offer.seller.as_ref(), &offer.offer_id.to_le_bytes()],
        bump = offer.bump,
        has_one = vault @ EscrowError::VaultMismatch,
        has_one = mint @ EscrowError::MintMismatch,
        has_one = token_program @ EscrowError::TokenProgramMismatch,
    )]
    pub offer: Box<Account<'info, Offer>>,
    /// The trade to release, closed here (or left `Settled` with what the buyer could not receive).
    #[account(
        mut,
        seeds = [TRADE_SEED, trade.buyer.as_ref(), &trade.trade_id.to_le_bytes()],
        bump = trade.bump,
        has_one = offer @ EscrowError::OfferMismatch,
        has_one = buyer @ EscrowError::NotBuyer,
    )]
    pub trade: Box<Account<'info, Trade>>,
    /// CHECK: the trade's buyer (checked against the trade); only receives the trade's rent and
    /// bond, so any account will do.
    #[account(mut)]
    pub buyer: UncheckedAccount<'info>,
    /// CHECK: the buyer's associated token account (address checked), created if missing; when it
    /// cannot receive, the tokens go to the holding account instead.
    #[account(
        mut,
        address = get_associated_token_address_with_program_id(&trade.buyer, &mint.key(), &token_program.key())
            @ EscrowError::BuyerTokenAccountMismatch,
    )]
    pub buyer_token_account: UncheckedAccount<'info>,
    /// CHECK: the trade's holding account, its associated token account (address checked); created
    /// and used only when the buyer's token account cannot receive.
    #[account(
        mut,
        address = get_associated_token_address_with_program_id(&trade.key(), &mint.key(), &token_program.key())
            @ EscrowError::HoldingAccountMismatch,
    )]
    pub holding: UncheckedAccount<'info>,
    /// The mint's fee vault (the config's associated token account), receiving the protocol fee.
    #[account(
        init_if_needed,
        payer = relayer,
        associated_token::mint = mint,
        associated_token::authority = config,
        associated_token::token_program = token_program,
    )]
    pub fee_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The offer's vault.
    #[account(mut)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The offer's mint.
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// The mint's token program.
    pub token_program: Interface<'info, TokenInterface>,
    /// Writes a memo before a payout to a recipient that requires one.
    pub memo_program: Program<'info, Memo>,
    /// Creates missing token accounts.
    pub associated_token_program: Program<'info, AssociatedToken>,
    /// Creates missing token accounts.
    pub system_program: Program<'info, System>,
    /// CHECK: the instructions sysvar (address checked), read to find the Ed25519 instruction.
    #[account(address = solana_instructions_sysvar::ID)]
    pub instructions_sysvar: UncheckedAccount<'info>,
}

impl ReleaseWithAttestation<'_> {
    pub fn validate(&self) -> Result<()> {
        let attestor = self.offer.terms.attestor.ok_or(EscrowError::NoAttestor)?;
        require!(
            matches!(self.trade.state, TradeState::Locked | TradeState::Paid),
            EscrowError::TradeNotReleasable
        );
        verify_attestation(
            &self.instructions_sysvar.to_account_info(),
            &attestor,
            &attestation_message(&self.trade.key(), &self.trade),
        )
    }

    pub fn handler(ctx: Context<'_, Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let trade = accounts.trade.key();
        let tokens = TokenAccounts {
            vault: &accounts.vault,
            mint: &accounts.mint,
            buyer_token_account: accounts.buyer_token_account.to_account_info(),
            holding: accounts.holding.to_account_info(),
            payer: accounts.relayer.to_account_info(),
            token_program: accounts.token_program.to_account_info(),
            memo_program: accounts.memo_program.to_account_info(),
            associated_token_program: accounts.associated_token_program.to_account_info(),
            system_program: accounts.system_program.to_account_info(),
        };
        let payout = TradeEnd {
            offer: &mut accounts.offer,
            trade: &mut accounts.trade,
            buyer: accounts.buyer.to_account_info(),
            seller: None,
        }
        .release(tokens, &accounts.fee_vault)?;
        let event = TradeReleased {
            trade,
            offer: accounts.offer.key(),
            seller: accounts.offer.seller,
            buyer: accounts.buyer.key(),
            released_by: accounts.relayer.key(),
            attestor: accounts.offer.terms.attestor,
            to_buyer: payout.to_buyer,
            protocol_fee: payout.protocol_fee,
            bond_returned: payout.bond_returned,
        };
        emit_cpi!(event);
        if let Some(held) = payout.held {
            emit_cpi!(held);
        }
        Ok(())
    }
}
