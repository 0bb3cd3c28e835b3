//! Stateful property test: random sequences of every instruction, from every role and from
//! strangers, with random clock moves and every hostile action a party, a stranger, the mint's
//! issuer or the admin can take outside the program (re-assign a wallet, empty it, freeze, close
//! or harden a token account with required memos and the CPI guard, change the config, deactivate
//! the fallback arbiter, donate lamports or tokens), run against a small model of what the escrow
//! should do.
//!
//! After every step: the chain accepted exactly what the model allows; every token of the mint is
//! accounted for (balances, holding accounts and withheld transfer fees) and every known token
//! account holds what the model says, so no one but a trade's parties, the fee vault and the
//! arbiter ever receives tokens; every vault holds exactly `available + locked` plus donations; a
//! trade has at most one terminal transition.
//!
//! Liveness: from the state a sequence reached, advancing the clock and running only
//! permissionless instructions (expire, a stranger's dispute, escalate) ends every trade (closed,
//! or settled with the buyer's share held for its claim), after which every seller closes every
//! offer and every token is accounted for. The only trust this leans on is the one the threat
//! model names: the mint's freeze authority (it froze buyers' accounts here, and payouts to them
//! were held; it thaws them before the buyers claim). After the buyers claim, no program account
//! is left open and every lamport is back with the cast.
//!
//! Seeds are fixed. `P2P_STATEFUL_CASES` sets the number of sequences of each of the two tests
//! (250 each by default; fewer skip the coverage assertion, which needs that many) and
//! `P2P_STATEFUL_SEED` the first test's seed (default 1; the second test uses the next one), for
//! longer or other runs:
//! `P2P_STATEFUL_CASES=20000 P2P_STATEFUL_SEED=7 cargo test -p p2p-escrow-tests stateful`.
//!
//! `model.rs` is the model (pure: steps, expected state, transitions); this file drives the chain.

mod model;

use std::collections::BTreeMap;

use model::*;

use p2p_escrow::constants::{BPS_DENOMINATOR, PUBLIC_DISPUTE_GRACE};
use p2p_escrow::math::{bps_share, split};
use p2p_escrow::state::OfferTerms;
use p2p_escrow_tests::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// One sequence against a fresh chain.
async fn run(kind: MintKind, ops: Vec<Op>) {
    let env = Env::new().await;
    let second_seller = Keypair::new();
    env.fund(&second_seller.pubkey(), 10_000_000_000).await;
    env.open_profile(&second_seller).await;
    let people: Vec<&Keypair> = vec![
        &env.seller,
        &second_seller,
        &env.buyer,
        &env.buyer2,
        &env.arbiter,
        &env.fallback_arbiter,
        &env.stranger,
        &env.admin,
        &env.attestor,
    ];
    let mint = env.create_mint(kind).await;
    let mut model = Model {
        people: people.iter().map(|k| k.pubkey()).collect(),
        mint,
        fee: match kind {
            MintKind::TransferFee { bps, max } => Some((bps, max)),
            _ => None,
        },
        offers: Vec::new(),
        trades: Vec::new(),
        balances: BTreeMap::new(),
        fee_vault: fee_vault(&mint),
        new_offers_paused: false,
        new_trades_paused: false,
        now: env.now().await,
        minted: 0,
        fee_bps: FEE_BPS,
        default_bps: DEFAULT_BUYER_BPS,
        fallback_active: true,
        reassigned: [false; CAST],
        emptied: [false; CAST],
        frozen: [false; CAST],
        token_account_closed: [false; CAST],
        hardened: [false; CAST],
        outside_lamports: 0,
    };
    for who in &model.people.clone() {
        let account = env.mint_to(&mint, who, HOLDING).await;
        model.balances.insert(account, HOLDING);
        model.minted += HOLDING;
    }
    env.mint_to(&mint, &addresses::config(), 0).await;
    model.balances.insert(model.fee_vault, 0);
    let lamports_before = total_lamports(&env, &model).await;

    for op in ops {
        // With nothing to act on yet, the seller opens an offer instead.
        let op = resolve(op, &model).unwrap_or(Op::CreateOffer {
            seller: SELLER_0,
            tokens: 100,
            private: false,
            attested: model.offers.len().is_multiple_of(2),
            small_bond: false,
        });
        step(&env, &people, &mut model, op).await;
        check(&env, &model).await;
    }
    drain(&env, &people, &mut model).await;
    check(&env, &model).await;
    for trade in &model.trades {
        assert!(!env.exists(&trade.at.address).await, "trade left open");
        assert!(trade.terminal == 1, "one terminal transition per trade");
    }
    for offer in &model.offers {
        assert!(!env.exists(&offer.at.address).await, "offer left open");
        assert!(!env.exists(&offer.at.vault).await, "vault left open");
    }
    for arbiter in [ARBITER, FALLBACK] {
        assert_eq!(
            env.arbiter_account(&model.people[arbiter]).await.open_cases,
            0
        );
    }
    assert_eq!(
        u128::from(total_lamports(&env, &model).await),
        u128::from(lamports_before) + model.outside_lamports,
        "every lamport back"
    );
}

