//! No one can hold an escrow hostage: nothing a party, a stranger, the mint's issuer or the admin
//! does outside the program blocks another party's exit or bends an open trade's outcome.

use p2p_escrow::events::{DisputeResolved, PayoutClaimed, PayoutHeld, TradeExpired, TradeReleased};
use p2p_escrow::state::{ConfigParams, OfferTerms, TradeState};
use p2p_escrow_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// A market on `kind` with a trade of 10 tokens by the buyer, marked paid when `paid`.
async fn trade_on(kind: MintKind, paid: bool) -> (Env, OfferRef, TradeRef) {
    let env = Env::new().await;
    let mint = env.create_mint(kind).await;
    let offer = env.create_offer(&mint).await;
    let trade = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    if paid {
        env.ok(&[env.mark_paid_ix(&trade, [1; 32])], &[&env.buyer])
            .await;
    }
    env.track_payout_accounts(&trade);
    (env, offer, trade)
}

/// Disputes a paid trade (by the seller).
async fn dispute(env: &Env, trade: &TradeRef) {
    env.ok(
        &[env.open_dispute_ix(trade, &env.seller.pubkey(), &env.arbiter.pubkey())],
        &[&env.seller],
    )
    .await;
}

/// Moves the clock past a trade's payment deadline.
async fn past_payment_deadline(env: &Env, trade: &TradeRef) {
    env.set_time(env.trade(trade).await.payment_deadline + 1)
        .await;
}

/// Moves the clock past a disputed trade's ruling deadline.
async fn past_ruling_deadline(env: &Env, trade: &TradeRef) {
    let dispute = env.trade(trade).await.dispute.expect("disputed");
    env.set_time(dispute.ruling_deadline + 1).await;
}

#[tokio::test]
async fn a_buyer_that_reassigns_its_wallet_cannot_block_an_expiry() {
    let (env, offer, trade) = trade_on(MintKind::Spl, false).await;
    let seller_before = env.lamports(&env.seller.pubkey()).await;
    env.reassign_wallet(&env.buyer).await;
    past_payment_deadline(&env, &trade).await;
    let buyer_before = env.lamports(&env.buyer.pubkey()).await;
    let rent = env.lamports(&trade.address).await - BUYER_BOND;
    let events = env
        .ok(
            &[env.expire_trade_ix(&trade, &env.stranger.pubkey())],
            &[&env.stranger],
        )
        .await;
    assert_eq!(
        single_event::<TradeExpired>(&events).bond_to_seller,
        BUYER_BOND
    );
    assert!(!env.exists(&trade.address).await);
    assert_eq!(env.offer(&offer).await.locked, 0);
    assert_eq!(env.lamports(&env.buyer.pubkey()).await, buyer_before + rent);
    assert_eq!(
        env.lamports(&env.seller.pubkey()).await,
        seller_before + BUYER_BOND
    );
}

#[tokio::test]
async fn a_buyer_that_reassigns_its_wallet_cannot_block_a_release_a_ruling_or_an_escalation() {
    // Release by the seller.
    let (env, _, trade) = trade_on(MintKind::Spl, true).await;
    env.reassign_wallet(&env.buyer).await;
    env.ok(&[env.release_ix(&trade)], &[&env.seller]).await;
    assert!(!env.exists(&trade.address).await);
    assert_eq!(
        env.balance(&trade.offer.mint.ata(&env.buyer.pubkey()))
            .await,
        10 * TOKEN - 10 * TOKEN * u64::from(FEE_BPS) / 10_000
    );

    // A ruling, and both escalations.
    for escalations in 0..=2 {
        let (env, _, trade) = trade_on(MintKind::Spl, true).await;
        dispute(&env, &trade).await;
        env.reassign_wallet(&env.buyer).await;
        let (arbiter, fallback) = (env.arbiter.pubkey(), env.fallback_arbiter.pubkey());
        if escalations >= 1 {
            past_ruling_deadline(&env, &trade).await;
            env.ok(
                &[env.escalate_ix(&trade, &env.stranger.pubkey(), &arbiter)],
                &[&env.stranger],
            )
            .await;
        }
        if escalations == 2 {
            past_ruling_deadline(&env, &trade).await;
            env.ok(
                &[env.escalate_ix(&trade, &env.stranger.pubkey(), &fallback)],
                &[&env.stranger],
            )
            .await;
        } else {
            let (signer, key) = if escalations == 0 {
                (&env.arbiter, arbiter)
            } else {
                (&env.fallback_arbiter, fallback)
            };
            env.ok(&[env.rule_ix(&trade, &key, &key, 7_000)], &[signer])
                .await;
        }
        assert!(!env.exists(&trade.address).await, "trade ended");
    }
}

