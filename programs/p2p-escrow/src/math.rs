//! Amount arithmetic: products in u128, every step checked.

use anchor_lang::prelude::*;

use crate::constants::BPS_DENOMINATOR;
use crate::errors::EscrowError;

/// `amount * bps / 10000`, rounded down. Refuses bps above 10000.
pub fn bps_share(amount: u64, bps: u16) -> Result<u64> {
    require!(bps <= BPS_DENOMINATOR, EscrowError::InvalidBps);
    let share = u128::from(amount)
        .checked_mul(u128::from(bps))
        .ok_or(EscrowError::MathOverflow)?
        .checked_div(u128::from(BPS_DENOMINATOR))
        .ok_or(EscrowError::MathOverflow)?;
    u64::try_from(share).map_err(|_| error!(EscrowError::MathOverflow))
}

/// Fiat owed for `amount` base units at `price` minor units per whole token of `decimals`,
/// rounded down.
pub fn fiat_amount(amount: u64, price: u64, decimals: u8) -> Result<u64> {
    let whole = 10u128
        .checked_pow(u32::from(decimals))
        .ok_or(EscrowError::MathOverflow)?;
    let fiat = u128::from(amount)
        .checked_mul(u128::from(price))
        .ok_or(EscrowError::MathOverflow)?
        .checked_div(whole)
        .ok_or(EscrowError::MathOverflow)?;
    u64::try_from(fiat).map_err(|_| error!(EscrowError::MathOverflow))
}

/// How a disputed trade's reserved amount is divided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Split {
    /// The arbiter's fee, taken first.
    pub arbiter_fee: u64,
    /// The buyer's share of the rest.
    pub to_buyer: u64,
    /// What remains; it returns to the offer's available tokens. The seller owns every rounding
    /// remainder, so the three parts always add up to the amount.
    pub to_seller: u64,
}

/// Splits `amount`: the arbiter's fee (`arbiter_fee_bps` of it), then `buyer_bps` of the rest to
/// the buyer, both rounded down, and everything left to the seller.
pub fn split(amount: u64, arbiter_fee_bps: u16, buyer_bps: u16) -> Result<Split> {
    let arbiter_fee = bps_share(amount, arbiter_fee_bps)?;
    let rest = amount
        .checked_sub(arbiter_fee)
        .ok_or(EscrowError::MathOverflow)?;
    let to_buyer = bps_share(rest, buyer_bps)?;
    let to_seller = rest
        .checked_sub(to_buyer)
        .ok_or(EscrowError::MathOverflow)?;
    Ok(Split {
        arbiter_fee,
        to_buyer,
        to_seller,
    })
}

/// `now + window`, refusing overflow.
pub fn deadline(now: i64, window: i64) -> Result<i64> {
    now.checked_add(window)
        .ok_or_else(|| error!(EscrowError::MathOverflow))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bps_share_rounds_down_and_refuses_more_than_a_whole() {
        assert_eq!(bps_share(1_000_000, 50).unwrap(), 5_000);
        assert_eq!(bps_share(199, 50).unwrap(), 0);
        assert_eq!(bps_share(u64::MAX, 10_000).unwrap(), u64::MAX);
        assert_eq!(
            bps_share(1, 10_001).unwrap_err(),
            error!(EscrowError::InvalidBps)
        );
    }

    #[test]
    fn fiat_amount_is_price_per_whole_token() {
        // 2.5 tokens of 6 decimals at 105 cents each.
        assert_eq!(fiat_amount(2_500_000, 105, 6).unwrap(), 262);
        assert_eq!(fiat_amount(9_523, 105, 6).unwrap(), 0);
        assert_eq!(fiat_amount(9_524, 105, 6).unwrap(), 1);
        assert_eq!(
            fiat_amount(u64::MAX, u64::MAX, 0).unwrap_err(),
            error!(EscrowError::MathOverflow)
        );
        assert_eq!(
            fiat_amount(1, 1, 40).unwrap_err(),
            error!(EscrowError::MathOverflow)
        );
    }

    #[test]
    fn split_gives_the_rounding_remainder_to_the_seller() {
        assert_eq!(
            split(1_001, 200, 7_000).unwrap(),
            Split {
                arbiter_fee: 20,
                to_buyer: 686,
                to_seller: 295,
            }
        );
        assert_eq!(
            split(7, 0, 10_000).unwrap(),
            Split {
                arbiter_fee: 0,
                to_buyer: 7,
                to_seller: 0,
            }
        );
        assert_eq!(
            split(7, 0, 10_001).unwrap_err(),
            error!(EscrowError::InvalidBps)
        );
    }

    #[test]
    fn deadline_refuses_overflow() {
        assert_eq!(deadline(100, 50).unwrap(), 150);
        assert_eq!(
            deadline(i64::MAX, 1).unwrap_err(),
            error!(EscrowError::MathOverflow)
        );
    }
}
