//! The trade room: who posts which kind of message, when; sizes; room keys in offers, trades and
//! arbiters. A message changes no account but the seller's first payment details, which record
//! their time on the trade (every refusal is checked to change none). The response and payment
//! windows those details start are tested in `windows.rs`.

use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::AccountSerialize;
use p2p_escrow::constants::MAX_MESSAGE_LEN;
use p2p_escrow::events::{ArbiterRoomKeySet, MessagePosted};
use p2p_escrow::room::{MessageKind, LOW_ORDER_ROOM_KEYS};
use p2p_escrow::state::{Arbiter, TradeState};
use p2p_escrow_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// The longest message body.
const LONGEST: usize = MAX_MESSAGE_LEN as usize;

/// The most a transaction may hold, and what every transaction (a message's too) must leave free.
const PACKET_SIZE: usize = 1232;
const HEADROOM: usize = 300;

/// The default offer, a trade of 100 tokens taken from it, and the trade's accounts tracked.
async fn room() -> (Env, TradeRef) {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let offer = env.create_offer(&mint).await;
    let trade = env.take(&offer, &env.buyer, 100 * TOKEN).await;
    env.track_payout_accounts(&trade);
    (env, trade)
}

async fn disputed(env: &Env, trade: &TradeRef) {
    env.ok(&[env.mark_paid_ix(trade, [6; 32])], &[&env.buyer])
        .await;
    env.ok(
        &[env.open_dispute_ix(trade, &env.seller.pubkey(), &env.arbiter.pubkey())],
        &[&env.seller],
    )
    .await;
}

/// Posts and returns the event, checking that the trade account did not change (but for the time
/// of the seller's first payment details).
async fn post(
    env: &Env,
    trade: &TradeRef,
    author: &Keypair,
    kind: MessageKind,
    body: &[u8],
) -> MessagePosted {
    let before = env.account(&trade.address).await;
    let details_before = env.trade(trade).await.details_at;
    let events = env
        .ok(
            &[env.post_message_ix(trade, &author.pubkey(), kind, body.to_vec())],
            &[author],
        )
        .await;
    let mut after = env.account(&trade.address).await.expect("the trade");
    if kind == MessageKind::PaymentDetails {
        let mut state = env.trade(trade).await;
        assert_ne!(state.details_at, 0, "the details' time is recorded");
        state.details_at = details_before;
        let mut bytes = Vec::new();
        state
            .try_serialize(&mut bytes)
            .expect("the trade serializes");
        after.data[..bytes.len()].copy_from_slice(&bytes);
    }
    assert_eq!(Some(after), before, "a message changes no account");
    single_event(&events)
}

async fn refuse_post(
    env: &Env,
    trade: &TradeRef,
    author: &Keypair,
    kind: MessageKind,
    expected: EscrowError,
) {
    env.refuse(
        &[env.post_message_ix(trade, &author.pubkey(), kind, b"hello".to_vec())],
        &[author],
        code(expected),
    )
    .await;
}

#[tokio::test]
async fn the_parties_post_and_the_chain_signs_and_times_each_line() {
    let (env, trade) = room().await;
    let now = env.now().await;
    for (author, kind) in [
        (&env.seller, MessageKind::PaymentDetails),
        (&env.buyer, MessageKind::Chat),
        (&env.seller, MessageKind::Chat),
        (&env.buyer, MessageKind::PayerDeclaration),
    ] {
        let event = post(&env, &trade, author, kind, b"ciphertext").await;
        assert_eq!(event.trade, trade.address);
        assert_eq!(event.author, author.pubkey());
        assert_eq!(event.kind, kind);
        assert_eq!(event.body, b"ciphertext");
        assert_eq!(event.posted_at, now);
    }
}