/// Lamports of the cast, their token accounts and profiles, and the fee vault (everything rent or
/// a bond can move between once every trade and offer is closed).
async fn total_lamports(env: &Env, model: &Model) -> u64 {
    let mut total = env.lamports(&model.fee_vault).await;
    for who in &model.people {
        total += env.lamports(who).await
            + env.lamports(&model.mint.ata(who)).await
            + env.lamports(&addresses::profile(who)).await;
    }
    total
}

/// The invariants that hold after every step.
async fn check(env: &Env, model: &Model) {
    let mut held = 0;
    for (account, expected) in &model.balances {
        let on_chain = env.balance(account).await;
        if !env.exists(account).await {
            // A closed vault, holding account or token account.
            assert_eq!(*expected, 0, "closed token account {account}");
            continue;
        }
        assert_eq!(on_chain, *expected, "balance of {account}");
        held += on_chain;
        if model.fee.is_some() {
            held += env.withheld(account).await;
        }
    }
    if model.fee.is_some() {
        held += env.mint_withheld(&model.mint).await;
    }
    assert_eq!(held, model.minted, "every token of the mint accounted for");
    for offer in model.offers.iter().filter(|o| o.open) {
        let state = env.offer(&offer.at).await;
        assert_eq!(
            (state.available, state.locked),
            (offer.available, offer.locked)
        );
        assert_eq!(
            env.balance(&offer.at.vault).await,
            offer.available + offer.locked + offer.donated
        );
    }
    for trade in &model.trades {
        assert!(trade.terminal <= 1);
        assert_eq!(
            env.exists(&trade.at.address).await,
            trade.stage != Stage::Closed
        );
        if trade.stage == Stage::Settled {
            assert_eq!(
                env.trade(&trade.at).await.held,
                model.balances[&trade.at.holding()],
                "what waits for the buyer"
            );
        }
    }
}

