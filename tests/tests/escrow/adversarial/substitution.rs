use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use p2p_escrow_tests::*;
use solana_account::Account;
use solana_signer::Signer;

/// The default offer with a paid 10-token trade, and a second offer of the same seller and mint.
async fn market() -> (Env, OfferRef, TradeRef, OfferRef) {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let offer = env.create_offer(&mint).await;
    let other = env.create_offer(&mint).await;
    let trade = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    env.ok(&[env.mark_paid_ix(&trade, [1; 32])], &[&env.buyer])
        .await;
    env.track_payout_accounts(&trade);
    (env, offer, trade, other)
}

/// A copy of `source` at a fresh address, owned by `owner`.
async fn forge(env: &mut Env, source: &Pubkey, owner: Pubkey) -> Pubkey {
    let original = env.account(source).await.expect("source account");
    let forged = Pubkey::new_unique();
    env.inject(&forged, Account { owner, ..original });
    forged
}

#[tokio::test]
async fn forged_state_accounts_are_refused() {
    let (mut env, offer, trade, _) = market().await;
    // A copy owned by another program.
    let foreign = forge(&mut env, &offer.address, spl_token_interface::ID).await;
    env.refuse(
        &[substitute(
            env.withdraw_ix(&offer, TOKEN),
            &offer.address,
            &foreign,
        )],
        &[&env.seller],
        anchor_code(AnchorError::AccountOwnedByWrongProgram),
    )
    .await;
    // Copies owned by the program itself at addresses that are not their PDAs (no real
    // instruction can make these; the seeds checks would stop them anyway).
    let offer_copy = forge(&mut env, &offer.address, p2p_escrow::ID).await;
    let trade_copy = forge(&mut env, &trade.address, p2p_escrow::ID).await;
    for (instruction, signer) in [
        (env.withdraw_ix(&offer, TOKEN), &env.seller),
        (env.release_ix(&trade), &env.seller),
    ] {
        env.refuse(
            &[substitute(instruction, &offer.address, &offer_copy)],
            &[signer],
            anchor_code(AnchorError::ConstraintSeeds),
        )
        .await;
    }
    for (instruction, signer) in [
        (env.release_ix(&trade), &env.seller),
        (
            env.open_dispute_ix(&trade, &env.seller.pubkey(), &env.arbiter.pubkey()),
            &env.seller,
        ),
    ] {
        env.refuse(
            &[substitute(instruction, &trade.address, &trade_copy)],
            &[signer],
            anchor_code(AnchorError::ConstraintSeeds),
        )
        .await;
    }
}

#[tokio::test]
async fn another_account_type_of_this_program_is_refused() {
    let (env, offer, trade, _) = market().await;
    let cosplay = anchor_code(AnchorError::AccountDiscriminatorMismatch);
    // A trade where an offer belongs, an offer where a trade belongs.
    env.refuse(
        &[substitute(
            env.cancel_trade_ix(&trade),
            &offer.address,
            &trade.address,
        )],
        &[&env.buyer],
        cosplay,
    )
    .await;
    env.refuse(
        &[substitute(
            env.mark_paid_ix(&trade, [2; 32]),
            &trade.address,
            &offer.address,
        )],
        &[&env.buyer],
        cosplay,
    )
    .await;
    // The config where an arbiter belongs.
    let arbiter = addresses::arbiter(&env.arbiter.pubkey());
    env.refuse(
        &[substitute(
            env.open_dispute_ix(&trade, &env.seller.pubkey(), &env.arbiter.pubkey()),
            &arbiter,
            &addresses::config(),
        )],
        &[&env.seller],
        cosplay,
    )
    .await;
}

#[tokio::test]
async fn token_accounts_mints_and_programs_must_be_the_offers() {
    let (env, offer, trade, other) = market().await;
    // Another offer's vault.
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
    // A token account the offer PDA owns that is not its associated account.
    let side_account = env.create_token_account(&offer.mint, &offer.address).await;
    env.refuse(
        &[substitute(
            env.withdraw_ix(&offer, TOKEN),
            &offer.vault,
            &side_account,
        )],
        &[&env.seller],
        code(EscrowError::VaultMismatch),
    )
    .await;
    // A different mint with the same decimals.
    let lookalike = env.create_mint(MintKind::Spl).await;
    env.mint_to(&lookalike, &env.seller.pubkey(), TOKEN).await;
    let next = env.next_trade(&offer, &env.buyer2.pubkey()).await;
    env.track(&[next.address]);
    let args = env.take_args(&next, TOKEN).await;
    env.refuse(
        &[substitute(
            env.take_offer_ix(&next, args).await,
            &offer.mint.address,
            &lookalike.address,
        )],
        &[&env.buyer2],
        code(EscrowError::MintMismatch),
    )
    .await;
    let deposit = substitute(
        substitute(
            env.deposit_ix(&offer, TOKEN),
            &offer.mint.address,
            &lookalike.address,
        ),
        &offer.mint.ata(&env.seller.pubkey()),
        &lookalike.ata(&env.seller.pubkey()),
    );
    env.refuse(&[deposit], &[&env.seller], code(EscrowError::MintMismatch))
        .await;
    // The other token program.
    env.refuse(
        &[substitute(
            env.deposit_ix(&offer, TOKEN),
            &spl_token_interface::ID,
            &spl_token_2022_interface::ID,
        )],
        &[&env.seller],
        code(EscrowError::TokenProgramMismatch),
    )
    .await;
}