#[tokio::test]
async fn a_seller_that_empties_its_wallet_gets_the_bond_through_its_offer() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    // A bond too small to make an empty address rent-exempt on its own.
    let bond = 5_000;
    let terms = OfferTerms {
        buyer_bond: bond,
        ..env.default_terms()
    };
    let offer = env.create_offer_with(&mint, 100 * TOKEN, terms).await;
    let trade = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    env.empty_wallet(&env.seller).await;
    past_payment_deadline(&env, &trade).await;
    let offer_before = env.lamports(&offer.address).await;
    env.ok(
        &[env.expire_trade_ix(&trade, &env.stranger.pubkey())],
        &[&env.stranger],
    )
    .await;
    assert!(!env.exists(&trade.address).await);
    assert_eq!(env.lamports(&env.seller.pubkey()).await, 0);
    assert_eq!(env.lamports(&offer.address).await, offer_before + bond);
    // Closing the offer pays the bond to the seller with the offer's rent.
    let vault_rent = env.lamports(&offer.vault).await;
    env.ok(&[env.close_offer_ix(&offer)], &[&env.seller]).await;
    assert_eq!(
        env.lamports(&env.seller.pubkey()).await,
        offer_before + bond + vault_rent
    );
}

#[tokio::test]
async fn a_ruling_that_pays_the_buyer_nothing_never_touches_its_token_account() {
    let (mut env, offer, trade) = trade_on(MintKind::Spl, true).await;
    dispute(&env, &trade).await;
    let (buyer, stranger) = (env.buyer.pubkey(), env.stranger.pubkey());
    env.mint_to(&offer.mint, &buyer, 0).await;
    env.give_token_account_away(&offer.mint, &buyer, &stranger)
        .await;
    let arbiter = env.arbiter.pubkey();
    let events = env
        .ok(
            &[env.rule_ix(&trade, &arbiter, &arbiter, 0)],
            &[&env.arbiter],
        )
        .await;
    let resolved = single_event::<DisputeResolved>(&events);
    assert_eq!(resolved.to_buyer, 0);
    assert_eq!(resolved.bond_to_seller, BUYER_BOND);
    assert!(events_of::<PayoutHeld>(&events).is_empty());
    assert!(!env.exists(&trade.address).await);
    assert!(!env.exists(&trade.holding()).await);
}

