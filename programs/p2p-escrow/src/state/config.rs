use anchor_lang::prelude::*;

use crate::constants::{
    BPS_DENOMINATOR, MAX_PROTOCOL_FEE_BPS, MAX_RULING_WINDOW, MIN_RULING_WINDOW,
};
use crate::errors::EscrowError;

/// The protocol's settings. One per deployment, at `["config"]`.
#[account]
#[derive(InitSpace)]
pub struct Config {
    /// Who may change these settings and register arbiters. Never able to move escrowed tokens.
    pub admin: Pubkey,
    /// The admin proposed by `propose_admin`, until it accepts.
    pub pending_admin: Option<Pubkey>,
    /// Protocol fee in basis points of a released trade's amount (hard cap 100), fixed in each
    /// trade at take. Fees collect in the fee vault of each mint (the config's associated token
    /// account), which only the admin can withdraw from with `withdraw_fees`.
    pub fee_bps: u16,
    /// Authority of the arbiter that takes over a dispute whose arbiter missed its deadline (each
    /// trade fixes it at take).
    pub fallback_arbiter: Pubkey,
    /// Seconds an arbiter has to rule on a dispute (each trade fixes it at take).
    pub ruling_window: i64,
    /// The buyer's share, in basis points, when every arbiter missed its deadline (each trade
    /// fixes it at take).
    pub default_buyer_bps: u16,
    /// When set, no new offers can be created.
    pub new_offers_paused: bool,
    /// When set, no new trades can be taken.
    pub new_trades_paused: bool,
    /// Bump of this account's address.
    pub bump: u8,
}

/// The settings the admin chooses, at initialization and on every update. They apply to trades
/// taken afterwards; open trades keep what they fixed at take.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct ConfigParams {
    /// Protocol fee in basis points (at most 100).
    pub fee_bps: u16,
    /// Authority of the fallback arbiter.
    pub fallback_arbiter: Pubkey,
    /// Seconds an arbiter has to rule (1 hour to 30 days).
    pub ruling_window: i64,
    /// The buyer's share in basis points when every arbiter missed its deadline.
    pub default_buyer_bps: u16,
}

impl ConfigParams {
    /// Refuses settings outside their caps and bounds.
    pub fn validate(&self) -> Result<()> {
        require!(
            self.fee_bps <= MAX_PROTOCOL_FEE_BPS,
            EscrowError::ProtocolFeeTooHigh
        );
        require!(
            (MIN_RULING_WINDOW..=MAX_RULING_WINDOW).contains(&self.ruling_window),
            EscrowError::RulingWindowOutOfBounds
        );
        require!(
            self.default_buyer_bps <= BPS_DENOMINATOR,
            EscrowError::InvalidBps
        );
        Ok(())
    }
}

impl Config {
    /// A new config with `admin` as its first admin, nothing paused.
    pub fn new(admin: Pubkey, params: ConfigParams, bump: u8) -> Config {
        Config {
            admin,
            pending_admin: None,
            fee_bps: params.fee_bps,
            fallback_arbiter: params.fallback_arbiter,
            ruling_window: params.ruling_window,
            default_buyer_bps: params.default_buyer_bps,
            new_offers_paused: false,
            new_trades_paused: false,
            bump,
        }
    }

    /// Writes the admin's settings.
    pub fn apply(&mut self, params: ConfigParams) {
        self.fee_bps = params.fee_bps;
        self.fallback_arbiter = params.fallback_arbiter;
        self.ruling_window = params.ruling_window;
        self.default_buyer_bps = params.default_buyer_bps;
    }

    /// The settings as the admin set them.
    pub fn params(&self) -> ConfigParams {
        ConfigParams {
            fee_bps: self.fee_bps,
            fallback_arbiter: self.fallback_arbiter,
            ruling_window: self.ruling_window,
            default_buyer_bps: self.default_buyer_bps,
        }
    }

    /// Holds after every change of the config.
    pub fn invariant(&self) -> Result<()> {
        self.params().validate()?;
        require!(
            self.pending_admin != Some(self.admin),
            EscrowError::InvariantViolated
        );
        Ok(())
    }
}
