use anchor_lang::error::ErrorCode as AnchorError;
use p2p_escrow::events::{
    OfferClosed, OfferCreated, OfferDeposited, OfferStatusChanged, OfferWithdrawn,
};
use p2p_escrow::state::{OfferStatus, OfferTerms};
use p2p_escrow_tests::*;
use solana_instruction::error::InstructionError;
use solana_signer::Signer;
use solana_transaction_error::TransactionError;

/// The seller holds `amount` of a fresh `kind` mint and tries to create an offer with `terms`; the
/// refusal must be `expected` and leave everything as it was.
async fn create_is_refused(
    env: &Env,
    kind: MintKind,
    terms: OfferTerms,
    amount: u64,
    expected: u32,
) {
    let mint = env.create_mint(kind).await;
    env.mint_to(&mint, &env.seller.pubkey(), 1_000 * TOKEN)
        .await;
    let offer = env.offer_ref(
        &env.seller.pubkey(),
        env.next_offer_id(&env.seller.pubkey()).await,
        &mint,
    );
    env.track(&[offer.address, offer.vault]);
    env.refuse(
        &[env.create_offer_ix(&offer, amount, terms)],
        &[&env.seller],
        expected,
    )
    .await;
    assert!(!env.exists(&offer.address).await);
    assert!(!env.exists(&offer.vault).await);
}

#[tokio::test]
async fn seller_creates_and_funds_an_offer_with_either_token_program() {
    let env = Env::new().await;
    for kind in [MintKind::Spl, MintKind::Token2022] {
        let mint = env.create_mint(kind).await;
        let seller = env.seller.pubkey();
        let seller_tokens = env.mint_to(&mint, &seller, 1_500 * TOKEN).await;
        let offer = env.offer_ref(&seller, env.next_offer_id(&seller).await, &mint);
        let lamports_before = env.lamports(&seller).await;
        let events = env
            .ok(
                &[env.create_offer_ix(&offer, 1_000 * TOKEN, env.default_terms())],
                &[&env.seller],
            )
            .await;
        env.track(&[offer.address, offer.vault]);

        let state = env.offer(&offer).await;
        assert_eq!(state.seller, seller);
        assert_eq!(state.offer_id, offer.offer_id);
        assert_eq!(state.mint, mint.address);
        assert_eq!(state.token_program, mint.token_program);
        assert_eq!(state.vault, offer.vault);
        assert_eq!((state.available, state.locked), (1_000 * TOKEN, 0));
        assert_eq!(state.terms, env.default_terms());
        assert_eq!(state.status, OfferStatus::Open);
        // The seller's profile counts the offer: its next offer gets the next id.
        assert_eq!(
            env.profile(&seller).await.expect("profile").offers_created,
            offer.offer_id + 1
        );
        assert_eq!(env.balance(&seller_tokens).await, 500 * TOKEN);
        let rent = env.lamports(&offer.address).await + env.lamports(&offer.vault).await;
        assert_eq!(env.lamports(&seller).await, lamports_before - rent);

        let event: OfferCreated = single_event(&events);
        assert_eq!(event.offer, offer.address);
        assert_eq!(event.deposited, 1_000 * TOKEN);
        assert_eq!(event.terms, env.default_terms());
    }
}

