use anchor_lang::error::ErrorCode as AnchorError;
use p2p_escrow::events::{TradeCancelled, TradeExpired, TradePaid, TradeReleased, TradeTaken};
use p2p_escrow::state::{OfferTerms, TradeState};
use p2p_escrow::terms::TakeTerms;
use p2p_escrow_tests::*;
use solana_signer::Signer;

/// An env with an SPL mint and the default offer.
async fn market() -> (Env, OfferRef) {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let offer = env.create_offer(&mint).await;
    (env, offer)
}

#[tokio::test]
async fn buyer_takes_part_of_an_offer() {
    let (env, offer) = market().await;
    let buyer = env.buyer.pubkey();
    let lamports_before = env.lamports(&buyer).await;
    let now = env.now().await;
    let trade = env.next_trade(&offer, &buyer).await;
    assert_eq!(trade.trade_id, 0);
    let args = env.take_args(&trade, 20 * TOKEN).await;
    let events = env
        .ok(&[env.take_offer_ix(&trade, args).await], &[&env.buyer])
        .await;
    env.track(&[trade.address]);

    let state = env.trade(&trade).await;
    assert_eq!(state.offer, offer.address);
    assert_eq!(state.trade_id, 0);
    assert_eq!(
        (state.fallback_arbiter, state.default_buyer_bps),
        (Some(env.fallback_arbiter.pubkey()), 5_000)
    );
    assert_eq!(
        (state.ruling_window, state.release_window),
        (RULING_WINDOW, RELEASE_WINDOW)
    );
    assert_eq!((state.seller, state.buyer), (env.seller.pubkey(), buyer));
    assert_eq!(state.mint, offer.mint.address);
    assert_eq!(state.amount, 20 * TOKEN);
    assert_eq!(state.fiat_amount, 20 * PRICE);
    assert_eq!(
        (state.fee_bps, state.arbiter_fee_bps),
        (FEE_BPS, ARBITER_FEE_BPS)
    );
    assert_eq!(state.arbiter, env.arbiter.pubkey());
    assert_eq!(state.buyer_bond, BUYER_BOND);
    assert_eq!(state.state, TradeState::Locked);
    assert_eq!(state.created_at, now);
    assert_eq!(state.payment_deadline, now + PAYMENT_WINDOW);
    assert_eq!((state.paid_at, state.release_deadline), (0, 0));
    assert_eq!(state.dispute, None);

    let offer_state = env.offer(&offer).await;
    assert_eq!(
        (offer_state.available, offer_state.locked),
        (980 * TOKEN, 20 * TOKEN)
    );
    // The buyer paid the trade's rent and the bond, both held by the trade account.
    let trade_lamports = env.lamports(&trade.address).await;
    assert_eq!(env.lamports(&buyer).await, lamports_before - trade_lamports);
    let rent = env.ctx.banks_client.get_rent().await.unwrap();
    let size = env.account(&trade.address).await.unwrap().data.len();
    assert_eq!(trade_lamports, rent.minimum_balance(size) + BUYER_BOND);

    let event: TradeTaken = single_event(&events);
    assert_eq!(event.trade, trade.address);
    assert_eq!((event.amount, event.fiat_amount), (20 * TOKEN, 20 * PRICE));
    assert_eq!(event.fiat_currency, *b"EUR");
    assert_eq!(event.payment_deadline, now + PAYMENT_WINDOW);

    // The buyer's next trade gets its next id; another buyer's first trade, its own first id.
    let second = env.take(&offer, &env.buyer, TOKEN).await;
    assert_eq!(env.trade(&second).await.trade_id, 1);
    let other = env.take(&offer, &env.buyer2, TOKEN).await;
    assert_eq!(env.trade(&other).await.trade_id, 0);
}

