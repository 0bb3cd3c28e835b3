//! Integration tests of the escrow program, run natively in a program-test bank. The fixture
//! checks every offer's vault invariant (balance == available + locked) after every transaction.
mod adversarial;
mod attestation;
mod config;
mod disputes;
mod offers;
mod proposals;
mod room;
mod split_property;
mod stateful;
mod trades;
mod vectors;
mod windows;