#[tokio::test]
async fn a_buyer_token_account_given_away_holds_the_buyer_share_for_its_claim() {
    // The ruling, the hand-over to the fallback and the default ruling all complete.
    for escalations in 0..=2 {
        let (mut env, offer, trade) = trade_on(MintKind::Spl, true).await;
        let mint = offer.mint;
        dispute(&env, &trade).await;
        let (buyer, stranger) = (env.buyer.pubkey(), env.stranger.pubkey());
        env.mint_to(&mint, &buyer, 0).await;
        env.give_token_account_away(&mint, &buyer, &stranger).await;
        let (arbiter, fallback) = (env.arbiter.pubkey(), env.fallback_arbiter.pubkey());
        let events = match escalations {
            0 => {
                env.ok(
                    &[env.rule_ix(&trade, &arbiter, &arbiter, 10_000)],
                    &[&env.arbiter],
                )
                .await
            }
            _ => {
                past_ruling_deadline(&env, &trade).await;
                env.ok(
                    &[env.escalate_ix(&trade, &env.seller.pubkey(), &arbiter)],
                    &[&env.seller],
                )
                .await;
                if escalations == 1 {
                    env.ok(
                        &[env.rule_ix(&trade, &fallback, &fallback, 10_000)],
                        &[&env.fallback_arbiter],
                    )
                    .await
                } else {
                    // The buyer's bond funds the holding account: the seller cranking the default
                    // ruling pays nothing for it.
                    past_ruling_deadline(&env, &trade).await;
                    let seller_before = env.lamports(&env.seller.pubkey()).await;
                    let events = env
                        .ok(
                            &[env.escalate_ix(&trade, &env.seller.pubkey(), &fallback)],
                            &[&env.seller],
                        )
                        .await;
                    assert_eq!(env.lamports(&env.seller.pubkey()).await, seller_before);
                    events
                }
            }
        };
        let resolved = single_event::<DisputeResolved>(&events);
        assert!(resolved.to_buyer > 0);
        let held = single_event::<PayoutHeld>(&events);
        assert_eq!(held.tokens, resolved.to_buyer);
        // The seller's share is back on the offer; nothing waits on anyone but the buyer.
        let state = env.offer(&offer).await;
        assert_eq!(state.locked, 0);
        let settled = env.trade(&trade).await;
        assert_eq!(settled.state, TradeState::Settled);
        assert_eq!(settled.held, resolved.to_buyer);
        assert_eq!(env.balance(&trade.holding()).await, resolved.to_buyer);
        env.ok(&[env.close_offer_ix(&offer)], &[&env.seller]).await;

        // Only the buyer claims, to an account it controls.
        let fresh = env.create_token_account(&mint, &env.buyer.pubkey()).await;
        let recipient = env.buyer.pubkey();
        let by_stranger = substitute(
            env.claim_ix(&trade, Some(fresh), &recipient),
            &env.buyer.pubkey(),
            &env.stranger.pubkey(),
        );
        env.refuse(
            &[by_stranger],
            &[&env.stranger],
            code(EscrowError::NotBuyer),
        )
        .await;
        env.refuse(
            &[env.claim_ix(&trade, None, &recipient)],
            &[&env.buyer],
            code(EscrowError::DestinationMissing),
        )
        .await;
        for (destination, recipient) in [
            (Some(fresh), trade.address),
            (Some(fresh), trade.holding()),
            (Some(trade.holding()), recipient),
        ] {
            env.refuse(
                &[env.claim_ix(&trade, destination, &recipient)],
                &[&env.buyer],
                code(EscrowError::InvalidClaimDestination),
            )
            .await;
        }
        let lamports = env.lamports(&trade.address).await + env.lamports(&trade.holding()).await;
        let before = env.lamports(&recipient).await;
        let events = env
            .ok(
                &[env.claim_ix(&trade, Some(fresh), &recipient)],
                &[&env.buyer],
            )
            .await;
        let claimed = single_event::<PayoutClaimed>(&events);
        assert_eq!(
            (claimed.tokens, claimed.lamports),
            (resolved.to_buyer, lamports)
        );
        assert_eq!(env.balance(&fresh).await, resolved.to_buyer);
        assert_eq!(env.lamports(&recipient).await, before + lamports);
        assert!(!env.exists(&trade.address).await);
        assert!(!env.exists(&trade.holding()).await);
        env.refuse(
            &[env.claim_ix(&trade, Some(fresh), &recipient)],
            &[&env.buyer],
            anchor_code(anchor_lang::error::ErrorCode::AccountNotInitialized),
        )
        .await;
    }
}

#[tokio::test]
async fn a_frozen_buyer_token_account_holds_the_release_for_the_buyer() {
    let (env, offer, trade) = trade_on(MintKind::Token2022, true).await;
    let buyer_account = env.mint_to(&offer.mint, &env.buyer.pubkey(), 0).await;
    env.set_frozen(&offer.mint, &buyer_account, true).await;
    let events = env.ok(&[env.release_ix(&trade)], &[&env.seller]).await;
    let held = single_event::<PayoutHeld>(&events);
    let fee = 10 * TOKEN * u64::from(FEE_BPS) / 10_000;
    assert_eq!(held.tokens, 10 * TOKEN - fee);
    // The bond waits with the tokens (it funded the holding account); the event says so.
    assert_eq!(single_event::<TradeReleased>(&events).bond_returned, 0);
    assert_eq!(env.trade(&trade).await.buyer_bond, 0);
    let waiting = env.lamports(&trade.address).await + env.lamports(&trade.holding()).await;
    assert_eq!(held.lamports, waiting);
    assert_eq!(env.balance(&fee_vault(&offer.mint)).await, fee);
    assert_eq!(env.offer(&offer).await.locked, 0);
    // The trade has ended: nothing but the buyer's claim is left, to an account of its choice.
    env.refuse(
        &[env.release_ix(&trade)],
        &[&env.seller],
        code(EscrowError::TradeSettled),
    )
    .await;
    let destination = env.mint_to(&offer.mint, &env.stranger.pubkey(), 0).await;
    env.ok(
        &[env.claim_ix(&trade, Some(destination), &env.buyer.pubkey())],
        &[&env.buyer],
    )
    .await;
    assert_eq!(env.balance(&destination).await, 10 * TOKEN - fee);
}