#[tokio::test]
async fn take_refuses_bad_amounts_and_roles() {
    let (env, offer) = market().await;
    // Leave 50 tokens available.
    env.ok(&[env.withdraw_ix(&offer, 950 * TOKEN)], &[&env.seller])
        .await;
    let buyer = env.buyer.pubkey();
    let trade = env.next_trade(&offer, &buyer).await;
    env.track(&[trade.address]);
    for (amount, error) in [
        (0, EscrowError::ZeroAmount),
        (TOKEN - 1, EscrowError::AmountBelowMinimum),
        (100 * TOKEN + 1, EscrowError::AmountAboveMaximum),
        (50 * TOKEN + 1, EscrowError::InsufficientAvailable),
    ] {
        let args = env.take_args(&trade, amount).await;
        env.refuse(
            &[env.take_offer_ix(&trade, args).await],
            &[&env.buyer],
            code(error),
        )
        .await;
    }

    // The seller, or the arbiter, cannot be the buyer.
    for (who, error) in [
        (&env.seller, EscrowError::BuyerIsSeller),
        (&env.arbiter, EscrowError::ArbiterIsParty),
    ] {
        env.refuse_take(&offer, who, TOKEN, code(error)).await;
    }

    // A fiat amount that rounds to zero is refused: 1 base unit at 105 cents per token.
    let tiny_terms = OfferTerms {
        min_trade_amount: 1,
        ..env.default_terms()
    };
    let tiny = env
        .create_offer_with(&offer.mint, 10 * TOKEN, tiny_terms)
        .await;
    let tiny_trade = env.next_trade(&tiny, &buyer).await;
    env.track(&[tiny_trade.address]);
    let args = env.take_args(&tiny_trade, 1).await;
    env.refuse(
        &[env.take_offer_ix(&tiny_trade, args).await],
        &[&env.buyer],
        code(EscrowError::FiatAmountZero),
    )
    .await;
    // The smallest amount worth a cent goes through: 10^6 / 105 rounded up.
    env.take(&tiny, &env.buyer, 9_524).await;
}

#[tokio::test]
async fn private_offers_and_attestors_restrict_who_takes() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let private_terms = OfferTerms {
        allowed_buyer: Some(env.buyer.pubkey()),
        min_trade_amount: 10 * TOKEN,
        max_trade_amount: 10 * TOKEN,
        ..env.default_terms()
    };
    let private = env
        .create_offer_with(&mint, 10 * TOKEN, private_terms)
        .await;
    env.refuse_take(
        &private,
        &env.buyer2,
        10 * TOKEN,
        code(EscrowError::BuyerNotAllowed),
    )
    .await;
    env.take(&private, &env.buyer, 10 * TOKEN).await;

    let attested_terms = OfferTerms {
        attestor: Some(env.buyer2.pubkey()),
        ..env.default_terms()
    };
    let attested = env
        .create_offer_with(&mint, 100 * TOKEN, attested_terms)
        .await;
    env.refuse_take(
        &attested,
        &env.buyer2,
        10 * TOKEN,
        code(EscrowError::AttestorIsBuyer),
    )
    .await;
}