#[tokio::test]
async fn offer_terms_out_of_bounds_are_refused() {
    let env = Env::new().await;
    let base = env.default_terms();
    let day = 24 * 60 * 60;
    let cases = [
        (
            OfferTerms {
                min_trade_amount: 0,
                ..base.clone()
            },
            EscrowError::InvalidTradeLimits,
        ),
        (
            OfferTerms {
                min_trade_amount: 5 * TOKEN,
                max_trade_amount: 4 * TOKEN,
                ..base.clone()
            },
            EscrowError::InvalidTradeLimits,
        ),
        (
            OfferTerms {
                price: 0,
                ..base.clone()
            },
            EscrowError::ZeroPrice,
        ),
        (
            OfferTerms {
                fiat_currency: *b"eur",
                ..base.clone()
            },
            EscrowError::InvalidFiatCurrency,
        ),
        (
            OfferTerms {
                fiat_currency: *b"E1R",
                ..base.clone()
            },
            EscrowError::InvalidFiatCurrency,
        ),
        (
            OfferTerms {
                payment_window: 5 * 60 - 1,
                ..base.clone()
            },
            EscrowError::PaymentWindowOutOfBounds,
        ),
        (
            OfferTerms {
                payment_window: 7 * day + 1,
                ..base.clone()
            },
            EscrowError::PaymentWindowOutOfBounds,
        ),
        (
            OfferTerms {
                payment_window: i64::MAX,
                ..base.clone()
            },
            EscrowError::PaymentWindowOutOfBounds,
        ),
        (
            OfferTerms {
                release_window: 5 * 60 - 1,
                ..base.clone()
            },
            EscrowError::ReleaseWindowOutOfBounds,
        ),
        (
            OfferTerms {
                release_window: 30 * day + 1,
                ..base.clone()
            },
            EscrowError::ReleaseWindowOutOfBounds,
        ),
        (
            OfferTerms {
                release_window: -1,
                ..base.clone()
            },
            EscrowError::ReleaseWindowOutOfBounds,
        ),
        (
            OfferTerms {
                allowed_buyer: Some(env.seller.pubkey()),
                ..base.clone()
            },
            EscrowError::BuyerIsSeller,
        ),
        (
            OfferTerms {
                allowed_buyer: Some(env.arbiter.pubkey()),
                ..base.clone()
            },
            EscrowError::ArbiterIsParty,
        ),
        (
            OfferTerms {
                allowed_buyer: Some(env.buyer.pubkey()),
                attestor: Some(env.buyer.pubkey()),
                ..base.clone()
            },
            EscrowError::AttestorIsBuyer,
        ),
    ];
    for (terms, error) in cases {
        create_is_refused(&env, MintKind::Spl, terms, 10 * TOKEN, code(error)).await;
    }
    create_is_refused(
        &env,
        MintKind::Spl,
        base.clone(),
        0,
        code(EscrowError::ZeroAmount),
    )
    .await;

    // The window bounds themselves are allowed.
    let at_bounds = OfferTerms {
        payment_window: 5 * 60,
        release_window: 30 * day,
        ..base.clone()
    };
    let mint = env.create_mint(MintKind::Spl).await;
    env.create_offer_with(&mint, 10 * TOKEN, at_bounds).await;
    let at_bounds = OfferTerms {
        payment_window: 7 * day,
        release_window: 5 * 60,
        ..base
    };
    env.create_offer_with(&mint, 10 * TOKEN, at_bounds).await;
}

#[tokio::test]
async fn offers_need_an_active_arbiter_who_is_not_the_seller() {
    let env = Env::new().await;
    // The seller registered as an arbiter still cannot judge its own offer.
    env.ok(
        &[env.register_arbiter_ix(&env.seller.pubkey(), 100)],
        &[&env.admin],
    )
    .await;
    let own = OfferTerms {
        arbiter: env.seller.pubkey(),
        ..env.default_terms()
    };
    create_is_refused(
        &env,
        MintKind::Spl,
        own,
        10 * TOKEN,
        code(EscrowError::ArbiterIsParty),
    )
    .await;

    env.ok(
        &[env.update_arbiter_ix(&env.arbiter.pubkey(), ARBITER_FEE_BPS, false)],
        &[&env.admin],
    )
    .await;
    create_is_refused(
        &env,
        MintKind::Spl,
        env.default_terms(),
        10 * TOKEN,
        code(EscrowError::ArbiterInactive),
    )
    .await;
}

#[tokio::test]
async fn mints_with_dangerous_extensions_are_refused() {
    let env = Env::new().await;
    let cases = [
        (
            MintKind::PermanentDelegate,
            EscrowError::MintHasPermanentDelegate,
        ),
        (MintKind::NonTransferable, EscrowError::MintNonTransferable),
        (MintKind::Pausable, EscrowError::MintPausable),
        (MintKind::DefaultFrozen, EscrowError::MintDefaultFrozen),
        (MintKind::TransferHook, EscrowError::MintHasTransferHook),
    ];
    for (kind, error) in cases {
        create_is_refused(&env, kind, env.default_terms(), 10 * TOKEN, code(error)).await;
    }
}

#[tokio::test]
async fn create_offer_checks_the_token_program_and_the_offer_id() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Token2022).await;
    env.mint_to(&mint, &env.seller.pubkey(), 100 * TOKEN).await;
    // The Token-2022 mint named with the SPL Token program (and the vault that would have).
    let mut offer = env.offer_ref(
        &env.seller.pubkey(),
        env.next_offer_id(&env.seller.pubkey()).await,
        &mint,
    );
    offer.mint.token_program = spl_token_interface::ID;
    offer.vault = offer.mint.ata(&offer.address);
    env.track(&[offer.address, offer.vault]);
    let wrong_program = substitute(
        env.create_offer_ix(&offer, 10 * TOKEN, env.default_terms()),
        &offer.mint.ata(&env.seller.pubkey()),
        &mint.ata(&env.seller.pubkey()),
    );
    // Creating the vault comes first, and the SPL Token program refuses a mint it does not own.
    let error = env.refuse_with(&[wrong_program], &[&env.seller]).await;
    assert_eq!(
        error,
        TransactionError::InstructionError(1, InstructionError::IncorrectProgramId)
    );

    let offer = env
        .create_offer_with(&mint, 10 * TOKEN, env.default_terms())
        .await;
    env.mint_to(&mint, &env.seller.pubkey(), 10 * TOKEN).await;
    env.refuse(
        &[env.create_offer_ix(&offer, 10 * TOKEN, env.default_terms())],
        &[&env.seller],
        code(EscrowError::OfferIdNotNext),
    )
    .await;
}