/// Runs one resolved step: predicts whether the escrow allows it, sends it, and applies its
/// effect to the model.
async fn step(env: &Env, people: &[&Keypair], model: &mut Model, op: Op) {
    let now = model.now;
    match op {
        Op::Wait { seconds } => {
            model.now += seconds;
            env.set_time(model.now).await;
        }
        Op::Pause {
            actor,
            offers,
            trades,
        } => {
            let actor = actor.unwrap_or(ADMIN);
            let ix = env.set_pause_ix(&model.people[actor], offers, trades);
            let changes = (offers, trades) != (model.new_offers_paused, model.new_trades_paused);
            if send(env, ix, &[people[actor]], actor == ADMIN && changes).await {
                model.new_offers_paused = offers;
                model.new_trades_paused = trades;
            }
        }
        Op::CreateOffer {
            seller,
            tokens,
            private,
            attested,
            small_bond,
        } => {
            let Some(can_pay) = can_pay(env, model, seller).await else {
                return;
            };
            let amount = tokens * TOKEN;
            let who = model.people[seller];
            let at = env.offer_ref(&who, env.next_offer_id(&who).await, &model.mint);
            let terms = OfferTerms {
                attestor: attested.then(|| model.people[ATTESTOR]),
                allowed_buyer: private.then(|| model.people[BUYER_0]),
                buyer_bond: if small_bond { SMALL_BOND } else { BUYER_BOND },
                ..env.default_terms()
            };
            let allowed = !model.new_offers_paused && amount <= model.balance_of(seller) && can_pay;
            if send(
                env,
                env.create_offer_ix(&at, amount, terms),
                &[people[seller]],
                allowed,
            )
            .await
            {
                let received = model.received(amount);
                model.debit(&model.mint.ata(&model.people[seller]), amount);
                model.balances.insert(at.vault, received);
                model.offers.push(ModelOffer {
                    at,
                    seller,
                    available: received,
                    locked: 0,
                    paused: false,
                    open: true,
                    attested,
                    allowed_buyer: private.then_some(BUYER_0),
                    donated: 0,
                });
            }
        }
        Op::Deposit {
            offer: o,
            actor,
            tokens,
        } => {
            let (actor, at) = model.offer_as(o, actor);
            let m = &model.offers[o];
            let amount = tokens * TOKEN;
            let allowed =
                m.open && actor == m.seller && amount > 0 && amount <= model.balance_of(actor);
            if send(env, env.deposit_ix(&at, amount), &[people[actor]], allowed).await {
                let received = model.received(amount);
                model.debit(&model.mint.ata(&model.people[actor]), amount);
                *model.balances.get_mut(&at.vault).expect("vault") += received;
                model.offers[o].available += received;
            }
        }
        Op::Withdraw {
            offer: o,
            actor,
            tokens,
        } => {
            let (actor, at) = model.offer_as(o, actor);
            let m = &model.offers[o];
            let amount = tokens * TOKEN;
            let allowed = m.open && actor == m.seller && amount > 0 && amount <= m.available;
            if send(env, env.withdraw_ix(&at, amount), &[people[actor]], allowed).await {
                model.debit(&at.vault, amount);
                model.credit(actor, amount);
                model.offers[o].available -= amount;
            }
        }
        Op::SetOfferPaused {
            offer: o,
            actor,
            paused,
        } => {
            let m = &model.offers[o];
            let actor = actor.unwrap_or(m.seller);
            let allowed = m.open && actor == m.seller && m.paused != paused;
            let ix = env.set_offer_paused_ix(&m.at, &model.people[actor], paused);
            if send(env, ix, &[people[actor]], allowed).await {
                model.offers[o].paused = paused;
            }
        }
        Op::CloseOffer { offer: o, actor } => {
            let (actor, at) = model.offer_as(o, actor);
            let m = &model.offers[o];
            let allowed = m.open && actor == m.seller && m.locked == 0;
            if send(env, env.close_offer_ix(&at), &[people[actor]], allowed).await {
                close_offer_in_model(model, o);
            }
        }
        Op::Take {
            offer: o,
            actor,
            tokens,
        } => {
            let m = &model.offers[o];
            if !m.open {
                return;
            }
            let actor = actor.unwrap_or(BUYER_0 + model.trades.len() % 2);
            let Some(can_pay) = can_pay(env, model, actor).await else {
                return;
            };
            let amount = tokens * TOKEN;
            let trade = env.next_trade(&m.at, &model.people[actor]).await;
            let args = env.take_args(&trade, amount).await;
            let allowed = !model.new_trades_paused
                && !m.paused
                && actor != m.seller
                && actor != ARBITER
                && !(m.attested && actor == ATTESTOR)
                && m.allowed_buyer.is_none_or(|b| b == actor)
                && (TOKEN..=100 * TOKEN).contains(&amount)
                && amount <= m.available
                && can_pay;
            if send(
                env,
                env.take_offer_ix(&trade, args).await,
                &[people[actor]],
                allowed,
            )
            .await
            {
                let m = &mut model.offers[o];
                m.available -= amount;
                m.locked += amount;
                model.trades.push(ModelTrade {
                    at: trade,
                    offer: o,
                    buyer: actor,
                    amount,
                    stage: Stage::Locked,
                    payment_deadline: now + PAYMENT_WINDOW,
                    release_deadline: 0,
                    ruling_deadline: 0,
                    escalated: false,
                    arbiter: ARBITER,
                    terminal: 0,
                    fee_bps: model.fee_bps,
                    default_bps: model.default_bps,
                    fallback: (model.fallback_active && actor != FALLBACK).then_some(FALLBACK),
                    proposal: None,
                });
            }
        }
        Op::Cancel { trade: t, actor } => {
            let m = &model.trades[t];
            let actor = actor.unwrap_or(m.buyer);
            let at = TradeRef {
                buyer: model.people[actor],
                ..m.at
            };
            let allowed = m.stage == Stage::Locked && actor == m.buyer && now <= m.payment_deadline;
            if send(env, env.cancel_trade_ix(&at), &[people[actor]], allowed).await {
                unlock_in_model(model, t);
            }
        }
        Op::Expire { trade: t, actor } => {
            let m = &model.trades[t];
            let actor = actor.unwrap_or(STRANGER);
            let allowed = m.stage == Stage::Locked && now > m.payment_deadline;
            let ix = env.expire_trade_ix(&m.at, &model.people[actor]);
            if send(env, ix, &[people[actor]], allowed).await {
                unlock_in_model(model, t);
            }
        }
        Op::MarkPaid { trade: t, actor } => {
            let m = &model.trades[t];
            let actor = actor.unwrap_or(m.buyer);
            let at = TradeRef {
                buyer: model.people[actor],
                ..m.at
            };
            let allowed = m.stage == Stage::Locked && actor == m.buyer && now <= m.payment_deadline;
            if send(
                env,
                env.mark_paid_ix(&at, [7; 32]),
                &[people[actor]],
                allowed,
            )
            .await
            {
                let m = &mut model.trades[t];
                m.stage = Stage::Paid;
                m.release_deadline = now + RELEASE_WINDOW;
            }
        }
        Op::Release { trade: t, actor } => {
            let m = &model.trades[t];
            let seller = model.offers[m.offer].seller;
            let actor = actor.unwrap_or(seller);
            let mut accounts = env.release_accounts(&m.at);
            accounts.seller = model.people[actor];
            accounts.arbiter = addresses::arbiter(&model.people[m.arbiter]);
            let Some(payer_ok) = payer_ok(env, model, t, release_share(m), actor).await else {
                return;
            };
            let allowed = matches!(m.stage, Stage::Locked | Stage::Paid | Stage::Disputed)
                && actor == seller
                && payer_ok;
            let ix = ix(accounts, p2p_escrow::instruction::Release {});
            if send(env, ix, &[people[actor]], allowed).await {
                release_in_model(model, t);
            }
        }
        Op::Attest {
            trade: t,
            genuine,
            relayer,
        } => {
            let m = &model.trades[t];
            if matches!(m.stage, Stage::Closed | Stage::Settled) {
                return;
            }
            let relayer = relayer.unwrap_or(STRANGER);
            let Some(payer_ok) = payer_ok(env, model, t, release_share(m), relayer).await else {
                return;
            };
            let message = env.attestation_payload(&m.at).await;
            let signer = if genuine {
                people[ATTESTOR]
            } else {
                people[relayer]
            };
            let allowed = model.offers[m.offer].attested
                && signer.pubkey() == model.people[ATTESTOR]
                && matches!(m.stage, Stage::Locked | Stage::Paid)
                && payer_ok;
            let instructions = [
                ed25519_ix(signer, &message),
                env.release_with_attestation_ix(&m.at, &model.people[relayer]),
            ];
            if send_all(env, &instructions, &[people[relayer]], allowed).await {
                release_in_model(model, t);
            }
        }
        Op::OpenDispute { trade: t, actor } => {
            let m = &model.trades[t];
            let seller = model.offers[m.offer].seller;
            let actor = actor.unwrap_or(seller);
            let allowed = m.stage == Stage::Paid
                && (actor == seller
                    || (actor == m.buyer && now > m.release_deadline)
                    || now > m.release_deadline + PUBLIC_DISPUTE_GRACE);
            let ix = env.open_dispute_ix(&m.at, &model.people[actor], &model.people[ARBITER]);
            if send(env, ix, &[people[actor]], allowed).await {
                let m = &mut model.trades[t];
                m.stage = Stage::Disputed;
                m.ruling_deadline = now + RULING_WINDOW;
                m.arbiter = ARBITER;
                m.proposal = None;
            }
        }
        Op::Evidence { trade: t, actor } => {
            let m = &model.trades[t];
            let seller = model.offers[m.offer].seller;
            let actor = actor.unwrap_or(m.buyer);
            let allowed = m.stage == Stage::Disputed && (actor == m.buyer || actor == seller);
            let ix =
                env.submit_evidence_ix(&m.at, &model.people[actor], [3; 32], "ipfs://evidence");
            send(env, ix, &[people[actor]], allowed).await;
        }
        Op::Rule {
            trade: t,
            actor,
            bps,
        } => {
            let m = &model.trades[t];
            let actor = actor.unwrap_or(m.arbiter);
            let in_charge = model.people[m.arbiter];
            let parts = split(m.amount, ARBITER_FEE_BPS, bps.min(BPS_DENOMINATOR)).expect("split");
            let Some(payer_ok) = payer_ok(env, model, t, parts.to_buyer, actor).await else {
                return;
            };
            let allowed = m.stage == Stage::Disputed
                && actor == m.arbiter
                && now <= m.ruling_deadline
                && bps <= BPS_DENOMINATOR
                && payer_ok;
            let ix = env.rule_ix(&m.at, &model.people[actor], &in_charge, bps);
            if send(env, ix, &[people[actor]], allowed).await {
                model.pay_out(
                    t,
                    parts.to_buyer,
                    parts.arbiter_fee,
                    Some(actor),
                    parts.to_seller,
                );
            }
        }
        Op::Settle {
            trade: t,
            bps,
            both_sign,
        } => {
            let m = &model.trades[t];
            let seller = model.offers[m.offer].seller;
            let parts = split(m.amount, 0, bps.min(BPS_DENOMINATOR)).expect("split");
            let Some(payer_ok) = payer_ok(env, model, t, parts.to_buyer, m.buyer).await else {
                return;
            };
            let allowed =
                m.stage == Stage::Disputed && both_sign && bps <= BPS_DENOMINATOR && payer_ok;
            let mut ix = env.settle_ix(&m.at, &model.people[m.arbiter], bps);
            let mut signers = vec![people[m.buyer]];
            if both_sign {
                signers.push(people[seller]);
            } else {
                ix = unsign(ix, &model.people[seller]);
            }
            if send(env, ix, &signers, allowed).await {
                model.pay_out(t, parts.to_buyer, 0, None, parts.to_seller);
            }
        }
        Op::Propose {
            trade: t,
            actor,
            by_seller,
            tokens,
        } => {
            let who = party(model, t, actor, by_seller);
            let m = &model.trades[t];
            let allowed = negotiates(model, t, who) && tokens <= m.amount;
            let ix = env.propose_ending_ix(&m.at, &model.people[who], tokens);
            if send(env, ix, &[people[who]], allowed).await {
                model.trades[t].proposal = Some((who, tokens));
            }
        }
        Op::WithdrawProposal { trade: t, actor } => {
            let who = actor.unwrap_or(proposer_and_other(model, t).0);
            let m = &model.trades[t];
            let allowed = negotiates(model, t, who) && m.proposal.is_some_and(|(by, _)| by == who);
            let ix = env.withdraw_proposal_ix(&m.at, &model.people[who]);
            if send(env, ix, &[people[who]], allowed).await {
                model.trades[t].proposal = None;
            }
        }
        Op::Accept {
            trade: t,
            actor,
            matches,
        } => {
            let who = actor.unwrap_or(proposer_and_other(model, t).1);
            let m = &model.trades[t];
            let proposed = m.proposal.map_or(0, |(_, tokens)| tokens);
            let named = if matches { proposed } else { proposed + 1 };
            let fee = bps_share(proposed, m.fee_bps).expect("fee");
            let Some(payer_ok) = payer_ok(env, model, t, proposed - fee, who).await else {
                return;
            };
            let allowed = negotiates(model, t, who)
                && m.proposal.is_some_and(|(by, _)| by != who)
                && matches
                && payer_ok;
            let ix =
                env.accept_proposal_ix(&m.at, &model.people[who], &model.people[m.arbiter], named);
            if send(env, ix, &[people[who]], allowed).await {
                let amount = model.trades[t].amount;
                model.pay_out(t, proposed - fee, fee, None, amount - proposed);
            }
        }
        Op::Escalate { trade: t, actor } => {
            let m = &model.trades[t];
            let actor = actor.unwrap_or(STRANGER);
            let to_buyer = if m.escalated || m.fallback.is_none() {
                split(m.amount, 0, m.default_bps).expect("split").to_buyer
            } else {
                0
            };
            let Some(payer_ok) = payer_ok(env, model, t, to_buyer, actor).await else {
                return;
            };
            let allowed = m.stage == Stage::Disputed && now > m.ruling_deadline && payer_ok;
            let ix = env.escalate_ix(&m.at, &model.people[actor], &model.people[m.arbiter]);
            if send(env, ix, &[people[actor]], allowed).await {
                escalate_in_model(model, t);
            }
        }
        Op::Claim { trade: t, actor } => {
            let m = &model.trades[t];
            let actor = actor.unwrap_or(m.buyer);
            let buyer = m.buyer;
            // The buyer claims to its own token account, which must be able to receive.
            if model.frozen[buyer] {
                return;
            }
            if model.token_account_closed[buyer] {
                let account = model.mint.ata(&model.people[buyer]);
                env.mint_to(&model.mint, &model.people[buyer], 0).await;
                model.outside_lamports += u128::from(env.lamports(&account).await);
                model.token_account_closed[buyer] = false;
                model.hardened[buyer] = false;
            }
            let at = TradeRef {
                buyer: model.people[actor],
                ..m.at
            };
            let destination = model.mint.ata(&model.people[buyer]);
            let allowed = m.stage == Stage::Settled && actor == buyer;
            let ix = env.claim_ix(&at, Some(destination), &model.people[buyer]);
            if send(env, ix, &[people[actor]], allowed).await {
                let holding = model.trades[t].at.holding();
                let held = model.balances[&holding];
                model.debit(&holding, held);
                model.credit(buyer, held);
                model.trades[t].stage = Stage::Closed;
            }
        }
        Op::Reassign { who } => {
            if model.reassigned[who] {
                return;
            }
            env.reassign_wallet(people[who]).await;
            model.reassigned[who] = true;
        }
        Op::EmptyWallet { who } => {
            let lamports = env.lamports(&model.people[who]).await;
            if model.reassigned[who] || lamports == 0 {
                return;
            }
            let ix = solana_system_interface::instruction::transfer(
                &model.people[who],
                &model.people[STRANGER],
                lamports,
            );
            env.execute(&[ix], &[people[who]])
                .await
                .expect("a wallet empties itself");
            model.emptied[who] = true;
        }
        Op::Freeze { who, frozen } => {
            if model.token_account_closed[who] || model.frozen[who] == frozen {
                return;
            }
            let account = model.mint.ata(&model.people[who]);
            env.set_frozen(&model.mint, &account, frozen).await;
            model.frozen[who] = frozen;
        }
        Op::CloseTokenAccount { who } => {
            if model.token_account_closed[who] || model.frozen[who] {
                return;
            }
            let account = model.mint.ata(&model.people[who]);
            let balance = model.balances[&account];
            if balance > 0 {
                let to = model.mint.ata(&model.people[STRANGER]);
                env.transfer_tokens(&model.mint, people[who], &to, balance)
                    .await;
                model.debit(&account, balance);
                model.credit(STRANGER, balance);
            }
            env.close_token_account(&model.mint, people[who]).await;
            model.token_account_closed[who] = true;
        }
        Op::Harden { who } => {
            let closed = model.token_account_closed[who];
            if model.mint.token_program != spl_token_2022_interface::ID
                || closed
                || model.frozen[who]
                || model.hardened[who]
            {
                return;
            }
            let account = model.mint.ata(&model.people[who]);
            let before = env.lamports(&account).await;
            env.harden_token_account(&model.mint, people[who], true, true)
                .await;
            model.outside_lamports += u128::from(env.lamports(&account).await - before);
            model.hardened[who] = true;
        }
        Op::ConfigChange {
            fee_bps,
            default_bps,
            fallback_active,
        } => {
            let params = p2p_escrow::state::ConfigParams {
                fee_bps,
                default_buyer_bps: default_bps,
                ..default_params(env)
            };
            let admin = model.people[ADMIN];
            let fallback = model.people[FALLBACK];
            let instructions = [
                env.update_config_ix(&admin, params),
                env.update_arbiter_ix(&fallback, ARBITER_FEE_BPS, fallback_active),
            ];
            env.execute(&instructions, &[people[ADMIN]])
                .await
                .expect("the admin changes the config");
            model.fee_bps = fee_bps;
            model.default_bps = default_bps;
            model.fallback_active = fallback_active;
        }
        Op::DonateLamports { index, trade } => {
            // Only to accounts that exist: lamports sent to a closed address would make a plain
            // system account of it, out of the cast's reach.
            let target = if trade {
                let m = &model.trades[index];
                if m.stage == Stage::Closed {
                    return;
                }
                m.at.address
            } else {
                let m = &model.offers[index];
                if !m.open {
                    return;
                }
                m.at.address
            };
            let ix = solana_system_interface::instruction::transfer(
                &model.people[STRANGER],
                &target,
                1_000_000,
            );
            env.execute(&[ix], &[people[STRANGER]])
                .await
                .expect("anyone can send lamports");
        }
        Op::DonateTokens { offer: o, tokens } => {
            if !model.offers[o].open {
                return;
            }
            let amount = tokens * TOKEN;
            let stranger = model.people[STRANGER];
            env.mint_to(&model.mint, &stranger, amount).await;
            model.minted += amount;
            let vault = model.offers[o].at.vault;
            env.transfer_tokens(&model.mint, people[STRANGER], &vault, amount)
                .await;
            let received = model.received(amount);
            *model.balances.get_mut(&vault).expect("vault") += received;
            model.offers[o].donated += received;
        }
    }
}

