//! The response window: a take gives the seller `response_window` seconds to post its payment
//! details in the trade's room; the first details start the buyer's payment window; a seller who
//! lets the response window pass lets anyone end the trade with the buyer's bond returned. Every
//! edge one second before, at and after; every refusal changes nothing.

use p2p_escrow::events::{MessagePosted, PaymentWindowStarted, TradeExpired};
use p2p_escrow::room::MessageKind;
use p2p_escrow::state::OfferTerms;
use p2p_escrow_tests::*;
use solana_signer::Signer;

/// The response window of the offers here (15 minutes).
const RESPONSE_WINDOW: i64 = 15 * 60;

/// An offer with a response window, and the time of its creation.
async fn answered_offer(env: &Env) -> (OfferRef, i64) {
    let mint = env.create_mint(MintKind::Spl).await;
    let terms = OfferTerms {
        response_window: RESPONSE_WINDOW,
        ..env.default_terms()
    };
    let offer = env.create_offer_with(&mint, 1_000 * TOKEN, terms).await;
    (offer, env.now().await)
}

/// A trade of `offer` taken at `start`, its payout accounts tracked.
async fn trade_at(env: &Env, offer: &OfferRef, start: i64) -> TradeRef {
    env.set_time(start).await;
    let trade = env.take(offer, &env.buyer, 10 * TOKEN).await;
    env.track_payout_accounts(&trade);
    env.track(&[offer.address, offer.seller, trade.buyer]);
    trade
}

fn details_ix(env: &Env, trade: &TradeRef) -> solana_instruction::Instruction {
    env.post_message_ix(
        trade,
        &env.seller.pubkey(),
        MessageKind::PaymentDetails,
        b"sealed details".to_vec(),
    )
}

#[tokio::test]
async fn a_take_fixes_the_response_deadline_and_the_latest_payment_deadline() {
    let env = Env::new().await;
    let (offer, start) = answered_offer(&env).await;
    let trade = trade_at(&env, &offer, start).await;
    let state = env.trade(&trade).await;
    assert_eq!(state.response_deadline, start + RESPONSE_WINDOW);
    assert_eq!(
        state.payment_deadline,
        start + RESPONSE_WINDOW + PAYMENT_WINDOW
    );
    assert_eq!(state.payment_window, PAYMENT_WINDOW);
    assert_eq!(state.details_at, 0);

    // Without a response window the payment window runs from the take, and details move nothing.
    let plain = env.create_offer(&offer.mint).await;
    let trade = trade_at(&env, &plain, start).await;
    assert_eq!(env.trade(&trade).await.response_deadline, 0);
    env.set_time(start + 100).await;
    let events = env.ok(&[details_ix(&env, &trade)], &[&env.seller]).await;
    assert!(events_of::<PaymentWindowStarted>(&events).is_empty());
    let state = env.trade(&trade).await;
    assert_eq!(state.details_at, start + 100);
    assert_eq!(state.payment_deadline, start + PAYMENT_WINDOW);
}

#[tokio::test]
async fn the_first_details_start_the_payment_window_up_to_the_response_deadline() {
    let env = Env::new().await;
    let (offer, start) = answered_offer(&env).await;
    for offset in [-1, 0, 1] {
        let trade = trade_at(&env, &offer, start).await;
        let at = start + RESPONSE_WINDOW + offset;
        env.set_time(at).await;
        if offset > 0 {
            env.refuse(
                &[details_ix(&env, &trade)],
                &[&env.seller],
                code(EscrowError::ResponseDeadlinePassed),
            )
            .await;
            // The room stays open for anything else.
            env.ok(
                &[env.post_message_ix(
                    &trade,
                    &env.buyer.pubkey(),
                    MessageKind::Chat,
                    b"hello?".to_vec(),
                )],
                &[&env.buyer],
            )
            .await;
            continue;
        }
        let events = env.ok(&[details_ix(&env, &trade)], &[&env.seller]).await;
        let posted = events_of::<MessagePosted>(&events).remove(0);
        assert_eq!(posted.kind, MessageKind::PaymentDetails);
        let started = events_of::<PaymentWindowStarted>(&events).remove(0);
        assert_eq!(started.details_at, at);
        assert_eq!(started.payment_deadline, at + PAYMENT_WINDOW);
        let state = env.trade(&trade).await;
        assert_eq!(state.details_at, at);
        assert_eq!(state.payment_deadline, at + PAYMENT_WINDOW);

        // Later details (a correction) move nothing.
        env.set_time(at + 10).await;
        let events = env.ok(&[details_ix(&env, &trade)], &[&env.seller]).await;
        assert!(events_of::<PaymentWindowStarted>(&events).is_empty());
        assert_eq!(
            env.trade(&trade).await.payment_deadline,
            at + PAYMENT_WINDOW
        );
    }
}

