use anchor_lang::prelude::*;

use crate::errors::EscrowError;
use crate::events::TradeCancelled;
// Glob: the accounts derive also needs the composite's generated client module and bumps.
use crate::instructions::trade_unwind::*;
use crate::state::TradeState;

#[event_cpi]
#[derive(Accounts)]
pub struct CancelTrade<'info> {
    /// The trade's buyer; gets the trade's rent and bond back.
    #[account(mut, address = unpaid.trade.buyer @ EscrowError::NotBuyer)]
    pub buyer: Signer<'info>,
    /// The trade to cancel and its offer.
    pub unpaid: TradeUnwind<'info>,
}

impl CancelTrade<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.unpaid.trade.state == TradeState::Locked,
            EscrowError::TradeNotLocked
        );
        let now = Clock::get()?.unix_timestamp;
        require!(
            now <= self.unpaid.trade.payment_deadline,
            EscrowError::PaymentDeadlinePassed
        );
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let event = TradeCancelled {
            trade: accounts.unpaid.trade.key(),
            offer: accounts.unpaid.offer.key(),
            buyer: accounts.buyer.key(),
            amount: accounts.unpaid.trade.amount,
        };
        let (_, held) = accounts
            .unpaid
            .unwind(accounts.buyer.to_account_info(), None)?;
        emit_cpi!(event);
        if let Some(held) = held {
            emit_cpi!(held);
        }
        Ok(())
    }
}
