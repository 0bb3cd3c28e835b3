use anchor_lang::prelude::*;

use crate::constants::{BPS_DENOMINATOR, TRADE_SEED};
use crate::errors::EscrowError;
use crate::math::deadline;
use crate::pda::SignerSeeds;
use crate::room::MessageKind;

/// Where a trade stands. A finished trade is closed, so it has no state for that.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum TradeState {
    /// Taken; the buyer has yet to pay.
    Locked,
    /// The buyer says it paid; the seller (or the attestor) has yet to release.
    Paid,
    /// An arbiter has been asked to rule.
    Disputed,
    /// Ended, but part of the buyer's payout could not be delivered (a token account that cannot
    /// receive, a wallet that cannot take lamports): it waits here, the tokens in the trade's
    /// holding account, until the buyer claims them with `claim`. Nothing else waits on it.
    Settled,
}

/// An open dispute of a trade.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct Dispute {
    /// Who opened the dispute.
    pub opened_by: Pubkey,
    /// When the dispute was opened (unix seconds).
    pub opened_at: i64,
    /// Authority of the arbiter who must rule now.
    pub arbiter: Pubkey,
    /// Last second at which `arbiter` may rule.
    pub ruling_deadline: i64,
    /// Whether the dispute went to the fallback arbiter.
    pub escalated: bool,
    /// Hash of the buyer's latest evidence, zero if none.
    pub buyer_evidence: [u8; 32],
    /// Hash of the seller's latest evidence, zero if none.
    pub seller_evidence: [u8; 32],
}

/// An ending a party proposed for a paid or disputed trade, for the other party to accept.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct Proposal {
    /// The party who proposed (the buyer or the seller).
    pub proposed_by: Pubkey,
    /// Tokens (base units) the buyer gets before the protocol fee; the rest returns to the offer's
    /// available tokens. Zero is a collaborative cancel. The bond goes back to the buyer.
    pub buyer_amount: u64,
    /// When it was proposed (unix seconds).
    pub proposed_at: i64,
}

/// One buyer's trade against an offer, at `["trade", buyer, trade_id]` (`trade_id` from the
/// buyer's [`crate::state::Profile`], so the address never names another trade and buyers taking
/// the same offer at once never collide). It reserves `amount` inside the offer's vault and holds
/// the buyer's bond in lamports on top of its rent. Everything that decides its outcome is fixed
/// here at take.
#[account]
#[derive(InitSpace)]
pub struct Trade {
    /// The offer this trade takes from.
    pub offer: Pubkey,
    /// The buyer's count of trades before this one, part of its address.
    pub trade_id: u64,
    /// The offer's seller.
    pub seller: Pubkey,
    /// The buyer, who paid this account's rent and gets it back.
    pub buyer: Pubkey,
    /// The token traded.
    pub mint: Pubkey,
    /// Tokens reserved in the offer's vault.
    pub amount: u64,
    /// Fiat the buyer owes, in minor units of the offer's currency.
    pub fiat_amount: u64,
    /// Protocol fee in basis points, fixed at take.
    pub fee_bps: u16,
    /// Authority of the offer's arbiter, fixed at take.
    pub arbiter: Pubkey,
    /// The arbiter's fee in basis points, fixed at take (also what the fallback arbiter earns).
    pub arbiter_fee_bps: u16,
    /// Lamports of bond held by this account on top of its rent.
    pub buyer_bond: u64,
    /// Where the trade stands.
    pub state: TradeState,
    /// When the trade was taken (unix seconds).
    pub created_at: i64,
    /// Last second at which the buyer may mark the trade paid: with a response window, the latest
    /// it can be (`response_deadline + payment_window`) until the seller's payment details set it
    /// to `details_at + payment_window`.
    pub payment_deadline: i64,
    /// When the buyer marked the trade paid, zero before that.
    pub paid_at: i64,
    /// Last second of the seller's release window, zero before the trade is paid.
    pub release_deadline: i64,
    /// Hash of the buyer's payment reference, zero before the trade is paid.
    pub payment_ref_hash: [u8; 32],
    /// Authority of the arbiter who takes over a missed ruling, fixed at take: the config's
    /// fallback arbiter if it was registered, active, neither party nor the offer's arbiter then;
    /// otherwise none, and a missed ruling goes straight to the default ruling.
    pub fallback_arbiter: Option<Pubkey>,
    /// The buyer's share in basis points when every arbiter missed its deadline, fixed at take.
    pub default_buyer_bps: u16,
    /// Seconds each arbiter has to rule, fixed at take.
    pub ruling_window: i64,
    /// Seconds the seller has to release after the trade is marked paid, fixed at take.
    pub release_window: i64,
    /// The dispute, once one is opened.
    pub dispute: Option<Dispute>,
    /// Tokens waiting for the buyer in the trade's holding account (state `Settled` only).
    pub held: u64,
    /// Bump of this account's address.
    pub bump: u8,
    /// The seller's X25519 public key for this trade's room, the offer's at take.
    pub seller_room_key: [u8; 32],
    /// The buyer's X25519 public key for this trade's room, given at take.
    pub buyer_room_key: [u8; 32],
    /// Seconds the buyer has to mark paid once the payment window starts, fixed at take.
    pub payment_window: i64,
    /// Last second for the seller's payment details, zero when the offer had no response window.
    pub response_deadline: i64,
    /// When the seller first posted payment details in the room, zero before.
    pub details_at: i64,
    /// The ending a party proposed, if any (paid or disputed trades only).
    pub proposal: Option<Proposal>,
}

