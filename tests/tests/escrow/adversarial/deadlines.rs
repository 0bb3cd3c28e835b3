use p2p_escrow::constants::PUBLIC_DISPUTE_GRACE;
use p2p_escrow::math::deadline;
use p2p_escrow_tests::*;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// The deadlines of a trade, and which side of each an action needs.
#[derive(Clone, Copy, Debug)]
enum Edge {
    MarkPaid,
    Cancel,
    Expire,
    BuyerDispute,
    PublicDispute,
    Rule,
    Escalate,
}

impl Edge {
    /// The trade's state the action starts from: 0 locked, 1 paid, 2 disputed.
    fn stage(self) -> u8 {
        match self {
            Edge::MarkPaid | Edge::Cancel | Edge::Expire => 0,
            Edge::BuyerDispute | Edge::PublicDispute => 1,
            Edge::Rule | Edge::Escalate => 2,
        }
    }

    /// Whether the action is allowed at the deadline itself (otherwise it is allowed only after).
    fn allowed_at_deadline(self) -> bool {
        matches!(self, Edge::MarkPaid | Edge::Cancel | Edge::Rule)
    }

    /// The refusal on the wrong side of the deadline.
    fn refusal(self) -> EscrowError {
        match self {
            Edge::MarkPaid | Edge::Cancel => EscrowError::PaymentDeadlinePassed,
            Edge::Expire => EscrowError::PaymentDeadlineNotReached,
            Edge::BuyerDispute => EscrowError::ReleaseWindowOpen,
            Edge::PublicDispute => EscrowError::DisputeGraceNotOver,
            Edge::Rule => EscrowError::RulingDeadlinePassed,
            Edge::Escalate => EscrowError::RulingDeadlineNotReached,
        }
    }

    /// The deadline that governs the action.
    async fn deadline(self, env: &Env, trade: &TradeRef) -> i64 {
        let state = env.trade(trade).await;
        match self {
            Edge::MarkPaid | Edge::Cancel | Edge::Expire => state.payment_deadline,
            Edge::BuyerDispute => state.release_deadline,
            Edge::PublicDispute => state.release_deadline + PUBLIC_DISPUTE_GRACE,
            Edge::Rule | Edge::Escalate => state.dispute.expect("dispute").ruling_deadline,
        }
    }

    /// The action and its signer.
    fn action<'a>(self, env: &'a Env, trade: &TradeRef) -> (Instruction, &'a Keypair) {
        let arbiter = env.arbiter.pubkey();
        match self {
            Edge::MarkPaid => (env.mark_paid_ix(trade, [1; 32]), &env.buyer),
            Edge::Cancel => (env.cancel_trade_ix(trade), &env.buyer),
            Edge::Expire => (
                env.expire_trade_ix(trade, &env.stranger.pubkey()),
                &env.stranger,
            ),
            Edge::BuyerDispute => (
                env.open_dispute_ix(trade, &trade.buyer, &arbiter),
                &env.buyer,
            ),
            Edge::PublicDispute => (
                env.open_dispute_ix(trade, &env.stranger.pubkey(), &arbiter),
                &env.stranger,
            ),
            Edge::Rule => (env.rule_ix(trade, &arbiter, &arbiter, 5_000), &env.arbiter),
            Edge::Escalate => (
                env.escalate_ix(trade, &env.stranger.pubkey(), &arbiter),
                &env.stranger,
            ),
        }
    }
}

/// A fresh trade of `offer`, taken at `start` and brought to `stage`.
async fn trade_at(env: &Env, offer: &OfferRef, start: i64, stage: u8) -> TradeRef {
    env.set_time(start).await;
    let trade = env.take(offer, &env.buyer, TOKEN).await;
    if stage >= 1 {
        env.ok(&[env.mark_paid_ix(&trade, [1; 32])], &[&env.buyer])
            .await;
    }
    if stage >= 2 {
        env.ok(
            &[env.open_dispute_ix(&trade, &env.seller.pubkey(), &env.arbiter.pubkey())],
            &[&env.seller],
        )
        .await;
    }
    trade
}

#[tokio::test]
async fn every_deadline_holds_one_second_before_at_and_after() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let offer = env.create_offer(&mint).await;
    let start = env.now().await;
    for edge in [
        Edge::MarkPaid,
        Edge::Cancel,
        Edge::Expire,
        Edge::BuyerDispute,
        Edge::PublicDispute,
        Edge::Rule,
        Edge::Escalate,
    ] {
        for offset in [-1, 0, 1] {
            let trade = trade_at(&env, &offer, start, edge.stage()).await;
            env.track_payout_accounts(&trade);
            env.track(&[trade.address]);
            let at = edge.deadline(&env, &trade).await;
            env.set_time(at + offset).await;
            let (instruction, signer) = edge.action(&env, &trade);
            let allowed = if edge.allowed_at_deadline() {
                offset <= 0
            } else {
                offset > 0
            };
            if allowed {
                env.ok(&[instruction], &[signer]).await;
            } else {
                env.refuse(&[instruction], &[signer], code(edge.refusal()))
                    .await;
            }
        }
    }
}

#[tokio::test]
async fn deadlines_that_would_overflow_i64_are_refused() {
    let env = Env::new().await;
    let mint = env.create_mint(MintKind::Spl).await;
    let offer = env.create_offer(&mint).await;
    let overflow = code(EscrowError::MathOverflow);

    // Taking when the payment deadline would pass i64::MAX.
    env.set_time(i64::MAX - PAYMENT_WINDOW + 1).await;
    env.refuse_take(&offer, &env.buyer, TOKEN, overflow).await;

    // A trade whose payment deadline is i64::MAX: marking paid would overflow the release deadline.
    env.set_time(i64::MAX - PAYMENT_WINDOW).await;
    let trade = env.take(&offer, &env.buyer, TOKEN).await;
    assert_eq!(env.trade(&trade).await.payment_deadline, i64::MAX);
    env.set_time(i64::MAX - 1).await;
    env.refuse(
        &[env.mark_paid_ix(&trade, [1; 32])],
        &[&env.buyer],
        overflow,
    )
    .await;
    // It can still be cancelled, and it expires only at the end of time.
    env.ok(&[env.cancel_trade_ix(&trade)], &[&env.buyer]).await;

    // A paid trade near the end of time: a dispute's ruling deadline, and the public grace, would
    // overflow.
    let start = i64::MAX - RULING_WINDOW;
    let paid = trade_at(&env, &offer, start - PAYMENT_WINDOW, 1).await;
    assert!(deadline(
        env.trade(&paid).await.release_deadline,
        PUBLIC_DISPUTE_GRACE
    )
    .is_err());
    env.set_time(start + 1).await;
    env.refuse(
        &[env.open_dispute_ix(&paid, &env.seller.pubkey(), &env.arbiter.pubkey())],
        &[&env.seller],
        overflow,
    )
    .await;
    env.refuse(
        &[env.open_dispute_ix(&paid, &env.stranger.pubkey(), &env.arbiter.pubkey())],
        &[&env.stranger],
        overflow,
    )
    .await;
    // The seller can always release.
    env.ok(&[env.release_ix(&paid)], &[&env.seller]).await;
}
