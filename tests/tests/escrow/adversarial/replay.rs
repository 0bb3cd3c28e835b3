use anchor_lang::error::ErrorCode as AnchorError;
use p2p_escrow::state::OfferTerms;
use p2p_escrow_tests::*;
use solana_signer::Signer;

#[tokio::test]
async fn a_take_replayed_after_the_offer_was_recreated_with_other_terms_fails() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let offer = env.create_offer(&mint).await;
    let trade = env.next_trade(&offer, &env.buyer.pubkey()).await;
    let seen = env.take_args(&trade, 10 * TOKEN).await;
    let take = env.take_offer_ix(&trade, seen.clone()).await;
    env.track(&[trade.address]);

    // The seller closes the offer and creates a new one, twice as expensive: it gets the seller's
    // next offer id, so a new address.
    env.ok(&[env.close_offer_ix(&offer)], &[&env.seller]).await;
    let dearer = OfferTerms {
        price: 2 * PRICE,
        ..env.default_terms()
    };
    let new_offer = env.create_offer_with(&mint, 1_000 * TOKEN, dearer).await;
    assert_ne!(new_offer.address, offer.address);

    // The pending transaction names the closed offer...
    env.refuse(
        &[take],
        &[&env.buyer],
        anchor_code(AnchorError::AccountNotInitialized),
    )
    .await;
    // ...and rebuilt for the new offer, the old terms no longer match.
    let fresh = env.next_trade(&new_offer, &env.buyer.pubkey()).await;
    env.track(&[fresh.address]);
    env.refuse(
        &[env.take_offer_ix(&fresh, seen).await],
        &[&env.buyer],
        code(EscrowError::TermsMismatch),
    )
    .await;
}

#[tokio::test]
async fn an_attestation_cannot_be_replayed_on_a_trade_of_a_recreated_offer() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let terms = OfferTerms {
        attestor: Some(env.attestor.pubkey()),
        ..env.default_terms()
    };
    let offer = env
        .create_offer_with(&mint, 100 * TOKEN, terms.clone())
        .await;
    let relayer = env.stranger.pubkey();

    // The buyer pays once; the payment service attests; the trade is released.
    let first = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    env.ok(&[env.mark_paid_ix(&first, [9; 32])], &[&env.buyer])
        .await;
    let attestation = ed25519_ix(&env.attestor, &env.attestation_payload(&first).await);
    env.ok(
        &[
            attestation.clone(),
            env.release_with_attestation_ix(&first, &relayer),
        ],
        &[&env.stranger],
    )
    .await;
    // Replaying it on the released trade finds nothing.
    env.refuse(
        &[
            attestation.clone(),
            env.release_with_attestation_ix(&first, &relayer),
        ],
        &[&env.stranger],
        anchor_code(AnchorError::AccountNotInitialized),
    )
    .await;

    // A second trade of the same offer, same buyer, amount and payment reference.
    let second = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    env.ok(&[env.mark_paid_ix(&second, [9; 32])], &[&env.buyer])
        .await;
    env.refuse(
        &[
            attestation.clone(),
            env.release_with_attestation_ix(&second, &relayer),
        ],
        &[&env.stranger],
        code(EscrowError::AttestationMismatch),
    )
    .await;
    env.ok(&[env.release_ix(&second)], &[&env.seller]).await;

    // The seller closes the offer and creates it again with the same terms: it gets a new address,
    // and the buyer's next trade a new one too, so the old attestation names no trade of it.
    env.ok(&[env.close_offer_ix(&offer)], &[&env.seller]).await;
    let again = env.create_offer_with(&mint, 100 * TOKEN, terms).await;
    let third = env.take(&again, &env.buyer, 10 * TOKEN).await;
    assert_ne!(third.address, first.address);
    env.ok(&[env.mark_paid_ix(&third, [9; 32])], &[&env.buyer])
        .await;
    env.refuse(
        &[
            attestation,
            env.release_with_attestation_ix(&third, &relayer),
        ],
        &[&env.stranger],
        code(EscrowError::AttestationMismatch),
    )
    .await;
}
