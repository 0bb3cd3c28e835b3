use anchor_lang::error::ErrorCode as AnchorError;
use p2p_escrow::constants::PUBLIC_DISPUTE_GRACE;
use p2p_escrow::events::{
    DisputeEscalated, DisputeOpened, DisputeResolved, EvidenceSubmitted, Resolution,
};
use p2p_escrow::state::TradeState;
use p2p_escrow_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

const AMOUNT: u64 = 100 * TOKEN;

/// The default offer, and a trade of 100 tokens the buyer took and marked paid.
async fn paid_trade() -> (Env, OfferRef, TradeRef) {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let offer = env.create_offer(&mint).await;
    let trade = env.take(&offer, &env.buyer, AMOUNT).await;
    env.ok(&[env.mark_paid_ix(&trade, [6; 32])], &[&env.buyer])
        .await;
    env.track_payout_accounts(&trade);
    env.track(&[
        mint.ata(&env.arbiter.pubkey()),
        mint.ata(&env.fallback_arbiter.pubkey()),
    ]);
    (env, offer, trade)
}

/// A paid trade the seller disputed.
async fn disputed_trade() -> (Env, OfferRef, TradeRef) {
    let (env, offer, trade) = paid_trade().await;
    env.ok(
        &[env.open_dispute_ix(&trade, &env.seller.pubkey(), &env.arbiter.pubkey())],
        &[&env.seller],
    )
    .await;
    (env, offer, trade)
}

#[tokio::test]
async fn the_seller_disputes_a_paid_trade_any_time() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let offer = env.create_offer(&mint).await;
    let trade = env.take(&offer, &env.buyer, AMOUNT).await;
    let arbiter = env.arbiter.pubkey();
    env.refuse(
        &[env.open_dispute_ix(&trade, &env.seller.pubkey(), &arbiter)],
        &[&env.seller],
        code(EscrowError::TradeNotPaid),
    )
    .await;
    env.ok(&[env.mark_paid_ix(&trade, [6; 32])], &[&env.buyer])
        .await;

    let now = env.now().await;
    let events = env
        .ok(
            &[env.open_dispute_ix(&trade, &env.seller.pubkey(), &arbiter)],
            &[&env.seller],
        )
        .await;
    let state = env.trade(&trade).await;
    assert_eq!(state.state, TradeState::Disputed);
    let dispute = state.dispute.expect("dispute");
    assert_eq!(dispute.opened_by, env.seller.pubkey());
    assert_eq!(dispute.opened_at, now);
    assert_eq!(dispute.arbiter, arbiter);
    assert_eq!(dispute.ruling_deadline, now + RULING_WINDOW);
    assert!(!dispute.escalated);
    assert_eq!(env.arbiter_account(&arbiter).await.open_cases, 1);
    let event: DisputeOpened = single_event(&events);
    assert_eq!((event.trade, event.arbiter), (trade.address, arbiter));
    assert_eq!((event.amount, event.fiat_amount), (AMOUNT, 100 * PRICE));

    // Disputing twice is refused.
    env.refuse(
        &[env.open_dispute_ix(&trade, &env.seller.pubkey(), &arbiter)],
        &[&env.seller],
        code(EscrowError::TradeNotPaid),
    )
    .await;
}

#[tokio::test]
async fn the_buyer_disputes_after_the_release_deadline_and_anyone_after_the_grace() {
    let (env, _offer, trade) = paid_trade().await;
    let release_deadline = env.trade(&trade).await.release_deadline;
    let arbiter = env.arbiter.pubkey();
    let buyer_dispute = env.open_dispute_ix(&trade, &env.buyer.pubkey(), &arbiter);
    let public_dispute = env.open_dispute_ix(&trade, &env.stranger.pubkey(), &arbiter);

    for time in [release_deadline - 1, release_deadline] {
        env.set_time(time).await;
        env.refuse(
            std::slice::from_ref(&buyer_dispute),
            &[&env.buyer],
            code(EscrowError::ReleaseWindowOpen),
        )
        .await;
    }
    for time in [
        release_deadline + 1,
        release_deadline + PUBLIC_DISPUTE_GRACE,
    ] {
        env.set_time(time).await;
        env.refuse(
            std::slice::from_ref(&public_dispute),
            &[&env.stranger],
            code(EscrowError::DisputeGraceNotOver),
        )
        .await;
    }
    env.set_time(release_deadline + PUBLIC_DISPUTE_GRACE + 1)
        .await;
    let events = env.ok(&[public_dispute], &[&env.stranger]).await;
    assert_eq!(
        single_event::<DisputeOpened>(&events).opened_by,
        env.stranger.pubkey()
    );

    // The buyer one second after the release deadline, on another trade.
    let (env, _offer, trade) = paid_trade().await;
    let release_deadline = env.trade(&trade).await.release_deadline;
    env.set_time(release_deadline + 1).await;
    env.ok(
        &[env.open_dispute_ix(&trade, &env.buyer.pubkey(), &env.arbiter.pubkey())],
        &[&env.buyer],
    )
    .await;
    assert_eq!(
        env.trade(&trade).await.dispute.unwrap().opened_by,
        env.buyer.pubkey()
    );
}

