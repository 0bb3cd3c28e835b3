//! The program's accounts.

pub mod arbiter;
pub mod config;
pub mod offer;
pub mod trade;

pub use arbiter::*;
pub use config::*;
pub use offer::*;
pub use trade::*;