/// Sends `instructions` and asserts that the escrow accepted them exactly when the model allows
/// it; returns whether it did.
async fn send_all(
    env: &Env,
    instructions: &[Instruction],
    signers: &[&Keypair],
    allowed: bool,
) -> bool {
    let result = env.execute(instructions, signers).await;
    assert_eq!(
        result.is_ok(),
        allowed,
        "model says allowed = {allowed}, chain says {result:?}"
    );
    let discriminator = instructions.last().expect("an instruction").data[..8].to_vec();
    COVERAGE.with_borrow_mut(|coverage| {
        let (accepted, refused) = coverage.entry(discriminator).or_default();
        *if allowed { accepted } else { refused } += 1;
    });
    allowed
}

thread_local! {
    /// How often each instruction (by discriminator) was accepted and refused.
    static COVERAGE: std::cell::RefCell<BTreeMap<Vec<u8>, (u32, u32)>> =
        const { std::cell::RefCell::new(BTreeMap::new()) };
}

/// Prints how often the sequences ran and refused every instruction of the escrow that a user
/// sends; with `assert`, fails unless each was both accepted and refused, so that the properties
/// were checked on every path.
fn report_coverage(assert: bool) {
    use anchor_lang::Discriminator;
    use p2p_escrow::instruction as ixs;
    let names: [(&str, &[u8]); 20] = [
        ("create_offer", ixs::CreateOffer::DISCRIMINATOR),
        ("deposit", ixs::Deposit::DISCRIMINATOR),
        ("withdraw", ixs::Withdraw::DISCRIMINATOR),
        ("set_offer_paused", ixs::SetOfferPaused::DISCRIMINATOR),
        ("close_offer", ixs::CloseOffer::DISCRIMINATOR),
        ("take_offer", ixs::TakeOffer::DISCRIMINATOR),
        ("cancel_trade", ixs::CancelTrade::DISCRIMINATOR),
        ("expire_trade", ixs::ExpireTrade::DISCRIMINATOR),
        ("mark_paid", ixs::MarkPaid::DISCRIMINATOR),
        ("release", ixs::Release::DISCRIMINATOR),
        (
            "release_with_attestation",
            ixs::ReleaseWithAttestation::DISCRIMINATOR,
        ),
        ("open_dispute", ixs::OpenDispute::DISCRIMINATOR),
        ("submit_evidence", ixs::SubmitEvidence::DISCRIMINATOR),
        ("rule", ixs::Rule::DISCRIMINATOR),
        ("settle", ixs::Settle::DISCRIMINATOR),
        ("escalate", ixs::Escalate::DISCRIMINATOR),
        ("claim", ixs::Claim::DISCRIMINATOR),
        ("propose_ending", ixs::ProposeEnding::DISCRIMINATOR),
        ("withdraw_proposal", ixs::WithdrawProposal::DISCRIMINATOR),
        ("accept_proposal", ixs::AcceptProposal::DISCRIMINATOR),
    ];
    COVERAGE.with_borrow(|coverage| {
        for (name, discriminator) in names {
            let (accepted, refused) = coverage.get(discriminator).copied().unwrap_or_default();
            eprintln!("{name:>24}: {accepted:>6} accepted {refused:>6} refused");
            assert!(
                !assert || (accepted > 0 && refused > 0),
                "{name} was not both accepted and refused"
            );
        }
    });
}

