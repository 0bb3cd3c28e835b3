//! Integration tests of the escrow program, run natively in a program-test bank.
mod config;
mod offers;
mod trades;
