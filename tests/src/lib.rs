//! Shared fixtures for the p2p-escrow integration tests: a program-test bank running the program
//! natively, funded users, mints of every flavour, instruction builders and the assertions every
//! test makes (exact error, nothing changed, vault invariant).

mod builders;
mod clock;
mod env;
mod events;
mod mints;
mod outside;

pub use builders::*;
pub use env::*;
pub use events::*;
pub use mints::*;

pub use p2p_escrow::errors::EscrowError;
pub use p2p_escrow_program_test::{addresses, escrow_program_test, MEMO_PROGRAM};

/// Decimals of every test mint.
pub const DECIMALS: u8 = 6;
/// One whole token in base units.
pub const TOKEN: u64 = 1_000_000;
/// Lamports every user starts with.
pub const STARTING_LAMPORTS: u64 = 100_000_000_000;
/// Protocol fee of the default config.
pub const FEE_BPS: u16 = 50;
/// Fee of the default arbiter.
pub const ARBITER_FEE_BPS: u16 = 200;
/// Ruling window of the default config.
pub const RULING_WINDOW: i64 = 2 * 24 * 60 * 60;
/// Payment window of the default offer.
pub const PAYMENT_WINDOW: i64 = 30 * 60;
/// Release window of the default offer.
pub const RELEASE_WINDOW: i64 = 60 * 60;
/// Buyer bond of the default offer.
pub const BUYER_BOND: u64 = 10_000_000;
/// Price of the default offer: 1.05 units of fiat (105 cents) per token.
pub const PRICE: u64 = 105;
