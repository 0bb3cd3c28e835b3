//! Property: however a trade ends, what is paid out plus the fees is exactly the reserved amount,
//! for every input, and nothing panics.

use p2p_escrow::constants::{BPS_DENOMINATOR, MAX_ARBITER_FEE_BPS, MAX_PROTOCOL_FEE_BPS};
use p2p_escrow::math::{bps_share, split, Split};
use p2p_escrow_tests::EscrowError;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

    #[test]
    fn a_dispute_split_adds_up_to_the_reserved_amount(
        amount in any::<u64>(),
        arbiter_fee_bps in 0..=MAX_ARBITER_FEE_BPS,
        buyer_bps in 0..=BPS_DENOMINATOR,
    ) {
        let Split { arbiter_fee, to_buyer, to_seller } =
            split(amount, arbiter_fee_bps, buyer_bps).expect("valid split");
        prop_assert_eq!(
            u128::from(arbiter_fee) + u128::from(to_buyer) + u128::from(to_seller),
            u128::from(amount)
        );
        prop_assert!(u128::from(arbiter_fee) * 10_000 <= u128::from(amount) * u128::from(arbiter_fee_bps));
        prop_assert!(u128::from(to_buyer) * 10_000 <= u128::from(amount - arbiter_fee) * u128::from(buyer_bps));
        // The seller's share is what is left, so it owns only the rounding remainder beyond its bps.
        let seller_bps = u128::from(BPS_DENOMINATOR - buyer_bps);
        prop_assert!(u128::from(to_seller) * 10_000 >= u128::from(amount - arbiter_fee) * seller_bps);
    }

    #[test]
    fn a_release_adds_up_to_the_reserved_amount(
        amount in any::<u64>(),
        fee_bps in 0..=MAX_PROTOCOL_FEE_BPS,
    ) {
        let fee = bps_share(amount, fee_bps).expect("valid fee");
        prop_assert!(fee <= amount);
        prop_assert_eq!(u128::from(amount - fee) + u128::from(fee), u128::from(amount));
    }

    #[test]
    fn out_of_range_bps_are_refused_not_panicked_on(
        amount in any::<u64>(),
        arbiter_fee_bps in any::<u16>(),
        buyer_bps in any::<u16>(),
    ) {
        match split(amount, arbiter_fee_bps, buyer_bps) {
            Ok(parts) => {
                prop_assert!(arbiter_fee_bps <= BPS_DENOMINATOR && buyer_bps <= BPS_DENOMINATOR);
                prop_assert_eq!(
                    u128::from(parts.arbiter_fee) + u128::from(parts.to_buyer) + u128::from(parts.to_seller),
                    u128::from(amount)
                );
            }
            Err(error) => {
                prop_assert!(arbiter_fee_bps > BPS_DENOMINATOR || buyer_bps > BPS_DENOMINATOR);
                prop_assert_eq!(error, anchor_lang::error::Error::from(EscrowError::InvalidBps));
            }
        }
    }
}