async fn send(env: &Env, ix: Instruction, signers: &[&Keypair], allowed: bool) -> bool {
    send_all(env, &[ix], signers, allowed).await
}

/// Whether `who` can pay for an account it must create: no when it re-assigned its wallet or
/// emptied it, yes with at least 0.1 SOL; `None` when its balance is too close to a rent to say
/// (the step is skipped).
async fn can_pay(env: &Env, model: &Model, who: usize) -> Option<bool> {
    if model.reassigned[who] {
        return Some(false);
    }
    match env.lamports(&model.people[who]).await {
        0 => Some(false),
        lamports if lamports >= 100_000_000 => Some(true),
        _ => None,
    }
}

/// Whether a payout of `to_buyer` on trade `t` sent by `payer` can fund the token account it may
/// have to create: the buyer's, when it closed it, or the trade's holding account, when the
/// buyer's is frozen and the trade's own lamports beyond its rent do not cover the holding's.
async fn payer_ok(env: &Env, model: &Model, t: usize, to_buyer: u64, payer: usize) -> Option<bool> {
    let buyer = model.trades[t].buyer;
    let needs_payer = to_buyer > 0
        && (model.token_account_closed[buyer]
            || model.frozen[buyer] && !trade_funds_its_holding(env, model, t).await);
    if needs_payer {
        can_pay(env, model, payer).await
    } else {
        Some(true)
    }
}

