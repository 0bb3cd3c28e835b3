//! The project's build tasks, run as `cargo xtask <task>` (an alias in `.cargo/config.toml`).
//!
//! `idl` builds the program's IDL offline, exactly as `anchor idl build` does (anchor-lang-idl
//! compiles the program with its `idl-build` feature and reads what it prints), and writes it to
//! `idl/p2p_escrow.json`; with `--check` it writes nothing and fails when the committed IDL is
//! stale.

use std::{path::PathBuf, process::ExitCode};

use anchor_lang_idl::build::IdlBuilder;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "The p2p-escrow build tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Generates the program's IDL into idl/p2p_escrow.json.
    Idl {
        /// Write nothing; fail when the committed IDL differs from the program's.
        #[arg(long)]
        check: bool,
    },
}

fn main() -> ExitCode {
    match Cli::parse().task {
        Task::Idl { check } => idl(check),
    }
}

fn idl(check: bool) -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf();
    // anchor-lang-idl forwards RUSTUP_TOOLCHAIN as a malformed `+toolchain` argument; the
    // workspace's rust-toolchain.toml selects the toolchain anyway.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let target_dir = root.join("target").join("idl");
    let idl = match IdlBuilder::new()
        .program_path(root.join("programs").join("p2p-escrow"))
        .cargo_args(vec![
            "--target-dir".into(),
            target_dir.display().to_string(),
        ])
        .build()
    {
        Ok(idl) => idl,
        Err(error) => {
            eprintln!("building the IDL failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    let json = serde_json::to_string_pretty(&idl).expect("IDL serializes") + "\n";
    let path = root.join("idl").join("p2p_escrow.json");
    if check {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != json {
            eprintln!(
                "{} is stale: run `cargo xtask idl` and commit it",
                path.display()
            );
            return ExitCode::FAILURE;
        }
        println!("IDL is up to date: {}", path.display());
    } else {
        std::fs::write(&path, json).expect("IDL written");
        println!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}
