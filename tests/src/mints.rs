//! Test mints of every flavour (SPL Token, Token-2022 with extensions) and token accounts.

use anchor_lang::prelude::Pubkey;
use solana_account::Account;
use solana_keypair::Keypair;
use solana_program_pack::Pack;
use solana_signer::Signer;
use spl_associated_token_account_interface::instruction::create_associated_token_account_idempotent;
use spl_token_2022_interface::extension::{
    default_account_state::DefaultAccountState, BaseStateWithExtensions, ExtensionType,
    StateWithExtensions,
};

use crate::*;

/// Which token program and extensions a test mint has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MintKind {
    /// SPL Token.
    Spl,
    /// Token-2022 without extensions.
    Token2022,
    /// Token-2022 with a transfer fee.
    TransferFee { bps: u16, max: u64 },
    /// Token-2022 with a permanent delegate.
    PermanentDelegate,
    /// Token-2022, non-transferable.
    NonTransferable,
    /// Token-2022, pausable.
    Pausable,
    /// Token-2022, new accounts frozen by default.
    DefaultFrozen,
    /// Token-2022 with a transfer hook.
    TransferHook,
}

impl MintKind {
    /// The token program that owns mints of this kind.
    pub fn token_program(self) -> Pubkey {
        match self {
            MintKind::Spl => spl_token_interface::ID,
            _ => spl_token_2022_interface::ID,
        }
    }
}

/// A mint made by the fixture.
#[derive(Clone, Copy, Debug)]
pub struct TestMint {
    pub address: Pubkey,
    pub token_program: Pubkey,
}

impl TestMint {
    /// Associated token account of `owner` for this mint.
    pub fn ata(&self, owner: &Pubkey) -> Pubkey {
        addresses::associated_token(owner, &self.address, &self.token_program)
    }
}

/// A mint's fee vault: the config's associated token account.
pub fn fee_vault(mint: &TestMint) -> Pubkey {
    mint.ata(&addresses::config())
}

impl Env {
    /// Creates a mint of the given kind, 6 decimals, with `mint_authority` minting.
    pub async fn create_mint(&self, kind: MintKind) -> TestMint {
        let mint = Keypair::new();
        let token_program = kind.token_program();
        let authority = self.mint_authority.pubkey();
        let extension = match kind {
            MintKind::Spl | MintKind::Token2022 => None,
            MintKind::TransferFee { .. } => Some(ExtensionType::TransferFeeConfig),
            MintKind::PermanentDelegate => Some(ExtensionType::PermanentDelegate),
            MintKind::NonTransferable => Some(ExtensionType::NonTransferable),
            MintKind::Pausable => Some(ExtensionType::Pausable),
            MintKind::DefaultFrozen => Some(ExtensionType::DefaultAccountState),
            MintKind::TransferHook => Some(ExtensionType::TransferHook),
        };
        let space = match kind {
            MintKind::Spl => spl_token_interface::state::Mint::LEN,
            _ => ExtensionType::try_calculate_account_len::<spl_token_2022_interface::state::Mint>(
                &extension.into_iter().collect::<Vec<_>>(),
            )
            .expect("mint size"),
        };
        let rent = self.ctx.banks_client.get_rent().await.expect("rent");
        let mut instructions = vec![solana_system_interface::instruction::create_account(
            &self.ctx.payer.pubkey(),
            &mint.pubkey(),
            rent.minimum_balance(space),
            space as u64,
            &token_program,
        )];
        let t22 = &spl_token_2022_interface::ID;
        let address = &mint.pubkey();
        use spl_token_2022_interface::extension as ext;
        let init_extension = match kind {
            MintKind::Spl | MintKind::Token2022 => None,
            MintKind::TransferFee { bps, max } => Some(
                ext::transfer_fee::instruction::initialize_transfer_fee_config(
                    t22,
                    address,
                    Some(&authority),
                    Some(&authority),
                    bps,
                    max,
                ),
            ),
            MintKind::PermanentDelegate => Some(
                spl_token_2022_interface::instruction::initialize_permanent_delegate(
                    t22, address, &authority,
                ),
            ),
            MintKind::NonTransferable => Some(
                spl_token_2022_interface::instruction::initialize_non_transferable_mint(
                    t22, address,
                ),
            ),
            MintKind::Pausable => Some(ext::pausable::instruction::initialize(
                t22, address, &authority,
            )),
            MintKind::DefaultFrozen => Some(
                ext::default_account_state::instruction::initialize_default_account_state(
                    t22,
                    address,
                    &spl_token_2022_interface::state::AccountState::Frozen,
                ),
            ),
            MintKind::TransferHook => Some(ext::transfer_hook::instruction::initialize(
                t22,
                address,
                Some(authority),
                Some(Pubkey::new_unique()),
            )),
        };
        instructions.extend(init_extension.map(|ix| ix.expect("extension instruction")));
        instructions.push(
            spl_token_2022_interface::instruction::initialize_mint2(
                &token_program,
                address,
                &authority,
                Some(&authority),
                DECIMALS,
            )
            .expect("initialize mint"),
        );
        self.ok(&instructions, &[&mint]).await;
        self.track(&[mint.pubkey()]);
        TestMint {
            address: mint.pubkey(),
            token_program,
        }
    }

