//! The model of the stateful test: the random steps, the state the escrow should be in, and the
//! transitions shared by several steps (payouts, unlocks, escalation, closing an offer). Pure: it
//! never touches the chain. The driver (`mod.rs`) decides per step what the escrow allows (some of
//! it depends on the chain, such as whether a wallet can pay rent), sends it, and applies it here.

use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;
use p2p_escrow::constants::{BPS_DENOMINATOR, PUBLIC_DISPUTE_GRACE};
use p2p_escrow::math::{bps_share, split};
use p2p_escrow_tests::*;
use proptest::prelude::*;

/// Steps of one sequence (before the drain).
pub(super) const STEPS: std::ops::Range<usize> = 30..41;
/// Tokens each actor holds at the start.
pub(super) const HOLDING: u64 = 2_000 * TOKEN;
/// The default ruling of the test config, in buyer bps.
pub(super) const DEFAULT_BUYER_BPS: u16 = 5_000;
/// A bond too small to make an empty wallet rent-exempt on its own.
pub(super) const SMALL_BOND: u64 = 5_000;

/// The cast, by index: sellers 0 and 1, buyers 2 and 3, then the other roles.
pub(super) const SELLER_0: usize = 0;
pub(super) const SELLER_1: usize = 1;
pub(super) const BUYER_0: usize = 2;
pub(super) const ARBITER: usize = 4;
pub(super) const FALLBACK: usize = 5;
pub(super) const STRANGER: usize = 6;
pub(super) const ADMIN: usize = 7;
pub(super) const ATTESTOR: usize = 8;
pub(super) const CAST: usize = 9;

/// Who sends a step: `None` for the party entitled to it, or anyone of the cast.
pub(super) type Actor = Option<usize>;

/// One step, with indexes resolved against the model when it runs.
#[derive(Clone, Debug)]
pub(super) enum Op {
    CreateOffer {
        seller: usize,
        tokens: u64,
        private: bool,
        attested: bool,
        small_bond: bool,
    },
    Deposit {
        offer: usize,
        actor: Actor,
        tokens: u64,
    },
    Withdraw {
        offer: usize,
        actor: Actor,
        tokens: u64,
    },
    SetOfferPaused {
        offer: usize,
        actor: Actor,
        paused: bool,
    },
    CloseOffer {
        offer: usize,
        actor: Actor,
    },
    Take {
        offer: usize,
        actor: Actor,
        tokens: u64,
    },
    Cancel {
        trade: usize,
        actor: Actor,
    },
    Expire {
        trade: usize,
        actor: Actor,
    },
    MarkPaid {
        trade: usize,
        actor: Actor,
    },
    Release {
        trade: usize,
        actor: Actor,
    },
    Attest {
        trade: usize,
        genuine: bool,
        relayer: Actor,
    },
    OpenDispute {
        trade: usize,
        actor: Actor,
    },
    Evidence {
        trade: usize,
        actor: Actor,
    },
    Rule {
        trade: usize,
        actor: Actor,
        bps: u16,
    },
    Settle {
        trade: usize,
        bps: u16,
        both_sign: bool,
    },
    Escalate {
        trade: usize,
        actor: Actor,
    },
    /// A party (the seller's side when `by_seller`, unless `actor` names someone) proposes an
    /// ending giving the buyer `tokens`.
    Propose {
        trade: usize,
        actor: Actor,
        by_seller: bool,
        tokens: u64,
    },
    /// Withdraws the proposal (by its author unless `actor` names someone).
    WithdrawProposal {
        trade: usize,
        actor: Actor,
    },
    /// Accepts the proposal (by the other party unless `actor` names someone), naming its amount
    /// (or, unless `matches`, another one).
    Accept {
        trade: usize,
        actor: Actor,
        matches: bool,
    },
    Pause {
        actor: Actor,
        offers: bool,
        trades: bool,
    },
    Wait {
        seconds: i64,
    },
    Claim {
        trade: usize,
        actor: Actor,
    },
    /// A buyer re-assigns its wallet to another program.
    Reassign {
        who: usize,
    },
    /// A seller sends every lamport of its wallet to the stranger.
    EmptyWallet {
        who: usize,
    },
    /// The mint's freeze authority freezes or thaws a buyer's token account.
    Freeze {
        who: usize,
        frozen: bool,
    },
    /// A buyer moves its tokens to the stranger and closes its token account.
    CloseTokenAccount {
        who: usize,
    },
    /// A buyer or the arbiter requires memos on incoming transfers and turns on the CPI guard
    /// (Token-2022 only).
    Harden {
        who: usize,
    },
    /// The admin changes the protocol fee and the default ruling, and (de)activates the fallback.
    ConfigChange {
        fee_bps: u16,
        default_bps: u16,
        fallback_active: bool,
    },
    /// The stranger sends lamports to a trade (`trade` set) or an offer account.
    DonateLamports {
        index: usize,
        trade: bool,
    },
    /// The stranger mints tokens to itself and sends them to an offer's vault.
    DonateTokens {
        offer: usize,
        tokens: u64,
    },
}