#[tokio::test]
async fn a_spoofed_instructions_sysvar_is_refused() {
    let mut env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let terms = p2p_escrow::state::OfferTerms {
        attestor: Some(env.attestor.pubkey()),
        ..env.default_terms()
    };
    let offer = env.create_offer_with(&mint, 100 * TOKEN, terms).await;
    let trade = env.take(&offer, &env.buyer, TOKEN).await;
    env.track_payout_accounts(&trade);
    // A fake "sysvar" whose data claims an Ed25519 instruction.
    let real = solana_sdk_ids::sysvar::instructions::ID;
    let fake = Pubkey::new_unique();
    env.inject(
        &fake,
        Account {
            lamports: 1_000_000_000,
            data: vec![0; 512],
            owner: solana_sdk_ids::sysvar::ID,
            executable: false,
            rent_epoch: 0,
        },
    );
    let message = env.attestation_payload(&trade).await;
    env.refuse(
        &[
            ed25519_ix(&env.attestor, &message),
            substitute(
                env.release_with_attestation_ix(&trade, &env.stranger.pubkey()),
                &real,
                &fake,
            ),
        ],
        &[&env.stranger],
        anchor_code(AnchorError::ConstraintAddress),
    )
    .await;
}

#[tokio::test]
async fn accounts_are_only_created_at_canonical_addresses() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    env.mint_to(&mint, &env.seller.pubkey(), 10 * TOKEN).await;
    let seller = env.seller.pubkey();
    let offer_id = env.next_offer_id(&seller).await;
    let seeds: [&[u8]; 3] = [
        p2p_escrow::constants::OFFER_SEED,
        seller.as_ref(),
        &offer_id.to_le_bytes(),
    ];
    let (canonical, canonical_bump) = Pubkey::find_program_address(&seeds, &p2p_escrow::ID);
    assert_eq!(canonical, addresses::offer(&seller, offer_id));
    // The first valid bump below the canonical one gives another PDA of the same seeds.
    let (other, _) = (0..canonical_bump)
        .rev()
        .find_map(|bump| {
            let mut with_bump = seeds.to_vec();
            let bump_seed = [bump];
            with_bump.push(&bump_seed);
            Pubkey::create_program_address(&with_bump, &p2p_escrow::ID)
                .ok()
                .map(|address| (address, bump))
        })
        .expect("a non-canonical bump");
    let mut offer = env.offer_ref(&seller, offer_id, &mint);
    offer.address = other;
    offer.vault = mint.ata(&other);
    env.track(&[other, offer.vault]);
    env.refuse(
        &[env.create_offer_ix(&offer, 10 * TOKEN, env.default_terms())],
        &[&env.seller],
        anchor_code(AnchorError::ConstraintSeeds),
    )
    .await;
}

#[tokio::test]
async fn every_end_pays_the_trades_own_wallets() {
    let (env, _, trade, _) = market().await;
    let stranger = env.stranger.pubkey();
    let (seller, buyer) = (env.seller.pubkey(), trade.buyer);
    // A release returns the rent and bond to the trade's buyer, whoever signs or relays.
    for (instruction, signer) in [
        (env.release_ix(&trade), &env.seller),
        (
            env.release_with_attestation_ix(&trade, &stranger),
            &env.stranger,
        ),
    ] {
        env.refuse(
            &[substitute(instruction, &buyer, &stranger)],
            &[signer],
            code(EscrowError::NotBuyer),
        )
        .await;
    }
    // An expiry gives the bond to the trade's seller.
    env.refuse(
        &[substitute(
            env.expire_trade_ix(&trade, &stranger),
            &seller,
            &stranger,
        )],
        &[&env.stranger],
        code(EscrowError::NotSeller),
    )
    .await;
    // A dispute's end pays the trade's buyer and seller (the bond may go to either).
    let arbiter = env.arbiter.pubkey();
    env.ok(
        &[env.open_dispute_ix(&trade, &seller, &arbiter)],
        &[&env.seller],
    )
    .await;
    let rule = env.rule_ix(&trade, &arbiter, &arbiter, 5_000);
    let escalate = env.escalate_ix(&trade, &stranger, &arbiter);
    for (wallet, error) in [
        (buyer, EscrowError::NotBuyer),
        (seller, EscrowError::NotSeller),
    ] {
        env.refuse(
            &[substitute(rule.clone(), &wallet, &stranger)],
            &[&env.arbiter],
            code(error),
        )
        .await;
        env.refuse(
            &[substitute(escalate.clone(), &wallet, &stranger)],
            &[&env.stranger],
            code(error),
        )
        .await;
    }
    let settle = env.settle_ix(&trade, &arbiter, 5_000);
    env.refuse(
        &[substitute(settle, &seller, &stranger)],
        &[&env.buyer, &env.stranger],
        code(EscrowError::NotSeller),
    )
    .await;
}
