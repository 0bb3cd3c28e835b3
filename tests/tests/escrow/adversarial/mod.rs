//! Attacks on the escrow, one file per family. Every refusal asserts its exact error, and the
//! fixture checks that nothing changed and that every vault still covers its offer.

mod authorization;
mod deadlines;
mod hostage;
mod hostile_mints;
mod lamport_tricks;
mod replay;
mod state_machine;
mod substitution;
