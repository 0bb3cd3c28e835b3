use anchor_lang::prelude::*;

use crate::constants::ARBITER_SEED;
use crate::errors::EscrowError;
use crate::events::{DisputeEscalated, Resolution};
// Glob: the accounts derive also needs the composite's generated client module and bumps.
use crate::instructions::trade_payout::*;
use crate::math::deadline;
use crate::state::Arbiter;

#[event_cpi]
#[derive(Accounts)]
pub struct Escalate<'info> {
    /// Anyone, once the ruling deadline has passed; pays for missing token accounts.
    #[account(mut)]
    pub cranker: Signer<'info>,
    /// The arbiter that missed the deadline.
    #[account(mut, seeds = [ARBITER_SEED, arbiter.authority.as_ref()], bump = arbiter.bump)]
    pub arbiter: Box<Account<'info, Arbiter>>,
    /// The trade's fallback arbiter (fixed at take), given when the dispute goes to it: the first
    /// escalation of a trade that has one. Omitted otherwise, and the default ruling applies.
    #[account(mut, seeds = [ARBITER_SEED, fallback_arbiter.authority.as_ref()], bump = fallback_arbiter.bump)]
    pub fallback_arbiter: Option<Box<Account<'info, Arbiter>>>,
    /// The disputed trade (on a default ruling closed, or left `Settled` with what the buyer could
    /// not receive), its offer, and the token accounts that pay it out.
    pub payout: TradePayout<'info>,
    /// CHECK: the trade's buyer (address checked); only receives the trade's rent and bond, so any
    /// account will do. Should it be unable to take lamports, they wait on the trade for the
    /// buyer's claim.
    #[account(mut, address = payout.trade.buyer @ EscrowError::NotBuyer)]
    pub buyer: UncheckedAccount<'info>,
    /// CHECK: the trade's seller (address checked); only receives the bond when the buyer gets
    /// nothing, so any account will do. Should it be unable to take lamports, the bond waits on the
    /// offer for the seller.
    #[account(mut, address = payout.trade.seller @ EscrowError::NotSeller)]
    pub seller: UncheckedAccount<'info>,
}

impl Escalate<'_> {
    pub fn validate(&self) -> Result<()> {
        let dispute = self.payout.trade.open_dispute()?;
        require_keys_eq!(
            dispute.arbiter,
            self.arbiter.authority,
            EscrowError::ArbiterMismatch
        );
        let expected = self.hand_over_to();
        require!(
            expected == self.fallback_arbiter.as_ref().map(|f| f.authority),
            EscrowError::FallbackArbiterMismatch
        );
        let now = Clock::get()?.unix_timestamp;
        require!(
            now > dispute.ruling_deadline,
            EscrowError::RulingDeadlineNotReached
        );
        Ok(())
    }

    /// Who the dispute goes to now: the trade's fallback arbiter (fixed at take) on its first
    /// escalation, nobody after that (the default ruling fixed at take applies).
    fn hand_over_to(&self) -> Option<Pubkey> {
        let trade = &self.payout.trade;
        let escalated = trade.dispute.as_ref().is_some_and(|d| d.escalated);
        trade.fallback_arbiter.filter(|_| !escalated)
    }

    pub fn handler(ctx: Context<'_, Self>) -> Result<()> {
        if ctx.accounts.hand_over_to().is_some() {
            Self::hand_over(ctx)
        } else {
            Self::default_ruling(ctx)
        }
    }

    /// Moves the dispute to the fallback arbiter with a fresh ruling window.
    fn hand_over(ctx: Context<'_, Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let now = Clock::get()?.unix_timestamp;
        let ruling_deadline = deadline(now, accounts.payout.trade.ruling_window)?;

        let missed = &mut accounts.arbiter;
        missed.close_case()?;
        missed.missed_deadlines = missed
            .missed_deadlines
            .checked_add(1)
            .ok_or(EscrowError::MathOverflow)?;
        missed.invariant()?;
        let fallback = accounts
            .fallback_arbiter
            .as_mut()
            .ok_or(EscrowError::FallbackArbiterMismatch)?;
        fallback.open_cases = fallback
            .open_cases
            .checked_add(1)
            .ok_or(EscrowError::MathOverflow)?;
        fallback.invariant()?;

        let trade = &mut accounts.payout.trade;
        let dispute = trade.open_dispute_mut()?;
        dispute.arbiter = fallback.authority;
        dispute.ruling_deadline = ruling_deadline;
        dispute.escalated = true;
        // A new arbiter takes the case: a proposal made before stays behind (see `open_dispute`).
        trade.proposal = None;
        trade.invariant()?;
        let event = DisputeEscalated {
            trade: trade.key(),
            cranked_by: accounts.cranker.key(),
            previous_arbiter: missed.authority,
            arbiter: fallback.authority,
            ruling_deadline,
        };
        emit_cpi!(event);
        Ok(())
    }

    /// Ends the dispute with the default ruling fixed at take, without an arbiter fee.
    fn default_ruling(ctx: Context<'_, Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let default_buyer_bps = accounts.payout.trade.default_buyer_bps;
        let (end, tokens) = accounts.payout.end(PayoutParties {
            buyer: accounts.buyer.to_account_info(),
            seller: Some(accounts.seller.to_account_info()),
            payer: accounts.cranker.to_account_info(),
        });
        let (event, held) = end.resolve(
            tokens,
            &mut accounts.arbiter,
            None,
            Resolution::DefaultRuling,
            0,
            default_buyer_bps,
        )?;
        emit_cpi!(event);
        if let Some(held) = held {
            emit_cpi!(held);
        }
        Ok(())
    }
}
