use anchor_lang::error::ErrorCode as AnchorError;
use p2p_escrow_tests::*;
use solana_signer::Signer;

/// Just over the rent-exempt minimum of an empty account, the least a stranger can send.
const DUST: u64 = 900_000;
const FORTUNE: u64 = 5_000_000_000;

#[tokio::test]
async fn a_pre_funded_config_and_arbiter_address_still_get_created() {
    let env = Env::bare().await;
    env.fund(&addresses::config(), DUST).await;
    env.ok(
        &[env.initialize_config_ix(&env.admin.pubkey(), default_params(&env))],
        &[&env.admin],
    )
    .await;
    assert_eq!(env.config().await.admin, env.admin.pubkey());
    let arbiter = env.arbiter.pubkey();
    env.fund(&addresses::arbiter(&arbiter), FORTUNE).await;
    env.ok(&[env.register_arbiter_ix(&arbiter, 100)], &[&env.admin])
        .await;
    assert!(env.arbiter_account(&arbiter).await.active);
    // The stranger's lamports covered the rent: the admin paid nothing more.
    assert_eq!(env.lamports(&addresses::arbiter(&arbiter)).await, FORTUNE);
}

#[tokio::test]
async fn a_pre_funded_offer_vault_and_trade_address_still_get_created() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let seller = env.seller.pubkey();
    let offer = env.offer_ref(&seller, env.next_offer_id(&seller).await, &mint);
    env.fund(&offer.address, DUST).await;
    env.fund(&offer.vault, DUST).await;
    env.mint_to(&mint, &seller, 100 * TOKEN).await;
    let lamports_before = env.lamports(&seller).await;
    env.ok(
        &[env.create_offer_ix(&offer, 100 * TOKEN, env.default_terms())],
        &[&env.seller],
    )
    .await;
    assert_eq!(env.offer(&offer).await.available, 100 * TOKEN);
    // The seller paid only what the stranger's lamports did not cover.
    let rent = env.ctx.banks_client.get_rent().await.unwrap();
    let offer_rent = rent.minimum_balance(env.account(&offer.address).await.unwrap().data.len());
    let vault_rent = rent.minimum_balance(env.account(&offer.vault).await.unwrap().data.len());
    assert_eq!(
        lamports_before - env.lamports(&seller).await,
        offer_rent + vault_rent - 2 * DUST
    );

    // A stranger pre-funds the next trade's address with more than its rent.
    let trade = env.next_trade(&offer, &env.buyer.pubkey()).await;
    env.fund(&trade.address, FORTUNE).await;
    let buyer_before = env.lamports(&env.buyer.pubkey()).await;
    let taken = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    assert_eq!(taken.address, trade.address);
    let state = env.trade(&trade).await;
    assert_eq!(state.amount, 10 * TOKEN);
    // The buyer paid only the bond.
    assert_eq!(
        buyer_before - env.lamports(&env.buyer.pubkey()).await,
        BUYER_BOND
    );
    // Cancelling returns everything the trade account holds to the buyer, the gift included.
    env.ok(&[env.cancel_trade_ix(&trade)], &[&env.buyer]).await;
    assert_eq!(
        env.lamports(&env.buyer.pubkey()).await,
        buyer_before + FORTUNE
    );
}

#[tokio::test]
async fn an_existing_account_is_never_created_over() {
    let mut env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let offer = env.create_offer(&mint).await;
    // The next trade's address already holds an account of another program (injected: no real
    // program can create one at this program's PDA).
    let trade = env.next_trade(&offer, &env.buyer.pubkey()).await;
    env.inject(
        &trade.address,
        solana_account::Account {
            lamports: FORTUNE,
            data: vec![0; 8],
            owner: spl_token_interface::ID,
            executable: false,
            rent_epoch: 0,
        },
    );
    let args = env.take_args(&trade, TOKEN).await;
    env.refuse(
        &[env.take_offer_ix(&trade, args).await],
        &[&env.buyer],
        code(EscrowError::AccountInUse),
    )
    .await;
}

#[tokio::test]
async fn a_closed_trade_revived_with_lamports_stays_dead() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let offer = env.create_offer(&mint).await;
    let trade = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    env.ok(&[env.mark_paid_ix(&trade, [1; 32])], &[&env.buyer])
        .await;
    env.ok(&[env.release_ix(&trade)], &[&env.seller]).await;
    env.fund(&trade.address, FORTUNE).await;
    // The address is a plain system account now, never a trade again.
    let closed = anchor_code(AnchorError::AccountOwnedByWrongProgram);
    env.refuse(&[env.release_ix(&trade)], &[&env.seller], closed)
        .await;
    env.refuse(&[env.cancel_trade_ix(&trade)], &[&env.buyer], closed)
        .await;
    env.refuse(&[env.mark_paid_ix(&trade, [1; 32])], &[&env.buyer], closed)
        .await;
    env.refuse(
        &[env.open_dispute_ix(&trade, &env.seller.pubkey(), &env.arbiter.pubkey())],
        &[&env.seller],
        closed,
    )
    .await;
    // The next trade lands at a new address; the revived one is never reused.
    let next = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    assert_ne!(next.address, trade.address);
    let buyer = env.buyer.pubkey();
    assert_eq!(
        env.profile(&buyer).await.expect("profile").trades_taken,
        env.trade(&next).await.trade_id + 1
    );
    assert_eq!(
        addresses::trade(&buyer, env.trade(&next).await.trade_id),
        next.address
    );
    assert_eq!(
        addresses::offer(&offer.seller, offer.offer_id),
        offer.address
    );
}
