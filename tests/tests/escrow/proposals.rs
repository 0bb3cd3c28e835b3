//! Endings the parties negotiate: either party of a paid or disputed trade proposes how many
//! tokens the buyer gets, in its own transaction; the other accepts in its own, which pays out (the
//! buyer's share less the protocol fee, the rest back to the offer, the bond back to the buyer); a
//! proposal is withdrawn by its author or replaced by either party, and does not outlive a
//! dispute's opening or escalation. Zero is a collaborative cancel. Every refusal is named and changes nothing; the stateful test runs them at random.

use p2p_escrow::events::{EndingProposed, ProposalAccepted, ProposalWithdrawn};
use p2p_escrow::math::bps_share;
use p2p_escrow::state::Proposal;
use p2p_escrow_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// The trade's amount.
const AMOUNT: u64 = 100 * TOKEN;

/// A trade of `AMOUNT`, marked paid (and disputed by the seller when `disputed`), with every
/// account a refusal must leave alone tracked.
async fn negotiable(disputed: bool) -> (Env, OfferRef, TradeRef) {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let offer = env.create_offer(&mint).await;
    let trade = env.take(&offer, &env.buyer, AMOUNT).await;
    env.ok(&[env.mark_paid_ix(&trade, [6; 32])], &[&env.buyer])
        .await;
    if disputed {
        env.ok(
            &[env.open_dispute_ix(&trade, &env.seller.pubkey(), &env.arbiter.pubkey())],
            &[&env.seller],
        )
        .await;
    }
    env.track_payout_accounts(&trade);
    env.track(&[
        trade.address,
        offer.address,
        offer.vault,
        trade.buyer,
        offer.seller,
        addresses::arbiter(&env.arbiter.pubkey()),
    ]);
    (env, offer, trade)
}

async fn propose(env: &Env, trade: &TradeRef, party: &Keypair, buyer_amount: u64) {
    let events = env
        .ok(
            &[env.propose_ending_ix(trade, &party.pubkey(), buyer_amount)],
            &[party],
        )
        .await;
    let event: EndingProposed = single_event(&events);
    assert_eq!(event.proposed_by, party.pubkey());
    assert_eq!(event.buyer_amount, buyer_amount);
    assert_eq!(
        env.trade(trade).await.proposal,
        Some(Proposal {
            proposed_by: party.pubkey(),
            buyer_amount,
            proposed_at: env.now().await,
        })
    );
}

fn accept_ix(
    env: &Env,
    trade: &TradeRef,
    party: &Keypair,
    buyer_amount: u64,
) -> solana_instruction::Instruction {
    env.accept_proposal_ix(trade, &party.pubkey(), &env.arbiter.pubkey(), buyer_amount)
}

#[tokio::test]
async fn the_other_party_accepts_a_split_and_it_pays_out() {
    let (env, offer, trade) = negotiable(false).await;
    propose(&env, &trade, &env.seller, 40 * TOKEN).await;
    let buyer_tokens = env.balance(&offer.mint.ata(&trade.buyer)).await;
    let fees = env.balance(&fee_vault(&offer.mint)).await;
    let buyer_lamports = env.lamports(&trade.buyer).await;
    let trade_lamports = env.lamports(&trade.address).await;
    let available = env.offer(&offer).await.available;

    let events = env
        .ok(
            &[accept_ix(&env, &trade, &env.buyer, 40 * TOKEN)],
            &[&env.buyer],
        )
        .await;
    let fee = bps_share(40 * TOKEN, FEE_BPS).expect("fee");
    let accepted: ProposalAccepted = single_event(&events);
    assert_eq!(accepted.proposed_by, env.seller.pubkey());
    assert_eq!(accepted.accepted_by, env.buyer.pubkey());
    assert_eq!(accepted.to_buyer, 40 * TOKEN - fee);
    assert_eq!(accepted.protocol_fee, fee);
    assert_eq!(accepted.to_seller, 60 * TOKEN);
    assert_eq!(accepted.bond_returned, BUYER_BOND);
    assert_eq!(
        env.balance(&offer.mint.ata(&trade.buyer)).await,
        buyer_tokens + 40 * TOKEN - fee
    );
    assert_eq!(env.balance(&fee_vault(&offer.mint)).await, fees + fee);
    let state = env.offer(&offer).await;
    assert_eq!(state.available, available + 60 * TOKEN);
    assert_eq!(state.locked, 0);
    assert!(!env.exists(&trade.address).await);
    // The buyer got the trade's rent and bond, and paid for the two token accounts it created
    // (its own and the mint's fee vault); the fixture's payer pays the fees.
    let created = env.lamports(&offer.mint.ata(&trade.buyer)).await
        + env.lamports(&fee_vault(&offer.mint)).await;
    assert_eq!(
        env.lamports(&trade.buyer).await,
        buyer_lamports + trade_lamports - created
    );
}

