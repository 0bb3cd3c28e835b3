//! Every instruction on a trade in every state: the matrix is generated from the lists of states
//! and actions, and each cell's outcome comes from a small model of the lifecycle.

use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use p2p_escrow::state::{OfferTerms, TradeState};
use p2p_escrow_tests::*;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Locked,
    Paid,
    Disputed,
    /// Disputed, with the fallback arbiter in charge.
    Escalated,
    Closed,
}

#[derive(Clone, Copy, Debug)]
enum Action {
    Cancel,
    Expire,
    MarkPaid,
    Release,
    ReleaseWithAttestation,
    OpenDispute,
    SubmitEvidence,
    Rule,
    Settle,
    Escalate,
}

const ACTIONS: [Action; 10] = [
    Action::Cancel,
    Action::Expire,
    Action::MarkPaid,
    Action::Release,
    Action::ReleaseWithAttestation,
    Action::OpenDispute,
    Action::SubmitEvidence,
    Action::Rule,
    Action::Settle,
    Action::Escalate,
];

/// The model: what `action` does to a trade in `stage`, taken the moment it got there (so no
/// deadline has passed): the stage it leads to, or the refusal.
fn expected(stage: Stage, action: Action) -> Result<Stage, u32> {
    use Action::*;
    let disputed = matches!(stage, Stage::Disputed | Stage::Escalated);
    match (stage, action) {
        (Stage::Closed, _) => Err(anchor_code(AnchorError::AccountNotInitialized)),
        (_, Release) => Ok(Stage::Closed),
        (Stage::Locked, Cancel) => Ok(Stage::Closed),
        (Stage::Locked, Expire) => Err(code(EscrowError::PaymentDeadlineNotReached)),
        (Stage::Locked, MarkPaid) => Ok(Stage::Paid),
        (_, Cancel | Expire | MarkPaid) => Err(code(EscrowError::TradeNotLocked)),
        (Stage::Locked | Stage::Paid, ReleaseWithAttestation) => Ok(Stage::Closed),
        (_, ReleaseWithAttestation) => Err(code(EscrowError::TradeNotReleasable)),
        (Stage::Paid, OpenDispute) => Ok(Stage::Disputed),
        (_, OpenDispute) => Err(code(EscrowError::TradeNotPaid)),
        (_, SubmitEvidence | Rule | Settle | Escalate) if !disputed => {
            Err(code(EscrowError::TradeNotDisputed))
        }
        (_, SubmitEvidence) => Ok(stage),
        (_, Rule | Settle) => Ok(Stage::Closed),
        (_, Escalate) => Err(code(EscrowError::RulingDeadlineNotReached)),
    }
}

/// A fresh trade brought to `stage`, the attestation message it had, and the arbiter in charge.
async fn reach(env: &Env, offer: &OfferRef, stage: Stage) -> (TradeRef, Vec<u8>, Pubkey) {
    let trade = env.take(offer, &env.buyer, TOKEN).await;
    env.track_payout_accounts(&trade);
    let mut arbiter = env.arbiter.pubkey();
    if matches!(stage, Stage::Paid | Stage::Disputed | Stage::Escalated) {
        env.ok(&[env.mark_paid_ix(&trade, [1; 32])], &[&env.buyer])
            .await;
    }
    if matches!(stage, Stage::Disputed | Stage::Escalated) {
        env.ok(
            &[env.open_dispute_ix(&trade, &env.seller.pubkey(), &arbiter)],
            &[&env.seller],
        )
        .await;
    }
    if stage == Stage::Escalated {
        let deadline = env.trade(&trade).await.dispute.unwrap().ruling_deadline;
        env.set_time(deadline + 1).await;
        env.ok(
            &[env.escalate_ix(&trade, &env.stranger.pubkey(), &arbiter)],
            &[&env.stranger],
        )
        .await;
        arbiter = env.fallback_arbiter.pubkey();
    }
    let message = env.attestation_payload(&trade).await;
    if stage == Stage::Closed {
        env.ok(&[env.release_ix(&trade)], &[&env.seller]).await;
    }
    (trade, message, arbiter)
}

