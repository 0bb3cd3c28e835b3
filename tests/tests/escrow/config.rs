use anchor_lang::error::ErrorCode as AnchorError;
use p2p_escrow::events::{
    AdminTransferProposed, AdminTransferred, ArbiterRegistered, ArbiterUpdated, ConfigInitialized,
    ConfigUpdated, PauseChanged,
};
use p2p_escrow::state::ConfigParams;
use p2p_escrow_tests::*;
use solana_signer::Signer;

#[tokio::test]
async fn upgrade_authority_initializes_the_config_once() {
    let env = Env::bare().await;
    let params = default_params(&env);
    let events = env
        .ok(
            &[env.initialize_config_ix(&env.admin.pubkey(), params.clone())],
            &[&env.admin],
        )
        .await;
    let config = env.config().await;
    assert_eq!(config.admin, env.admin.pubkey());
    assert_eq!(config.pending_admin, None);
    assert_eq!(config.params(), params);
    assert!(!config.new_offers_paused && !config.new_trades_paused);
    let event: ConfigInitialized = single_event(&events);
    assert_eq!(event.admin, env.admin.pubkey());
    assert_eq!(event.params, params);

    // A second initialization finds the config in place.
    env.refuse(
        &[env.initialize_config_ix(&env.admin.pubkey(), params)],
        &[&env.admin],
        code(EscrowError::AccountInUse),
    )
    .await;
}

#[tokio::test]
async fn only_the_upgrade_authority_initializes() {
    let env = Env::bare().await;
    env.refuse(
        &[env.initialize_config_ix(&env.stranger.pubkey(), default_params(&env))],
        &[&env.stranger],
        code(EscrowError::NotUpgradeAuthority),
    )
    .await;
    assert!(!env.exists(&addresses::config()).await);
}

#[tokio::test]
async fn config_settings_out_of_bounds_are_refused() {
    let env = Env::bare().await;
    let base = default_params(&env);
    let cases: Vec<(ConfigParams, EscrowError)> = vec![
        (
            ConfigParams {
                fee_bps: 101,
                ..base.clone()
            },
            EscrowError::ProtocolFeeTooHigh,
        ),
        (
            ConfigParams {
                ruling_window: 60 * 60 - 1,
                ..base.clone()
            },
            EscrowError::RulingWindowOutOfBounds,
        ),
        (
            ConfigParams {
                ruling_window: 30 * 24 * 60 * 60 + 1,
                ..base.clone()
            },
            EscrowError::RulingWindowOutOfBounds,
        ),
        (
            ConfigParams {
                default_buyer_bps: 10_001,
                ..base.clone()
            },
            EscrowError::InvalidBps,
        ),
    ];
    for (params, error) in cases.clone() {
        env.refuse(
            &[env.initialize_config_ix(&env.admin.pubkey(), params)],
            &[&env.admin],
            code(error),
        )
        .await;
    }
    // The caps themselves are allowed.
    let at_caps = ConfigParams {
        fee_bps: 100,
        ruling_window: 30 * 24 * 60 * 60,
        default_buyer_bps: 10_000,
        ..base
    };
    env.ok(
        &[env.initialize_config_ix(&env.admin.pubkey(), at_caps.clone())],
        &[&env.admin],
    )
    .await;
    for (params, error) in cases {
        env.refuse(
            &[env.update_config_ix(&env.admin.pubkey(), params)],
            &[&env.admin],
            code(error),
        )
        .await;
    }
    assert_eq!(env.config().await.params(), at_caps);
}

#[tokio::test]
async fn admin_updates_settings_and_pause_flags() {
    let env = Env::new().await;
    let params = ConfigParams {
        fee_bps: 25,
        default_buyer_bps: 7_000,
        ..default_params(&env)
    };
    let events = env
        .ok(
            &[env.update_config_ix(&env.admin.pubkey(), params.clone())],
            &[&env.admin],
        )
        .await;
    assert_eq!(single_event::<ConfigUpdated>(&events).params, params);
    assert_eq!(env.config().await.params(), params);

    env.refuse(
        &[env.update_config_ix(&env.stranger.pubkey(), default_params(&env))],
        &[&env.stranger],
        code(EscrowError::NotAdmin),
    )
    .await;
    env.refuse(
        &[env.set_pause_ix(&env.stranger.pubkey(), true, true)],
        &[&env.stranger],
        code(EscrowError::NotAdmin),
    )
    .await;

    let events = env
        .ok(
            &[env.set_pause_ix(&env.admin.pubkey(), true, false)],
            &[&env.admin],
        )
        .await;
    let event: PauseChanged = single_event(&events);
    assert!(event.new_offers_paused && !event.new_trades_paused);
    let config = env.config().await;
    assert!(config.new_offers_paused && !config.new_trades_paused);

    // The same pause again would change nothing: refused as such, the config untouched.
    let before = env.account(&addresses::config()).await;
    env.refuse(
        &[env.set_pause_ix(&env.admin.pubkey(), true, false)],
        &[&env.admin],
        code(EscrowError::PauseUnchanged),
    )
    .await;
    assert_eq!(env.account(&addresses::config()).await, before);
}