#[tokio::test]
async fn a_collaborative_cancel_of_a_dispute_returns_everything_and_closes_the_case() {
    let (env, offer, trade) = negotiable(true).await;
    let arbiter = env.arbiter_account(&env.arbiter.pubkey()).await;
    assert_eq!(arbiter.open_cases, 1);
    propose(&env, &trade, &env.buyer, 0).await;
    let available = env.offer(&offer).await.available;
    let buyer_lamports = env.lamports(&trade.buyer).await;
    let trade_lamports = env.lamports(&trade.address).await;
    let seller_lamports = env.lamports(&offer.seller).await;

    // The arbiter account named must be the one in charge.
    env.refuse(
        &[env.accept_proposal_ix(
            &trade,
            &env.seller.pubkey(),
            &env.fallback_arbiter.pubkey(),
            0,
        )],
        &[&env.seller],
        code(EscrowError::ArbiterMismatch),
    )
    .await;
    let events = env
        .ok(&[accept_ix(&env, &trade, &env.seller, 0)], &[&env.seller])
        .await;
    let accepted: ProposalAccepted = single_event(&events);
    assert_eq!((accepted.to_buyer, accepted.protocol_fee), (0, 0));
    assert_eq!(accepted.to_seller, AMOUNT);
    assert_eq!(env.offer(&offer).await.available, available + AMOUNT);
    assert_eq!(
        env.lamports(&trade.buyer).await,
        buyer_lamports + trade_lamports
    );
    assert_eq!(env.lamports(&offer.seller).await, seller_lamports);
    assert!(
        !env.exists(&fee_vault(&offer.mint)).await,
        "no fee, no fee vault"
    );
    assert!(!env.exists(&offer.mint.ata(&trade.buyer)).await);
    let arbiter = env.arbiter_account(&env.arbiter.pubkey()).await;
    assert_eq!(arbiter.open_cases, 0);
    assert_eq!(arbiter.rulings, 0);
}