#[tokio::test]
async fn only_the_parties_post_and_each_only_its_own_kinds() {
    let (env, trade) = room().await;
    refuse_post(
        &env,
        &trade,
        &env.stranger,
        MessageKind::Chat,
        EscrowError::NotInTradeRoom,
    )
    .await;
    // The arbiter has no place in the room before a dispute.
    refuse_post(
        &env,
        &trade,
        &env.arbiter,
        MessageKind::ArbiterNote,
        EscrowError::NotInTradeRoom,
    )
    .await;
    for (author, kind) in [
        (&env.buyer, MessageKind::PaymentDetails),
        (&env.seller, MessageKind::PayerDeclaration),
        (&env.buyer, MessageKind::Disclosure),
        (&env.seller, MessageKind::Disclosure),
        (&env.buyer, MessageKind::ArbiterNote),
    ] {
        refuse_post(&env, &trade, author, kind, EscrowError::MessageNotAllowed).await;
    }
    // The payer is declared before the trade is marked paid.
    env.ok(&[env.mark_paid_ix(&trade, [6; 32])], &[&env.buyer])
        .await;
    refuse_post(
        &env,
        &trade,
        &env.buyer,
        MessageKind::PayerDeclaration,
        EscrowError::MessageNotAllowed,
    )
    .await;
    post(&env, &trade, &env.buyer, MessageKind::Chat, b"paid").await;
}

#[tokio::test]
async fn in_a_dispute_the_parties_disclose_and_only_the_arbiter_in_charge_writes() {
    let (env, trade) = room().await;
    disputed(&env, &trade).await;
    post(&env, &trade, &env.buyer, MessageKind::Disclosure, b"key").await;
    post(&env, &trade, &env.seller, MessageKind::Disclosure, b"key").await;
    post(
        &env,
        &trade,
        &env.arbiter,
        MessageKind::ArbiterNote,
        b"note",
    )
    .await;
    // The seller may repeat its details; the payer is declared before the trade is paid, not now.
    post(
        &env,
        &trade,
        &env.seller,
        MessageKind::PaymentDetails,
        b"details",
    )
    .await;
    refuse_post(
        &env,
        &trade,
        &env.buyer,
        MessageKind::PayerDeclaration,
        EscrowError::MessageNotAllowed,
    )
    .await;
    // The arbiter writes notes, not chat, and nobody else writes notes.
    refuse_post(
        &env,
        &trade,
        &env.arbiter,
        MessageKind::Chat,
        EscrowError::MessageNotAllowed,
    )
    .await;
    refuse_post(
        &env,
        &trade,
        &env.seller,
        MessageKind::ArbiterNote,
        EscrowError::MessageNotAllowed,
    )
    .await;
    refuse_post(
        &env,
        &trade,
        &env.fallback_arbiter,
        MessageKind::ArbiterNote,
        EscrowError::NotInTradeRoom,
    )
    .await;

    // Once the dispute goes to the fallback arbiter, the room is its, not the first arbiter's.
    let deadline = env.trade(&trade).await.dispute.unwrap().ruling_deadline;
    env.set_time(deadline + 1).await;
    env.ok(
        &[env.escalate_ix(&trade, &env.stranger.pubkey(), &env.arbiter.pubkey())],
        &[&env.stranger],
    )
    .await;
    refuse_post(
        &env,
        &trade,
        &env.arbiter,
        MessageKind::ArbiterNote,
        EscrowError::NotInTradeRoom,
    )
    .await;
    post(
        &env,
        &trade,
        &env.fallback_arbiter,
        MessageKind::ArbiterNote,
        b"note",
    )
    .await;
}

#[tokio::test]
async fn a_message_has_a_body_and_the_longest_leaves_300_bytes_of_its_packet() {
    let (env, trade) = room().await;
    env.refuse(
        &[env.post_message_ix(&trade, &env.buyer.pubkey(), MessageKind::Chat, Vec::new())],
        &[&env.buyer],
        code(EscrowError::EmptyMessage),
    )
    .await;
    env.refuse(
        &[env.post_message_ix(
            &trade,
            &env.buyer.pubkey(),
            MessageKind::Chat,
            vec![7; LONGEST + 1],
        )],
        &[&env.buyer],
        code(EscrowError::MessageTooLong),
    )
    .await;
    post(&env, &trade, &env.buyer, MessageKind::Chat, &[7; LONGEST]).await;
    // As a wallet sends it: the author pays, with a compute-unit limit, as a v0 transaction.
    let size = env.message_transaction_size(&trade, LONGEST);
    assert!(
        PACKET_SIZE - size >= HEADROOM,
        "the longest message's transaction is {size} bytes"
    );
}

