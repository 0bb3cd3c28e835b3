use anchor_lang::prelude::*;

use crate::constants::{MAX_MESSAGE_LEN, TRADE_SEED};
use crate::errors::EscrowError;
use crate::events::{MessagePosted, PaymentWindowStarted};
use crate::room::MessageKind;
use crate::state::Trade;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct PostMessageArgs {
    /// What the message is; it decides who may post it, and when.
    pub kind: MessageKind,
    /// The encrypted message (opaque to the program), 1 to `MAX_MESSAGE_LEN` bytes.
    pub body: Vec<u8>,
}

#[event_cpi]
#[derive(Accounts)]
pub struct PostMessage<'info> {
    /// The author: the trade's buyer or seller, or in a dispute the arbiter in charge.
    pub author: Signer<'info>,
    /// The open trade whose room the message goes to; only the seller's first payment details
    /// change it (they start the buyer's payment window).
    #[account(
        mut,
        seeds = [TRADE_SEED, trade.buyer.as_ref(), &trade.trade_id.to_le_bytes()],
        bump = trade.bump,
    )]
    pub trade: Box<Account<'info, Trade>>,
}

impl PostMessage<'_> {
    pub fn validate(&self, args: &PostMessageArgs) -> Result<()> {
        require!(!args.body.is_empty(), EscrowError::EmptyMessage);
        require!(
            args.body.len() <= usize::from(MAX_MESSAGE_LEN),
            EscrowError::MessageTooLong
        );
        self.trade
            .may_post(self.author.key(), args.kind, Clock::get()?.unix_timestamp)
    }

    pub fn handler(ctx: Context<'_, Self>, args: PostMessageArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let trade = ctx.accounts.trade.key();
        let started = match args.kind {
            MessageKind::PaymentDetails => ctx.accounts.trade.details_posted(now)?,
            _ => None,
        };
        let event = MessagePosted {
            trade,
            author: ctx.accounts.author.key(),
            kind: args.kind,
            body: args.body,
            posted_at: now,
        };
        emit_cpi!(event);
        if let Some(payment_deadline) = started {
            emit_cpi!(PaymentWindowStarted {
                trade,
                details_at: now,
                payment_deadline,
            });
        }
        Ok(())
    }
}