#[tokio::test]
async fn take_fails_when_the_terms_differ_from_what_the_buyer_saw() {
    let (env, offer) = market().await;
    let trade = env.next_trade(&offer, &env.buyer.pubkey()).await;
    env.track(&[trade.address]);
    let seen = env.take_terms(&trade).await;
    let terms = seen.terms.clone();
    let variants = [
        OfferTerms {
            price: PRICE + 1,
            ..terms.clone()
        },
        OfferTerms {
            fiat_currency: *b"USD",
            ..terms.clone()
        },
        OfferTerms {
            payment_terms_hash: [8; 32],
            ..terms.clone()
        },
        OfferTerms {
            payment_window: PAYMENT_WINDOW + 1,
            ..terms.clone()
        },
        OfferTerms {
            release_window: RELEASE_WINDOW - 1,
            ..terms.clone()
        },
        OfferTerms {
            arbiter: env.fallback_arbiter.pubkey(),
            ..terms.clone()
        },
        OfferTerms {
            attestor: Some(env.stranger.pubkey()),
            ..terms.clone()
        },
        OfferTerms {
            buyer_bond: BUYER_BOND - 1,
            ..terms.clone()
        },
        OfferTerms {
            min_trade_amount: 2 * TOKEN,
            ..terms.clone()
        },
        OfferTerms {
            max_trade_amount: 99 * TOKEN,
            ..terms.clone()
        },
        OfferTerms {
            allowed_buyer: Some(env.buyer.pubkey()),
            ..terms.clone()
        },
    ];
    let other_mint = env.create_mint(MintKind::Spl).await;
    let others = [
        TakeTerms {
            mint: other_mint.address,
            ..seen.clone()
        },
        TakeTerms {
            fee_bps: FEE_BPS - 1,
            ..seen.clone()
        },
        TakeTerms {
            arbiter_fee_bps: ARBITER_FEE_BPS + 1,
            ..seen.clone()
        },
        TakeTerms {
            fallback_arbiter: None,
            ..seen.clone()
        },
        TakeTerms {
            default_buyer_bps: 5_001,
            ..seen.clone()
        },
        TakeTerms {
            ruling_window: seen.ruling_window + 1,
            ..seen.clone()
        },
    ];
    let changed_terms = variants.into_iter().map(|terms| TakeTerms {
        terms,
        ..seen.clone()
    });
    for other in changed_terms.chain(others) {
        env.refuse(
            &[env
                .take_offer_ix(&trade, take_args(&trade, 10 * TOKEN, &other))
                .await],
            &[&env.buyer],
            code(EscrowError::TermsMismatch),
        )
        .await;
    }

    // The admin raising the arbiter's fee under a pending take makes it fail too.
    env.ok(
        &[env.update_arbiter_ix(&env.arbiter.pubkey(), ARBITER_FEE_BPS + 50, true)],
        &[&env.admin],
    )
    .await;
    env.refuse(
        &[env
            .take_offer_ix(&trade, take_args(&trade, 10 * TOKEN, &seen))
            .await],
        &[&env.buyer],
        code(EscrowError::TermsMismatch),
    )
    .await;
    // A deactivated arbiter takes no new trades.
    env.ok(
        &[env.update_arbiter_ix(&env.arbiter.pubkey(), ARBITER_FEE_BPS, false)],
        &[&env.admin],
    )
    .await;
    env.refuse(
        &[env
            .take_offer_ix(&trade, take_args(&trade, 10 * TOKEN, &seen))
            .await],
        &[&env.buyer],
        code(EscrowError::ArbiterInactive),
    )
    .await;
}

#[tokio::test]
async fn buyer_cancels_an_unpaid_trade_until_the_payment_deadline() {
    let (env, offer) = market().await;
    let buyer = env.buyer.pubkey();
    let lamports_before = env.lamports(&buyer).await;

    // At the deadline itself the buyer may still cancel.
    let trade = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    let deadline = env.trade(&trade).await.payment_deadline;
    env.refuse(
        &[env.cancel_trade_ix(&TradeRef {
            buyer: env.stranger.pubkey(),
            ..trade
        })],
        &[&env.stranger],
        code(EscrowError::NotBuyer),
    )
    .await;
    env.set_time(deadline).await;
    let events = env.ok(&[env.cancel_trade_ix(&trade)], &[&env.buyer]).await;
    let event: TradeCancelled = single_event(&events);
    assert_eq!((event.trade, event.amount), (trade.address, 10 * TOKEN));
    assert!(!env.exists(&trade.address).await);
    assert_eq!(
        env.lamports(&buyer).await,
        lamports_before,
        "rent and bond back"
    );
    let state = env.offer(&offer).await;
    assert_eq!((state.available, state.locked), (1_000 * TOKEN, 0));

    // One second after it, cancelling is over: the trade can only expire.
    let late = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    let deadline = env.trade(&late).await.payment_deadline;
    env.set_time(deadline + 1).await;
    env.refuse(
        &[env.cancel_trade_ix(&late)],
        &[&env.buyer],
        code(EscrowError::PaymentDeadlinePassed),
    )
    .await;

    // A paid trade cannot be cancelled.
    let paid = env.take(&offer, &env.buyer2, 10 * TOKEN).await;
    env.ok(&[env.mark_paid_ix(&paid, [3; 32])], &[&env.buyer2])
        .await;
    env.refuse(
        &[env.cancel_trade_ix(&paid)],
        &[&env.buyer2],
        code(EscrowError::TradeNotLocked),
    )
    .await;
}