#[tokio::test]
async fn each_party_submits_evidence_into_its_own_slot() {
    let (env, _offer, trade) = paid_trade().await;
    let (buyer, seller) = (env.buyer.pubkey(), env.seller.pubkey());
    env.refuse(
        &[env.submit_evidence_ix(&trade, &buyer, [1; 32], "ipfs://early")],
        &[&env.buyer],
        code(EscrowError::TradeNotDisputed),
    )
    .await;
    env.ok(
        &[env.open_dispute_ix(&trade, &seller, &env.arbiter.pubkey())],
        &[&env.seller],
    )
    .await;

    let events = env
        .ok(
            &[env.submit_evidence_ix(&trade, &buyer, [1; 32], "ipfs://receipt")],
            &[&env.buyer],
        )
        .await;
    let event: EvidenceSubmitted = single_event(&events);
    assert!(event.by_buyer);
    assert_eq!(
        (event.evidence_hash, event.uri.as_str()),
        ([1; 32], "ipfs://receipt")
    );
    env.ok(
        &[env.submit_evidence_ix(&trade, &seller, [2; 32], "ipfs://statement")],
        &[&env.seller],
    )
    .await;
    let dispute = env.trade(&trade).await.dispute.unwrap();
    assert_eq!(
        (dispute.buyer_evidence, dispute.seller_evidence),
        ([1; 32], [2; 32])
    );

    env.refuse(
        &[env.submit_evidence_ix(&trade, &env.stranger.pubkey(), [3; 32], "x")],
        &[&env.stranger],
        code(EscrowError::NotAParty),
    )
    .await;
    env.refuse(
        &[env.submit_evidence_ix(&trade, &env.arbiter.pubkey(), [3; 32], "x")],
        &[&env.arbiter],
        code(EscrowError::NotAParty),
    )
    .await;
    env.refuse(
        &[env.submit_evidence_ix(&trade, &buyer, [0; 32], "x")],
        &[&env.buyer],
        code(EscrowError::InvalidEvidence),
    )
    .await;
    env.refuse(
        &[env.submit_evidence_ix(&trade, &buyer, [4; 32], &"u".repeat(201))],
        &[&env.buyer],
        code(EscrowError::EvidenceUriTooLong),
    )
    .await;
    env.ok(
        &[env.submit_evidence_ix(&trade, &buyer, [4; 32], &"u".repeat(200))],
        &[&env.buyer],
    )
    .await;
}

