use anchor_lang::prelude::*;

use crate::errors::EscrowError;
use crate::events::TradeExpired;
// Glob: the accounts derive also needs the composite's generated client module and bumps.
use crate::instructions::trade_unwind::*;
use crate::state::TradeState;

#[event_cpi]
#[derive(Accounts)]
pub struct ExpireTrade<'info> {
    /// Anyone may expire an unpaid trade after its payment deadline, or after its response deadline
    /// when the seller never posted payment details.
    pub cranker: Signer<'info>,
    /// CHECK: the trade's seller (address checked); only receives the buyer's bond, so any account
    /// will do (a wallet its owner re-assigned to another program included). Should it be unable
    /// to take lamports, the bond waits on the offer for the seller.
    #[account(mut, address = unpaid.trade.seller @ EscrowError::NotSeller)]
    pub seller: UncheckedAccount<'info>,
    /// CHECK: the trade's buyer (address checked); only receives the trade's rent. Should it be
    /// unable to take lamports, the rent waits on the trade for the buyer's claim.
    #[account(mut, address = unpaid.trade.buyer @ EscrowError::NotBuyer)]
    pub buyer: UncheckedAccount<'info>,
    /// The trade to expire and its offer.
    pub unpaid: TradeUnwind<'info>,
}

impl ExpireTrade<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.unpaid.trade.state == TradeState::Locked,
            EscrowError::TradeNotLocked
        );
        let trade = &self.unpaid.trade;
        let now = Clock::get()?.unix_timestamp;
        if trade.unanswered(now) {
            return Ok(());
        }
        require!(
            trade.response_deadline == 0 || trade.details_at != 0,
            EscrowError::ResponseDeadlineNotReached
        );
        require!(
            now > trade.payment_deadline,
            EscrowError::PaymentDeadlineNotReached
        );
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let trade = accounts.unpaid.trade.key();
        let amount = accounts.unpaid.trade.amount;
        let unanswered = accounts
            .unpaid
            .trade
            .unanswered(Clock::get()?.unix_timestamp);
        let seller = (!unanswered).then(|| accounts.seller.to_account_info());
        let (bond_to_seller, held) = accounts
            .unpaid
            .unwind(accounts.buyer.to_account_info(), seller)?;
        let event = TradeExpired {
            trade,
            offer: accounts.unpaid.offer.key(),
            buyer: accounts.buyer.key(),
            cranked_by: accounts.cranker.key(),
            amount,
            bond_to_seller,
            unanswered,
        };
        emit_cpi!(event);
        if let Some(held) = held {
            emit_cpi!(held);
        }
        Ok(())
    }
}
