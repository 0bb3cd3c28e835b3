use anchor_lang::error::ErrorCode as AnchorError;
use p2p_escrow::events::{DisputeResolved, Resolution};
use p2p_escrow_tests::*;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// The refusal a role gets, `None` when it may sign.
type Refusal<'a> = Box<dyn Fn(&Keypair) -> Option<u32> + 'a>;

/// One instruction, a role that may sign it, and the refusal each role gets (`None` for the
/// roles that may sign it too).
struct Case<'a> {
    name: &'static str,
    /// The instruction as `signer` would send it, in the signer's own name.
    build: Box<dyn Fn(&Keypair) -> Instruction + 'a>,
    rightful: &'a Keypair,
    refusal: Refusal<'a>,
    /// Signers the instruction needs besides the one under test.
    cosigners: Vec<&'a Keypair>,
}

fn case<'a>(
    name: &'static str,
    rightful: &'a Keypair,
    build: impl Fn(&Keypair) -> Instruction + 'a,
    refusal: impl Fn(&Keypair) -> Option<u32> + 'a,
) -> Case<'a> {
    Case {
        name,
        build: Box::new(build),
        rightful,
        refusal: Box::new(refusal),
        cosigners: Vec::new(),
    }
}

#[tokio::test]
async fn every_instruction_refuses_a_missing_signer_and_every_other_role() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let offer = env.create_offer(&mint).await;
    let locked = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    let paid = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    let disputed = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    for trade in [&paid, &disputed] {
        env.ok(&[env.mark_paid_ix(trade, [1; 32])], &[&env.buyer])
            .await;
    }
    env.ok(
        &[env.open_dispute_ix(&disputed, &env.seller.pubkey(), &env.arbiter.pubkey())],
        &[&env.seller],
    )
    .await;
    for trade in [&locked, &paid, &disputed] {
        env.track(&[trade.address]);
        env.track_payout_accounts(trade);
    }
    env.ok(
        &[env.propose_admin_ix(&env.admin.pubkey(), env.fallback_arbiter.pubkey())],
        &[&env.admin],
    )
    .await;
    let next = env.next_trade(&offer, &env.buyer2.pubkey()).await;
    env.track(&[next.address]);
    let take = env
        .take_offer_ix(&next, env.take_args(&next, TOKEN).await)
        .await;

    let roles = [
        &env.admin,
        &env.seller,
        &env.buyer,
        &env.buyer2,
        &env.arbiter,
        &env.fallback_arbiter,
        &env.stranger,
        &env.attestor,
    ];
    // Every role holds some of the token, as an attacker would.
    for role in roles {
        env.mint_to(&mint, &role.pubkey(), TOKEN).await;
    }
    let admin = env.admin.pubkey();
    let arbiter = env.arbiter.pubkey();
    let as_seller = |k: &Keypair| OfferRef {
        seller: k.pubkey(),
        ..offer
    };
    let as_buyer = |trade: &TradeRef, k: &Keypair| TradeRef {
        buyer: k.pubkey(),
        ..*trade
    };
    let not_admin = |_: &Keypair| Some(code(EscrowError::NotAdmin));
    let not_seller = |_: &Keypair| Some(code(EscrowError::NotSeller));
    let not_buyer = |_: &Keypair| Some(code(EscrowError::NotBuyer));
    let cases = vec![
        case(
            "update_config",
            &env.admin,
            |k| env.update_config_ix(&k.pubkey(), default_params(&env)),
            not_admin,
        ),
        case(
            "set_pause",
            &env.admin,
            |k| env.set_pause_ix(&k.pubkey(), true, true),
            not_admin,
        ),
        case(
            "propose_admin",
            &env.admin,
            |k| env.propose_admin_ix(&k.pubkey(), env.stranger.pubkey()),
            not_admin,
        ),
        case(
            "register_arbiter",
            &env.admin,
            |k| {
                substitute(
                    env.register_arbiter_ix(&env.attestor.pubkey(), 10),
                    &admin,
                    &k.pubkey(),
                )
            },
            not_admin,
        ),
        case(
            "update_arbiter",
            &env.admin,
            |k| {
                substitute(
                    env.update_arbiter_ix(&arbiter, 10, true),
                    &admin,
                    &k.pubkey(),
                )
            },
            not_admin,
        ),
        case(
            "accept_admin",
            &env.fallback_arbiter,
            |k| env.accept_admin_ix(&k.pubkey()),
            |_| Some(code(EscrowError::NotPendingAdmin)),
        ),
        case(
            "deposit",
            &env.seller,
            |k| env.deposit_ix(&as_seller(k), TOKEN),
            not_seller,
        ),
        case(
            "withdraw",
            &env.seller,
            |k| env.withdraw_ix(&as_seller(k), TOKEN),
            not_seller,
        ),
        case(
            "set_offer_paused",
            &env.seller,
            |k| env.set_offer_paused_ix(&offer, &k.pubkey(), true),
            not_seller,
        ),
        case(
            "close_offer",
            &env.seller,
            |k| env.close_offer_ix(&as_seller(k)),
            not_seller,
        ),
        case(
            "take_offer",
            &env.buyer2,
            |k| substitute(take.clone(), &env.buyer2.pubkey(), &k.pubkey()),
            // The trade and the profile are the signer's own: another key names other addresses.
            |_| Some(anchor_code(AnchorError::ConstraintSeeds)),
        ),
        case(
            "cancel_trade",
            &env.buyer,
            |k| env.cancel_trade_ix(&as_buyer(&locked, k)),
            not_buyer,
        ),
        case(
            "mark_paid",
            &env.buyer,
            |k| env.mark_paid_ix(&as_buyer(&locked, k), [2; 32]),
            not_buyer,
        ),
        case(
            "release",
            &env.seller,
            |k| {
                let mut accounts = env.release_accounts(&paid);
                accounts.seller = k.pubkey();
                ix(accounts, p2p_escrow::instruction::Release {})
            },
            not_seller,
        ),
        case(
            "open_dispute",
            &env.seller,
            |k| env.open_dispute_ix(&paid, &k.pubkey(), &arbiter),
            |k: &Keypair| {
                Some(if k.pubkey() == env.buyer.pubkey() {
                    code(EscrowError::ReleaseWindowOpen)
                } else {
                    code(EscrowError::DisputeGraceNotOver)
                })
            },
        ),
        case(
            "submit_evidence",
            &env.buyer,
            |k| env.submit_evidence_ix(&disputed, &k.pubkey(), [5; 32], "ipfs://x"),
            |k: &Keypair| {
                (k.pubkey() != env.seller.pubkey()).then_some(code(EscrowError::NotAParty))
            },
        ),
        case(
            "rule",
            &env.arbiter,
            |k| env.rule_ix(&disputed, &k.pubkey(), &arbiter, 5_000),
            |_| Some(code(EscrowError::NotTradeArbiter)),
        ),
        // Anyone may sign these, but someone must.
        case(
            "initialize_config",
            &env.admin,
            |k| env.initialize_config_ix(&k.pubkey(), default_params(&env)),
            |_| None,
        ),
        case(
            "expire_trade",
            &env.stranger,
            |k| env.expire_trade_ix(&locked, &k.pubkey()),
            |_| None,
        ),
        case(
            "escalate",
            &env.stranger,
            |k| env.escalate_ix(&disputed, &k.pubkey(), &arbiter),
            |_| None,
        ),
        case(
            "release_with_attestation",
            &env.stranger,
            |k| env.release_with_attestation_ix(&paid, &k.pubkey()),
            |_| None,
        ),
        Case {
            cosigners: vec![&env.seller],
            ..case(
                "settle (the buyer's signature)",
                &env.buyer,
                |k| {
                    let settle = env.settle_ix(&disputed, &arbiter, 5_000);
                    substitute(settle, &disputed.buyer, &k.pubkey())
                },
                not_buyer,
            )
        },
    ];

    for case in &cases {
        let rightful = case.rightful.pubkey();
        // Without its signer.
        let unsigned = unsign((case.build)(case.rightful), &rightful);
        let error = env.refuse_with(&[unsigned], &case.cosigners).await;
        assert_eq!(
            custom_code(&error),
            Some(anchor_code(AnchorError::AccountNotSigner)),
            "{} without its signer: {error:?}",
            case.name
        );
        // With every other role's signature.
        for role in roles {
            let Some(expected) = (case.refusal)(role).filter(|_| role.pubkey() != rightful) else {
                continue;
            };
            let mut signers = vec![role];
            signers.extend(
                case.cosigners
                    .iter()
                    .filter(|k| k.pubkey() != role.pubkey()),
            );
            let error = env.refuse_with(&[(case.build)(role)], &signers).await;
            assert_eq!(
                custom_code(&error),
                Some(expected),
                "{} signed by another role: {error:?}",
                case.name
            );
        }
    }
}