#[tokio::test]
async fn a_buyer_requiring_memos_with_a_cpi_guard_still_gets_paid() {
    let (env, offer, trade) = trade_on(MintKind::Token2022, true).await;
    env.harden_token_account(&offer.mint, &env.buyer, true, true)
        .await;
    let events = env.ok(&[env.release_ix(&trade)], &[&env.seller]).await;
    assert!(events_of::<PayoutHeld>(&events).is_empty());
    assert!(!env.exists(&trade.address).await);
}

#[tokio::test]
async fn a_mint_its_issuer_could_close_and_create_again_is_refused() {
    use spl_token_2022_interface::extension::ExtensionType;
    let env = Env::new().await;
    let mint_key = Keypair::new();
    let mint = TestMint {
        address: mint_key.pubkey(),
        token_program: spl_token_2022_interface::ID,
    };
    env.create_mint_at(&mint_key, &[ExtensionType::MintCloseAuthority], false)
        .await;
    let seller = env.seller.pubkey();
    let offer = env.offer_ref(&seller, env.next_offer_id(&seller).await, &mint);
    env.mint_to(&mint, &seller, 10 * TOKEN).await;
    env.track(&[offer.address, offer.vault]);
    env.refuse(
        &[env.create_offer_ix(&offer, 10 * TOKEN, env.default_terms())],
        &[&env.seller],
        code(EscrowError::MintClosable),
    )
    .await;
}

#[tokio::test]
async fn the_mint_policy_holds_at_every_deposit_and_take() {
    let mut env = Env::new().await;
    let mint = env.create_mint(MintKind::Token2022).await;
    let offer = env.create_offer(&mint).await;
    // The mint under the offer turns hostile (the state a mint closed and created again with a
    // permanent delegate would leave): every deposit and take is refused.
    let hostile = env.create_mint(MintKind::PermanentDelegate).await;
    let mut account = env.account(&hostile.address).await.expect("mint");
    let supply = env.account(&mint.address).await.expect("mint").data[36..44].to_vec();
    account.data[36..44].copy_from_slice(&supply);
    env.inject(&mint.address, account);
    env.mint_to(&mint, &env.seller.pubkey(), 10 * TOKEN).await;
    env.refuse(
        &[env.deposit_ix(&offer, 10 * TOKEN)],
        &[&env.seller],
        code(EscrowError::MintHasPermanentDelegate),
    )
    .await;
    env.refuse_take(
        &offer,
        &env.buyer,
        TOKEN,
        code(EscrowError::MintHasPermanentDelegate),
    )
    .await;
}

#[tokio::test]
async fn a_default_account_state_its_issuer_could_switch_is_refused() {
    use spl_token_2022_interface::extension::ExtensionType;
    let env = Env::new().await;
    for (freeze_authority, expected) in [
        (true, Some(EscrowError::MintDefaultStateChangeable)),
        (false, None),
    ] {
        let mint_key = Keypair::new();
        let mint = TestMint {
            address: mint_key.pubkey(),
            token_program: spl_token_2022_interface::ID,
        };
        env.create_mint_at(
            &mint_key,
            &[ExtensionType::DefaultAccountState],
            freeze_authority,
        )
        .await;
        let seller = env.seller.pubkey();
        let offer = env.offer_ref(&seller, env.next_offer_id(&seller).await, &mint);
        env.mint_to(&mint, &seller, 10 * TOKEN).await;
        let create = env.create_offer_ix(&offer, 10 * TOKEN, env.default_terms());
        match expected {
            Some(error) => {
                env.track(&[offer.address, offer.vault]);
                env.refuse(&[create], &[&env.seller], code(error)).await
            }
            None => drop(env.ok(&[create], &[&env.seller]).await),
        }
    }
}