#[tokio::test]
async fn seller_deposits_and_withdraws_available_tokens() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let offer = env.create_offer(&mint).await;
    let seller_tokens = env.mint_to(&mint, &env.seller.pubkey(), 200 * TOKEN).await;

    let events = env
        .ok(&[env.deposit_ix(&offer, 200 * TOKEN)], &[&env.seller])
        .await;
    let event: OfferDeposited = single_event(&events);
    assert_eq!(
        (event.deposited, event.available),
        (200 * TOKEN, 1_200 * TOKEN)
    );
    assert_eq!(env.balance(&seller_tokens).await, 0);

    let trade = env.take(&offer, &env.buyer, 100 * TOKEN).await;
    env.refuse(
        &[env.withdraw_ix(&offer, 1_100 * TOKEN + 1)],
        &[&env.seller],
        code(EscrowError::InsufficientAvailable),
    )
    .await;
    env.refuse(
        &[env.withdraw_ix(&offer, 0)],
        &[&env.seller],
        code(EscrowError::ZeroAmount),
    )
    .await;
    env.refuse(
        &[env.deposit_ix(&offer, 0)],
        &[&env.seller],
        code(EscrowError::ZeroAmount),
    )
    .await;

    let events = env
        .ok(&[env.withdraw_ix(&offer, 1_100 * TOKEN)], &[&env.seller])
        .await;
    let event: OfferWithdrawn = single_event(&events);
    assert_eq!((event.withdrawn, event.available), (1_100 * TOKEN, 0));
    assert_eq!(env.balance(&seller_tokens).await, 1_100 * TOKEN);
    let state = env.offer(&offer).await;
    assert_eq!((state.available, state.locked), (0, 100 * TOKEN));
    assert!(env.exists(&trade.address).await);
}

#[tokio::test]
async fn offer_accounts_cannot_be_substituted() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let offer = env.create_offer(&mint).await;
    let other = env.create_offer(&mint).await;
    let other_mint = env.create_mint(MintKind::Spl).await;
    let t22_mint = env.create_mint(MintKind::Token2022).await;
    env.mint_to(&mint, &env.seller.pubkey(), 10 * TOKEN).await;
    env.mint_to(&mint, &env.stranger.pubkey(), 10 * TOKEN).await;
    env.mint_to(&other_mint, &env.seller.pubkey(), 10 * TOKEN)
        .await;
    let stranger = env.stranger.pubkey();

    // A stranger signing for the seller.
    let mut by_stranger = env.deposit_accounts(&offer);
    by_stranger.seller = stranger;
    by_stranger.seller_token_account = mint.ata(&stranger);
    env.refuse(
        &[ix(
            by_stranger,
            p2p_escrow::instruction::Deposit { amount: TOKEN },
        )],
        &[&env.stranger],
        code(EscrowError::NotSeller),
    )
    .await;
    let mut by_stranger = env.withdraw_accounts(&offer);
    by_stranger.seller = stranger;
    by_stranger.destination = mint.ata(&stranger);
    env.refuse(
        &[ix(
            by_stranger,
            p2p_escrow::instruction::Withdraw { amount: TOKEN },
        )],
        &[&env.stranger],
        code(EscrowError::NotSeller),
    )
    .await;
    let mut by_stranger = env.close_offer_accounts(&offer);
    by_stranger.seller = stranger;
    by_stranger.destination = mint.ata(&stranger);
    env.refuse(
        &[ix(by_stranger, p2p_escrow::instruction::CloseOffer {})],
        &[&env.stranger],
        code(EscrowError::NotSeller),
    )
    .await;
    env.refuse(
        &[env.set_offer_paused_ix(&offer, &stranger, true)],
        &[&env.stranger],
        code(EscrowError::NotSeller),
    )
    .await;

    // Another offer's vault, another mint, another token program.
    for instruction in [
        env.deposit_ix(&offer, TOKEN),
        env.withdraw_ix(&offer, TOKEN),
        env.close_offer_ix(&offer),
    ] {
        env.refuse(
            &[substitute(instruction.clone(), &offer.vault, &other.vault)],
            &[&env.seller],
            code(EscrowError::VaultMismatch),
        )
        .await;
        let wrong_mint = substitute(
            substitute(instruction.clone(), &mint.address, &other_mint.address),
            &mint.ata(&env.seller.pubkey()),
            &other_mint.ata(&env.seller.pubkey()),
        );
        env.refuse(
            &[wrong_mint],
            &[&env.seller],
            code(EscrowError::MintMismatch),
        )
        .await;
        env.refuse(
            &[substitute(
                instruction,
                &spl_token_interface::ID,
                &t22_mint.token_program,
            )],
            &[&env.seller],
            code(EscrowError::TokenProgramMismatch),
        )
        .await;
    }
}

