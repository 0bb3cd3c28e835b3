//! Byte-level vectors for the TypeScript client (`app/packages/sdk/test/vectors.json`): instruction data and
//! account metas as anchor builds them, account and event bytes as the program serializes them,
//! PDAs, the attestation digest and signed payload, the take terms' hash, and anchor's framework errors. The TypeScript tests rebuild each
//! from the same inputs and compare bytes. This test fails when the committed file is stale;
//! `P2P_WRITE_VECTORS=1 cargo test -p p2p-escrow-tests --test escrow vectors` rewrites it.

use std::path::PathBuf;

use anchor_lang::{
    error::ErrorCode as AnchorError, event::EVENT_IX_TAG_LE, prelude::Pubkey, AccountSerialize,
    AnchorSerialize, Event, InstructionData, ToAccountMetas,
};
use p2p_escrow::{
    accounts as accs,
    events::{DisputeResolved, ProposalAccepted, Resolution, TradeTaken},
    instruction as ixs,
    room::MessageKind,
    state::{
        Arbiter, Config, ConfigParams, Dispute, Offer, OfferStatus, OfferTerms, Profile, Proposal,
        Trade, TradeState,
    },
    terms::TakeTerms,
    AcceptProposalArgs, CreateOfferArgs, PostMessageArgs, ProposeEndingArgs, SetArbiterRoomKeyArgs,
    TakeOfferArgs,
};
use p2p_escrow_tests::{addresses, MEMO_PROGRAM};
use serde_json::{json, Value};

/// A deterministic address per account name; programs and sysvars keep their real addresses.
fn key(name: &str) -> Pubkey {
    match name {
        "system_program" => solana_sdk_ids::system_program::ID,
        "token_program" => spl_token_2022_interface::ID,
        "associated_token_program" => spl_associated_token_account_interface::program::ID,
        "memo_program" => MEMO_PROGRAM,
        "instructions_sysvar" => solana_sdk_ids::sysvar::instructions::ID,
        "event_authority" => addresses::event_authority(),
        "program" => p2p_escrow::ID,
        _ => {
            let mut bytes = [0x5a; 32];
            for (i, byte) in name.bytes().enumerate() {
                bytes[i % 32] ^= byte.wrapping_mul(u8::try_from(i % 251).unwrap() + 1);
            }
            Pubkey::new_from_array(bytes)
        }
    }
}

/// Anchor's client accounts struct with every field set by [`key`].
/// An instruction's accounts, each the test key named after its field unless given.
macro_rules! accounts {
    ($ty:ident { $($field:ident $(: $value:expr)?),* $(,)? }) => {
        accs::$ty { $($field: accounts!(@value $field $($value)?)),* }
    };
    (@value $field:ident) => { key(stringify!($field)) };
    (@value $field:ident $value:expr) => { $value };
}

/// The composed accounts of every payout (`TradePayout`).
fn trade_payout() -> accs::TradePayout {
    accounts!(TradePayout {
        offer,
        trade,
        buyer_token_account,
        holding,
        vault,
        mint,
        token_program,
        memo_program,
        associated_token_program,
        system_program,
    })
}