#[tokio::test]
async fn the_admin_cannot_bend_an_open_trade() {
    let (env, offer, trade) = trade_on(MintKind::Spl, true).await;
    dispute(&env, &trade).await;
    let fixed = env.trade(&trade).await;
    assert_eq!(fixed.fallback_arbiter, Some(env.fallback_arbiter.pubkey()));
    assert_eq!(fixed.default_buyer_bps, 5_000);
    // The admin names another fallback arbiter, a 0% default ruling, the longest ruling window,
    // and deactivates the trade's fallback arbiter.
    let other = Keypair::new();
    env.ok(
        &[env.register_arbiter_ix(&other.pubkey(), 0)],
        &[&env.admin],
    )
    .await;
    let params = ConfigParams {
        fallback_arbiter: other.pubkey(),
        default_buyer_bps: 0,
        ruling_window: 30 * 24 * 60 * 60,
        fee_bps: 100,
    };
    env.ok(
        &[env.update_config_ix(&env.admin.pubkey(), params)],
        &[&env.admin],
    )
    .await;
    let fallback = env.fallback_arbiter.pubkey();
    env.ok(
        &[env.update_arbiter_ix(&fallback, ARBITER_FEE_BPS, false)],
        &[&env.admin],
    )
    .await;

    // The dispute still goes to the fallback fixed at take, with the window fixed at take...
    past_ruling_deadline(&env, &trade).await;
    let now = env.now().await;
    let arbiter = env.arbiter.pubkey();
    let escalate_to_other = env.escalate_ix(
        &TradeRef {
            fallback: Some(other.pubkey()),
            ..trade
        },
        &env.stranger.pubkey(),
        &arbiter,
    );
    env.refuse(
        &[escalate_to_other],
        &[&env.stranger],
        code(EscrowError::FallbackArbiterMismatch),
    )
    .await;
    env.ok(
        &[env.escalate_ix(&trade, &env.stranger.pubkey(), &arbiter)],
        &[&env.stranger],
    )
    .await;
    let dispute = env.trade(&trade).await.dispute.expect("disputed");
    assert_eq!(dispute.arbiter, fallback);
    assert_eq!(dispute.ruling_deadline, now + RULING_WINDOW);
    // ...and ends on the default ruling fixed at take: half to the buyer, the bond back to it.
    past_ruling_deadline(&env, &trade).await;
    let events = env
        .ok(
            &[env.escalate_ix(&trade, &env.stranger.pubkey(), &fallback)],
            &[&env.stranger],
        )
        .await;
    let resolved = single_event::<DisputeResolved>(&events);
    assert_eq!((resolved.buyer_bps, resolved.bond_to_seller), (5_000, 0));
    assert_eq!(resolved.to_buyer, 5 * TOKEN);
    assert_eq!(env.offer(&offer).await.locked, 0);
}

#[tokio::test]
async fn a_trade_without_a_usable_fallback_goes_straight_to_the_default_ruling() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let offer = env.create_offer(&mint).await;
    // The fallback arbiter is the buyer: the trade fixes no fallback.
    let trade = env.take(&offer, &env.fallback_arbiter, 10 * TOKEN).await;
    assert_eq!(env.trade(&trade).await.fallback_arbiter, None);
    env.ok(
        &[env.mark_paid_ix(&trade, [1; 32])],
        &[&env.fallback_arbiter],
    )
    .await;
    dispute(&env, &trade).await;
    // The admin registering another usable fallback later changes nothing.
    let other = Keypair::new();
    env.ok(
        &[env.register_arbiter_ix(&other.pubkey(), 0)],
        &[&env.admin],
    )
    .await;
    let params = ConfigParams {
        fallback_arbiter: other.pubkey(),
        ..default_params(&env)
    };
    env.ok(
        &[env.update_config_ix(&env.admin.pubkey(), params)],
        &[&env.admin],
    )
    .await;
    past_ruling_deadline(&env, &trade).await;
    let arbiter = env.arbiter.pubkey();
    let events = env
        .ok(
            &[env.escalate_ix(&trade, &env.stranger.pubkey(), &arbiter)],
            &[&env.stranger],
        )
        .await;
    assert_eq!(single_event::<DisputeResolved>(&events).buyer_bps, 5_000);
}