/// The instructions and signers of `action` on `trade`, by the party entitled to it.
fn act<'a>(
    env: &'a Env,
    trade: &TradeRef,
    action: Action,
    message: &[u8],
    arbiter: &Pubkey,
) -> (Vec<Instruction>, Vec<&'a Keypair>) {
    let stranger = env.stranger.pubkey();
    let arbiter_signer = if *arbiter == env.arbiter.pubkey() {
        &env.arbiter
    } else {
        &env.fallback_arbiter
    };
    match action {
        Action::Cancel => (vec![env.cancel_trade_ix(trade)], vec![&env.buyer]),
        Action::Expire => (
            vec![env.expire_trade_ix(trade, &stranger)],
            vec![&env.stranger],
        ),
        Action::MarkPaid => (vec![env.mark_paid_ix(trade, [2; 32])], vec![&env.buyer]),
        Action::Release => {
            let mut accounts = env.release_accounts(trade);
            accounts.arbiter = addresses::arbiter(arbiter);
            let release = ix(accounts, p2p_escrow::instruction::Release {});
            (vec![release], vec![&env.seller])
        }
        Action::ReleaseWithAttestation => (
            vec![
                ed25519_ix(&env.attestor, message),
                env.release_with_attestation_ix(trade, &stranger),
            ],
            vec![&env.stranger],
        ),
        // A dispute always goes to the trade's own arbiter first.
        Action::OpenDispute => (
            vec![env.open_dispute_ix(trade, &env.seller.pubkey(), &env.arbiter.pubkey())],
            vec![&env.seller],
        ),
        Action::SubmitEvidence => (
            vec![env.submit_evidence_ix(trade, &env.buyer.pubkey(), [3; 32], "ipfs://e")],
            vec![&env.buyer],
        ),
        Action::Rule => (
            vec![env.rule_ix(trade, arbiter, arbiter, 6_000)],
            vec![arbiter_signer],
        ),
        Action::Settle => (
            vec![env.settle_ix(trade, arbiter, 6_000)],
            vec![&env.buyer, &env.seller],
        ),
        Action::Escalate => (
            vec![env.escalate_ix(trade, &stranger, arbiter)],
            vec![&env.stranger],
        ),
    }
}

/// Runs every action on a trade freshly brought to `stage` and checks the model's outcome.
async fn every_action_in(stage: Stage) {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let terms = OfferTerms {
        attestor: Some(env.attestor.pubkey()),
        ..env.default_terms()
    };
    let offer = env.create_offer_with(&mint, 1_000 * TOKEN, terms).await;
    for action in ACTIONS {
        let (trade, message, arbiter) = reach(&env, &offer, stage).await;
        env.track(&[trade.address]);
        let (instructions, signers) = act(&env, &trade, action, &message, &arbiter);
        match expected(stage, action) {
            Err(refusal) => env.refuse(&instructions, &signers, refusal).await,
            Ok(after) => {
                env.ok(&instructions, &signers).await;
                let state = env.account(&trade.address).await.map(|_| ());
                match after {
                    Stage::Closed => assert!(state.is_none(), "{stage:?} × {action:?} closes"),
                    _ => {
                        let trade = env.trade(&trade).await;
                        let now = match after {
                            Stage::Locked => TradeState::Locked,
                            Stage::Paid => TradeState::Paid,
                            _ => TradeState::Disputed,
                        };
                        assert_eq!(trade.state, now, "{stage:?} × {action:?}");
                        let escalated = trade.dispute.is_some_and(|d| d.escalated);
                        assert_eq!(
                            escalated,
                            after == Stage::Escalated,
                            "{stage:?} × {action:?}"
                        );
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn every_action_on_a_locked_trade() {
    every_action_in(Stage::Locked).await;
}

#[tokio::test]
async fn every_action_on_a_paid_trade() {
    every_action_in(Stage::Paid).await;
}

#[tokio::test]
async fn every_action_on_a_disputed_trade() {
    every_action_in(Stage::Disputed).await;
}

#[tokio::test]
async fn every_action_on_an_escalated_trade() {
    every_action_in(Stage::Escalated).await;
}

#[tokio::test]
async fn every_action_on_a_closed_trade() {
    every_action_in(Stage::Closed).await;
}