#[tokio::test]
async fn roles_that_collapse_are_refused_or_skipped() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    // The fallback arbiter is the buyer of a disputed trade: an escalation skips it and applies
    // the default ruling instead of handing the buyer its own case.
    let params = p2p_escrow::state::ConfigParams {
        fallback_arbiter: env.buyer.pubkey(),
        ..default_params(&env)
    };
    env.ok(
        &[env.update_config_ix(&env.admin.pubkey(), params)],
        &[&env.admin],
    )
    .await;
    env.ok(
        &[env.register_arbiter_ix(&env.buyer.pubkey(), 100)],
        &[&env.admin],
    )
    .await;
    let offer = env.create_offer(&mint).await;
    let trade = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    env.ok(&[env.mark_paid_ix(&trade, [1; 32])], &[&env.buyer])
        .await;
    env.ok(
        &[env.open_dispute_ix(&trade, &env.seller.pubkey(), &env.arbiter.pubkey())],
        &[&env.seller],
    )
    .await;
    let deadline = env.trade(&trade).await.dispute.unwrap().ruling_deadline;
    env.set_time(deadline + 1).await;
    assert_eq!(env.trade(&trade).await.fallback_arbiter, None);
    let escalate = env.escalate_ix(&trade, &env.stranger.pubkey(), &env.arbiter.pubkey());
    let events = env.ok(&[escalate], &[&env.stranger]).await;
    assert_eq!(
        single_event::<DisputeResolved>(&events).resolution,
        Resolution::DefaultRuling
    );
    assert_eq!(env.arbiter_account(&env.buyer.pubkey()).await.open_cases, 0);

    // At take: the seller, the arbiter or the attestor cannot be the buyer.
    let terms = p2p_escrow::state::OfferTerms {
        attestor: Some(env.attestor.pubkey()),
        ..env.default_terms()
    };
    let attested = env.create_offer_with(&mint, 100 * TOKEN, terms).await;
    for (who, error) in [
        (&env.seller, EscrowError::BuyerIsSeller),
        (&env.arbiter, EscrowError::ArbiterIsParty),
        (&env.attestor, EscrowError::AttestorIsBuyer),
    ] {
        env.refuse_take(&attested, who, TOKEN, code(error)).await;
    }
}