/// An instruction's accounts in the IDL as a client sees them: composed account sets flattened in
/// place (as Codama flattens them).
fn flat_accounts(accounts: &[Value]) -> Vec<Value> {
    accounts
        .iter()
        .flat_map(|account| match account["accounts"].as_array() {
            Some(nested) => flat_accounts(nested),
            None => vec![account.clone()],
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn idl() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../idl/p2p_escrow.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("the IDL exists")).expect("JSON")
}

/// One instruction vector: the TypeScript builder's name, its inputs, and what anchor builds.
fn instruction(
    idl: &Value,
    name: &str,
    metas: impl ToAccountMetas,
    data: impl InstructionData,
    args: Value,
) -> Value {
    let idl_accounts = flat_accounts(
        idl["instructions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .unwrap_or_else(|| panic!("{name} is in the IDL"))["accounts"]
            .as_array()
            .unwrap(),
    );
    let metas = metas.to_account_metas(None);
    assert_eq!(
        metas.len(),
        idl_accounts.len(),
        "{name}: IDL and anchor agree"
    );
    let accounts: Vec<Value> = idl_accounts
        .iter()
        .zip(&metas)
        .map(|(idl_account, meta)| {
            json!({
                "name": camel(idl_account["name"].as_str().unwrap()),
                "address": meta.pubkey.to_string(),
                "signer": meta.is_signer,
                "writable": meta.is_writable,
            })
        })
        .collect();
    json!({
        "name": camel(name),
        "args": args,
        "accounts": accounts,
        "data": hex(&data.data()),
    })
}

fn terms() -> OfferTerms {
    OfferTerms {
        min_trade_amount: 10_000_000,
        max_trade_amount: 500_000_000,
        price: 105,
        fiat_currency: *b"EUR",
        payment_terms_hash: [7; 32],
        payment_window: 1_800,
        release_window: 3_600,
        arbiter: key("arbiter_authority"),
        attestor: Some(key("attestor")),
        buyer_bond: 10_000_000,
        allowed_buyer: None,
        response_window: 900,
    }
}

fn terms_json() -> Value {
    json!({
        "minTradeAmount": "10000000",
        "maxTradeAmount": "500000000",
        "price": "105",
        "fiatCurrency": b"EUR".to_vec(),
        "paymentTermsHash": vec![7u8; 32],
        "paymentWindow": "1800",
        "releaseWindow": "3600",
        "arbiter": key("arbiter_authority").to_string(),
        "attestor": key("attestor").to_string(),
        "buyerBond": "10000000",
        "allowedBuyer": null,
        "responseWindow": "900",
    })
}

fn params() -> (ConfigParams, Value) {
    let params = ConfigParams {
        fee_bps: 50,
        fallback_arbiter: key("fallback_arbiter"),
        ruling_window: 172_800,
        default_buyer_bps: 5_000,
    };
    let json = json!({
        "feeBps": 50,
        "fallbackArbiter": key("fallback_arbiter").to_string(),
        "rulingWindow": "172800",
        "defaultBuyerBps": 5_000,
    });
    (params, json)
}

fn instructions(idl: &Value) -> Vec<Value> {
    let (params, params_json) = params();
    vec![
        instruction(
            idl,
            "initialize_config",
            accounts!(InitializeConfig {
                authority,
                config,
                program_data,
                system_program,
                event_authority,
                program
            }),
            ixs::InitializeConfig {
                params: params.clone(),
            },
            json!({ "params": params_json.clone() }),
        ),
        instruction(
            idl,
            "update_config",
            accounts!(UpdateConfig {
                admin,
                config,
                event_authority,
                program
            }),
            ixs::UpdateConfig { params },
            json!({ "params": params_json }),
        ),
        instruction(
            idl,
            "set_pause",
            accounts!(SetPause {
                admin,
                config,
                event_authority,
                program
            }),
            ixs::SetPause {
                args: p2p_escrow::SetPauseArgs {
                    new_offers_paused: true,
                    new_trades_paused: false,
                },
            },
            json!({ "newOffersPaused": true, "newTradesPaused": false }),
        ),
        instruction(
            idl,
            "propose_admin",
            accounts!(ProposeAdmin {
                admin,
                config,
                event_authority,
                program
            }),
            ixs::ProposeAdmin {
                new_admin: key("new_admin"),
            },
            json!({ "newAdmin": key("new_admin").to_string() }),
        ),
        instruction(
            idl,
            "accept_admin",
            accounts!(AcceptAdmin {
                new_admin,
                config,
                event_authority,
                program
            }),
            ixs::AcceptAdmin {},
            json!({}),
        ),
        instruction(
            idl,
            "register_arbiter",
            accounts!(RegisterArbiter {
                admin,
                config,
                authority,
                arbiter,
                system_program,
                event_authority,
                program
            }),
            ixs::RegisterArbiter {
                args: p2p_escrow::RegisterArbiterArgs { fee_bps: 200 },
            },
            json!({ "feeBps": 200 }),
        ),
        instruction(
            idl,
            "update_arbiter",
            accounts!(UpdateArbiter {
                admin,
                config,
                arbiter,
                event_authority,
                program
            }),
            ixs::UpdateArbiter {
                args: p2p_escrow::UpdateArbiterArgs {
                    fee_bps: 300,
                    active: false,
                },
            },
            json!({ "feeBps": 300, "active": false }),
        ),
        instruction(
            idl,
            "open_profile",
            accounts!(OpenProfile {
                wallet,
                profile,
                system_program,
                event_authority,
                program
            }),
            ixs::OpenProfile {},
            json!({}),
        ),
        instruction(
            idl,
            "create_offer",
            accounts!(CreateOffer {
                seller,
                profile,
                config,
                arbiter,
                offer,
                mint,
                vault,
                seller_token_account,
                token_program,
                associated_token_program,
                system_program,
                event_authority,
                program
            }),
            ixs::CreateOffer {
                args: CreateOfferArgs {
                    offer_id: 42,
                    amount: 1_000_000_000,
                    terms: terms(),
                    room_key: [0x11; 32],
                },
            },
            json!({
                "offerId": "42",
                "amount": "1000000000",
                "terms": terms_json(),
                "roomKey": vec![0x11u8; 32],
            }),
        ),
        instruction(
            idl,
            "deposit",
            accounts!(Deposit {
                seller,
                offer,
                vault,
                mint,
                seller_token_account,
                token_program,
                event_authority,
                program
            }),
            ixs::Deposit { amount: 5_000_000 },
            json!({ "amount": "5000000" }),
        ),
        instruction(
            idl,
            "withdraw",
            accounts!(Withdraw {
                seller,
                offer,
                vault,
                mint,
                destination,
                token_program,
                memo_program,
                event_authority,
                program
            }),
            ixs::Withdraw { amount: 3_000_000 },
            json!({ "amount": "3000000" }),
        ),
        instruction(
            idl,
            "set_offer_paused",
            accounts!(SetOfferPaused {
                seller,
                offer,
                event_authority,
                program
            }),
            ixs::SetOfferPaused { paused: true },
            json!({ "paused": true }),
        ),
        instruction(
            idl,
            "close_offer",
            accounts!(CloseOffer {
                seller,
                offer,
                vault,
                mint,
                destination,
                token_program,
                memo_program,
                event_authority,
                program
            }),
            ixs::CloseOffer {},
            json!({}),
        ),
        instruction(
            idl,
            "take_offer",
            accounts!(TakeOffer {
                buyer,
                profile,
                config,
                offer,
                arbiter,
                fallback_arbiter,
                trade,
                vault,
                mint,
                system_program,
                event_authority,
                program
            }),
            ixs::TakeOffer {
                args: TakeOfferArgs {
                    trade_id: 7,
                    amount: 100_000_000,
                    expected_terms_hash: take_terms().hash().unwrap(),
                    room_key: [0x22; 32],
                },
            },
            json!({
                "tradeId": "7",
                "amount": "100000000",
                "expectedTermsHash": take_terms().hash().unwrap().to_vec(),
                "roomKey": vec![0x22u8; 32],
            }),
        ),
        instruction(
            idl,
            "cancel_trade",
            accounts!(CancelTrade {
                buyer,
                unpaid: accounts!(TradeUnwind {
                    offer,
                    trade,
                    vault
                }),
                event_authority,
                program
            }),
            ixs::CancelTrade {},
            json!({}),
        ),
        instruction(
            idl,
            "expire_trade",
            accounts!(ExpireTrade {
                cranker,
                seller,
                buyer,
                unpaid: accounts!(TradeUnwind {
                    offer,
                    trade,
                    vault
                }),
                event_authority,
                program
            }),
            ixs::ExpireTrade {},
            json!({}),
        ),
        instruction(
            idl,
            "mark_paid",
            accounts!(MarkPaid {
                buyer,
                trade,
                event_authority,
                program
            }),
            ixs::MarkPaid {
                payment_ref_hash: [9; 32],
            },
            json!({ "paymentRefHash": vec![9u8; 32] }),
        ),
        instruction(
            idl,
            "release",
            accounts!(Release {
                seller,
                config,
                payout: trade_payout(),
                buyer,
                arbiter,
                fee_vault,
                event_authority,
                program
            }),
            ixs::Release {},
            json!({}),
        ),
        instruction(
            idl,
            "release_with_attestation",
            accounts!(ReleaseWithAttestation {
                relayer,
                config,
                payout: trade_payout(),
                buyer,
                fee_vault,
                instructions_sysvar,
                event_authority,
                program
            }),
            ixs::ReleaseWithAttestation {},
            json!({}),
        ),
        instruction(
            idl,
            "open_dispute",
            accounts!(OpenDispute {
                caller,
                trade,
                arbiter,
                event_authority,
                program
            }),
            ixs::OpenDispute {},
            json!({}),
        ),
        instruction(
            idl,
            "submit_evidence",
            accounts!(SubmitEvidence {
                party,
                trade,
                event_authority,
                program
            }),
            ixs::SubmitEvidence {
                evidence_hash: [3; 32],
                uri: "https://evidence.example/case/1".into(),
            },
            json!({ "evidenceHash": vec![3u8; 32], "uri": "https://evidence.example/case/1" }),
        ),
        instruction(
            idl,
            "rule",
            accounts!(Rule {
                arbiter_authority,
                arbiter,
                arbiter_token_account,
                payout: trade_payout(),
                buyer,
                seller,
                event_authority,
                program
            }),
            ixs::Rule { buyer_bps: 7_000 },
            json!({ "buyerBps": 7_000 }),
        ),
        instruction(
            idl,
            "settle",
            accounts!(Settle {
                buyer,
                seller,
                arbiter,
                payout: trade_payout(),
                event_authority,
                program
            }),
            ixs::Settle { buyer_bps: 2_500 },
            json!({ "buyerBps": 2_500 }),
        ),
        instruction(
            idl,
            "escalate",
            accounts!(Escalate {
                cranker,
                arbiter,
                fallback_arbiter: Some(key("fallback_arbiter")),
                payout: trade_payout(),
                buyer,
                seller,
                event_authority,
                program,
            }),
            ixs::Escalate {},
            json!({}),
        ),
        instruction(
            idl,
            "claim",
            accs::Claim {
                buyer: key("buyer"),
                trade: key("trade"),
                holding: key("holding"),
                destination: Some(key("destination")),
                recipient: key("recipient"),
                mint: key("mint"),
                token_program: key("token_program"),
                memo_program: key("memo_program"),
                event_authority: key("event_authority"),
                program: key("program"),
            },
            ixs::Claim {},
            json!({}),
        ),
        instruction(
            idl,
            "withdraw_fees",
            accounts!(WithdrawFees {
                admin,
                config,
                fee_vault,
                destination,
                mint,
                token_program,
                memo_program,
                event_authority,
                program
            }),
            ixs::WithdrawFees { amount: 1_234 },
            json!({ "amount": "1234" }),
        ),
        instruction(
            idl,
            "post_message",
            accounts!(PostMessage {
                author,
                trade,
                event_authority,
                program
            }),
            ixs::PostMessage {
                args: PostMessageArgs {
                    kind: MessageKind::Disclosure,
                    body: vec![1, 2, 3, 250],
                },
            },
            json!({ "kind": 3, "body": [1, 2, 3, 250] }),
        ),
        instruction(
            idl,
            "set_arbiter_room_key",
            accounts!(SetArbiterRoomKey {
                authority,
                arbiter,
                event_authority,
                program
            }),
            ixs::SetArbiterRoomKey {
                args: SetArbiterRoomKeyArgs {
                    room_key: [0x33; 32],
                },
            },
            json!({ "roomKey": vec![0x33u8; 32] }),
        ),
        instruction(
            idl,
            "propose_ending",
            accounts!(ProposeEnding {
                party,
                trade,
                event_authority,
                program
            }),
            ixs::ProposeEnding {
                args: ProposeEndingArgs {
                    buyer_amount: 40_000_000,
                },
            },
            json!({ "buyerAmount": "40000000" }),
        ),
        instruction(
            idl,
            "withdraw_proposal",
            accounts!(WithdrawProposal {
                party,
                trade,
                event_authority,
                program
            }),
            ixs::WithdrawProposal {},
            json!({}),
        ),
        instruction(
            idl,
            "accept_proposal",
            accounts!(AcceptProposal {
                party,
                config,
                payout: trade_payout(),
                buyer,
                arbiter,
                fee_vault,
                event_authority,
                program
            }),
            ixs::AcceptProposal {
                args: AcceptProposalArgs {
                    buyer_amount: 40_000_000,
                },
            },
            json!({ "buyerAmount": "40000000" }),
        ),
    ]
}

fn serialized(account: &impl AccountSerialize) -> String {
    let mut bytes = Vec::new();
    account
        .try_serialize(&mut bytes)
        .expect("the account serializes");
    hex(&bytes)
}

fn accounts() -> Value {
    let config = Config {
        admin: key("admin"),
        pending_admin: Some(key("new_admin")),
        fee_bps: 50,
        fallback_arbiter: key("fallback_arbiter"),
        ruling_window: 172_800,
        default_buyer_bps: 5_000,
        new_offers_paused: false,
        new_trades_paused: true,
        bump: 254,
    };
    let arbiter = Arbiter {
        authority: key("arbiter_authority"),
        fee_bps: 200,
        active: true,
        open_cases: 2,
        rulings: 17,
        missed_deadlines: 1,
        bump: 253,
        room_key: [0x33; 32],
    };
    let offer = Offer {
        seller: key("seller"),
        offer_id: 42,
        mint: key("mint"),
        token_program: spl_token_2022_interface::ID,
        vault: key("vault"),
        available: 900_000_000,
        locked: 100_000_000,
        terms: terms(),
        status: OfferStatus::Paused,
        bump: 252,
        room_key: [0x11; 32],
    };
    let trade = Trade {
        offer: key("offer"),
        trade_id: 3,
        seller: key("seller"),
        buyer: key("buyer"),
        mint: key("mint"),
        amount: 100_000_000,
        fiat_amount: 10_500,
        fee_bps: 50,
        arbiter: key("arbiter_authority"),
        arbiter_fee_bps: 200,
        buyer_bond: 10_000_000,
        state: TradeState::Disputed,
        created_at: 1_790_000_000,
        payment_deadline: 1_790_001_800,
        paid_at: 1_790_000_600,
        release_deadline: 1_790_004_200,
        payment_ref_hash: [9; 32],
        fallback_arbiter: Some(key("fallback_arbiter")),
        default_buyer_bps: 5_000,
        ruling_window: 172_800,
        release_window: 3_600,
        dispute: Some(Dispute {
            opened_by: key("seller"),
            opened_at: 1_790_000_900,
            arbiter: key("fallback_arbiter"),
            ruling_deadline: 1_790_173_700,
            escalated: true,
            buyer_evidence: [1; 32],
            seller_evidence: [0; 32],
        }),
        held: 0,
        bump: 251,
        seller_room_key: [0x11; 32],
        buyer_room_key: [0x22; 32],
        payment_window: 1_800,
        response_deadline: 1_790_000_900,
        details_at: 1_790_000_100,
        proposal: Some(Proposal {
            proposed_by: key("seller"),
            buyer_amount: 40_000_000,
            proposed_at: 1_790_001_000,
        }),
    };
    let profile = Profile {
        wallet: key("buyer"),
        offers_created: 2,
        trades_taken: 9,
        bump: 250,
    };
    json!({
        "profile": {
            "bytes": serialized(&profile),
            "fields": {
                "wallet": key("buyer").to_string(),
                "offersCreated": "2",
                "tradesTaken": "9",
                "bump": 250,
            },
        },
        "config": {
            "bytes": serialized(&config),
            "fields": {
                "admin": key("admin").to_string(),
                "pendingAdmin": key("new_admin").to_string(),
                "feeBps": 50,
                "fallbackArbiter": key("fallback_arbiter").to_string(),
                "rulingWindow": "172800",
                "defaultBuyerBps": 5_000,
                "newOffersPaused": false,
                "newTradesPaused": true,
                "bump": 254,
            },
        },
        "arbiter": {
            "bytes": serialized(&arbiter),
            "fields": {
                "authority": key("arbiter_authority").to_string(),
                "feeBps": 200,
                "active": true,
                "openCases": "2",
                "rulings": "17",
                "missedDeadlines": "1",
                "bump": 253,
                "roomKey": vec![0x33u8; 32],
            },
        },
        "offer": {
            "bytes": serialized(&offer),
            "fields": {
                "seller": key("seller").to_string(),
                "offerId": "42",
                "mint": key("mint").to_string(),
                "tokenProgram": spl_token_2022_interface::ID.to_string(),
                "vault": key("vault").to_string(),
                "available": "900000000",
                "locked": "100000000",
                "terms": terms_json(),
                "status": 1,
                "bump": 252,
                "roomKey": vec![0x11u8; 32],
            },
        },
        "trade": {
            "bytes": serialized(&trade),
            "fields": {
                "offer": key("offer").to_string(),
                "tradeId": "3",
                "seller": key("seller").to_string(),
                "buyer": key("buyer").to_string(),
                "mint": key("mint").to_string(),
                "amount": "100000000",
                "fiatAmount": "10500",
                "feeBps": 50,
                "arbiter": key("arbiter_authority").to_string(),
                "arbiterFeeBps": 200,
                "buyerBond": "10000000",
                "state": 2,
                "createdAt": "1790000000",
                "paymentDeadline": "1790001800",
                "paidAt": "1790000600",
                "releaseDeadline": "1790004200",
                "paymentRefHash": vec![9u8; 32],
                "fallbackArbiter": key("fallback_arbiter").to_string(),
                "defaultBuyerBps": 5_000,
                "rulingWindow": "172800",
                "releaseWindow": "3600",
                "dispute": {
                    "openedBy": key("seller").to_string(),
                    "openedAt": "1790000900",
                    "arbiter": key("fallback_arbiter").to_string(),
                    "rulingDeadline": "1790173700",
                    "escalated": true,
                    "buyerEvidence": vec![1u8; 32],
                    "sellerEvidence": vec![0u8; 32],
                },
                "held": "0",
                "bump": 251,
                "sellerRoomKey": vec![0x11u8; 32],
                "buyerRoomKey": vec![0x22u8; 32],
                "paymentWindow": "1800",
                "responseDeadline": "1790000900",
                "detailsAt": "1790000100",
                "proposal": {
                    "proposedBy": key("seller").to_string(),
                    "buyerAmount": "40000000",
                    "proposedAt": "1790001000",
                },
            },
        },
    })
}

fn events() -> Value {
    let taken = TradeTaken {
        trade: key("trade"),
        offer: key("offer"),
        trade_id: 5,
        seller: key("seller"),
        buyer: key("buyer"),
        mint: key("mint"),
        amount: 100_000_000,
        fiat_amount: 10_500,
        fiat_currency: *b"EUR",
        arbiter: key("arbiter_authority"),
        buyer_bond: 10_000_000,
        payment_deadline: 1_790_002_700,
        response_deadline: 1_790_000_900,
        fee_bps: 50,
        arbiter_fee_bps: 200,
        fallback_arbiter: None,
        default_buyer_bps: 5_000,
        ruling_window: 172_800,
        release_window: 3_600,
        seller_room_key: [0x11; 32],
        buyer_room_key: [0x22; 32],
    };
    let resolved = DisputeResolved {
        trade: key("trade"),
        offer: key("offer"),
        seller: key("seller"),
        buyer: key("buyer"),
        resolution: Resolution::DefaultRuling,
        arbiter: key("fallback_arbiter"),
        buyer_bps: 7_000,
        to_buyer: 68_600_000,
        to_seller: 29_400_000,
        arbiter_fee: 2_000_000,
        bond_to_seller: 0,
    };
    let accepted = ProposalAccepted {
        trade: key("trade"),
        offer: key("offer"),
        seller: key("seller"),
        buyer: key("buyer"),
        proposed_by: key("seller"),
        accepted_by: key("buyer"),
        to_buyer: 39_800_000,
        protocol_fee: 200_000,
        to_seller: 60_000_000,
        bond_returned: 10_000_000,
    };
    json!([
        {
            "name": "tradeTaken",
            "bytes": hex(&taken.data()),
            "fields": {
                "trade": key("trade").to_string(),
                "offer": key("offer").to_string(),
                "tradeId": "5",
                "seller": key("seller").to_string(),
                "buyer": key("buyer").to_string(),
                "mint": key("mint").to_string(),
                "amount": "100000000",
                "fiatAmount": "10500",
                "fiatCurrency": b"EUR".to_vec(),
                "arbiter": key("arbiter_authority").to_string(),
                "buyerBond": "10000000",
                "paymentDeadline": "1790002700",
                "responseDeadline": "1790000900",
                "feeBps": 50,
                "arbiterFeeBps": 200,
                "fallbackArbiter": null,
                "defaultBuyerBps": 5_000,
                "rulingWindow": "172800",
                "releaseWindow": "3600",
                "sellerRoomKey": vec![0x11u8; 32],
                "buyerRoomKey": vec![0x22u8; 32],
            },
        },
        {
            "name": "disputeResolved",
            "bytes": hex(&resolved.data()),
            "fields": {
                "trade": key("trade").to_string(),
                "offer": key("offer").to_string(),
                "seller": key("seller").to_string(),
                "buyer": key("buyer").to_string(),
                "resolution": 2,
                "arbiter": key("fallback_arbiter").to_string(),
                "buyerBps": 7_000,
                "toBuyer": "68600000",
                "toSeller": "29400000",
                "arbiterFee": "2000000",
                "bondToSeller": "0",
            },
        },
        {
            "name": "proposalAccepted",
            "bytes": hex(&accepted.data()),
            "fields": {
                "trade": key("trade").to_string(),
                "offer": key("offer").to_string(),
                "seller": key("seller").to_string(),
                "buyer": key("buyer").to_string(),
                "proposedBy": key("seller").to_string(),
                "acceptedBy": key("buyer").to_string(),
                "toBuyer": "39800000",
                "protocolFee": "200000",
                "toSeller": "60000000",
                "bondReturned": "10000000",
            },
        },
    ])
}

fn pdas() -> Value {
    let seller = key("seller");
    let offer = Pubkey::find_program_address(
        &[
            p2p_escrow::constants::OFFER_SEED,
            seller.as_ref(),
            &42u64.to_le_bytes(),
        ],
        &p2p_escrow::ID,
    )
    .0;
    let buyer = key("buyer");
    let trade = addresses::trade(&buyer, 3);
    let profile = addresses::profile(&buyer);
    let ata = |owner: &Pubkey| {
        addresses::associated_token(owner, &key("mint"), &spl_token_2022_interface::ID)
    };
    let vault = ata(&offer);
    json!({
        "config": addresses::config().to_string(),
        "eventAuthority": addresses::event_authority().to_string(),
        "programData": addresses::program_data().to_string(),
        "arbiter": { "authority": key("arbiter_authority").to_string(), "address": addresses::arbiter(&key("arbiter_authority")).to_string() },
        "offer": { "seller": seller.to_string(), "offerId": "42", "address": offer.to_string() },
        "trade": { "buyer": buyer.to_string(), "tradeId": "3", "address": trade.to_string() },
        "profile": { "wallet": buyer.to_string(), "address": profile.to_string() },
        "holding": { "trade": trade.to_string(), "mint": key("mint").to_string(), "tokenProgram": spl_token_2022_interface::ID.to_string(), "address": ata(&trade).to_string() },
        "feeVault": { "mint": key("mint").to_string(), "tokenProgram": spl_token_2022_interface::ID.to_string(), "address": ata(&addresses::config()).to_string() },
        "vault": { "offer": offer.to_string(), "mint": key("mint").to_string(), "tokenProgram": spl_token_2022_interface::ID.to_string(), "address": vault.to_string() },
    })
}

fn attestation() -> Value {
    let trade = Trade {
        offer: key("offer"),
        trade_id: 0,
        seller: key("seller"),
        buyer: key("buyer"),
        mint: key("mint"),
        amount: 123_456_789,
        fiat_amount: 0,
        fee_bps: 0,
        arbiter: key("arbiter_authority"),
        arbiter_fee_bps: 0,
        buyer_bond: 0,
        state: TradeState::Paid,
        created_at: 0,
        payment_deadline: 0,
        paid_at: 0,
        release_deadline: 0,
        payment_ref_hash: [4; 32],
        fallback_arbiter: None,
        default_buyer_bps: 0,
        ruling_window: 0,
        release_window: 0,
        dispute: None,
        held: 0,
        bump: 255,
        seller_room_key: [0; 32],
        buyer_room_key: [0; 32],
        payment_window: 0,
        response_deadline: 0,
        details_at: 0,
        proposal: None,
    };
    let digest = p2p_escrow::attestation::attestation_digest(&key("trade"), &trade);
    let payload = p2p_escrow::attestation::attestation_payload(&key("trade"), &trade);
    json!({
        "trade": key("trade").to_string(),
        "buyer": key("buyer").to_string(),
        "mint": key("mint").to_string(),
        "amount": "123456789",
        "paymentRefHash": vec![4u8; 32],
        "digest": hex(&digest),
        "payload": hex(&payload),
    })
}

/// The terms a take fixes, as the `take_offer` vector's buyer saw them.
fn take_terms() -> TakeTerms {
    TakeTerms {
        mint: key("mint"),
        terms: terms(),
        fee_bps: 50,
        arbiter_fee_bps: 200,
        fallback_arbiter: Some(key("fallback_arbiter")),
        default_buyer_bps: 5_000,
        ruling_window: 172_800,
    }
}

/// The take terms' fields, their Borsh bytes and their hash (`take_offer`'s `expected_terms_hash`),
/// with a fallback arbiter and without one.
fn take_terms_vectors() -> Value {
    let with_fallback = take_terms();
    let without = TakeTerms {
        fallback_arbiter: None,
        ..take_terms()
    };
    Value::Array(
        [with_fallback, without]
            .iter()
            .map(|terms| {
                let mut bytes = Vec::new();
                terms.serialize(&mut bytes).unwrap();
                json!({
                    "fields": {
                        "mint": terms.mint.to_string(),
                        "terms": terms_json(),
                        "feeBps": terms.fee_bps,
                        "arbiterFeeBps": terms.arbiter_fee_bps,
                        "fallbackArbiter": terms.fallback_arbiter.map(|k| k.to_string()),
                        "defaultBuyerBps": terms.default_buyer_bps,
                        "rulingWindow": terms.ruling_window.to_string(),
                    },
                    "bytes": hex(&bytes),
                    "hash": hex(&terms.hash().unwrap()),
                })
            })
            .collect(),
    )
}

/// Anchor's framework errors a client meets when accounts are wrong: name, code and message.
fn anchor_errors() -> Value {
    use AnchorError::*;
    let errors = [
        InstructionMissing,
        InstructionFallbackNotFound,
        InstructionDidNotDeserialize,
        ConstraintMut,
        ConstraintHasOne,
        ConstraintSigner,
        ConstraintRaw,
        ConstraintOwner,
        ConstraintRentExempt,
        ConstraintSeeds,
        ConstraintExecutable,
        ConstraintState,
        ConstraintAssociated,
        ConstraintAssociatedInit,
        ConstraintClose,
        ConstraintAddress,
        ConstraintZero,
        ConstraintTokenMint,
        ConstraintTokenOwner,
        ConstraintMintMintAuthority,
        ConstraintMintFreezeAuthority,
        ConstraintMintDecimals,
        ConstraintSpace,
        ConstraintAccountIsNone,
        ConstraintTokenTokenProgram,
        ConstraintMintTokenProgram,
        ConstraintAssociatedTokenTokenProgram,
        ConstraintDuplicateMutableAccount,
        AccountDiscriminatorAlreadySet,
        AccountDiscriminatorNotFound,
        AccountDiscriminatorMismatch,
        AccountDidNotDeserialize,
        AccountDidNotSerialize,
        AccountNotEnoughKeys,
        AccountNotMutable,
        AccountOwnedByWrongProgram,
        InvalidProgramId,
        InvalidProgramExecutable,
        AccountNotSigner,
        AccountNotSystemOwned,
        AccountNotInitialized,
        AccountNotProgramData,
        AccountNotAssociatedTokenAccount,
        AccountSysvarMismatch,
        AccountReallocExceedsLimit,
        AccountDuplicateReallocs,
        DeclaredProgramIdMismatch,
        TryingToInitPayerAsProgramAccount,
        InvalidNumericConversion,
        RequireViolated,
        RequireEqViolated,
        RequireKeysEqViolated,
        RequireNeqViolated,
        RequireKeysNeqViolated,
        RequireGtViolated,
        RequireGteViolated,
    ];
    Value::Array(
        errors
            .into_iter()
            .map(|error| {
                json!({ "code": u32::from(error), "name": error.name(), "message": error.to_string() })
            })
            .collect(),
    )
}

fn vectors() -> Value {
    let idl = idl();
    json!({
        "programId": p2p_escrow::ID.to_string(),
        "eventIxTag": hex(EVENT_IX_TAG_LE),
        "pdas": pdas(),
        "instructions": instructions(&idl),
        "accounts": accounts(),
        "events": events(),
        "attestation": attestation(),
        "takeTerms": take_terms_vectors(),
        "anchorErrors": anchor_errors(),
        "lowOrderRoomKeys": p2p_escrow::room::LOW_ORDER_ROOM_KEYS.iter().map(|key| hex(key)).collect::<Vec<_>>(),
    })
}

#[test]
fn vectors_match_the_committed_file() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../app/packages/sdk/test/vectors.json");
    let fresh = serde_json::to_string_pretty(&vectors()).expect("vectors serialize") + "\n";
    if std::env::var_os("P2P_WRITE_VECTORS").is_some() {
        std::fs::write(&path, fresh).expect("the vectors file is writable");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "app/packages/sdk/test/vectors.json is stale: run `P2P_WRITE_VECTORS=1 cargo test -p p2p-escrow-tests \
         --test escrow vectors` and commit it"
    );
}
