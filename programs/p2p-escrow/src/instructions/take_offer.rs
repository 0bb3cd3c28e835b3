use anchor_lang::prelude::*;
use anchor_lang::system_program::{transfer, Transfer};
use anchor_spl::token_interface::{Mint, TokenAccount};

use crate::constants::{ARBITER_SEED, CONFIG_SEED, OFFER_SEED, PROFILE_SEED, TRADE_SEED};
use crate::errors::EscrowError;
use crate::events::TradeTaken;
use crate::math::{deadline, fiat_amount};
use crate::pda::create_pda_account;
use crate::room::{require_room_key, RoomKey};
use crate::state::{Arbiter, Config, Offer, OfferStatus, Profile, Trade, TradeState};
use crate::terms::TakeTerms;
use crate::token::{balance_of, check_mint_policy};

/// Arguments of `take_offer`: the trade's id, the amount, and the hash of every term the buyer was
/// shown (see [`TakeTerms`]), so that neither the seller nor the admin can change one under the
/// buyer's pending transaction.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct TakeOfferArgs {
    /// The buyer's next trade id (its profile's `trades_taken`), part of the trade's address.
    pub trade_id: u64,
    /// Tokens to buy, in the mint's base units.
    pub amount: u64,
    /// `TakeTerms::hash` of the terms the buyer saw: the mint, the offer's terms, the protocol and
    /// arbiter fees, the fallback arbiter the trade would fix, the default ruling and the ruling
    /// window.
    pub expected_terms_hash: [u8; 32],
    /// The buyer's X25519 public key for the trade's room.
    pub room_key: RoomKey,
}

#[event_cpi]
#[derive(Accounts)]
#[instruction(args: TakeOfferArgs)]
pub struct TakeOffer<'info> {
    /// The buyer; pays the trade's rent and bond, both returned unless the trade expires.
    #[account(mut)]
    pub buyer: Signer<'info>,
    /// The buyer's profile (see `open_profile`); it hands out the trade id.
    #[account(
        mut,
        seeds = [PROFILE_SEED, buyer.key().as_ref()],
        bump = profile.bump,
        constraint = profile.trades_taken == args.trade_id @ EscrowError::TradeIdNotNext,
    )]
    pub profile: Box<Account<'info, Profile>>,
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
    /// CHECK: the address of the config's fallback arbiter account (seeds checked); it may not
    /// exist. The trade fixes it as its fallback only if it is registered, active, and neither
    /// party nor the offer's arbiter.
    #[account(seeds = [ARBITER_SEED, config.fallback_arbiter.as_ref()], bump)]
    pub fallback_arbiter: UncheckedAccount<'info>,
    /// CHECK: the trade's address, `["trade", buyer, trade_id]` (seeds checked); created here by
    /// `create_pda_account`, which refuses an existing account.
    #[account(mut, seeds = [TRADE_SEED, buyer.key().as_ref(), &args.trade_id.to_le_bytes()], bump)]
    pub trade: UncheckedAccount<'info>,
    /// The offer's vault, where the trade's tokens stay reserved.
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The offer's mint, for its decimals; its policy is checked at every take, as wherever tokens
    /// enter escrow.
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
        require_room_key(&args.room_key)?;
        check_mint_policy(&self.mint.to_account_info())?;
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
            args.expected_terms_hash == self.terms(buyer)?.hash()?,
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

    /// The terms a take by `buyer` fixes, as they stand now.
    fn terms(&self, buyer: Pubkey) -> Result<TakeTerms> {
        Ok(TakeTerms {
            mint: self.offer.mint,
            terms: self.offer.terms.clone(),
            fee_bps: self.config.fee_bps,
            arbiter_fee_bps: self.arbiter.fee_bps,
            fallback_arbiter: self.usable_fallback(buyer)?,
            default_buyer_bps: self.config.default_buyer_bps,
            ruling_window: self.config.ruling_window,
        })
    }

    /// The config's fallback arbiter as this trade would fix it: registered, active, neither party
    /// and not the offer's arbiter; otherwise none.
    fn usable_fallback(&self, buyer: Pubkey) -> Result<Option<Pubkey>> {
        let info = &self.fallback_arbiter;
        if info.owner != &crate::ID || info.data_is_empty() {
            return Ok(None);
        }
        let fallback = Arbiter::try_deserialize(&mut &info.try_borrow_data()?[..])?;
        let authority = fallback.authority;
        let usable = fallback.active
            && authority != self.offer.terms.arbiter
            && authority != buyer
            && authority != self.offer.seller;
        Ok(usable.then_some(authority))
    }

    pub fn handler(ctx: Context<'_, Self>, args: TakeOfferArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let now = Clock::get()?.unix_timestamp;
        let fallback_arbiter = accounts.usable_fallback(accounts.buyer.key())?;
        let offer = &mut accounts.offer;
        let fiat_amount = fiat_amount(args.amount, offer.terms.price, accounts.mint.decimals)?;
        require!(fiat_amount > 0, EscrowError::FiatAmountZero);
        let buyer = accounts.buyer.key();
        let trade_id = accounts.profile.next_trade_id()?;
        offer.lock(args.amount)?;
        offer.invariant(balance_of(&accounts.vault.to_account_info())?)?;

        let bump = ctx.bumps.trade;
        let response_deadline = match offer.terms.response_window {
            0 => 0,
            window => deadline(now, window)?,
        };
        let payment_deadline = deadline(response_deadline.max(now), offer.terms.payment_window)?;
        let trade = Trade {
            offer: offer.key(),
            trade_id,
            seller: offer.seller,
            buyer,
            mint: offer.mint,
            amount: args.amount,
            fiat_amount,
            fee_bps: accounts.config.fee_bps,
            arbiter: offer.terms.arbiter,
            arbiter_fee_bps: accounts.arbiter.fee_bps,
            fallback_arbiter,
            default_buyer_bps: accounts.config.default_buyer_bps,
            ruling_window: accounts.config.ruling_window,
            release_window: offer.terms.release_window,
            buyer_bond: offer.terms.buyer_bond,
            state: TradeState::Locked,
            created_at: now,
            payment_deadline,
            paid_at: 0,
            release_deadline: 0,
            payment_ref_hash: [0; 32],
            dispute: None,
            held: 0,
            bump,
            seller_room_key: offer.room_key,
            buyer_room_key: args.room_key,
            payment_window: offer.terms.payment_window,
            response_deadline,
            details_at: 0,
            proposal: None,
        };
        trade.invariant()?;
        let payer = accounts.buyer.to_account_info();
        let system_program = accounts.system_program.to_account_info();
        let trade_info = accounts.trade.to_account_info();
        create_pda_account(
            &payer,
            &trade_info,
            &system_program,
            &trade.signer_seeds().seeds(),
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
            trade_id,
            seller: trade.seller,
            buyer: trade.buyer,
            mint: trade.mint,
            amount: trade.amount,
            fiat_amount,
            fiat_currency: accounts.offer.terms.fiat_currency,
            arbiter: trade.arbiter,
            buyer_bond: trade.buyer_bond,
            payment_deadline: trade.payment_deadline,
            response_deadline: trade.response_deadline,
            fee_bps: trade.fee_bps,
            arbiter_fee_bps: trade.arbiter_fee_bps,
            fallback_arbiter: trade.fallback_arbiter,
            default_buyer_bps: trade.default_buyer_bps,
            ruling_window: trade.ruling_window,
            release_window: trade.release_window,
            seller_room_key: trade.seller_room_key,
            buyer_room_key: trade.buyer_room_key,
        };
        emit_cpi!(event);
        Ok(())
    }
}