#[tokio::test]
async fn roles_that_share_an_account_never_block_an_exit() {
    // The buyer relays its own attestation.
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let terms = OfferTerms {
        attestor: Some(env.attestor.pubkey()),
        ..env.default_terms()
    };
    let offer = env.create_offer_with(&mint, 100 * TOKEN, terms).await;
    let trade = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    let message = env.attestation_payload(&trade).await;
    env.ok(
        &[
            ed25519_ix(&env.attestor, &message),
            env.release_with_attestation_ix(&trade, &env.buyer.pubkey()),
        ],
        &[&env.buyer],
    )
    .await;
    assert!(!env.exists(&trade.address).await);

    // The seller cranks the escalations of its own trade; the admin's wallet is the buyer.
    let other = env.take(&offer, &env.admin, 10 * TOKEN).await;
    env.ok(&[env.mark_paid_ix(&other, [1; 32])], &[&env.admin])
        .await;
    dispute(&env, &other).await;
    past_ruling_deadline(&env, &other).await;
    let arbiter = env.arbiter.pubkey();
    env.ok(
        &[env.escalate_ix(&other, &env.seller.pubkey(), &arbiter)],
        &[&env.seller],
    )
    .await;
    let fallback = env.fallback_arbiter.pubkey();
    env.ok(
        &[env.rule_ix(&other, &fallback, &fallback, 10_000)],
        &[&env.fallback_arbiter],
    )
    .await;
    assert!(!env.exists(&other.address).await);
}

#[tokio::test]
async fn protocol_fees_collect_in_a_fee_vault_only_the_admin_withdraws_from() {
    let (env, offer, trade) = trade_on(MintKind::Spl, true).await;
    env.ok(&[env.release_ix(&trade)], &[&env.seller]).await;
    let fee = 10 * TOKEN * u64::from(FEE_BPS) / 10_000;
    let mint = offer.mint;
    assert_eq!(env.balance(&fee_vault(&mint)).await, fee);
    let destination = env.mint_to(&mint, &env.stranger.pubkey(), 0).await;
    env.refuse(
        &[env.withdraw_fees_ix(&env.stranger.pubkey(), &mint, &destination, fee)],
        &[&env.stranger],
        code(EscrowError::NotAdmin),
    )
    .await;
    let admin = env.admin.pubkey();
    env.refuse(
        &[env.withdraw_fees_ix(&admin, &mint, &destination, fee + 1)],
        &[&env.admin],
        code(EscrowError::InsufficientFees),
    )
    .await;
    env.refuse(
        &[env.withdraw_fees_ix(&admin, &mint, &destination, 0)],
        &[&env.admin],
        code(EscrowError::ZeroAmount),
    )
    .await;
    env.ok(
        &[env.withdraw_fees_ix(&admin, &mint, &destination, fee)],
        &[&env.admin],
    )
    .await;
    assert_eq!(env.balance(&destination).await, fee);
    assert_eq!(env.balance(&fee_vault(&mint)).await, 0);
}

#[tokio::test]
async fn an_offer_closed_and_created_again_in_one_slot_never_repeats_an_address() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let first = env.create_offer(&mint).await;
    let old = env.take(&first, &env.buyer, 10 * TOKEN).await;
    env.ok(&[env.cancel_trade_ix(&old)], &[&env.buyer]).await;
    env.ok(&[env.close_offer_ix(&first)], &[&env.seller]).await;
    // Same slot: the seller's next offer and the buyer's next trade land at new addresses.
    let second = env.create_offer(&mint).await;
    assert_ne!(second.address, first.address);
    let new = env.take(&second, &env.buyer, 10 * TOKEN).await;
    assert_ne!(new.address, old.address);
    // The seller cannot pick an old offer id again.
    let reused = env.offer_ref(&first.seller, first.offer_id, &mint);
    env.mint_to(&mint, &first.seller, 10 * TOKEN).await;
    env.refuse(
        &[env.create_offer_ix(&reused, 10 * TOKEN, env.default_terms())],
        &[&env.seller],
        code(EscrowError::OfferIdNotNext),
    )
    .await;
    // Nor the buyer an old trade id.
    let stale = TradeRef {
        offer: second,
        ..old
    };
    let args = env.take_args(&stale, TOKEN).await;
    env.refuse(
        &[env.take_offer_ix(&stale, args).await],
        &[&env.buyer],
        code(EscrowError::TradeIdNotNext),
    )
    .await;
}

