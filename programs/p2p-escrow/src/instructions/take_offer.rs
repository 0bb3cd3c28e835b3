use anchor_lang::prelude::*;
use anchor_lang::system_program::{transfer, Transfer};
use anchor_spl::token_interface::{Mint, TokenAccount};

use crate::constants::{ARBITER_SEED, CONFIG_SEED, OFFER_SEED, TRADE_SEED};
use crate::errors::EscrowError;
use crate::events::TradeTaken;
use crate::math::{deadline, fiat_amount};
use crate::pda::create_pda_account;
use crate::state::{Arbiter, Config, Offer, OfferStatus, OfferTerms, Trade, TradeState};
use crate::token::balance_of;

/// Arguments of `take_offer`: the amount, and every term the buyer was shown, so that a seller
/// cannot change them under the buyer's pending transaction.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct TakeOfferArgs {
    /// Tokens to buy, in the mint's base units.
    pub amount: u64,
    /// The mint the buyer saw.
    pub expected_mint: Pubkey,
    /// The offer terms the buyer saw.
    pub expected_terms: OfferTerms,
    /// The protocol fee (bps) the buyer saw.
    pub expected_fee_bps: u16,
    /// The arbiter's fee (bps) the buyer saw.
    pub expected_arbiter_fee_bps: u16,
}

#[event_cpi]
#[derive(Accounts)]
pub struct TakeOffer<'info> {
    /// The buyer; pays the trade's rent and bond, both returned unless the trade expires.
    #[account(mut)]
    pub buyer: Signer<'info>,
    /// The protocol config.
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    /// The offer to take from.
    #[account(
        mut,
        seeds = [OFFER_SEED, offer.seller.as_ref(), &offer.offer_id.to_le_bytes()],
        bump = offer.bump,
        has_one = vault @ EscrowError::VaultMismatch,
        has_one = mint @ EscrowError::MintMismatch,
    )]
    pub offer: Box<Account<'info, Offer>>,
    /// The offer's arbiter.
    #[account(seeds = [ARBITER_SEED, offer.terms.arbiter.as_ref()], bump = arbiter.bump)]
    pub arbiter: Box<Account<'info, Arbiter>>,
    /// CHECK: the trade's address at the offer's next trade index (seeds checked); created here by
    /// `create_pda_account`, which refuses an existing account.
    #[account(
        mut,
        seeds = [TRADE_SEED, offer.key().as_ref(), &offer.next_trade_index.to_le_bytes()],
        bump,
    )]
    pub trade: UncheckedAccount<'info>,
    /// The offer's vault, where the trade's tokens stay reserved.
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The offer's mint, for its decimals.
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// Creates the trade and moves the bond.
    pub system_program: Program<'info, System>,
}

impl TakeOffer<'_> {
    pub fn validate(&self, args: &TakeOfferArgs) -> Result<()> {
        let offer = &self.offer;
        let buyer = self.buyer.key();
        require!(!self.config.new_trades_paused, EscrowError::NewTradesPaused);
        require!(offer.status == OfferStatus::Open, EscrowError::OfferNotOpen);
        require!(self.arbiter.active, EscrowError::ArbiterInactive);
        require_keys_neq!(buyer, offer.seller, EscrowError::BuyerIsSeller);
        require_keys_neq!(buyer, offer.terms.arbiter, EscrowError::ArbiterIsParty);
        require!(
            offer.terms.attestor != Some(buyer),
            EscrowError::AttestorIsBuyer
        );
        require!(
            offer
                .terms
                .allowed_buyer
                .is_none_or(|allowed| allowed == buyer),
            EscrowError::BuyerNotAllowed
        );
        require!(
            args.expected_mint == offer.mint
                && args.expected_terms == offer.terms
                && args.expected_fee_bps == self.config.fee_bps
                && args.expected_arbiter_fee_bps == self.arbiter.fee_bps,
            EscrowError::TermsMismatch
        );
        require!(args.amount > 0, EscrowError::ZeroAmount);
        require!(
            args.amount >= offer.terms.min_trade_amount,
            EscrowError::AmountBelowMinimum
        );
        require!(
            args.amount <= offer.terms.max_trade_amount,
            EscrowError::AmountAboveMaximum
        );
        require!(
            args.amount <= offer.available,
            EscrowError::InsufficientAvailable
        );
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>, args: TakeOfferArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let now = Clock::get()?.unix_timestamp;
        let offer = &mut accounts.offer;
        let fiat_amount = fiat_amount(args.amount, offer.terms.price, accounts.mint.decimals)?;
        require!(fiat_amount > 0, EscrowError::FiatAmountZero);
        let trade_index = offer.next_trade_index;
        offer.next_trade_index = trade_index
            .checked_add(1)
            .ok_or(EscrowError::MathOverflow)?;
        offer.lock(args.amount)?;
        offer.invariant(balance_of(&accounts.vault.to_account_info())?)?;

        let bump = ctx.bumps.trade;
        let trade = Trade {
            offer: offer.key(),
            trade_index,
            seller: offer.seller,
            buyer: accounts.buyer.key(),
            mint: offer.mint,
            amount: args.amount,
            fiat_amount,
            fee_bps: accounts.config.fee_bps,
            arbiter: offer.terms.arbiter,
            arbiter_fee_bps: accounts.arbiter.fee_bps,
            buyer_bond: offer.terms.buyer_bond,
            state: TradeState::Locked,
            created_at: now,
            payment_deadline: deadline(now, offer.terms.payment_window)?,
            paid_at: 0,
            release_deadline: 0,
            payment_ref_hash: [0; 32],
            dispute: None,
            bump,
        };
        trade.invariant()?;
        let trade_info = accounts.trade.to_account_info();
        create_pda_account(
            &accounts.buyer.to_account_info(),
            &trade_info,
            &accounts.system_program.to_account_info(),
            &[
                TRADE_SEED,
                trade.offer.as_ref(),
                &trade_index.to_le_bytes(),
                &[bump],
            ],
            Trade::DISCRIMINATOR.len() + Trade::INIT_SPACE,
            &trade,
        )?;
        if trade.buyer_bond > 0 {
            transfer(
                CpiContext::new(
                    accounts.system_program.key(),
                    Transfer {
                        from: accounts.buyer.to_account_info(),
                        to: trade_info,
                    },
                ),
                trade.buyer_bond,
            )?;
        }

        let event = TradeTaken {
            trade: accounts.trade.key(),
            offer: trade.offer,
            trade_index,
            seller: trade.seller,
            buyer: trade.buyer,
            mint: trade.mint,
            amount: trade.amount,
            fiat_amount,
            fiat_currency: accounts.offer.terms.fiat_currency,
            arbiter: trade.arbiter,
            buyer_bond: trade.buyer_bond,
            payment_deadline: trade.payment_deadline,
        };
        emit_cpi!(event);
        Ok(())
    }
}
