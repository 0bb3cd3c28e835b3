use anchor_lang::prelude::*;
use anchor_spl::associated_token::get_associated_token_address_with_program_id;
use anchor_spl::memo::Memo;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::TRADE_SEED;
use crate::errors::EscrowError;
use crate::events::PayoutClaimed;
use crate::state::{Trade, TradeState};
use crate::token::ProgramTokenAccount;

#[event_cpi]
#[derive(Accounts)]
pub struct Claim<'info> {
    /// The trade's buyer, claiming what waited for it.
    pub buyer: Signer<'info>,
    /// The `Settled` trade, closed here.
    #[account(
        mut,
        seeds = [TRADE_SEED, trade.buyer.as_ref(), &trade.trade_id.to_le_bytes()],
        bump = trade.bump,
        has_one = buyer @ EscrowError::NotBuyer,
        has_one = mint @ EscrowError::MintMismatch,
    )]
    pub trade: Box<Account<'info, Trade>>,
    /// CHECK: the trade's holding account, its associated token account (address checked); emptied
    /// and closed here when tokens wait in it.
    #[account(
        mut,
        address = get_associated_token_address_with_program_id(&trade.key(), &mint.key(), &token_program.key())
            @ EscrowError::HoldingAccountMismatch,
    )]
    pub holding: UncheckedAccount<'info>,
    /// Any token account of the mint the buyer chooses, receiving the held tokens; needed only
    /// when tokens wait.
    #[account(mut, token::mint = mint, token::token_program = token_program)]
    pub destination: Option<Box<InterfaceAccount<'info, TokenAccount>>>,
    /// CHECK: any account the buyer chooses, receiving the trade's lamports and the holding
    /// account's rent.
    #[account(mut)]
    pub recipient: UncheckedAccount<'info>,
    /// The trade's mint; receives the holding account's withheld transfer fees, if any.
    #[account(mut, mint::token_program = token_program)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// The mint's token program.
    pub token_program: Interface<'info, TokenInterface>,
    /// Writes a memo before a payout to a destination that requires one.
    pub memo_program: Program<'info, Memo>,
}

impl Claim<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.trade.state == TradeState::Settled,
            EscrowError::TradeNotSettled
        );
        require!(
            self.trade.held == 0 || self.destination.is_some(),
            EscrowError::DestinationMissing
        );
        let (trade, holding) = (self.trade.key(), self.holding.key());
        let recipient = self.recipient.key();
        require!(
            recipient != trade
                && recipient != holding
                && self
                    .destination
                    .as_ref()
                    .is_none_or(|destination| destination.key() != holding),
            EscrowError::InvalidClaimDestination
        );
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>) -> Result<()> {
        let accounts = &*ctx.accounts;
        let recipient = accounts.recipient.to_account_info();
        let holding = accounts.holding.to_account_info();
        let before = recipient.lamports();
        let mut tokens = 0;
        if holding.owner == &accounts.token_program.key() {
            let seeds = accounts.trade.signer_seeds();
            let destination = accounts.destination.as_ref().map(|d| d.to_account_info());
            tokens = ProgramTokenAccount {
                account: holding,
                authority: accounts.trade.to_account_info(),
                seeds: &seeds.seeds(),
                mint: &accounts.mint,
                token_program: accounts.token_program.to_account_info(),
                memo_program: accounts.memo_program.to_account_info(),
            }
            .close(destination.as_ref(), &recipient)?;
        }
        accounts.trade.close(recipient.clone())?;
        let lamports = recipient
            .lamports()
            .checked_sub(before)
            .ok_or(EscrowError::MathOverflow)?;
        let event = PayoutClaimed {
            trade: accounts.trade.key(),
            buyer: accounts.buyer.key(),
            tokens,
            destination: accounts.destination.as_ref().map(|d| d.key()),
            recipient: recipient.key(),
            lamports,
        };
        emit_cpi!(event);
        Ok(())
    }
}