/// Whether the trade's lamports beyond its rent cover the rent of a token account of the mint
/// (the fee vault's size).
async fn trade_funds_its_holding(env: &Env, model: &Model, t: usize) -> bool {
    let rent = env.ctx.banks_client.get_rent().await.expect("rent");
    let Some(trade) = env.account(&model.trades[t].at.address).await else {
        // A closed trade pays nothing out.
        return true;
    };
    let spare = trade.lamports - rent.minimum_balance(trade.data.len());
    let token_account = env.account(&model.fee_vault).await.expect("fee vault");
    spare >= rent.minimum_balance(token_account.data.len())
}

/// The liveness property, then the buyers' claims. From whatever state the sequence reached,
/// advancing the clock and running only permissionless instructions ends every trade (closed, or
/// settled with the buyer's share held), after which every seller closes every offer and every
/// token is accounted for. Then the freeze authority thaws what it froze (the trust the threat
/// model names) and every buyer claims what waits for it.
async fn drain(env: &Env, people: &[&Keypair], model: &mut Model) {
    // Locked trades expire; paid ones are disputed by a stranger after the grace period, then
    // escalated to the fallback arbiter and to the default ruling.
    for _ in 0..3 {
        model.now += PUBLIC_DISPUTE_GRACE + RULING_WINDOW + 1;
        env.set_time(model.now).await;
        for t in 0..model.trades.len() {
            let op = match model.trades[t].stage {
                Stage::Closed | Stage::Settled => continue,
                Stage::Locked => Op::Expire {
                    trade: t,
                    actor: None,
                },
                Stage::Paid => Op::OpenDispute {
                    trade: t,
                    actor: Some(STRANGER),
                },
                Stage::Disputed => Op::Escalate {
                    trade: t,
                    actor: None,
                },
            };
            step(env, people, model, op).await;
            check(env, model).await;
        }
    }
    assert!(
        model
            .trades
            .iter()
            .all(|t| matches!(t.stage, Stage::Closed | Stage::Settled)),
        "permissionless instructions end every trade"
    );
    for o in 0..model.offers.len() {
        if model.offers[o].open {
            step(
                env,
                people,
                model,
                Op::CloseOffer {
                    offer: o,
                    actor: None,
                },
            )
            .await;
            assert!(!model.offers[o].open, "every seller closes every offer");
        }
    }
    check(env, model).await;
    for buyer in [BUYER_0, BUYER_0 + 1] {
        step(
            env,
            people,
            model,
            Op::Freeze {
                who: buyer,
                frozen: false,
            },
        )
        .await;
    }
    for t in 0..model.trades.len() {
        if model.trades[t].stage == Stage::Settled {
            step(
                env,
                people,
                model,
                Op::Claim {
                    trade: t,
                    actor: None,
                },
            )
            .await;
            check(env, model).await;
        }
    }
}

