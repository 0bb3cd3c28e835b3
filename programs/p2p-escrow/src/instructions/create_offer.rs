use anchor_lang::prelude::*;
use anchor_spl::associated_token::AssociatedToken;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::{ARBITER_SEED, CONFIG_SEED, OFFER_SEED, PROFILE_SEED};
use crate::errors::EscrowError;
use crate::events::OfferCreated;
use crate::pda::create_pda_account;
use crate::room::{require_room_key, RoomKey};
use crate::state::{Arbiter, Config, Offer, OfferStatus, OfferTerms, Profile};
use crate::token::{balance_of, check_mint_policy, receive_into_vault};

/// Arguments of `create_offer`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct CreateOfferArgs {
    /// The seller's next offer id (its profile's `offers_created`), part of the offer's address.
    pub offer_id: u64,
    /// Tokens to move from the seller into the vault.
    pub amount: u64,
    /// The trade terms, fixed for the offer's life.
    pub terms: OfferTerms,
    /// The seller's X25519 public key for the offer's trade rooms.
    pub room_key: RoomKey,
}

#[event_cpi]
#[derive(Accounts)]
#[instruction(args: CreateOfferArgs)]
pub struct CreateOffer<'info> {
    /// The seller; funds the vault and pays for the offer and vault accounts.
    #[account(mut)]
    pub seller: Signer<'info>,
    /// The seller's profile (see `open_profile`); it hands out the offer id.
    #[account(
        mut,
        seeds = [PROFILE_SEED, seller.key().as_ref()],
        bump = profile.bump,
        constraint = profile.offers_created == args.offer_id @ EscrowError::OfferIdNotNext,
    )]
    pub profile: Box<Account<'info, Profile>>,
    /// The protocol config.
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    /// The registered arbiter named in the terms.
    #[account(seeds = [ARBITER_SEED, args.terms.arbiter.as_ref()], bump = arbiter.bump)]
    pub arbiter: Box<Account<'info, Arbiter>>,
    /// CHECK: the offer's address (seeds checked); created here by `create_pda_account`, which
    /// refuses an existing account.
    #[account(
        mut,
        seeds = [OFFER_SEED, seller.key().as_ref(), &args.offer_id.to_le_bytes()],
        bump,
    )]
    pub offer: UncheckedAccount<'info>,
    /// The token being sold.
    #[account(mint::token_program = token_program)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// The offer's vault: its associated token account. Created here unless a stranger already
    /// created it; tokens already in it are a donation that goes to the seller at close.
    #[account(
        init_if_needed,
        payer = seller,
        associated_token::mint = mint,
        associated_token::authority = offer,
        associated_token::token_program = token_program,
    )]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The seller's token account the deposit comes from.
    #[account(
        mut,
        token::mint = mint,
        token::authority = seller,
        token::token_program = token_program,
    )]
    pub seller_token_account: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The mint's token program (SPL Token or Token-2022).
    pub token_program: Interface<'info, TokenInterface>,
    /// Creates the vault.
    pub associated_token_program: Program<'info, AssociatedToken>,
    /// Creates the offer.
    pub system_program: Program<'info, System>,
}

impl CreateOffer<'_> {
    pub fn validate(&self, args: &CreateOfferArgs) -> Result<()> {
        require!(!self.config.new_offers_paused, EscrowError::NewOffersPaused);
        require!(args.amount > 0, EscrowError::ZeroAmount);
        args.terms.validate()?;
        require_room_key(&args.room_key)?;
        require!(self.arbiter.active, EscrowError::ArbiterInactive);
        let seller = self.seller.key();
        require_keys_neq!(args.terms.arbiter, seller, EscrowError::ArbiterIsParty);
        if let Some(buyer) = args.terms.allowed_buyer {
            require_keys_neq!(buyer, seller, EscrowError::BuyerIsSeller);
            require_keys_neq!(buyer, args.terms.arbiter, EscrowError::ArbiterIsParty);
            require!(
                args.terms.attestor != Some(buyer),
                EscrowError::AttestorIsBuyer
            );
        }
        check_mint_policy(&self.mint.to_account_info())
    }

    pub fn handler(ctx: Context<'_, Self>, args: CreateOfferArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        accounts.profile.next_offer_id()?;
        let deposited = receive_into_vault(
            &accounts.vault,
            &accounts.mint,
            &accounts.token_program,
            &accounts.seller_token_account,
            &accounts.seller,
            args.amount,
        )?;
        let seller = accounts.seller.key();
        let bump = ctx.bumps.offer;
        let offer = Offer {
            seller,
            offer_id: args.offer_id,
            mint: accounts.mint.key(),
            token_program: accounts.token_program.key(),
            vault: accounts.vault.key(),
            available: deposited,
            locked: 0,
            terms: args.terms,
            status: OfferStatus::Open,
            bump,
            room_key: args.room_key,
        };
        offer.invariant(balance_of(&accounts.vault.to_account_info())?)?;
        create_pda_account(
            &accounts.seller.to_account_info(),
            &accounts.offer.to_account_info(),
            &accounts.system_program.to_account_info(),
            &offer.signer_seeds().seeds(),
            &offer,
        )?;
        let event = OfferCreated {
            offer: accounts.offer.key(),
            seller,
            offer_id: offer.offer_id,
            mint: offer.mint,
            vault: offer.vault,
            deposited,
            terms: offer.terms,
            room_key: offer.room_key,
        };
        emit_cpi!(event);
        Ok(())
    }
}