#[tokio::test]
async fn a_silent_seller_lets_anyone_end_the_trade_with_the_bond_returned() {
    let env = Env::new().await;
    let (offer, start) = answered_offer(&env).await;
    for offset in [-1, 0, 1] {
        let trade = trade_at(&env, &offer, start).await;
        env.set_time(start + RESPONSE_WINDOW + offset).await;
        let expire = env.expire_trade_ix(&trade, &env.stranger.pubkey());
        if offset <= 0 {
            env.refuse(
                &[expire],
                &[&env.stranger],
                code(EscrowError::ResponseDeadlineNotReached),
            )
            .await;
            env.ok(&[env.cancel_trade_ix(&trade)], &[&env.buyer]).await;
            continue;
        }
        let buyer_before = env.lamports(&trade.buyer).await;
        let seller_before = env.lamports(&offer.seller).await;
        let trade_lamports = env.lamports(&trade.address).await;
        let available = env.offer(&offer).await.available;
        let events = env.ok(&[expire], &[&env.stranger]).await;
        let expired: TradeExpired = single_event(&events);
        assert!(expired.unanswered);
        assert_eq!(expired.bond_to_seller, 0);
        assert!(!env.exists(&trade.address).await);
        assert_eq!(
            env.lamports(&trade.buyer).await,
            buyer_before + trade_lamports,
            "the buyer gets its rent and bond back"
        );
        assert_eq!(env.lamports(&offer.seller).await, seller_before);
        assert_eq!(env.offer(&offer).await.available, available + 10 * TOKEN);
    }
}

#[tokio::test]
async fn once_answered_the_payment_window_runs_from_the_details() {
    let env = Env::new().await;
    let (offer, start) = answered_offer(&env).await;
    let details = start + 60;
    for offset in [-1, 0, 1] {
        let trade = trade_at(&env, &offer, start).await;
        env.set_time(details).await;
        env.ok(&[details_ix(&env, &trade)], &[&env.seller]).await;
        let deadline = details + PAYMENT_WINDOW;
        env.set_time(deadline + offset).await;
        let expire = env.expire_trade_ix(&trade, &env.stranger.pubkey());
        if offset <= 0 {
            // Still the buyer's time: no expiry; it may mark paid.
            env.refuse(
                &[expire],
                &[&env.stranger],
                code(EscrowError::PaymentDeadlineNotReached),
            )
            .await;
            env.ok(&[env.mark_paid_ix(&trade, [1; 32])], &[&env.buyer])
                .await;
            continue;
        }
        env.refuse(
            &[env.mark_paid_ix(&trade, [1; 32])],
            &[&env.buyer],
            code(EscrowError::PaymentDeadlinePassed),
        )
        .await;
        let seller_before = env.lamports(&offer.seller).await;
        let events = env.ok(&[expire], &[&env.stranger]).await;
        let expired: TradeExpired = single_event(&events);
        assert!(!expired.unanswered);
        assert_eq!(expired.bond_to_seller, BUYER_BOND);
        assert_eq!(
            env.lamports(&offer.seller).await,
            seller_before + BUYER_BOND
        );
    }
}

#[tokio::test]
async fn response_windows_out_of_bounds_are_refused() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    for (window, allowed) in [
        (-1, false),
        (0, true),
        (59, false),
        (60, true),
        (24 * 60 * 60, true),
        (24 * 60 * 60 + 1, false),
    ] {
        let terms = OfferTerms {
            response_window: window,
            ..env.default_terms()
        };
        let seller = env.seller.pubkey();
        let offer = env.offer_ref(&seller, env.next_offer_id(&seller).await, &mint);
        env.mint_to(&mint, &seller, TOKEN).await;
        env.track(&[offer.address, mint.ata(&seller)]);
        let create = env.create_offer_ix(&offer, TOKEN, terms);
        if allowed {
            env.ok(&[create], &[&env.seller]).await;
            assert_eq!(env.offer(&offer).await.terms.response_window, window);
        } else {
            env.refuse(
                &[create],
                &[&env.seller],
                code(EscrowError::ResponseWindowOutOfBounds),
            )
            .await;
        }
    }
}