#[tokio::test]
async fn anyone_expires_an_unpaid_trade_after_its_deadline() {
    let (env, offer) = market().await;
    let (seller, buyer) = (env.seller.pubkey(), env.buyer.pubkey());
    let buyer_before = env.lamports(&buyer).await;
    let trade = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    let deadline = env.trade(&trade).await.payment_deadline;
    let cranker = env.stranger.pubkey();
    for time in [deadline - 1, deadline] {
        env.set_time(time).await;
        env.refuse(
            &[env.expire_trade_ix(&trade, &cranker)],
            &[&env.stranger],
            code(EscrowError::PaymentDeadlineNotReached),
        )
        .await;
    }
    env.set_time(deadline + 1).await;

    // The bond must go to the offer's real seller and the rent to the real buyer.
    let mut wrong_seller = env.expire_trade_accounts(&trade, &cranker);
    wrong_seller.seller = cranker;
    env.refuse(
        &[ix(wrong_seller, p2p_escrow::instruction::ExpireTrade {})],
        &[&env.stranger],
        code(EscrowError::NotSeller),
    )
    .await;
    let mut wrong_buyer = env.expire_trade_accounts(&trade, &cranker);
    wrong_buyer.buyer = cranker;
    env.refuse(
        &[ix(wrong_buyer, p2p_escrow::instruction::ExpireTrade {})],
        &[&env.stranger],
        code(EscrowError::NotBuyer),
    )
    .await;

    let seller_before = env.lamports(&seller).await;
    let events = env
        .ok(&[env.expire_trade_ix(&trade, &cranker)], &[&env.stranger])
        .await;
    let event: TradeExpired = single_event(&events);
    assert_eq!(event.cranked_by, cranker);
    assert_eq!(
        (event.amount, event.bond_to_seller),
        (10 * TOKEN, BUYER_BOND)
    );
    assert!(!env.exists(&trade.address).await);
    assert_eq!(env.lamports(&seller).await, seller_before + BUYER_BOND);
    assert_eq!(env.lamports(&buyer).await, buyer_before - BUYER_BOND);
    let state = env.offer(&offer).await;
    assert_eq!((state.available, state.locked), (1_000 * TOKEN, 0));

    // Expiring again finds no trade.
    env.refuse(
        &[env.expire_trade_ix(&trade, &cranker)],
        &[&env.stranger],
        anchor_code(AnchorError::AccountNotInitialized),
    )
    .await;
}

#[tokio::test]
async fn buyer_marks_paid_by_the_payment_deadline() {
    let (env, offer) = market().await;
    let trade = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    let deadline = env.trade(&trade).await.payment_deadline;

    env.refuse(
        &[env.mark_paid_ix(&trade, [0; 32])],
        &[&env.buyer],
        code(EscrowError::InvalidPaymentReference),
    )
    .await;
    let by_stranger = TradeRef {
        buyer: env.stranger.pubkey(),
        ..trade
    };
    env.refuse(
        &[env.mark_paid_ix(&by_stranger, [1; 32])],
        &[&env.stranger],
        code(EscrowError::NotBuyer),
    )
    .await;
    env.set_time(deadline + 1).await;
    env.refuse(
        &[env.mark_paid_ix(&trade, [1; 32])],
        &[&env.buyer],
        code(EscrowError::PaymentDeadlinePassed),
    )
    .await;

    for (time, buyer) in [(deadline, &env.buyer), (deadline - 1, &env.buyer2)] {
        env.set_time(time - PAYMENT_WINDOW).await;
        let trade = env.take(&offer, buyer, 10 * TOKEN).await;
        env.set_time(time).await;
        let events = env.ok(&[env.mark_paid_ix(&trade, [9; 32])], &[buyer]).await;
        let state = env.trade(&trade).await;
        assert_eq!(state.state, TradeState::Paid);
        assert_eq!(state.paid_at, time);
        assert_eq!(state.release_deadline, time + RELEASE_WINDOW);
        assert_eq!(state.payment_ref_hash, [9; 32]);
        let event: TradePaid = single_event(&events);
        assert_eq!(
            (event.paid_at, event.release_deadline),
            (time, time + RELEASE_WINDOW)
        );
        // Marking paid twice is refused.
        env.refuse(
            &[env.mark_paid_ix(&trade, [9; 32])],
            &[buyer],
            code(EscrowError::TradeNotLocked),
        )
        .await;
        // A paid trade does not expire.
        env.set_time(time + PAYMENT_WINDOW + 1).await;
        env.refuse(
            &[env.expire_trade_ix(&trade, &env.stranger.pubkey())],
            &[&env.stranger],
            code(EscrowError::TradeNotLocked),
        )
        .await;
    }
}