#[tokio::test]
async fn the_room_closes_with_the_trade() {
    let (env, trade) = room().await;
    env.ok(&[env.mark_paid_ix(&trade, [6; 32])], &[&env.buyer])
        .await;
    env.ok(&[env.release_ix(&trade)], &[&env.seller]).await;
    env.refuse(
        &[env.post_message_ix(
            &trade,
            &env.buyer.pubkey(),
            MessageKind::Chat,
            b"hi".to_vec(),
        )],
        &[&env.buyer],
        anchor_code(AnchorError::AccountNotInitialized),
    )
    .await;
}

#[tokio::test]
async fn a_trade_that_ended_holding_a_payout_has_a_closed_room() {
    let (env, trade) = room().await;
    env.ok(&[env.mark_paid_ix(&trade, [6; 32])], &[&env.buyer])
        .await;
    // The buyer's token account cannot receive: the payout waits on the trade, which stays.
    let mint = trade.offer.mint;
    let buyer_account = env.mint_to(&mint, &env.buyer.pubkey(), 0).await;
    env.set_frozen(&mint, &buyer_account, true).await;
    env.ok(&[env.release_ix(&trade)], &[&env.seller]).await;
    assert_eq!(env.trade(&trade).await.state, TradeState::Settled);
    refuse_post(
        &env,
        &trade,
        &env.buyer,
        MessageKind::Chat,
        EscrowError::TradeSettled,
    )
    .await;
}

#[tokio::test]
async fn room_keys_are_fixed_at_take_and_usable() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let offer = env.create_offer(&mint).await;
    assert_eq!(
        env.offer(&offer).await.room_key,
        room_key(&env.seller.pubkey())
    );
    let trade = env.take(&offer, &env.buyer, 10 * TOKEN).await;
    let state = env.trade(&trade).await;
    assert_eq!(
        (state.seller_room_key, state.buyer_room_key),
        (
            room_key(&env.seller.pubkey()),
            room_key(&env.buyer.pubkey())
        )
    );
    assert_eq!(state.state, TradeState::Locked);

    // Every key of small order, also with bit 255 set (X25519 ignores it).
    let next = env.next_trade(&offer, &env.buyer.pubkey()).await;
    for low in LOW_ORDER_ROOM_KEYS {
        let mut high = low;
        high[31] |= 0x80;
        for key in [low, high] {
            let mut args = env.take_args(&next, 10 * TOKEN).await;
            args.room_key = key;
            env.refuse(
                &[env.take_offer_ix(&next, args).await],
                &[&env.buyer],
                code(EscrowError::InvalidRoomKey),
            )
            .await;
        }
    }
    env.mint_to(&mint, &env.seller.pubkey(), TOKEN).await;
    let seller = env.seller.pubkey();
    let another = env.offer_ref(&seller, env.next_offer_id(&seller).await, &mint);
    env.refuse(
        &[env.create_offer_ix_with_room_key(&another, TOKEN, env.default_terms(), [0; 32])],
        &[&env.seller],
        code(EscrowError::InvalidRoomKey),
    )
    .await;
}

#[tokio::test]
async fn an_arbiter_sets_its_own_room_key_and_nobody_else_can() {
    let env = Env::new().await;
    let arbiter = env.arbiter.pubkey();
    let account = addresses::arbiter(&arbiter);
    env.track(&[account]);
    let key = room_key(&arbiter);
    env.refuse(
        &[env.set_arbiter_room_key_ix(&env.stranger.pubkey(), &arbiter, key)],
        &[&env.stranger],
        code(EscrowError::ArbiterMismatch),
    )
    .await;
    env.refuse(
        &[env.set_arbiter_room_key_ix(&arbiter, &arbiter, [0; 32])],
        &[&env.arbiter],
        code(EscrowError::InvalidRoomKey),
    )
    .await;
    let events = env
        .ok(
            &[env.set_arbiter_room_key_ix(&arbiter, &arbiter, key)],
            &[&env.arbiter],
        )
        .await;
    let event: ArbiterRoomKeySet = single_event(&events);
    assert_eq!(
        (event.arbiter, event.authority, event.room_key),
        (account, arbiter, key)
    );
    let state: Arbiter = env.anchor_account(&account).await;
    assert_eq!(state.room_key, key);
}
