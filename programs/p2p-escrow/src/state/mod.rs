//! The program's accounts.

pub mod arbiter;
pub mod config;
pub mod offer;
pub mod profile;
pub mod trade;

pub use arbiter::*;
pub use config::*;
pub use offer::*;
pub use profile::*;
pub use trade::*;