#[tokio::test]
async fn the_arbiter_rules_a_split_with_its_fee_by_the_deadline() {
    let (env, offer, trade) = disputed_trade().await;
    let arbiter = env.arbiter.pubkey();
    let buyer = env.buyer.pubkey();
    let deadline = env.trade(&trade).await.dispute.unwrap().ruling_deadline;
    let rule = |signer: &Keypair, bps| env.rule_ix(&trade, &signer.pubkey(), &arbiter, bps);

    // Someone else, even a registered arbiter, cannot rule.
    env.refuse(
        &[env.rule_ix(
            &trade,
            &env.fallback_arbiter.pubkey(),
            &env.fallback_arbiter.pubkey(),
            7_000,
        )],
        &[&env.fallback_arbiter],
        code(EscrowError::NotTradeArbiter),
    )
    .await;
    env.refuse(
        &[rule(&env.stranger, 7_000)],
        &[&env.stranger],
        code(EscrowError::NotTradeArbiter),
    )
    .await;
    env.refuse(
        &[rule(&env.arbiter, 10_001)],
        &[&env.arbiter],
        code(EscrowError::InvalidBps),
    )
    .await;
    // Its fee goes to its own associated token account, nowhere else.
    let arbiter_tokens = trade.offer.mint.ata(&arbiter);
    let stranger_tokens = trade.offer.mint.ata(&env.stranger.pubkey());
    env.refuse(
        &[substitute(
            rule(&env.arbiter, 7_000),
            &arbiter_tokens,
            &stranger_tokens,
        )],
        &[&env.arbiter],
        code(EscrowError::ArbiterTokenAccountMismatch),
    )
    .await;
    env.set_time(deadline + 1).await;
    env.refuse(
        &[rule(&env.arbiter, 7_000)],
        &[&env.arbiter],
        code(EscrowError::RulingDeadlinePassed),
    )
    .await;

    // At the deadline itself the arbiter still rules.
    env.set_time(deadline).await;
    let buyer_lamports = env.lamports(&buyer).await;
    let trade_lamports = env.lamports(&trade.address).await;
    let events = env.ok(&[rule(&env.arbiter, 7_000)], &[&env.arbiter]).await;
    // 2% to the arbiter (2 tokens), 70% of the remaining 98 to the buyer, 29.4 back to the offer.
    let event: DisputeResolved = single_event(&events);
    assert_eq!(event.resolution, Resolution::Ruled);
    assert_eq!(event.arbiter, arbiter);
    assert_eq!(
        (event.arbiter_fee, event.to_buyer, event.to_seller),
        (2 * TOKEN, 68_600_000, 29_400_000)
    );
    assert_eq!(event.bond_to_seller, 0);
    assert_eq!(env.balance(&offer.mint.ata(&arbiter)).await, 2 * TOKEN);
    assert_eq!(env.balance(&offer.mint.ata(&buyer)).await, 68_600_000);
    let state = env.offer(&offer).await;
    assert_eq!(
        (state.available, state.locked),
        (900 * TOKEN + 29_400_000, 0)
    );
    assert!(!env.exists(&trade.address).await);
    assert_eq!(
        env.lamports(&buyer).await,
        buyer_lamports + trade_lamports,
        "rent and bond back"
    );
    let record = env.arbiter_account(&arbiter).await;
    assert_eq!(
        (record.open_cases, record.rulings, record.missed_deadlines),
        (0, 1, 0)
    );
}

#[tokio::test]
async fn a_ruling_that_gives_the_buyer_nothing_pays_the_bond_to_the_seller() {
    let (env, offer, trade) = disputed_trade().await;
    let seller_lamports = env.lamports(&env.seller.pubkey()).await;
    let events = env
        .ok(
            &[env.rule_ix(&trade, &env.arbiter.pubkey(), &env.arbiter.pubkey(), 0)],
            &[&env.arbiter],
        )
        .await;
    let event: DisputeResolved = single_event(&events);
    assert_eq!((event.to_buyer, event.to_seller), (0, 98 * TOKEN));
    assert_eq!(event.bond_to_seller, BUYER_BOND);
    assert_eq!(
        env.lamports(&env.seller.pubkey()).await,
        seller_lamports + BUYER_BOND
    );
    assert_eq!(env.offer(&offer).await.available, 900 * TOKEN + 98 * TOKEN);
}

#[tokio::test]
async fn both_parties_settle_without_the_arbiter_fee() {
    let (env, offer, trade) = disputed_trade().await;
    let arbiter = env.arbiter.pubkey();
    let settle = env.settle_ix(&trade, &arbiter, 5_000);
    env.refuse(
        &[unsign(settle.clone(), &env.seller.pubkey())],
        &[&env.buyer],
        anchor_code(AnchorError::AccountNotSigner),
    )
    .await;
    env.refuse(
        &[unsign(settle.clone(), &env.buyer.pubkey())],
        &[&env.seller],
        anchor_code(AnchorError::AccountNotSigner),
    )
    .await;
    env.refuse(
        &[env.settle_ix(&trade, &arbiter, 10_001)],
        &[&env.buyer, &env.seller],
        code(EscrowError::InvalidBps),
    )
    .await;
    env.refuse(
        &[env.settle_ix(&trade, &env.fallback_arbiter.pubkey(), 5_000)],
        &[&env.buyer, &env.seller],
        code(EscrowError::ArbiterMismatch),
    )
    .await;
    let events = env.ok(&[settle], &[&env.buyer, &env.seller]).await;
    let event: DisputeResolved = single_event(&events);
    assert_eq!(event.resolution, Resolution::Settled);
    assert_eq!(
        (event.arbiter_fee, event.to_buyer, event.to_seller),
        (0, 50 * TOKEN, 50 * TOKEN)
    );
    assert_eq!(
        env.balance(&offer.mint.ata(&env.buyer.pubkey())).await,
        50 * TOKEN
    );
    let record = env.arbiter_account(&arbiter).await;
    assert_eq!((record.open_cases, record.rulings), (0, 0));
    assert!(!env.exists(&trade.address).await);
}

