use p2p_escrow::events::TradeReleased;
use p2p_escrow_tests::*;
use solana_signer::Signer;
use spl_token_2022_interface::error::TokenError;

/// A Token-2022 mint, an offer of it and a 10-token trade the buyer marked paid.
async fn paid_trade(kind: MintKind) -> (Env, OfferRef, TradeRef) {
    let env = Env::new().await;
    let mint = env.create_mint(kind).await;
    let offer = env.create_offer(&mint).await;
    let trade = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    env.ok(&[env.mark_paid_ix(&trade, [1; 32])], &[&env.buyer])
        .await;
    env.track_payout_accounts(&trade);
    (env, offer, trade)
}

#[tokio::test]
async fn a_transfer_fee_changed_across_epochs_never_breaks_the_vault_accounting() {
    let (mut env, offer, first) = paid_trade(MintKind::TransferFee {
        bps: 100,
        max: u64::MAX,
    })
    .await;
    let mint = offer.mint;
    // 1% withheld on the deposit of 1000 tokens.
    assert_eq!(env.offer(&offer).await.available + 10 * TOKEN, 990 * TOKEN);
    env.set_transfer_fee(&mint, 300, u64::MAX).await;
    let second = env.take(&offer, &env.buyer2, 10 * TOKEN).await;

    // The new fee is not in force yet: 1% of what the buyer is paid is withheld.
    let fee = 10 * TOKEN * u64::from(FEE_BPS) / 10_000;
    let paid = 10 * TOKEN - fee;
    env.ok(&[env.release_ix(&first)], &[&env.seller]).await;
    assert_eq!(
        env.balance(&mint.ata(&env.buyer.pubkey())).await,
        paid - paid / 100
    );

    // Two epochs later, 3%; the vault still pays out exactly what the offer records.
    let epoch = env
        .ctx
        .banks_client
        .get_sysvar::<solana_clock::Clock>()
        .await
        .unwrap()
        .epoch;
    env.ctx.warp_to_epoch(epoch + 2).unwrap();
    let events = env.ok(&[env.release_ix(&second)], &[&env.seller]).await;
    assert_eq!(single_event::<TradeReleased>(&events).to_buyer, paid);
    assert_eq!(
        env.balance(&mint.ata(&env.buyer2.pubkey())).await,
        paid - paid * 3 / 100
    );
    assert_eq!(env.offer(&offer).await.locked, 0);
    env.ok(&[env.close_offer_ix(&offer)], &[&env.seller]).await;
}

#[tokio::test]
async fn a_frozen_vault_blocks_payouts_until_it_is_thawed() {
    let (env, offer, trade) = paid_trade(MintKind::Token2022).await;
    env.set_frozen(&offer.mint, &offer.vault, true).await;
    let frozen = TokenError::AccountFrozen as u32;
    env.refuse(&[env.release_ix(&trade)], &[&env.seller], frozen)
        .await;
    env.refuse(&[env.withdraw_ix(&offer, TOKEN)], &[&env.seller], frozen)
        .await;
    env.set_frozen(&offer.mint, &offer.vault, false).await;
    env.ok(&[env.release_ix(&trade)], &[&env.seller]).await;
    env.ok(&[env.close_offer_ix(&offer)], &[&env.seller]).await;
}

#[tokio::test]
async fn dust_donated_to_the_vault_blocks_nothing_and_returns_to_the_seller() {
    let (env, offer, trade) = paid_trade(MintKind::Spl).await;
    env.donate(&offer, &env.stranger, 1).await;
    env.ok(&[env.release_ix(&trade)], &[&env.seller]).await;
    let available = env.offer(&offer).await.available;
    env.ok(&[env.withdraw_ix(&offer, available)], &[&env.seller])
        .await;
    env.refuse(
        &[env.withdraw_ix(&offer, 1)],
        &[&env.seller],
        code(EscrowError::InsufficientAvailable),
    )
    .await;
    let seller_tokens = offer.mint.ata(&env.seller.pubkey());
    let before = env.balance(&seller_tokens).await;
    env.ok(&[env.close_offer_ix(&offer)], &[&env.seller]).await;
    assert_eq!(env.balance(&seller_tokens).await, before + 1);
}

#[tokio::test]
async fn recipients_that_require_memos_still_get_paid() {
    let (env, offer, trade) = paid_trade(MintKind::Token2022).await;
    let mint = offer.mint;
    let buyer_tokens = env
        .harden_token_account(&mint, &env.buyer, true, false)
        .await;
    env.harden_token_account(&mint, &env.seller, true, false)
        .await;
    let events = env.ok(&[env.release_ix(&trade)], &[&env.seller]).await;
    let released: TradeReleased = single_event(&events);
    assert_eq!(env.balance(&buyer_tokens).await, released.to_buyer);
    assert_eq!(env.balance(&fee_vault(&mint)).await, released.protocol_fee);
    env.ok(&[env.withdraw_ix(&offer, TOKEN)], &[&env.seller])
        .await;
    env.ok(&[env.close_offer_ix(&offer)], &[&env.seller]).await;
    assert!(!env.exists(&offer.vault).await);
}

#[tokio::test]
async fn a_cpi_guard_protects_its_owner_and_blocks_no_payout() {
    let (env, offer, trade) = paid_trade(MintKind::Token2022).await;
    let mint = offer.mint;
    // The buyer's guarded account receives as usual.
    let buyer_tokens = env
        .harden_token_account(&mint, &env.buyer, false, true)
        .await;
    let events = env.ok(&[env.release_ix(&trade)], &[&env.seller]).await;
    assert_eq!(
        env.balance(&buyer_tokens).await,
        single_event::<TradeReleased>(&events).to_buyer
    );
    // A seller whose account is guarded cannot have the program pull a deposit from it.
    let seller_tokens = env
        .harden_token_account(&mint, &env.seller, false, true)
        .await;
    env.mint_to(&mint, &env.seller.pubkey(), TOKEN).await;
    env.refuse(
        &[env.deposit_ix(&offer, TOKEN)],
        &[&env.seller],
        TokenError::CpiGuardTransferBlocked as u32,
    )
    .await;
    // Payouts into it still work.
    let before = env.balance(&seller_tokens).await;
    env.ok(&[env.withdraw_ix(&offer, TOKEN)], &[&env.seller])
        .await;
    assert_eq!(env.balance(&seller_tokens).await, before + TOKEN);
}
