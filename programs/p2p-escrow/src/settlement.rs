//! How a trade ends. Every end goes through [`TradeEnd`]: a release (`release`,
//! `release_with_attestation`), a dispute's end (`rule`, `settle`, the default ruling of
//! `escalate`) with its split, and the ends without a payout (`cancel_trade`, `expire_trade`).
//!
//! No recipient can block an end. Only the parties' own accounts and the program's take part in a
//! payout: the buyer's associated token account and wallet, the seller's wallet, the arbiter's
//! token account (on its own ruling) and the mint's fee vault. A share that cannot be delivered
//! (a token account whose owner was changed, that is frozen or refuses plain transfers; a wallet
//! that cannot take lamports) never fails the end: the buyer's waits on the trade, which stays as
//! `Settled` until the buyer claims it (`claim`); the seller's bond waits on the offer, which pays
//! it to the seller at close. A ruling that gives the buyer nothing never touches the buyer's
//! token account.

use anchor_lang::prelude::*;
use anchor_spl::token::spl_token;
use anchor_spl::token_2022::spl_token_2022;
use anchor_spl::token_interface::{Mint, TokenAccount};

use crate::errors::EscrowError;
use crate::events::{DisputeResolved, PayoutHeld, Resolution};
use crate::math::{bps_share, split, Split};
use crate::state::{Arbiter, Offer, Trade, TradeState};
use crate::token::{
    balance_of, can_receive_lamports, can_receive_tokens, ensure_associated_token_account,
    move_lamports, ProgramTokenAccount,
};

/// The token accounts and programs a payout out of the vault needs.
pub struct TokenAccounts<'a, 'info> {
    /// The offer's vault.
    pub vault: &'a InterfaceAccount<'info, TokenAccount>,
    /// The offer's mint.
    pub mint: &'a InterfaceAccount<'info, Mint>,
    /// The buyer's associated token account (address checked by the instruction); created when
    /// missing.
    pub buyer_token_account: AccountInfo<'info>,
    /// The trade's holding account: its associated token account (address checked by the
    /// instruction), created only when the buyer's share cannot be delivered.
    pub holding: AccountInfo<'info>,
    /// Pays for token accounts that have to be created.
    pub payer: AccountInfo<'info>,
    /// The mint's token program.
    pub token_program: AccountInfo<'info>,
    /// The memo program, for recipients that require memos.
    pub memo_program: AccountInfo<'info>,
    /// Creates missing token accounts.
    pub associated_token_program: AccountInfo<'info>,
    /// Creates missing token accounts.
    pub system_program: AccountInfo<'info>,
}

/// The accounts the end of a trade touches.
pub struct TradeEnd<'a, 'info> {
    /// The trade's offer; its locked tokens shrink by the trade's amount.
    pub offer: &'a mut Account<'info, Offer>,
    /// The ending trade; closed, or left `Settled` with what waits for the buyer.
    pub trade: &'a mut Account<'info, Trade>,
    /// The buyer's wallet, receiving the trade's rent and (unless it gets nothing) the bond.
    pub buyer: AccountInfo<'info>,
    /// The seller's wallet, receiving the bond when the buyer forfeits it; none for an end where
    /// the bond cannot be forfeited (a cancel).
    pub seller: Option<AccountInfo<'info>>,
}

/// Where a buyer's share went when its token account could not receive it.
pub struct Held<'info> {
    /// The trade's holding account.
    pub holding: AccountInfo<'info>,
    /// Tokens it received (zero when the mint's transfer fee took a tiny share whole).
    pub tokens: u64,
}

/// What a payout to the buyer (a release, an accepted proposal) paid.
pub struct ReleasePayout {
    /// Tokens that left the vault for the buyer (delivered or held).
    pub to_buyer: u64,
    /// Tokens that left the vault for the fee vault.
    pub protocol_fee: u64,
    /// Tokens returned to the offer's available amount.
    pub to_seller: u64,
    /// Lamports of bond paid to the buyer now (zero when they wait for its claim).
    pub bond_returned: u64,
    /// What waits for the buyer's claim, if anything.
    pub held: Option<PayoutHeld>,
}