/// Sequences each test runs by default: enough for every instruction to be both accepted and
/// refused, which the default run asserts.
const DEFAULT_CASES: u32 = 250;

/// A whole-number environment variable, or `default` when it is not set.
fn env_number<T: std::str::FromStr<Err: std::fmt::Display>>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Err(_) => default,
        Ok(text) => text
            .parse()
            .unwrap_or_else(|error| panic!("{name}={text:?} is not a usable number: {error}")),
    }
}

/// Runs the sequences of test number `test` (its seed is `P2P_STATEFUL_SEED`, default 1, plus
/// `test`, so the two tests never share a seed), each on a fresh chain. The coverage of every
/// instruction is asserted when at least the default number of sequences ran; a shorter run
/// prints it.
fn run_sequences(test: u8) {
    let cases = env_number("P2P_STATEFUL_CASES", DEFAULT_CASES);
    let seed = env_number::<u8>("P2P_STATEFUL_SEED", 1)
        .checked_add(test)
        .expect("P2P_STATEFUL_SEED must be at most 254: the second test takes the next seed");
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runner
        .run(&sequence(), |(kind, ops)| {
            runtime.block_on(run(kind, ops));
            Ok(())
        })
        .expect("every sequence keeps the escrow's invariants");
    report_coverage(cases >= DEFAULT_CASES);
}

#[test]
fn stateful_sequences_keep_every_invariant_first_seed() {
    run_sequences(0);
}

#[test]
fn stateful_sequences_keep_every_invariant_second_seed() {
    run_sequences(1);
}