    /// Mints `amount` to `owner`'s associated token account, creating it if needed.
    pub async fn mint_to(&self, mint: &TestMint, owner: &Pubkey, amount: u64) -> Pubkey {
        let ata = mint.ata(owner);
        let mut instructions = vec![create_associated_token_account_idempotent(
            &self.ctx.payer.pubkey(),
            owner,
            &mint.address,
            &mint.token_program,
        )];
        if self.account(&ata).await.is_none() && self.default_frozen(mint).await {
            instructions.push(
                spl_token_2022_interface::instruction::thaw_account(
                    &mint.token_program,
                    &ata,
                    &mint.address,
                    &self.mint_authority.pubkey(),
                    &[],
                )
                .expect("thaw"),
            );
        }
        instructions.push(
            spl_token_2022_interface::instruction::mint_to(
                &mint.token_program,
                &mint.address,
                &ata,
                &self.mint_authority.pubkey(),
                &[],
                amount,
            )
            .expect("mint to"),
        );
        self.ok(&instructions, &[&self.mint_authority]).await;
        self.track(&[ata]);
        ata
    }

    /// Whether new accounts of the mint start frozen.
    async fn default_frozen(&self, mint: &TestMint) -> bool {
        let account = self.account(&mint.address).await.expect("mint exists");
        let state =
            StateWithExtensions::<spl_token_2022_interface::state::Mint>::unpack(&account.data)
                .expect("mint decodes");
        state
            .get_extension::<DefaultAccountState>()
            .is_ok_and(|default| {
                default.state == spl_token_2022_interface::state::AccountState::Frozen as u8
            })
    }

    /// Creates a token account of an SPL Token mint at a fresh address (not the associated one)
    /// with `owner` as its owner.
    pub async fn create_token_account(&self, mint: &TestMint, owner: &Pubkey) -> Pubkey {
        let account = Keypair::new();
        let space = spl_token_interface::state::Account::LEN;
        let rent = self.ctx.banks_client.get_rent().await.expect("rent");
        let instructions = [
            solana_system_interface::instruction::create_account(
                &self.ctx.payer.pubkey(),
                &account.pubkey(),
                rent.minimum_balance(space),
                space as u64,
                &mint.token_program,
            ),
            spl_token_2022_interface::instruction::initialize_account3(
                &mint.token_program,
                &account.pubkey(),
                &mint.address,
                owner,
            )
            .expect("initialize account"),
        ];
        self.ok(&instructions, &[&account]).await;
        self.track(&[account.pubkey()]);
        account.pubkey()
    }

    /// Sends `lamports` from the context's payer to any address (a stranger pre-funding a PDA, or
    /// reviving a closed one).
    pub async fn fund(&self, address: &Pubkey, lamports: u64) {
        let instruction = solana_system_interface::instruction::transfer(
            &self.ctx.payer.pubkey(),
            address,
            lamports,
        );
        self.ok(&[instruction], &[]).await;
    }

    /// Writes an arbitrary account into the bank (a forged or copied account for an attack).
    pub fn inject(&mut self, address: &Pubkey, account: Account) {
        self.ctx
            .set_account(address, &solana_account::AccountSharedData::from(account));
        self.track(&[*address]);
    }

    /// Adds the Token-2022 account extensions an owner can turn on to its associated token account
    /// (creating it if needed): required memos on incoming transfers, and the CPI guard.
    pub async fn harden_token_account(
        &self,
        mint: &TestMint,
        owner: &Keypair,
        require_memos: bool,
        cpi_guard: bool,
    ) -> Pubkey {
        use spl_token_2022_interface::extension::{cpi_guard as guard, memo_transfer as memo};
        let account = mint.ata(&owner.pubkey());
        let program = &mint.token_program;
        let owner_key = owner.pubkey();
        let mut extensions = Vec::new();
        let mut enable = Vec::new();
        if require_memos {
            extensions.push(ExtensionType::MemoTransfer);
            enable.push(
                memo::instruction::enable_required_transfer_memos(
                    program,
                    &account,
                    &owner_key,
                    &[],
                )
                .expect("memo"),
            );
        }
        if cpi_guard {
            extensions.push(ExtensionType::CpiGuard);
            enable.push(
                guard::instruction::enable_cpi_guard(program, &account, &owner_key, &[])
                    .expect("cpi guard"),
            );
        }
        let mut instructions = vec![
            create_associated_token_account_idempotent(
                &self.ctx.payer.pubkey(),
                &owner_key,
                &mint.address,
                program,
            ),
            spl_token_2022_interface::instruction::reallocate(
                program,
                &account,
                &self.ctx.payer.pubkey(),
                &owner_key,
                &[],
                &extensions,
            )
            .expect("reallocate"),
        ];
        instructions.extend(enable);
        self.ok(&instructions, &[owner]).await;
        self.track(&[account]);
        account
    }
}