impl<'info> TradeEnd<'_, 'info> {
    /// Pays out `buyer_amount` of the trade's amount: the buyer gets it less the protocol fee fixed
    /// at take, the fee vault the fee, and the rest returns to the offer's available tokens; then
    /// the trade ends with its bond back to the buyer (see [`TradeEnd::finish`]). A release pays
    /// out the whole amount, an accepted proposal what it names.
    pub fn pay_out(
        mut self,
        tokens: TokenAccounts<'_, 'info>,
        fee_vault: &AccountInfo<'info>,
        buyer_amount: u64,
    ) -> Result<ReleasePayout> {
        let amount = self.trade.amount;
        let to_seller = amount
            .checked_sub(buyer_amount)
            .ok_or(EscrowError::InvariantViolated)?;
        let protocol_fee = bps_share(buyer_amount, self.trade.fee_bps)?;
        let to_buyer = buyer_amount
            .checked_sub(protocol_fee)
            .ok_or(EscrowError::MathOverflow)?;
        let held = self.pay_buyer(&tokens, to_buyer)?;
        self.pay_from_vault(&tokens, fee_vault, protocol_fee)?;
        self.offer.unlock(amount, to_seller)?;
        self.offer
            .invariant(balance_of(&tokens.vault.to_account_info())?)?;
        let bond = self.trade.buyer_bond;
        let held = self.finish(held)?;
        Ok(ReleasePayout {
            to_buyer,
            protocol_fee,
            to_seller,
            bond_returned: if held.is_some() { 0 } else { bond },
            held,
        })
    }

    /// Ends a dispute with `buyer_bps` of what is left after `arbiter_fee_bps`: pays the buyer and
    /// (when owed) the arbiter, returns the seller's share to the offer's available tokens, takes
    /// the case off the arbiter's open cases, and gives the bond to the seller when the buyer gets
    /// nothing; then the trade ends. Returns the events to emit.
    pub fn resolve(
        mut self,
        tokens: TokenAccounts<'_, 'info>,
        arbiter: &mut Account<'info, Arbiter>,
        arbiter_token_account: Option<&AccountInfo<'info>>,
        resolution: Resolution,
        arbiter_fee_bps: u16,
        buyer_bps: u16,
    ) -> Result<(DisputeResolved, Option<PayoutHeld>)> {
        let Split {
            arbiter_fee,
            to_buyer,
            to_seller,
        } = split(self.trade.amount, arbiter_fee_bps, buyer_bps)?;
        let held = self.pay_buyer(&tokens, to_buyer)?;
        match arbiter_token_account {
            Some(account) => {
                self.pay_from_vault(&tokens, account, arbiter_fee)?;
            }
            None => require!(arbiter_fee == 0, EscrowError::InvariantViolated),
        }
        self.offer.unlock(self.trade.amount, to_seller)?;
        self.offer
            .invariant(balance_of(&tokens.vault.to_account_info())?)?;

        arbiter.close_case()?;
        match resolution {
            Resolution::Ruled => {
                arbiter.rulings = arbiter
                    .rulings
                    .checked_add(1)
                    .ok_or(EscrowError::MathOverflow)?
            }
            Resolution::Settled => {}
            Resolution::DefaultRuling => {
                arbiter.missed_deadlines = arbiter
                    .missed_deadlines
                    .checked_add(1)
                    .ok_or(EscrowError::MathOverflow)?
            }
        }
        arbiter.invariant()?;

        let bond_to_seller = if buyer_bps == 0 {
            self.bond_to_seller()?
        } else {
            0
        };
        let event = DisputeResolved {
            trade: self.trade.key(),
            offer: self.trade.offer,
            seller: self.trade.seller,
            buyer: self.trade.buyer,
            resolution,
            arbiter: arbiter.authority,
            buyer_bps,
            to_buyer,
            to_seller,
            arbiter_fee,
            bond_to_seller,
        };
        Ok((event, self.finish(held)?))
    }

    /// Ends an unpaid trade without a payout: the amount returns to the offer's available tokens,
    /// the bond to the seller when there is one to receive it (an expiry), otherwise to the buyer
    /// with the rent (a cancel). Returns the bond the seller got and what waits for the buyer's
    /// claim, if anything.
    pub fn unwind(
        mut self,
        vault: &InterfaceAccount<'info, TokenAccount>,
    ) -> Result<(u64, Option<PayoutHeld>)> {
        let amount = self.trade.amount;
        self.offer.unlock(amount, amount)?;
        self.offer
            .invariant(balance_of(&vault.to_account_info())?)?;
        let bond = if self.seller.is_some() {
            self.bond_to_seller()?
        } else {
            0
        };
        Ok((bond, self.finish(None)?))
    }

    /// Pays `amount` to the buyer: into its associated token account (created if missing) when
    /// that can receive, otherwise into the trade's holding account (created if missing, funded
    /// first by the trade's lamports beyond its rent, the bond included, except for wrapped SOL,
    /// whose lamports would become tokens). Returns the holding account when it was used.
    fn pay_buyer(
        &mut self,
        tokens: &TokenAccounts<'_, 'info>,
        amount: u64,
    ) -> Result<Option<Held<'info>>> {
        if amount == 0 {
            return Ok(None);
        }
        let mint = tokens.mint.key();
        let token_program = tokens.token_program.key();
        ensure_associated_token_account(
            &tokens.buyer_token_account,
            &self.buyer,
            &tokens.mint.to_account_info(),
            &tokens.payer,
            &tokens.token_program,
            &tokens.associated_token_program,
            &tokens.system_program,
        )?;
        if can_receive_tokens(
            &tokens.buyer_token_account,
            &mint,
            &self.trade.buyer,
            &token_program,
        ) {
            self.pay_from_vault(tokens, &tokens.buyer_token_account, amount)?;
            return Ok(None);
        }
        // The buyer's own lamports on the trade beyond its rent (the bond) fund the holding
        // account first, so whoever ends the trade pays only what they do not cover; they come
        // back to the buyer with its claim.
        let trade = self.trade.to_account_info();
        let native = mint == spl_token::native_mint::ID || mint == spl_token_2022::native_mint::ID;
        if tokens.holding.owner == &System::id() && tokens.holding.data_is_empty() && !native {
            let spare = trade
                .lamports()
                .saturating_sub(Rent::get()?.minimum_balance(trade.data_len()));
            move_lamports(&trade, &tokens.holding, spare)?;
            self.trade.buyer_bond = 0;
        }
        ensure_associated_token_account(
            &tokens.holding,
            &trade,
            &tokens.mint.to_account_info(),
            &tokens.payer,
            &tokens.token_program,
            &tokens.associated_token_program,
            &tokens.system_program,
        )?;
        let received = self.pay_from_vault(tokens, &tokens.holding, amount)?;
        Ok(Some(Held {
            holding: tokens.holding.clone(),
            tokens: received,
        }))
    }

    /// Pays `amount` out of the offer's vault to `to`; returns what `to` received.
    fn pay_from_vault(
        &self,
        tokens: &TokenAccounts<'_, 'info>,
        to: &AccountInfo<'info>,
        amount: u64,
    ) -> Result<u64> {
        let seeds = self.offer.signer_seeds();
        ProgramTokenAccount {
            account: tokens.vault.to_account_info(),
            authority: self.offer.to_account_info(),
            seeds: &seeds.seeds(),
            mint: tokens.mint,
            token_program: tokens.token_program.clone(),
            memo_program: tokens.memo_program.clone(),
        }
        .pay(to, amount)
    }

    /// Moves the bond out of the trade to the seller's wallet, or to the offer (which pays it to
    /// the seller at close) when the wallet cannot take it. Returns the bond.
    fn bond_to_seller(&mut self) -> Result<u64> {
        let bond = self.trade.buyer_bond;
        let trade = self.trade.to_account_info();
        let seller = self.seller.as_ref().ok_or(EscrowError::InvariantViolated)?;
        if can_receive_lamports(seller, bond)? {
            move_lamports(&trade, seller, bond)?;
        } else {
            move_lamports(&trade, &self.offer.to_account_info(), bond)?;
        }
        self.trade.buyer_bond = 0;
        Ok(bond)
    }

    /// Closes the trade, its rent (and bond, if still there) to the buyer. When the buyer's share
    /// went to the holding account, or the buyer's wallet cannot take the lamports, the trade
    /// stays open as `Settled` for the buyer to claim; the event saying so is returned.
    fn finish(self, held: Option<Held<'info>>) -> Result<Option<PayoutHeld>> {
        let lamports = self.trade.to_account_info().lamports();
        if held.is_none() && can_receive_lamports(&self.buyer, lamports)? {
            self.trade.close(self.buyer)?;
            return Ok(None);
        }
        let (tokens, holding_lamports) = held
            .as_ref()
            .map_or((0, 0), |held| (held.tokens, held.holding.lamports()));
        let trade = self.trade;
        trade.state = TradeState::Settled;
        trade.held = tokens;
        trade.proposal = None;
        trade.invariant()?;
        Ok(Some(PayoutHeld {
            trade: trade.key(),
            buyer: trade.buyer,
            tokens,
            lamports: lamports
                .checked_add(holding_lamports)
                .ok_or(EscrowError::MathOverflow)?,
        }))
    }
}