#[tokio::test]
async fn escalation_hands_the_case_to_the_fallback_arbiter() {
    let (env, _offer, trade) = disputed_trade().await;
    let (arbiter, fallback) = (env.arbiter.pubkey(), env.fallback_arbiter.pubkey());
    let deadline = env.trade(&trade).await.dispute.unwrap().ruling_deadline;
    let cranker = env.stranger.pubkey();
    for time in [deadline - 1, deadline] {
        env.set_time(time).await;
        env.refuse(
            &[env.escalate_ix(&trade, &cranker, &arbiter)],
            &[&env.stranger],
            code(EscrowError::RulingDeadlineNotReached),
        )
        .await;
    }
    env.set_time(deadline + 1).await;
    env.refuse(
        &[env.escalate_ix(&trade, &cranker, &fallback)],
        &[&env.stranger],
        code(EscrowError::ArbiterMismatch),
    )
    .await;
    // The trade's fallback arbiter must be named when the dispute goes to it.
    let without_fallback = TradeRef {
        fallback: None,
        ..trade
    };
    env.refuse(
        &[env.escalate_ix(&without_fallback, &cranker, &arbiter)],
        &[&env.stranger],
        code(EscrowError::FallbackArbiterMismatch),
    )
    .await;

    let events = env
        .ok(
            &[env.escalate_ix(&trade, &cranker, &arbiter)],
            &[&env.stranger],
        )
        .await;
    let event: DisputeEscalated = single_event(&events);
    assert_eq!((event.previous_arbiter, event.arbiter), (arbiter, fallback));
    assert_eq!(event.ruling_deadline, deadline + 1 + RULING_WINDOW);
    let dispute = env.trade(&trade).await.dispute.unwrap();
    assert!(dispute.escalated);
    assert_eq!(dispute.arbiter, fallback);
    let missed = env.arbiter_account(&arbiter).await;
    assert_eq!((missed.open_cases, missed.missed_deadlines), (0, 1));
    assert_eq!(env.arbiter_account(&fallback).await.open_cases, 1);

    // The original arbiter has lost the case; the fallback rules it.
    env.refuse(
        &[env.rule_ix(&trade, &arbiter, &arbiter, 7_000)],
        &[&env.arbiter],
        code(EscrowError::NotTradeArbiter),
    )
    .await;
    let events = env
        .ok(
            &[env.rule_ix(&trade, &fallback, &fallback, 10_000)],
            &[&env.fallback_arbiter],
        )
        .await;
    let event: DisputeResolved = single_event(&events);
    // The fallback earns the fee the buyer agreed to at take.
    assert_eq!(
        (event.arbiter, event.arbiter_fee, event.to_buyer),
        (fallback, 2 * TOKEN, 98 * TOKEN)
    );
    assert_eq!(env.arbiter_account(&fallback).await.rulings, 1);
}

#[tokio::test]
async fn when_every_arbiter_misses_the_default_ruling_leaves_nothing_behind() {
    let (env, offer, trade) = disputed_trade().await;
    let (arbiter, fallback) = (env.arbiter.pubkey(), env.fallback_arbiter.pubkey());
    let (seller, buyer) = (env.seller.pubkey(), env.buyer.pubkey());
    let mint = offer.mint;
    let buyer_lamports = env.lamports(&buyer).await;
    let trade_lamports = env.lamports(&trade.address).await;
    let cranker = env.stranger.pubkey();

    // The arbiter misses its deadline: the fallback takes over.
    let deadline = env.trade(&trade).await.dispute.unwrap().ruling_deadline;
    env.set_time(deadline + 1).await;
    env.ok(
        &[env.escalate_ix(&trade, &cranker, &arbiter)],
        &[&env.stranger],
    )
    .await;
    // The fallback misses too: the config's default ruling (50%) applies, without a fee.
    let deadline = env.trade(&trade).await.dispute.unwrap().ruling_deadline;
    env.set_time(deadline).await;
    env.refuse(
        &[env.escalate_ix(&trade, &cranker, &fallback)],
        &[&env.stranger],
        code(EscrowError::RulingDeadlineNotReached),
    )
    .await;
    env.set_time(deadline + 1).await;
    let events = env
        .ok(
            &[env.escalate_ix(&trade, &cranker, &fallback)],
            &[&env.stranger],
        )
        .await;
    let event: DisputeResolved = single_event(&events);
    assert_eq!(event.resolution, Resolution::DefaultRuling);
    assert_eq!(event.arbiter, fallback);
    assert_eq!(
        (event.arbiter_fee, event.to_buyer, event.to_seller),
        (0, 50 * TOKEN, 50 * TOKEN)
    );
    assert_eq!(event.bond_to_seller, 0);

    // The trade is closed, its rent and bond back with the buyer.
    assert!(!env.exists(&trade.address).await);
    assert_eq!(env.lamports(&buyer).await, buyer_lamports + trade_lamports);
    for record in [arbiter, fallback] {
        let record = env.arbiter_account(&record).await;
        assert_eq!(
            (record.open_cases, record.rulings, record.missed_deadlines),
            (0, 0, 1)
        );
    }
    // The seller closes the offer: every token is with the buyer or the seller, and no program
    // account of the offer or the trade is left.
    env.ok(&[env.close_offer_ix(&offer)], &[&env.seller]).await;
    assert!(!env.exists(&offer.address).await && !env.exists(&offer.vault).await);
    assert_eq!(env.balance(&mint.ata(&buyer)).await, 50 * TOKEN);
    assert_eq!(env.balance(&mint.ata(&seller)).await, 950 * TOKEN);
    assert_eq!(
        env.balance(&mint.ata(&arbiter)).await + env.balance(&mint.ata(&fallback)).await,
        0
    );
}

