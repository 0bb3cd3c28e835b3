use anchor_lang::prelude::*;
use anchor_spl::associated_token::AssociatedToken;
use anchor_spl::memo::Memo;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::{ARBITER_SEED, CONFIG_SEED, OFFER_SEED, TRADE_SEED};
use crate::errors::EscrowError;
use crate::events::TradeReleased;
use crate::settlement::ReleaseEnd;
use crate::state::{Arbiter, Config, Offer, Trade, TradeState};

#[event_cpi]
#[derive(Accounts)]
pub struct Release<'info> {
    /// The trade's seller, confirming the fiat arrived; pays for missing token accounts.
    #[account(mut)]
    pub seller: Signer<'info>,
    /// The protocol config, naming the treasury.
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    /// The trade's offer.
    #[account(
        mut,
        seeds = [OFFER_SEED, offer.seller.as_ref(), &offer.offer_id.to_le_bytes()],
        bump = offer.bump,
        has_one = seller @ EscrowError::NotSeller,
        has_one = vault @ EscrowError::VaultMismatch,
        has_one = mint @ EscrowError::MintMismatch,
        has_one = token_program @ EscrowError::TokenProgramMismatch,
    )]
    pub offer: Box<Account<'info, Offer>>,
    /// The trade to release, closed here; its rent and bond go back to the buyer.
    #[account(
        mut,
        seeds = [TRADE_SEED, trade.offer.as_ref(), &trade.trade_index.to_le_bytes()],
        bump = trade.bump,
        close = buyer,
        has_one = offer @ EscrowError::OfferMismatch,
        has_one = buyer @ EscrowError::NotBuyer,
    )]
    pub trade: Box<Account<'info, Trade>>,
    /// The trade's buyer.
    #[account(mut)]
    pub buyer: SystemAccount<'info>,
    /// The arbiter in charge of the trade (its dispute's arbiter once disputed); releasing a
    /// disputed trade closes the arbiter's case.
    #[account(mut, seeds = [ARBITER_SEED, arbiter.authority.as_ref()], bump = arbiter.bump)]
    pub arbiter: Box<Account<'info, Arbiter>>,
    /// The buyer's associated token account, receiving the tokens.
    #[account(
        init_if_needed,
        payer = seller,
        associated_token::mint = mint,
        associated_token::authority = buyer,
        associated_token::token_program = token_program,
    )]
    pub buyer_token_account: Box<InterfaceAccount<'info, TokenAccount>>,
    /// CHECK: the protocol's treasury wallet; only its address is used, to derive its token account.
    #[account(address = config.treasury @ EscrowError::TreasuryMismatch)]
    pub treasury: UncheckedAccount<'info>,
    /// The treasury's associated token account, receiving the protocol fee.
    #[account(
        init_if_needed,
        payer = seller,
        associated_token::mint = mint,
        associated_token::authority = treasury,
        associated_token::token_program = token_program,
    )]
    pub treasury_token_account: Box<InterfaceAccount<'info, TokenAccount>>,
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
}

impl Release<'_> {
    pub fn validate(&self) -> Result<()> {
        require_keys_eq!(
            self.arbiter.authority,
            self.trade.arbiter_in_charge(),
            EscrowError::ArbiterMismatch
        );
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        if accounts.trade.state == TradeState::Disputed {
            accounts.arbiter.close_case()?;
        }
        let payout = ReleaseEnd {
            offer: &mut accounts.offer,
            trade: &accounts.trade,
            vault: &accounts.vault,
            mint: &accounts.mint,
            token_program: &accounts.token_program,
            memo_program: &accounts.memo_program,
            buyer_token_account: &accounts.buyer_token_account,
            treasury_token_account: &accounts.treasury_token_account,
        }
        .release()?;
        let event = TradeReleased {
            trade: accounts.trade.key(),
            offer: accounts.offer.key(),
            seller: accounts.seller.key(),
            buyer: accounts.buyer.key(),
            released_by: accounts.seller.key(),
            attestor: None,
            to_buyer: payout.to_buyer,
            protocol_fee: payout.protocol_fee,
            bond_returned: accounts.trade.buyer_bond,
        };
        emit_cpi!(event);
        Ok(())
    }
}
