use p2p_escrow::events::TradeReleased;
use p2p_escrow::state::OfferTerms;
use p2p_escrow_tests::*;
use solana_ed25519_program::{offsets_to_ed25519_instruction, Ed25519SignatureOffsets, DATA_START};
use solana_instruction::Instruction;
use solana_signer::Signer;

/// An offer whose attestor is the env's payment service, and a 10-token trade of it.
async fn attested_trade() -> (Env, OfferRef, TradeRef) {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let terms = OfferTerms {
        attestor: Some(env.attestor.pubkey()),
        ..env.default_terms()
    };
    let offer = env.create_offer_with(&mint, 1_000 * TOKEN, terms).await;
    let trade = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    env.track_payout_accounts(&trade);
    (env, offer, trade)
}

#[tokio::test]
async fn anyone_relays_the_attestors_signature_to_release_a_paid_trade() {
    let (env, offer, trade) = attested_trade().await;
    env.ok(&[env.mark_paid_ix(&trade, [8; 32])], &[&env.buyer])
        .await;
    let buyer = env.buyer.pubkey();
    let buyer_lamports = env.lamports(&buyer).await;
    let trade_lamports = env.lamports(&trade.address).await;
    let message = env.attestation_payload(&trade).await;
    let events = env
        .ok(
            &[
                ed25519_ix(&env.attestor, &message),
                env.release_with_attestation_ix(&trade, &env.stranger.pubkey()),
            ],
            &[&env.stranger],
        )
        .await;
    let event: TradeReleased = single_event(&events);
    let fee = 10 * TOKEN * u64::from(FEE_BPS) / 10_000;
    assert_eq!(
        (event.to_buyer, event.protocol_fee),
        (10 * TOKEN - fee, fee)
    );
    assert_eq!(event.released_by, env.stranger.pubkey());
    assert_eq!(event.attestor, Some(env.attestor.pubkey()));
    assert_eq!(env.balance(&offer.mint.ata(&buyer)).await, 10 * TOKEN - fee);
    assert_eq!(env.balance(&fee_vault(&offer.mint)).await, fee);
    assert!(!env.exists(&trade.address).await);
    assert_eq!(env.lamports(&buyer).await, buyer_lamports + trade_lamports);
    assert_eq!(env.offer(&offer).await.locked, 0);
}

#[tokio::test]
async fn the_attestor_may_release_before_the_buyer_marks_paid() {
    let (env, _offer, trade) = attested_trade().await;
    let message = env.attestation_payload(&trade).await;
    // An unpaid trade's payment reference is all zeros, and the message says so.
    let preimage = attestation_message(&trade.address, &env.trade(&trade).await);
    assert!(preimage.ends_with(&[0; 32]));
    assert_eq!(payload_of(&preimage), message);
    env.ok(
        &[
            ed25519_ix(&env.attestor, &message),
            env.release_with_attestation_ix(&trade, &env.buyer.pubkey()),
        ],
        &[&env.buyer],
    )
    .await;
    assert!(!env.exists(&trade.address).await);
}