impl Trade {
    /// The seeds the trade signs with, as the owner of its holding account.
    pub fn signer_seeds(&self) -> SignerSeeds {
        SignerSeeds::new(TRADE_SEED, self.buyer, self.trade_id, self.bump)
    }

    /// Whether the trade is still open (not `Settled`).
    pub fn is_open(&self) -> bool {
        self.state != TradeState::Settled
    }

    /// The trade's dispute, refusing a trade that is not in dispute now.
    pub fn open_dispute(&self) -> Result<&Dispute> {
        require!(
            self.state == TradeState::Disputed,
            EscrowError::TradeNotDisputed
        );
        self.dispute
            .as_ref()
            .ok_or_else(|| error!(EscrowError::InvariantViolated))
    }

    /// The trade's dispute, to change it, refusing a trade that is not in dispute now.
    pub fn open_dispute_mut(&mut self) -> Result<&mut Dispute> {
        require!(
            self.state == TradeState::Disputed,
            EscrowError::TradeNotDisputed
        );
        self.dispute
            .as_mut()
            .ok_or_else(|| error!(EscrowError::InvariantViolated))
    }

    /// Refuses a message `author` may not post in this trade's room at `now`: the room is open
    /// while the trade is; the buyer and the seller chat, the seller posts its payment details (the
    /// first ones by the response deadline), the buyer declares its payer before marking paid,
    /// either discloses to the arbiter in a dispute, and the arbiter in charge of a dispute writes
    /// to a party.
    pub fn may_post(&self, author: Pubkey, kind: MessageKind, now: i64) -> Result<()> {
        require!(self.is_open(), EscrowError::TradeSettled);
        let buyer = author == self.buyer;
        let seller = author == self.seller;
        let disputed = self.state == TradeState::Disputed;
        let arbiter = disputed && author == self.arbiter_in_charge();
        require!(buyer || seller || arbiter, EscrowError::NotInTradeRoom);
        let allowed = match kind {
            MessageKind::Chat => buyer || seller,
            MessageKind::PaymentDetails => seller,
            MessageKind::PayerDeclaration => buyer && self.state == TradeState::Locked,
            MessageKind::Disclosure => (buyer || seller) && disputed,
            MessageKind::ArbiterNote => arbiter,
        };
        require!(allowed, EscrowError::MessageNotAllowed);
        if kind == MessageKind::PaymentDetails {
            require!(!self.unanswered(now), EscrowError::ResponseDeadlinePassed);
        }
        Ok(())
    }

    /// Whether the seller let the response window pass without payment details by `now`: the
    /// unpaid trade may then be ended by anyone, the bond back to the buyer.
    pub fn unanswered(&self, now: i64) -> bool {
        self.state == TradeState::Locked
            && self.response_deadline != 0
            && self.details_at == 0
            && now > self.response_deadline
    }

    /// Records the seller's payment details posted at `now`; the first ones start the buyer's
    /// payment window when the trade has a response window. Returns the new payment deadline when
    /// they did.
    pub fn details_posted(&mut self, now: i64) -> Result<Option<i64>> {
        if self.details_at != 0 {
            return Ok(None);
        }
        self.details_at = now;
        let starts = self.response_deadline != 0 && self.state == TradeState::Locked;
        if starts {
            self.payment_deadline = deadline(now, self.payment_window)?;
        }
        self.invariant()?;
        Ok(starts.then_some(self.payment_deadline))
    }

    /// Refuses `party` unless it is the buyer or the seller of a paid or disputed trade, the ones
    /// that negotiate an ending.
    pub fn may_negotiate(&self, party: Pubkey) -> Result<()> {
        require!(
            matches!(self.state, TradeState::Paid | TradeState::Disputed),
            EscrowError::NotNegotiable
        );
        require!(
            party == self.buyer || party == self.seller,
            EscrowError::NotAParty
        );
        Ok(())
    }

    /// The arbiter who would rule the trade now: its dispute's arbiter, or the offer's.
    pub fn arbiter_in_charge(&self) -> Pubkey {
        self.dispute
            .as_ref()
            .map_or(self.arbiter, |dispute| dispute.arbiter)
    }

    /// Holds after every change of a trade.
    pub fn invariant(&self) -> Result<()> {
        require!(self.amount > 0, EscrowError::InvariantViolated);
        require_keys_neq!(self.buyer, self.seller, EscrowError::InvariantViolated);
        let paid = self.paid_at != 0 && self.release_deadline > self.paid_at;
        let consistent = match self.state {
            TradeState::Locked => self.paid_at == 0 && self.dispute.is_none(),
            TradeState::Paid => paid && self.dispute.is_none(),
            TradeState::Disputed => paid && self.dispute.is_some(),
            TradeState::Settled => self.held <= self.amount,
        };
        require!(
            self.state == TradeState::Settled || self.held == 0,
            EscrowError::InvariantViolated
        );
        require!(
            self.default_buyer_bps <= BPS_DENOMINATOR
                && self.fallback_arbiter != Some(self.arbiter),
            EscrowError::InvariantViolated
        );
        require!(consistent, EscrowError::InvariantViolated);
        require!(
            self.payment_deadline > self.created_at
                && (self.details_at == 0 || self.details_at >= self.created_at),
            EscrowError::InvariantViolated
        );
        if let Some(proposal) = &self.proposal {
            require!(
                matches!(self.state, TradeState::Paid | TradeState::Disputed)
                    && proposal.buyer_amount <= self.amount
                    && (proposal.proposed_by == self.buyer || proposal.proposed_by == self.seller),
                EscrowError::InvariantViolated
            );
        }
        Ok(())
    }
}