#[tokio::test]
async fn seller_pauses_and_resumes_an_offer() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let offer = env.create_offer(&mint).await;
    let seller = env.seller.pubkey();
    env.refuse(
        &[env.set_offer_paused_ix(&offer, &seller, false)],
        &[&env.seller],
        code(EscrowError::OfferStatusUnchanged),
    )
    .await;
    let events = env
        .ok(
            &[env.set_offer_paused_ix(&offer, &seller, true)],
            &[&env.seller],
        )
        .await;
    assert!(single_event::<OfferStatusChanged>(&events).paused);
    assert_eq!(env.offer(&offer).await.status, OfferStatus::Paused);
    env.refuse(
        &[env.set_offer_paused_ix(&offer, &seller, true)],
        &[&env.seller],
        code(EscrowError::OfferStatusUnchanged),
    )
    .await;

    env.refuse_take(&offer, &env.buyer, TOKEN, code(EscrowError::OfferNotOpen))
        .await;

    let events = env
        .ok(
            &[env.set_offer_paused_ix(&offer, &seller, false)],
            &[&env.seller],
        )
        .await;
    assert!(!single_event::<OfferStatusChanged>(&events).paused);
    env.take(&offer, &env.buyer, TOKEN).await;
}

#[tokio::test]
async fn close_returns_tokens_donations_and_rent_to_the_seller() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Token2022).await;
    let offer = env.create_offer(&mint).await;
    let seller = env.seller.pubkey();
    // A stranger donates dust into the vault.
    env.donate(&offer, &env.stranger, 5).await;

    let trade = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    env.refuse(
        &[env.close_offer_ix(&offer)],
        &[&env.seller],
        code(EscrowError::OfferHasLockedTrades),
    )
    .await;
    env.ok(&[env.cancel_trade_ix(&trade)], &[&env.buyer]).await;

    let rent = env.lamports(&offer.address).await + env.lamports(&offer.vault).await;
    let lamports_before = env.lamports(&seller).await;
    let events = env.ok(&[env.close_offer_ix(&offer)], &[&env.seller]).await;
    let event: OfferClosed = single_event(&events);
    assert_eq!(event.returned, 1_000 * TOKEN + 5);
    assert_eq!(env.balance(&mint.ata(&seller)).await, 1_000 * TOKEN + 5);
    assert!(!env.exists(&offer.address).await);
    assert!(!env.exists(&offer.vault).await);
    assert_eq!(env.lamports(&seller).await, lamports_before + rent);

    // Nothing can be done with a closed offer.
    env.refuse(
        &[env.deposit_ix(&offer, TOKEN)],
        &[&env.seller],
        anchor_code(AnchorError::AccountNotInitialized),
    )
    .await;
}

#[tokio::test]
async fn transfer_fee_mints_record_what_the_vault_received() {
    let env = Env::new().await;
    // 1% fee, capped at 5 tokens a transfer.
    let mint = env
        .create_mint(MintKind::TransferFee {
            bps: 100,
            max: 5 * TOKEN,
        })
        .await;
    let offer = env
        .create_offer_with(&mint, 100 * TOKEN, env.default_terms())
        .await;
    let state = env.offer(&offer).await;
    assert_eq!(state.available, 99 * TOKEN);
    assert_eq!(env.withheld(&offer.vault).await, TOKEN);

    env.mint_to(&mint, &env.seller.pubkey(), 1_000 * TOKEN)
        .await;
    let events = env
        .ok(&[env.deposit_ix(&offer, 1_000 * TOKEN)], &[&env.seller])
        .await;
    // The fee is capped at 5 tokens.
    assert_eq!(
        single_event::<OfferDeposited>(&events).deposited,
        995 * TOKEN
    );
    assert_eq!(env.offer(&offer).await.available, 1_094 * TOKEN);

    // Withdrawing takes exactly the amount out of the vault; the seller receives it less the fee.
    let seller_tokens = mint.ata(&env.seller.pubkey());
    let before = env.balance(&seller_tokens).await;
    env.ok(&[env.withdraw_ix(&offer, 94 * TOKEN)], &[&env.seller])
        .await;
    assert_eq!(env.offer(&offer).await.available, 1_000 * TOKEN);
    assert_eq!(
        env.balance(&seller_tokens).await - before,
        94 * TOKEN - 940_000
    );

    // Closing harvests the withheld fees to the mint so that the vault can close.
    env.ok(&[env.close_offer_ix(&offer)], &[&env.seller]).await;
    assert!(!env.exists(&offer.vault).await);
    assert!(!env.exists(&offer.address).await);
}