#[tokio::test]
async fn buyers_taking_one_offer_at_once_all_succeed() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let offer = env.create_offer(&mint).await;
    let buyers: Vec<Keypair> = (0..8).map(|_| Keypair::new()).collect();
    let mut takes = Vec::new();
    for buyer in &buyers {
        env.fund(&buyer.pubkey(), 1_000_000_000).await;
        env.open_profile(buyer).await;
    }
    // Every buyer builds its take from the same view of the offer...
    for buyer in &buyers {
        let trade = env.next_trade(&offer, &buyer.pubkey()).await;
        let args = env.take_args(&trade, 10 * TOKEN).await;
        takes.push((trade, env.take_offer_ix(&trade, args).await));
    }
    // ...and every one of them lands.
    for ((trade, take), buyer) in takes.into_iter().zip(&buyers) {
        env.ok(&[take], &[buyer]).await;
        assert_eq!(env.trade(&trade).await.amount, 10 * TOKEN);
    }
    assert_eq!(env.offer(&offer).await.locked, 80 * TOKEN);
}

#[tokio::test]
async fn a_held_share_the_transfer_fee_takes_whole_still_waits_for_the_claim() {
    let env = Env::new().await;
    let mint = env
        .create_mint(MintKind::TransferFee {
            bps: 100,
            max: u64::MAX,
        })
        .await;
    let terms = OfferTerms {
        min_trade_amount: 1,
        ..env.default_terms()
    };
    let offer = env.create_offer_with(&mint, 100 * TOKEN, terms).await;
    // 10,000 base units: after the arbiter's 2%, 9,800.
    let trade = env.take(&offer, &env.buyer, 10_000).await;
    env.ok(&[env.mark_paid_ix(&trade, [1; 32])], &[&env.buyer])
        .await;
    env.track_payout_accounts(&trade);
    let buyer_account = env.mint_to(&offer.mint, &env.buyer.pubkey(), 0).await;
    env.set_frozen(&offer.mint, &buyer_account, true).await;
    dispute(&env, &trade).await;
    // 2 bps of the 9,800 left after the arbiter's fee: one base unit, which the fee takes whole.
    let arbiter = env.arbiter.pubkey();
    let events = env
        .ok(
            &[env.rule_ix(&trade, &arbiter, &arbiter, 2)],
            &[&env.arbiter],
        )
        .await;
    assert_eq!(single_event::<DisputeResolved>(&events).to_buyer, 1);
    let held = single_event::<PayoutHeld>(&events);
    assert_eq!(held.tokens, 0);
    // The trade stays, with the bond in the holding account; the buyer claims both back.
    assert_eq!(env.trade(&trade).await.state, TradeState::Settled);
    assert!(env.lamports(&trade.holding()).await >= BUYER_BOND);
    let recipient = env.buyer.pubkey();
    let before = env.lamports(&recipient).await;
    env.ok(&[env.claim_ix(&trade, None, &recipient)], &[&env.buyer])
        .await;
    assert_eq!(env.lamports(&recipient).await, before + held.lamports);
    assert!(!env.exists(&trade.address).await);
    assert!(!env.exists(&trade.holding()).await);
}

#[tokio::test]
async fn a_seller_whose_token_account_was_given_away_withdraws_and_closes_elsewhere() {
    let mut env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let offer = env.create_offer(&mint).await;
    let (seller, stranger) = (env.seller.pubkey(), env.stranger.pubkey());
    env.give_token_account_away(&mint, &seller, &stranger).await;
    // Its own other token account takes the tokens; the vault itself never does.
    let other = env.create_token_account(&mint, &seller).await;
    let mut into_vault = env.withdraw_accounts(&offer);
    into_vault.destination = offer.vault;
    env.refuse(
        &[ix(
            into_vault,
            p2p_escrow::instruction::Withdraw { amount: TOKEN },
        )],
        &[&env.seller],
        anchor_code(anchor_lang::error::ErrorCode::ConstraintDuplicateMutableAccount),
    )
    .await;
    let mut withdraw = env.withdraw_accounts(&offer);
    withdraw.destination = other;
    env.ok(
        &[ix(
            withdraw,
            p2p_escrow::instruction::Withdraw { amount: TOKEN },
        )],
        &[&env.seller],
    )
    .await;
    assert_eq!(env.balance(&other).await, TOKEN);
    let mut close = env.close_offer_accounts(&offer);
    close.destination = other;
    env.ok(
        &[ix(close, p2p_escrow::instruction::CloseOffer {})],
        &[&env.seller],
    )
    .await;
    assert_eq!(env.balance(&other).await, 1_000 * TOKEN);
    assert!(!env.exists(&offer.address).await);
}