#[tokio::test]
async fn every_refusal_of_the_state_machine_is_named_and_changes_nothing() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let offer = env.create_offer(&mint).await;
    let trade = env.take(&offer, &env.buyer, AMOUNT).await;
    env.track_payout_accounts(&trade);
    env.track(&[trade.address, offer.address, offer.vault]);
    // An unpaid trade has nothing to negotiate: the buyer cancels it alone.
    for party in [&env.buyer, &env.seller] {
        env.refuse(
            &[env.propose_ending_ix(&trade, &party.pubkey(), 0)],
            &[party],
            code(EscrowError::NotNegotiable),
        )
        .await;
    }
    env.ok(&[env.mark_paid_ix(&trade, [6; 32])], &[&env.buyer])
        .await;

    for outsider in [&env.stranger, &env.arbiter, &env.admin] {
        env.refuse(
            &[env.propose_ending_ix(&trade, &outsider.pubkey(), 0)],
            &[outsider],
            code(EscrowError::NotAParty),
        )
        .await;
    }
    env.refuse(
        &[env.propose_ending_ix(&trade, &env.buyer.pubkey(), AMOUNT + 1)],
        &[&env.buyer],
        code(EscrowError::ProposalExceedsAmount),
    )
    .await;
    env.refuse(
        &[accept_ix(&env, &trade, &env.buyer, 0)],
        &[&env.buyer],
        code(EscrowError::NoProposal),
    )
    .await;
    env.refuse(
        &[env.withdraw_proposal_ix(&trade, &env.seller.pubkey())],
        &[&env.seller],
        code(EscrowError::NoProposal),
    )
    .await;

    propose(&env, &trade, &env.seller, 40 * TOKEN).await;
    env.refuse(
        &[accept_ix(&env, &trade, &env.seller, 40 * TOKEN)],
        &[&env.seller],
        code(EscrowError::OwnProposal),
    )
    .await;
    env.refuse(
        &[accept_ix(&env, &trade, &env.buyer, 50 * TOKEN)],
        &[&env.buyer],
        code(EscrowError::ProposalChanged),
    )
    .await;
    env.refuse(
        &[env.withdraw_proposal_ix(&trade, &env.buyer.pubkey())],
        &[&env.buyer],
        code(EscrowError::NotProposer),
    )
    .await;
    env.refuse(
        &[accept_ix(&env, &trade, &env.stranger, 40 * TOKEN)],
        &[&env.stranger],
        code(EscrowError::NotAParty),
    )
    .await;

    // The proposer withdraws; nothing is left to accept.
    let events = env
        .ok(
            &[env.withdraw_proposal_ix(&trade, &env.seller.pubkey())],
            &[&env.seller],
        )
        .await;
    let withdrawn: ProposalWithdrawn = single_event(&events);
    assert_eq!(withdrawn.proposed_by, env.seller.pubkey());
    assert_eq!(env.trade(&trade).await.proposal, None);
    env.refuse(
        &[accept_ix(&env, &trade, &env.buyer, 40 * TOKEN)],
        &[&env.buyer],
        code(EscrowError::NoProposal),
    )
    .await;

    // A proposal does not outlive the dispute's opening: accepting a stale one alone would get
    // around the arbiter.
    propose(&env, &trade, &env.seller, 30 * TOKEN).await;
    env.ok(
        &[env.open_dispute_ix(&trade, &env.seller.pubkey(), &env.arbiter.pubkey())],
        &[&env.seller],
    )
    .await;
    assert_eq!(env.trade(&trade).await.proposal, None);
    env.refuse(
        &[accept_ix(&env, &trade, &env.buyer, 30 * TOKEN)],
        &[&env.buyer],
        code(EscrowError::NoProposal),
    )
    .await;

    // In the dispute, the seller proposes, the buyer counters (replacing it), and the seller
    // accepts the counter.
    propose(&env, &trade, &env.seller, 30 * TOKEN).await;
    propose(&env, &trade, &env.buyer, 45 * TOKEN).await;
    env.refuse(
        &[accept_ix(&env, &trade, &env.buyer, 45 * TOKEN)],
        &[&env.buyer],
        code(EscrowError::OwnProposal),
    )
    .await;
    env.refuse(
        &[accept_ix(&env, &trade, &env.seller, 30 * TOKEN)],
        &[&env.seller],
        code(EscrowError::ProposalChanged),
    )
    .await;
    let events = env
        .ok(
            &[accept_ix(&env, &trade, &env.seller, 45 * TOKEN)],
            &[&env.seller],
        )
        .await;
    let accepted: ProposalAccepted = single_event(&events);
    assert_eq!(accepted.proposed_by, env.buyer.pubkey());
    assert_eq!(accepted.to_seller, 55 * TOKEN);

    // An ended trade takes no proposal: its account is gone.
    env.refuse_with(
        &[env.propose_ending_ix(&trade, &env.buyer.pubkey(), 0)],
        &[&env.buyer],
    )
    .await;
}