#[tokio::test]
async fn without_a_usable_fallback_the_first_escalation_applies_the_default_ruling() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let offer = env.create_offer(&mint).await;
    // Before the take, the admin deactivates the fallback arbiter and sets a default ruling of 0%,
    // which gives the bond to the seller: the trade fixes both.
    env.ok(
        &[env.update_arbiter_ix(&env.fallback_arbiter.pubkey(), ARBITER_FEE_BPS, false)],
        &[&env.admin],
    )
    .await;
    let params = p2p_escrow::state::ConfigParams {
        default_buyer_bps: 0,
        ..default_params(&env)
    };
    env.ok(
        &[env.update_config_ix(&env.admin.pubkey(), params)],
        &[&env.admin],
    )
    .await;
    let trade = env.take(&offer, &env.buyer, AMOUNT).await;
    assert_eq!(env.trade(&trade).await.fallback_arbiter, None);
    env.ok(&[env.mark_paid_ix(&trade, [1; 32])], &[&env.buyer])
        .await;
    env.ok(
        &[env.open_dispute_ix(&trade, &env.seller.pubkey(), &env.arbiter.pubkey())],
        &[&env.seller],
    )
    .await;
    let deadline = env.trade(&trade).await.dispute.unwrap().ruling_deadline;
    env.set_time(deadline + 1).await;
    let seller_lamports = env.lamports(&env.seller.pubkey()).await;
    let events = env
        .ok(
            &[env.escalate_ix(&trade, &env.stranger.pubkey(), &env.arbiter.pubkey())],
            &[&env.stranger],
        )
        .await;
    let event: DisputeResolved = single_event(&events);
    assert_eq!(event.resolution, Resolution::DefaultRuling);
    assert_eq!(
        (event.to_buyer, event.to_seller, event.bond_to_seller),
        (0, AMOUNT, BUYER_BOND)
    );
    assert_eq!(
        env.lamports(&env.seller.pubkey()).await,
        seller_lamports + BUYER_BOND
    );
    assert_eq!(env.offer(&offer).await.available, 1_000 * TOKEN);
    let missed = env.arbiter_account(&env.arbiter.pubkey()).await;
    assert_eq!((missed.open_cases, missed.missed_deadlines), (0, 1));
}

#[tokio::test]
async fn a_deactivated_arbiter_keeps_its_open_cases() {
    let (env, offer, trade) = disputed_trade().await;
    let arbiter = env.arbiter.pubkey();
    env.ok(
        &[env.update_arbiter_ix(&arbiter, ARBITER_FEE_BPS, false)],
        &[&env.admin],
    )
    .await;
    // No new trades name it...
    env.refuse_take(
        &offer,
        &env.buyer2,
        TOKEN,
        code(EscrowError::ArbiterInactive),
    )
    .await;
    // ...but the case it has, it still rules.
    let events = env
        .ok(
            &[env.rule_ix(&trade, &arbiter, &arbiter, 5_000)],
            &[&env.arbiter],
        )
        .await;
    assert_eq!(
        single_event::<DisputeResolved>(&events).resolution,
        Resolution::Ruled
    );
    assert_eq!(env.arbiter_account(&arbiter).await.open_cases, 0);
}