#[tokio::test]
async fn admin_transfer_takes_two_steps() {
    let env = Env::new().await;
    let new_admin = env.stranger.pubkey();

    env.refuse(
        &[env.accept_admin_ix(&new_admin)],
        &[&env.stranger],
        code(EscrowError::NoPendingAdmin),
    )
    .await;
    env.refuse(
        &[env.propose_admin_ix(&env.buyer.pubkey(), new_admin)],
        &[&env.buyer],
        code(EscrowError::NotAdmin),
    )
    .await;
    env.refuse(
        &[env.propose_admin_ix(&env.admin.pubkey(), env.admin.pubkey())],
        &[&env.admin],
        code(EscrowError::AdminUnchanged),
    )
    .await;

    let events = env
        .ok(
            &[env.propose_admin_ix(&env.admin.pubkey(), new_admin)],
            &[&env.admin],
        )
        .await;
    assert_eq!(
        single_event::<AdminTransferProposed>(&events).pending_admin,
        new_admin
    );
    assert_eq!(env.config().await.pending_admin, Some(new_admin));

    // Someone else cannot accept, and the proposed admin must sign.
    env.refuse(
        &[env.accept_admin_ix(&env.buyer.pubkey())],
        &[&env.buyer],
        code(EscrowError::NotPendingAdmin),
    )
    .await;
    env.refuse(
        &[unsign(env.accept_admin_ix(&new_admin), &new_admin)],
        &[],
        anchor_code(AnchorError::AccountNotSigner),
    )
    .await;

    let events = env
        .ok(&[env.accept_admin_ix(&new_admin)], &[&env.stranger])
        .await;
    let event: AdminTransferred = single_event(&events);
    assert_eq!(event.previous_admin, env.admin.pubkey());
    assert_eq!(event.admin, new_admin);
    let config = env.config().await;
    assert_eq!(config.admin, new_admin);
    assert_eq!(config.pending_admin, None);

    // The old admin has no power left.
    env.refuse(
        &[env.set_pause_ix(&env.admin.pubkey(), true, true)],
        &[&env.admin],
        code(EscrowError::NotAdmin),
    )
    .await;
}

#[tokio::test]
async fn arbiters_are_registered_and_updated_by_the_admin() {
    let env = Env::new().await;
    let arbiter = env.arbiter_account(&env.arbiter.pubkey()).await;
    assert_eq!(arbiter.authority, env.arbiter.pubkey());
    assert_eq!(arbiter.fee_bps, ARBITER_FEE_BPS);
    assert!(arbiter.active);
    assert_eq!(
        (
            arbiter.open_cases,
            arbiter.rulings,
            arbiter.missed_deadlines
        ),
        (0, 0, 0)
    );

    let newcomer = env.stranger.pubkey();
    env.refuse(
        &[env.register_arbiter_ix(&newcomer, 501)],
        &[&env.admin],
        code(EscrowError::ArbiterFeeTooHigh),
    )
    .await;
    let mut by_stranger = env.register_arbiter_ix(&newcomer, 100);
    by_stranger = substitute(by_stranger, &env.admin.pubkey(), &newcomer);
    env.refuse(
        &[by_stranger],
        &[&env.stranger],
        code(EscrowError::NotAdmin),
    )
    .await;
    let events = env
        .ok(&[env.register_arbiter_ix(&newcomer, 500)], &[&env.admin])
        .await;
    let event: ArbiterRegistered = single_event(&events);
    assert_eq!((event.authority, event.fee_bps), (newcomer, 500));
    env.track(&[addresses::arbiter(&newcomer)]);

    env.refuse(
        &[env.update_arbiter_ix(&newcomer, 501, true)],
        &[&env.admin],
        code(EscrowError::ArbiterFeeTooHigh),
    )
    .await;
    let events = env
        .ok(
            &[env.update_arbiter_ix(&newcomer, 300, false)],
            &[&env.admin],
        )
        .await;
    let event: ArbiterUpdated = single_event(&events);
    assert_eq!((event.fee_bps, event.active), (300, false));
    let stored = env.arbiter_account(&newcomer).await;
    assert_eq!((stored.fee_bps, stored.active), (300, false));

    // Registering the same arbiter twice is refused.
    env.refuse(
        &[env.register_arbiter_ix(&newcomer, 100)],
        &[&env.admin],
        code(EscrowError::AccountInUse),
    )
    .await;
}