#[tokio::test]
async fn seller_releases_a_paid_trade_with_the_protocol_fee() {
    let (env, offer) = market().await;
    let buyer = env.buyer.pubkey();
    let buyer_before = env.lamports(&buyer).await;
    let trade = env.take(&offer, &env.buyer, 40 * TOKEN).await;
    env.ok(&[env.mark_paid_ix(&trade, [5; 32])], &[&env.buyer])
        .await;
    env.track_payout_accounts(&trade);

    let mut by_stranger = env.release_accounts(&trade);
    by_stranger.seller = env.stranger.pubkey();
    env.refuse(
        &[ix(by_stranger, p2p_escrow::instruction::Release {})],
        &[&env.stranger],
        code(EscrowError::NotSeller),
    )
    .await;

    let events = env.ok(&[env.release_ix(&trade)], &[&env.seller]).await;
    let fee = 40 * TOKEN * u64::from(FEE_BPS) / 10_000;
    let event: TradeReleased = single_event(&events);
    assert_eq!(
        (event.to_buyer, event.protocol_fee),
        (40 * TOKEN - fee, fee)
    );
    assert_eq!(event.bond_returned, BUYER_BOND);
    assert_eq!(event.released_by, env.seller.pubkey());
    assert_eq!(env.balance(&offer.mint.ata(&buyer)).await, 40 * TOKEN - fee);
    assert_eq!(env.balance(&fee_vault(&offer.mint)).await, fee);
    assert!(!env.exists(&trade.address).await);
    assert_eq!(
        env.lamports(&buyer).await,
        buyer_before,
        "rent and bond back"
    );
    let state = env.offer(&offer).await;
    assert_eq!((state.available, state.locked), (960 * TOKEN, 0));

    // A released trade is gone: releasing again, or any other action on it, finds nothing.
    let closed = anchor_code(AnchorError::AccountNotInitialized);
    env.refuse(&[env.release_ix(&trade)], &[&env.seller], closed)
        .await;
    env.refuse(&[env.mark_paid_ix(&trade, [5; 32])], &[&env.buyer], closed)
        .await;
    env.refuse(&[env.cancel_trade_ix(&trade)], &[&env.buyer], closed)
        .await;
    env.refuse(
        &[env.expire_trade_ix(&trade, &env.stranger.pubkey())],
        &[&env.stranger],
        closed,
    )
    .await;
}

#[tokio::test]
async fn seller_may_release_before_the_buyer_marks_paid() {
    let (env, offer) = market().await;
    let trade = env.take(&offer, &env.buyer, TOKEN).await;
    let events = env.ok(&[env.release_ix(&trade)], &[&env.seller]).await;
    let event: TradeReleased = single_event(&events);
    // 0.5% of one token.
    assert_eq!((event.to_buyer, event.protocol_fee), (TOKEN - 5_000, 5_000));
}

#[tokio::test]
async fn trade_accounts_cannot_be_substituted() {
    let (env, offer) = market().await;
    let other = env.create_offer(&offer.mint).await;
    let trade = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    let foreign = env.take(&other, &env.buyer, 10 * TOKEN).await;
    env.track_payout_accounts(&trade);

    // Another offer's vault, or a trade of another offer.
    env.refuse(
        &[substitute(
            env.release_ix(&trade),
            &offer.vault,
            &other.vault,
        )],
        &[&env.seller],
        code(EscrowError::VaultMismatch),
    )
    .await;
    for instruction in [
        env.release_ix(&trade),
        env.cancel_trade_ix(&trade),
        env.expire_trade_ix(&trade, &env.stranger.pubkey()),
    ] {
        let signer = if instruction.data == env.release_ix(&trade).data {
            &env.seller
        } else if instruction.accounts[0].pubkey == env.stranger.pubkey() {
            &env.stranger
        } else {
            &env.buyer
        };
        env.refuse(
            &[substitute(instruction, &trade.address, &foreign.address)],
            &[signer],
            code(EscrowError::OfferMismatch),
        )
        .await;
    }
    // The fee must go to the mint's fee vault, the buyer's share to the buyer's token account or
    // the trade's holding account, the rent and the bond to the trade's buyer.
    let stranger_tokens = env.mint_to(&offer.mint, &env.stranger.pubkey(), 0).await;
    for (rightful, substituted, error) in [
        (
            fee_vault(&offer.mint),
            stranger_tokens,
            EscrowError::FeeVaultMismatch,
        ),
        (
            offer.mint.ata(&trade.buyer),
            stranger_tokens,
            EscrowError::BuyerTokenAccountMismatch,
        ),
        (
            trade.holding(),
            stranger_tokens,
            EscrowError::HoldingAccountMismatch,
        ),
        (trade.buyer, env.stranger.pubkey(), EscrowError::NotBuyer),
    ] {
        env.refuse(
            &[substitute(env.release_ix(&trade), &rightful, &substituted)],
            &[&env.seller],
            code(error),
        )
        .await;
    }
}

