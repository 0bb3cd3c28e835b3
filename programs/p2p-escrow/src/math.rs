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
        / u128::from(BPS_DENOMINATOR);
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
        / whole;
    u64::try_from(fiat).map_err(|_| error!(EscrowError::MathOverflow))
}

/// `now + window`, refusing overflow.
pub fn deadline(now: i64, window: i64) -> Result<i64> {
    now.checked_add(window)
        .ok_or_else(|| error!(EscrowError::MathOverflow))
}
