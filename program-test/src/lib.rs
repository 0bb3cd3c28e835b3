//! The p2p-escrow program in a solana-program-test bank, and the addresses of its accounts: what
//! the integration tests (`tests/`) and the local chain (`local-chain/`) share.
//!
//! The Solana toolchain cannot build SBF programs on these machines, so both run the real program
//! compiled natively, next to the SPL programs program-test bundles.

pub mod addresses;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::{account_info::AccountInfo, entrypoint::ProgramResult};
use solana_account::Account;
use solana_loader_v3_interface::state::UpgradeableLoaderState;
use solana_program_test::{processor, ProgramTest};

/// The SPL memo program (v3) that program-test bundles.
pub const MEMO_PROGRAM: Pubkey =
    anchor_lang::prelude::pubkey!("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");

/// The program as a native builtin. Anchor's `entry` ties every lifetime to one `'info`, the
/// runtime hands the account infos over with their own; the transmute lets them meet. The infos
/// are only used during this call.
fn process_instruction(
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    data: &[u8],
) -> ProgramResult {
    let accounts = unsafe { std::mem::transmute::<&[AccountInfo], &[AccountInfo]>(accounts) };
    p2p_escrow::entry(program_id, accounts, data)
}

/// A program-test chain running the escrow program natively, with a ProgramData account at its
/// derived address naming `upgrade_authority` (a native program has none of its own, and
/// `initialize_config` reads it). SPL Token, Token-2022, the associated token program and the memo
/// program are the BPF programs program-test bundles.
pub fn escrow_program_test(upgrade_authority: &Pubkey) -> ProgramTest {
    let mut program_test = ProgramTest::new(
        "p2p_escrow",
        p2p_escrow::ID,
        processor!(process_instruction),
    );
    program_test.prefer_bpf(false);
    let program_data = UpgradeableLoaderState::ProgramData {
        slot: 0,
        upgrade_authority_address: Some(*upgrade_authority),
    };
    program_test.add_account(
        addresses::program_data(),
        Account {
            lamports: 1_000_000_000,
            data: bincode::serialize(&program_data).expect("program data serializes"),
            owner: solana_sdk_ids::bpf_loader_upgradeable::ID,
            executable: false,
            rent_epoch: 0,
        },
    );
    program_test
}