#[tokio::test]
async fn pausing_stops_new_offers_and_trades_but_never_an_exit() {
    let (env, offer) = market().await;
    let cancelled = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    let released = env.take(&offer, &env.buyer2, 10 * TOKEN).await;
    let expiring = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    env.ok(
        &[env.set_pause_ix(&env.admin.pubkey(), true, true)],
        &[&env.admin],
    )
    .await;

    let mint = offer.mint;
    env.mint_to(&mint, &env.seller.pubkey(), 10 * TOKEN).await;
    let new_offer = env.offer_ref(
        &env.seller.pubkey(),
        env.next_offer_id(&env.seller.pubkey()).await,
        &mint,
    );
    env.track(&[new_offer.address, new_offer.vault]);
    env.refuse(
        &[env.create_offer_ix(&new_offer, 10 * TOKEN, env.default_terms())],
        &[&env.seller],
        code(EscrowError::NewOffersPaused),
    )
    .await;
    env.refuse_take(
        &offer,
        &env.buyer,
        TOKEN,
        code(EscrowError::NewTradesPaused),
    )
    .await;

    env.ok(&[env.cancel_trade_ix(&cancelled)], &[&env.buyer])
        .await;
    env.ok(&[env.mark_paid_ix(&released, [2; 32])], &[&env.buyer2])
        .await;
    env.ok(&[env.release_ix(&released)], &[&env.seller]).await;
    let deadline = env.trade(&expiring).await.payment_deadline;
    env.set_time(deadline + 1).await;
    env.ok(
        &[env.expire_trade_ix(&expiring, &env.stranger.pubkey())],
        &[&env.stranger],
    )
    .await;
    env.ok(&[env.deposit_ix(&offer, 10 * TOKEN)], &[&env.seller])
        .await;
    env.ok(&[env.withdraw_ix(&offer, 100 * TOKEN)], &[&env.seller])
        .await;
    env.ok(&[env.close_offer_ix(&offer)], &[&env.seller]).await;
    assert!(!env.exists(&offer.address).await);
}

#[tokio::test]
async fn token_2022_transfer_fee_trade_releases_what_the_vault_holds() {
    let env = Env::new().await;
    let mint = env
        .create_mint(MintKind::TransferFee {
            bps: 100,
            max: 5 * TOKEN,
        })
        .await;
    let offer = env
        .create_offer_with(&mint, 101 * TOKEN, env.default_terms())
        .await;
    assert_eq!(env.offer(&offer).await.available, 99_990_000);
    let trade = env.take(&offer, &env.buyer, 50 * TOKEN).await;
    env.ok(&[env.mark_paid_ix(&trade, [4; 32])], &[&env.buyer])
        .await;
    let events = env.ok(&[env.release_ix(&trade)], &[&env.seller]).await;
    let event: TradeReleased = single_event(&events);
    let fee = 50 * TOKEN * u64::from(FEE_BPS) / 10_000;
    assert_eq!(event.to_buyer, 50 * TOKEN - fee);
    // The mint's own transfer fee is withheld from what the buyer receives.
    let buyer_tokens = mint.ata(&env.buyer.pubkey());
    let mint_fee = (50 * TOKEN - fee) / 100;
    assert_eq!(
        env.balance(&buyer_tokens).await,
        50 * TOKEN - fee - mint_fee
    );
    assert_eq!(env.withheld(&buyer_tokens).await, mint_fee);
}