pub(super) fn op() -> impl Strategy<Value = Op> {
    let actor = prop_oneof![7 => Just(None), 3 => (0..CAST).prop_map(Some)];
    let buyer = prop_oneof![Just(BUYER_0), Just(BUYER_0 + 1)];
    let index = any::<usize>();
    let bps = prop_oneof![9 => 0..=BPS_DENOMINATOR, 1 => Just(BPS_DENOMINATOR + 1)];
    prop_oneof![
        3 => (prop_oneof![Just(SELLER_0), Just(SELLER_1)], 1..400u64, prop::bool::weighted(0.2), any::<bool>(), prop::bool::weighted(0.3))
            .prop_map(|(seller, tokens, private, attested, small_bond)| Op::CreateOffer { seller, tokens, private, attested, small_bond }),
        1 => (index, actor.clone(), 0..50u64).prop_map(|(offer, actor, tokens)| Op::Deposit { offer, actor, tokens }),
        1 => (index, actor.clone(), 0..300u64).prop_map(|(offer, actor, tokens)| Op::Withdraw { offer, actor, tokens }),
        1 => (index, actor.clone(), any::<bool>()).prop_map(|(offer, actor, paused)| Op::SetOfferPaused { offer, actor, paused }),
        1 => (index, actor.clone()).prop_map(|(offer, actor)| Op::CloseOffer { offer, actor }),
        6 => (index, actor.clone(), 0..120u64).prop_map(|(offer, actor, tokens)| Op::Take { offer, actor, tokens }),
        2 => (index, actor.clone()).prop_map(|(trade, actor)| Op::Cancel { trade, actor }),
        2 => (index, actor.clone()).prop_map(|(trade, actor)| Op::Expire { trade, actor }),
        5 => (index, actor.clone()).prop_map(|(trade, actor)| Op::MarkPaid { trade, actor }),
        3 => (index, actor.clone()).prop_map(|(trade, actor)| Op::Release { trade, actor }),
        2 => (index, any::<bool>(), actor.clone()).prop_map(|(trade, genuine, relayer)| Op::Attest { trade, genuine, relayer }),
        4 => (index, actor.clone()).prop_map(|(trade, actor)| Op::OpenDispute { trade, actor }),
        2 => (index, actor.clone()).prop_map(|(trade, actor)| Op::Evidence { trade, actor }),
        4 => (index, actor.clone(), bps.clone()).prop_map(|(trade, actor, bps)| Op::Rule { trade, actor, bps }),
        3 => (index, bps, any::<bool>()).prop_map(|(trade, bps, both_sign)| Op::Settle { trade, bps, both_sign }),
        2 => (index, actor.clone()).prop_map(|(trade, actor)| Op::Escalate { trade, actor }),
        6 => (index, actor.clone(), any::<bool>(), 0..130u64).prop_map(|(trade, actor, by_seller, tokens)| Op::Propose { trade, actor, by_seller, tokens }),
        2 => (index, actor.clone()).prop_map(|(trade, actor)| Op::WithdrawProposal { trade, actor }),
        8 => (index, actor.clone(), prop::bool::weighted(0.8)).prop_map(|(trade, actor, matches)| Op::Accept { trade, actor, matches }),
        1 => (actor.clone(), any::<bool>(), any::<bool>()).prop_map(|(actor, offers, trades)| Op::Pause { actor, offers, trades }),
        3 => prop_oneof![Just(60i64), Just(PAYMENT_WINDOW), Just(RELEASE_WINDOW), Just(RULING_WINDOW), Just(PUBLIC_DISPUTE_GRACE), 1..3_600i64]
            .prop_map(|seconds| Op::Wait { seconds }),
        2 => (index, actor.clone()).prop_map(|(trade, actor)| Op::Claim { trade, actor }),
        1 => buyer.clone().prop_map(|who| Op::Reassign { who }),
        1 => prop_oneof![Just(SELLER_0), Just(SELLER_1)].prop_map(|who| Op::EmptyWallet { who }),
        2 => (buyer.clone(), prop::bool::weighted(0.6)).prop_map(|(who, frozen)| Op::Freeze { who, frozen }),
        1 => buyer.clone().prop_map(|who| Op::CloseTokenAccount { who }),
        1 => prop_oneof![buyer, Just(ARBITER)].prop_map(|who| Op::Harden { who }),
        1 => (0..=100u16, 0..=BPS_DENOMINATOR, any::<bool>())
            .prop_map(|(fee_bps, default_bps, fallback_active)| Op::ConfigChange { fee_bps, default_bps, fallback_active }),
        1 => (index, any::<bool>()).prop_map(|(index, trade)| Op::DonateLamports { index, trade }),
        1 => (index, 1..20u64).prop_map(|(offer, tokens)| Op::DonateTokens { offer, tokens }),
    ]
}

