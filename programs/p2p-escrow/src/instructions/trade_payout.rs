//! The accounts every payout out of an offer's vault takes, declared and checked once and composed
//! into the instructions that end a trade with one (`release`, `release_with_attestation`, `rule`,
//! `settle`, `escalate`), as Squads composes its shared account sets.

use anchor_lang::prelude::*;
use anchor_spl::associated_token::{get_associated_token_address_with_program_id, AssociatedToken};
use anchor_spl::memo::Memo;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::{OFFER_SEED, TRADE_SEED};
use crate::errors::EscrowError;
use crate::events::{PayoutHeld, TradeReleased};
use crate::math::bps_share;
use crate::settlement::{ReleasePayout, TokenAccounts, TradeEnd};
use crate::state::{Offer, Trade};
use crate::token::ensure_associated_token_account;

/// A trade, its offer, and the token accounts and programs that pay it out. The instruction that
/// composes it checks the parties' wallets against `trade` (`address = payout.trade.buyer`) and
/// the token accounts of its own recipients against `mint` and `token_program`.
#[derive(Accounts)]
pub struct TradePayout<'info> {
    /// The trade's offer; its locked tokens shrink by the trade's amount, and the seller's share
    /// of a split returns to its available tokens.
    #[account(
        mut,
        seeds = [OFFER_SEED, offer.seller.as_ref(), &offer.offer_id.to_le_bytes()],
        bump = offer.bump,
        has_one = vault @ EscrowError::VaultMismatch,
        has_one = mint @ EscrowError::MintMismatch,
        has_one = token_program @ EscrowError::TokenProgramMismatch,
    )]
    pub offer: Box<Account<'info, Offer>>,
    /// The ending trade, closed here (or left `Settled` with what the buyer could not receive).
    #[account(
        mut,
        seeds = [TRADE_SEED, trade.buyer.as_ref(), &trade.trade_id.to_le_bytes()],
        bump = trade.bump,
        has_one = offer @ EscrowError::OfferMismatch,
    )]
    pub trade: Box<Account<'info, Trade>>,
    /// CHECK: the buyer's associated token account (address checked), created if missing and the
    /// buyer gets a share; when it cannot receive, the share goes to the holding account instead.
    /// Untouched when the buyer gets nothing.
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

/// The wallets a payout pays and charges, from the instruction that composes [`TradePayout`].
pub struct PayoutParties<'info> {
    /// The buyer's wallet, receiving the trade's rent and (unless it gets nothing) the bond.
    pub buyer: AccountInfo<'info>,
    /// The seller's wallet, receiving the bond when the buyer forfeits it; none for a release.
    pub seller: Option<AccountInfo<'info>>,
    /// Pays for token accounts that have to be created.
    pub payer: AccountInfo<'info>,
}

impl<'info> TradePayout<'info> {
    /// The associated token account of `owner` for the trade's mint, created if it does not exist
    /// yet (`payer` funding it): where a fee goes. Its address is checked by the composing
    /// instruction's `address` constraint.
    pub fn ensure_token_account(
        &self,
        account: &AccountInfo<'info>,
        owner: &AccountInfo<'info>,
        payer: &AccountInfo<'info>,
    ) -> Result<()> {
        ensure_associated_token_account(
            account,
            owner,
            &self.mint.to_account_info(),
            payer,
            &self.token_program.to_account_info(),
            &self.associated_token_program.to_account_info(),
            &self.system_program.to_account_info(),
        )
    }

    /// Releases the trade (see [`TradeEnd::pay_out`]), relayed by `payer`. Returns the events to
    /// emit.
    pub fn release(
        &mut self,
        buyer: AccountInfo<'info>,
        payer: AccountInfo<'info>,
        fee_vault: &AccountInfo<'info>,
        config: &AccountInfo<'info>,
        attestor: Option<Pubkey>,
    ) -> Result<(TradeReleased, Option<PayoutHeld>)> {
        let (trade, offer, seller) = (self.trade.key(), self.offer.key(), self.offer.seller);
        let (buyer_key, released_by) = (buyer.key(), payer.key());
        let amount = self.trade.amount;
        let payout = self.pay_out(buyer, payer, fee_vault, config, amount)?;
        let event = TradeReleased {
            trade,
            offer,
            seller,
            buyer: buyer_key,
            released_by,
            attestor,
            to_buyer: payout.to_buyer,
            protocol_fee: payout.protocol_fee,
            bond_returned: payout.bond_returned,
        };
        Ok((event, payout.held))
    }

    /// Pays out `buyer_amount` of the trade (see [`TradeEnd::pay_out`]), `payer` funding missing
    /// token accounts: the protocol fee goes to `fee_vault`, the config's associated token account
    /// (address checked by the composing instruction), created first when there is a fee.
    pub fn pay_out(
        &mut self,
        buyer: AccountInfo<'info>,
        payer: AccountInfo<'info>,
        fee_vault: &AccountInfo<'info>,
        config: &AccountInfo<'info>,
        buyer_amount: u64,
    ) -> Result<ReleasePayout> {
        if bps_share(buyer_amount, self.trade.fee_bps)? > 0 {
            self.ensure_token_account(fee_vault, config, &payer)?;
        }
        let (end, tokens) = self.end(PayoutParties {
            buyer,
            seller: None,
            payer,
        });
        end.pay_out(tokens, fee_vault, buyer_amount)
    }

    /// The trade's end and the token accounts it pays out with.
    pub fn end<'a>(
        &'a mut self,
        parties: PayoutParties<'info>,
    ) -> (TradeEnd<'a, 'info>, TokenAccounts<'a, 'info>) {
        let tokens = TokenAccounts {
            vault: &self.vault,
            mint: &self.mint,
            buyer_token_account: self.buyer_token_account.to_account_info(),
            holding: self.holding.to_account_info(),
            payer: parties.payer,
            token_program: self.token_program.to_account_info(),
            memo_program: self.memo_program.to_account_info(),
            associated_token_program: self.associated_token_program.to_account_info(),
            system_program: self.system_program.to_account_info(),
        };
        let end = TradeEnd {
            offer: &mut self.offer,
            trade: &mut self.trade,
            buyer: parties.buyer,
            seller: parties.seller,
        };
        (end, tokens)
    }
}