#[tokio::test]
async fn attestations_must_be_signed_by_the_attestor_over_this_exact_trade() {
    let (env, offer, trade) = attested_trade().await;
    env.ok(&[env.mark_paid_ix(&trade, [8; 32])], &[&env.buyer])
        .await;
    let other = env.take(&offer, &env.buyer2, 20 * TOKEN).await;
    env.ok(&[env.mark_paid_ix(&other, [8; 32])], &[&env.buyer2])
        .await;
    let relayer = env.stranger.pubkey();
    let release = env.release_with_attestation_ix(&trade, &relayer);
    let message = env.attestation_payload(&trade).await;
    let refuse = |attestation: Instruction, expected: EscrowError| {
        let release = release.clone();
        let env = &env;
        async move {
            env.refuse(&[attestation, release], &[&env.stranger], code(expected))
                .await;
        }
    };

    // The wrong key.
    refuse(
        ed25519_ix(&env.buyer, &message),
        EscrowError::AttestorMismatch,
    )
    .await;
    // Another trade's attestation.
    let other_message = env.attestation_payload(&other).await;
    refuse(
        ed25519_ix(&env.attestor, &other_message),
        EscrowError::AttestationMismatch,
    )
    .await;
    // The attestor signs the domain and the SHA-256 of the documented message; the same trade
    // with another program, trade, buyer, mint, amount, payment reference or domain signs
    // something else.
    let preimage = attestation_message(&trade.address, &env.trade(&trade).await);
    assert_eq!(payload_of(&preimage), message);
    let tampered = |range: std::ops::Range<usize>, byte: u8| {
        let mut forged = preimage.clone();
        forged[range].iter_mut().for_each(|b| *b = byte);
        payload_of(&forged)
    };
    let domain = p2p_escrow::constants::ATTESTATION_DOMAIN.len();
    let mut for_other_buyer = preimage.clone();
    for_other_buyer[domain + 64..domain + 96].copy_from_slice(env.buyer2.pubkey().as_ref());
    for forged in [
        tampered(domain..domain + 32, 1),        // program id
        tampered(domain + 32..domain + 64, 2),   // trade
        tampered(domain + 64..domain + 96, 3),   // buyer
        tampered(domain + 96..domain + 128, 4),  // mint
        tampered(domain + 128..domain + 136, 5), // amount
        tampered(domain + 136..domain + 168, 6), // payment reference
        tampered(0..1, b'P'),                    // domain
        payload_of(&for_other_buyer),            // the second buyer's: it cannot pay the first
        message[..message.len() - 1].to_vec(),   // truncated
        preimage.clone(),                        // the message itself, not its digest
        sha256(&preimage),                       // the digest without the domain
    ] {
        refuse(
            ed25519_ix(&env.attestor, &forged),
            EscrowError::AttestationMismatch,
        )
        .await;
    }
    // The first format, the whole message signed, is refused by name.
    let v1 = [
        p2p_escrow::constants::ATTESTATION_DOMAIN_V1,
        &preimage[p2p_escrow::constants::ATTESTATION_DOMAIN_V1.len()..],
    ]
    .concat();
    refuse(
        ed25519_ix(&env.attestor, &v1),
        EscrowError::AttestationOutdated,
    )
    .await;

    // An offer without an attestor takes no attestation.
    let plain = env.create_offer(&offer.mint).await;
    let plain_trade = env.take(&plain, &env.buyer, TOKEN).await;
    let plain_message = env.attestation_payload(&plain_trade).await;
    env.refuse(
        &[
            ed25519_ix(&env.attestor, &plain_message),
            env.release_with_attestation_ix(&plain_trade, &relayer),
        ],
        &[&env.stranger],
        code(EscrowError::NoAttestor),
    )
    .await;
    assert!(env.exists(&trade.address).await && env.exists(&other.address).await);
}

#[tokio::test]
async fn the_ed25519_instruction_must_sit_right_before_and_verify_its_own_data() {
    let (env, _offer, trade) = attested_trade().await;
    let relayer = env.stranger.pubkey();
    let release = env.release_with_attestation_ix(&trade, &relayer);
    let message = env.attestation_payload(&trade).await;
    let attestation = ed25519_ix(&env.attestor, &message);

    // Missing.
    env.refuse(
        std::slice::from_ref(&release),
        &[&env.stranger],
        code(EscrowError::AttestationMissing),
    )
    .await;
    // Misplaced: after the release, or with another instruction in between.
    env.refuse(
        &[release.clone(), attestation.clone()],
        &[&env.stranger],
        code(EscrowError::AttestationMissing),
    )
    .await;
    let in_between = solana_system_interface::instruction::transfer(&relayer, &relayer, 1);
    env.refuse(
        &[attestation.clone(), in_between, release.clone()],
        &[&env.stranger],
        code(EscrowError::AttestationMissing),
    )
    .await;

    // Offsets pointing at another instruction's data: instruction 1 carries a valid attestation,
    // instruction 2 verifies the same bytes by pointing into instruction 1, and instruction 3 is
    // the release. The Ed25519 program accepts both; the escrow refuses the borrowed data.
    let pointing = |signature_ix: u16, key_ix: u16, message_ix: u16| {
        offsets_to_ed25519_instruction(&[Ed25519SignatureOffsets {
            signature_offset: (DATA_START + 32) as u16,
            signature_instruction_index: signature_ix,
            public_key_offset: DATA_START as u16,
            public_key_instruction_index: key_ix,
            message_data_offset: (DATA_START + 96) as u16,
            message_data_size: message.len() as u16,
            message_instruction_index: message_ix,
        }])
    };
    env.refuse(
        &[attestation.clone(), pointing(1, 1, 1), release.clone()],
        &[&env.stranger],
        code(EscrowError::AttestationMalformed),
    )
    .await;

    // Two valid signatures in one Ed25519 instruction are refused: exactly one is expected.
    let header = 2 + 2 * 14;
    let offsets = Ed25519SignatureOffsets {
        signature_offset: (header + 32) as u16,
        signature_instruction_index: u16::MAX,
        public_key_offset: header as u16,
        public_key_instruction_index: u16::MAX,
        message_data_offset: (header + 96) as u16,
        message_data_size: message.len() as u16,
        message_instruction_index: u16::MAX,
    };
    let mut doubled = offsets_to_ed25519_instruction(&[offsets, offsets]);
    doubled
        .data
        .extend_from_slice(&attestation.data[DATA_START..]);
    env.refuse(
        &[doubled, release.clone()],
        &[&env.stranger],
        code(EscrowError::AttestationMalformed),
    )
    .await;

    // The genuine attestation still works afterwards.
    env.ok(&[attestation, release], &[&env.stranger]).await;
}