pub(super) fn sequence() -> impl Strategy<Value = (MintKind, Vec<Op>)> {
    let mint = prop_oneof![
        Just(MintKind::Spl),
        Just(MintKind::Token2022),
        Just(MintKind::TransferFee {
            bps: 150,
            max: 3 * TOKEN
        }),
    ];
    (mint, prop::collection::vec(op(), STEPS))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stage {
    Locked,
    Paid,
    Disputed,
    /// Ended with the buyer's share held for its claim.
    Settled,
    Closed,
}

#[derive(Debug)]
pub(super) struct ModelOffer {
    pub(super) at: OfferRef,
    pub(super) seller: usize,
    pub(super) available: u64,
    pub(super) locked: u64,
    pub(super) paused: bool,
    pub(super) open: bool,
    pub(super) attested: bool,
    pub(super) allowed_buyer: Option<usize>,
    /// Tokens strangers sent straight into the vault; the seller gets them at close.
    pub(super) donated: u64,
}

#[derive(Debug)]
pub(super) struct ModelTrade {
    pub(super) at: TradeRef,
    pub(super) offer: usize,
    pub(super) buyer: usize,
    pub(super) amount: u64,
    pub(super) stage: Stage,
    pub(super) payment_deadline: i64,
    pub(super) release_deadline: i64,
    pub(super) ruling_deadline: i64,
    pub(super) escalated: bool,
    /// The cast index of the arbiter in charge of a dispute.
    pub(super) arbiter: usize,
    /// Terminal transitions seen, which must never exceed one.
    pub(super) terminal: u32,
    /// Protocol fee fixed at take.
    pub(super) fee_bps: u16,
    /// Default ruling fixed at take.
    pub(super) default_bps: u16,
    /// Fallback arbiter fixed at take.
    pub(super) fallback: Option<usize>,
    /// The proposed ending: who proposed it and the tokens it gives the buyer.
    pub(super) proposal: Option<(usize, u64)>,
}

/// What the escrow should hold, and what it should allow.
pub(super) struct Model {
    pub(super) people: Vec<Pubkey>,
    pub(super) mint: TestMint,
    pub(super) fee: Option<(u16, u64)>,
    pub(super) offers: Vec<ModelOffer>,
    pub(super) trades: Vec<ModelTrade>,
    /// Every token account of the sequence, with the balance it should have.
    pub(super) balances: BTreeMap<Pubkey, u64>,
    /// The mint's fee vault.
    pub(super) fee_vault: Pubkey,
    pub(super) new_offers_paused: bool,
    pub(super) new_trades_paused: bool,
    pub(super) now: i64,
    pub(super) minted: u64,
    /// The config's protocol fee and default ruling now, and whether the fallback is active.
    pub(super) fee_bps: u16,
    pub(super) default_bps: u16,
    pub(super) fallback_active: bool,
    /// What each member of the cast did to its own accounts, or had done to them.
    pub(super) reassigned: [bool; CAST],
    pub(super) emptied: [bool; CAST],
    pub(super) frozen: [bool; CAST],
    pub(super) token_account_closed: [bool; CAST],
    pub(super) hardened: [bool; CAST],
    /// Lamports that entered the cast's accounts from outside (rent the test's payer paid).
    pub(super) outside_lamports: u128,
}

impl Model {
    /// Who acts on offer `o` (`actor`, by default its seller) and the offer as that actor names it
    /// (its own address in the seller's place).
    pub(super) fn offer_as(&self, o: usize, actor: Option<usize>) -> (usize, OfferRef) {
        let m = &self.offers[o];
        let actor = actor.unwrap_or(m.seller);
        let at = OfferRef {
            seller: self.people[actor],
            ..m.at
        };
        (actor, at)
    }

    /// What a recipient receives when `amount` leaves an account, after the mint's transfer fee.
    pub(super) fn received(&self, amount: u64) -> u64 {
        match self.fee {
            Some((bps, max)) if amount > 0 => {
                let fee = (u128::from(amount) * u128::from(bps)).div_ceil(10_000) as u64;
                amount - fee.min(max)
            }
            _ => amount,
        }
    }

    pub(super) fn credit(&mut self, owner: usize, amount: u64) {
        let account = self.mint.ata(&self.people[owner]);
        *self.balances.entry(account).or_default() += self.received(amount);
    }

    pub(super) fn debit(&mut self, account: &Pubkey, amount: u64) {
        let balance = self.balances.get_mut(account).expect("known account");
        *balance = balance.checked_sub(amount).expect("model balance");
    }

    pub(super) fn balance_of(&self, owner: usize) -> u64 {
        self.balances[&self.mint.ata(&self.people[owner])]
    }

    /// Pays a trade's amount out of its offer's vault: `to_buyer` to the buyer, `fee` to the
    /// fee vault (or cast member `fee_to`), `to_seller` back to the offer.
    pub(super) fn pay_out(
        &mut self,
        trade: usize,
        to_buyer: u64,
        fee: u64,
        fee_to: Option<usize>,
        to_seller: u64,
    ) {
        let (offer, buyer, amount) = {
            let t = &self.trades[trade];
            (t.offer, t.buyer, t.amount)
        };
        assert_eq!(to_buyer + fee + to_seller, amount);
        let vault = self.offers[offer].at.vault;
        self.debit(&vault, to_buyer + fee);
        // A frozen token account cannot receive: the share waits in the trade's holding account.
        let held = to_buyer > 0 && self.frozen[buyer];
        if held {
            let holding = self.trades[trade].at.holding();
            let received = self.received(to_buyer);
            *self.balances.entry(holding).or_default() += received;
        } else if to_buyer > 0 {
            // A closed token account is created again by the payout.
            self.token_account_closed[buyer] = false;
            self.hardened[buyer] = false;
            self.credit(buyer, to_buyer);
        }
        match fee_to {
            Some(who) => self.credit(who, fee),
            None => {
                let received = self.received(fee);
                *self.balances.get_mut(&self.fee_vault).expect("fee vault") += received;
            }
        }
        let offer = &mut self.offers[offer];
        offer.locked -= amount;
        offer.available += to_seller;
        let trade = &mut self.trades[trade];
        trade.stage = if held { Stage::Settled } else { Stage::Closed };
        trade.terminal += 1;
        trade.proposal = None;
    }
}

/// Turns the random indexes of a step into positions in the model's offers and trades; `None`
/// when there is nothing to act on yet.
pub(super) fn resolve(mut op: Op, model: &Model) -> Option<Op> {
    use Stage::{Disputed, Locked, Paid};
    let offer = |i| pick(model.offers.iter().map(|o| o.open), i);
    // A trade in one of the stages the step is meant for, one time in five any trade.
    let trade =
        |i, stages: &[Stage]| pick(model.trades.iter().map(|t| stages.contains(&t.stage)), i);
    match &mut op {
        Op::Deposit { offer: i, .. }
        | Op::Withdraw { offer: i, .. }
        | Op::SetOfferPaused { offer: i, .. }
        | Op::CloseOffer { offer: i, .. }
        | Op::Take { offer: i, .. } => *i = offer(*i)?,
        Op::Cancel { trade: i, .. }
        | Op::Expire { trade: i, .. }
        | Op::MarkPaid { trade: i, .. } => *i = trade(*i, &[Locked])?,
        Op::Release { trade: i, .. } => *i = trade(*i, &[Locked, Paid, Disputed])?,
        Op::Claim { trade: i, .. } => *i = trade(*i, &[Stage::Settled])?,
        Op::DonateLamports {
            index: i,
            trade: true,
        } => *i = trade(*i, &[Locked, Paid, Disputed, Stage::Settled])?,
        Op::DonateLamports { index: i, .. } | Op::DonateTokens { offer: i, .. } => *i = offer(*i)?,
        Op::Attest { trade: i, .. } => *i = trade(*i, &[Locked, Paid])?,
        Op::OpenDispute { trade: i, .. } => *i = trade(*i, &[Paid])?,
        Op::Evidence { trade: i, .. }
        | Op::Rule { trade: i, .. }
        | Op::Settle { trade: i, .. }
        | Op::Escalate { trade: i, .. } => *i = trade(*i, &[Disputed])?,
        Op::Propose { trade: i, .. } => *i = trade(*i, &[Paid, Disputed])?,
        // A trade with a proposal, one time in five any trade.
        Op::WithdrawProposal { trade: i, .. } | Op::Accept { trade: i, .. } => {
            *i = pick(model.trades.iter().map(|t| t.proposal.is_some()), *i)?
        }
        Op::CreateOffer { .. }
        | Op::Pause { .. }
        | Op::Wait { .. }
        | Op::Reassign { .. }
        | Op::EmptyWallet { .. }
        | Op::Freeze { .. }
        | Op::CloseTokenAccount { .. }
        | Op::Harden { .. }
        | Op::ConfigChange { .. } => {}
    }
    Some(op)
}

/// Picks one of the items `wanted` lists, by `index`: usually a wanted one (an open offer, a
/// trade in the right stage), one time in five any of them.
pub(super) fn pick(wanted: impl Iterator<Item = bool>, index: usize) -> Option<usize> {
    let live: Vec<bool> = wanted.collect();
    let open: Vec<usize> = (0..live.len()).filter(|&i| live[i]).collect();
    if live.is_empty() {
        None
    } else if index.is_multiple_of(5) || open.is_empty() {
        Some(index % live.len())
    } else {
        Some(open[index % open.len()])
    }
}

pub(super) fn unlock_in_model(model: &mut Model, t: usize) {
    let (offer, amount) = (model.trades[t].offer, model.trades[t].amount);
    let o = &mut model.offers[offer];
    o.locked -= amount;
    o.available += amount;
    let trade = &mut model.trades[t];
    trade.stage = Stage::Closed;
    trade.terminal += 1;
}

/// What a release pays the buyer: the amount less the protocol fee fixed at take.
pub(super) fn release_share(trade: &ModelTrade) -> u64 {
    trade.amount - bps_share(trade.amount, trade.fee_bps).expect("fee")
}

/// Who of trade `t` acts: `actor` when it names someone, otherwise its seller or its buyer.
pub(super) fn party(model: &Model, t: usize, actor: Actor, by_seller: bool) -> usize {
    let m = &model.trades[t];
    actor.unwrap_or(if by_seller {
        model.offers[m.offer].seller
    } else {
        m.buyer
    })
}

/// The proposal's author of trade `t` (by default its buyer), and the other party.
pub(super) fn proposer_and_other(model: &Model, t: usize) -> (usize, usize) {
    let m = &model.trades[t];
    let seller = model.offers[m.offer].seller;
    let proposer = m.proposal.map_or(m.buyer, |(by, _)| by);
    let other = if proposer == seller { m.buyer } else { seller };
    (proposer, other)
}

/// Whether `who` may negotiate trade `t`'s ending now: its buyer or seller, paid or disputed.
pub(super) fn negotiates(model: &Model, t: usize, who: usize) -> bool {
    let m = &model.trades[t];
    matches!(m.stage, Stage::Paid | Stage::Disputed)
        && (who == m.buyer || who == model.offers[m.offer].seller)
}

pub(super) fn release_in_model(model: &mut Model, t: usize) {
    let amount = model.trades[t].amount;
    let to_buyer = release_share(&model.trades[t]);
    model.pay_out(t, to_buyer, amount - to_buyer, None, 0);
}

/// The first escalation hands the case to the fallback arbiter the trade fixed at take, if any;
/// otherwise (and after that) the default ruling fixed at take applies.
pub(super) fn escalate_in_model(model: &mut Model, t: usize) {
    if model.trades[t].escalated || model.trades[t].fallback.is_none() {
        let amount = model.trades[t].amount;
        let parts = split(amount, 0, model.trades[t].default_bps).expect("split");
        model.pay_out(t, parts.to_buyer, 0, None, parts.to_seller);
    } else {
        let now = model.now;
        let trade = &mut model.trades[t];
        trade.escalated = true;
        trade.proposal = None;
        trade.arbiter = FALLBACK;
        trade.ruling_deadline = now + RULING_WINDOW;
    }
}

pub(super) fn close_offer_in_model(model: &mut Model, o: usize) {
    let (vault, seller, remaining) = {
        let m = &model.offers[o];
        (m.at.vault, m.seller, m.available + m.donated)
    };
    model.debit(&vault, remaining);
    model.credit(seller, remaining);
    model.offers[o].open = false;
    model.offers[o].available = 0;
    model.offers[o].donated = 0;
}
