//! One instruction per file: its accounts, its arguments and its handler.

pub mod accept_admin;
pub mod cancel_trade;
pub mod close_offer;
pub mod create_offer;
pub mod deposit;
pub mod expire_trade;
pub mod initialize_config;
pub mod mark_paid;
pub mod propose_admin;
pub mod register_arbiter;
pub mod release;
pub mod set_offer_paused;
pub mod set_pause;
pub mod take_offer;
pub mod update_arbiter;
pub mod update_config;
pub mod withdraw;

pub use accept_admin::*;
pub use cancel_trade::*;
pub use close_offer::*;
pub use create_offer::*;
pub use deposit::*;
pub use expire_trade::*;
pub use initialize_config::*;
pub use mark_paid::*;
pub use propose_admin::*;
pub use register_arbiter::*;
pub use release::*;
pub use set_offer_paused::*;
pub use set_pause::*;
pub use take_offer::*;
pub use update_arbiter::*;
pub use update_config::*;
pub use withdraw::*;
