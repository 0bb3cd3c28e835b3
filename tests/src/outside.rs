//! What a party, a stranger or a mint's issuer can do outside the program: close or give away
//! token accounts, freeze them, change a transfer fee, re-assign or empty a wallet.

use anchor_lang::prelude::Pubkey;
use solana_keypair::Keypair;
use solana_program_pack::Pack;
use solana_signer::Signer;
use spl_token_2022_interface::extension::ExtensionType;

use crate::*;

impl Env {
    /// `owner` closes its associated token account (which must hold no tokens), harvesting any
    /// withheld transfer fees to the mint first; the rent goes back to `owner`.
    pub async fn close_token_account(&self, mint: &TestMint, owner: &Keypair) {
        let account = mint.ata(&owner.pubkey());
        let mut instructions = Vec::new();
        if self.has_transfer_fee(mint).await {
            instructions.push(
                spl_token_2022_interface::extension::transfer_fee::instruction::harvest_withheld_tokens_to_mint(
                    &mint.token_program,
                    &mint.address,
                    &[&account],
                )
                .expect("harvest"),
            );
        }
        instructions.push(
            spl_token_2022_interface::instruction::close_account(
                &mint.token_program,
                &account,
                &owner.pubkey(),
                &owner.pubkey(),
                &[],
            )
            .expect("close"),
        );
        self.ok(&instructions, &[owner]).await;
    }

    /// The issuer creates a Token-2022 mint at `mint`'s address with `extensions` (a close
    /// authority, a permanent delegate, a default account state "initialized"; all held by the
    /// mint authority), with or without a freeze authority. Also after the address was closed.
    pub async fn create_mint_at(
        &self,
        mint: &Keypair,
        extensions: &[ExtensionType],
        freeze_authority: bool,
    ) {
        use spl_token_2022_interface::extension as ext;
        let t22 = &spl_token_2022_interface::ID;
        let address = &mint.pubkey();
        let authority = self.mint_authority.pubkey();
        let space =
            ExtensionType::try_calculate_account_len::<spl_token_2022_interface::state::Mint>(
                extensions,
            )
            .expect("mint size");
        let rent = self.ctx.banks_client.get_rent().await.expect("rent");
        let mut instructions = vec![solana_system_interface::instruction::create_account(
            &self.ctx.payer.pubkey(),
            address,
            rent.minimum_balance(space),
            space as u64,
            t22,
        )];
        for extension in extensions {
            instructions.push(
                match extension {
                    ExtensionType::MintCloseAuthority => {
                        spl_token_2022_interface::instruction::initialize_mint_close_authority(
                            t22,
                            address,
                            Some(&authority),
                        )
                    }
                    ExtensionType::PermanentDelegate => {
                        spl_token_2022_interface::instruction::initialize_permanent_delegate(
                            t22, address, &authority,
                        )
                    }
                    ExtensionType::DefaultAccountState => {
                        ext::default_account_state::instruction::initialize_default_account_state(
                            t22,
                            address,
                            &spl_token_2022_interface::state::AccountState::Initialized,
                        )
                    }
                    other => panic!("no fixture for {other:?}"),
                }
                .expect("extension instruction"),
            );
        }
        instructions.push(
            spl_token_2022_interface::instruction::initialize_mint2(
                t22,
                address,
                &authority,
                freeze_authority.then_some(&authority),
                DECIMALS,
            )
            .expect("initialize mint"),
        );
        self.ok(&instructions, &[mint]).await;
        self.track(&[mint.pubkey()]);
    }

    /// `wallet` re-assigns itself to another program with the system program's `assign` (any key
    /// can do this to itself); it can no longer pay for anything, but can still receive lamports.
    pub async fn reassign_wallet(&self, wallet: &Keypair) {
        let instruction = solana_system_interface::instruction::assign(
            &wallet.pubkey(),
            &spl_token_interface::ID,
        );
        self.ok(&[instruction], &[wallet]).await;
    }

    /// `wallet` sends every lamport it has to the context's payer, leaving an empty address that
    /// can only be credited with at least the rent-exempt minimum.
    pub async fn empty_wallet(&self, wallet: &Keypair) {
        let lamports = self.lamports(&wallet.pubkey()).await;
        let instruction = solana_system_interface::instruction::transfer(
            &wallet.pubkey(),
            &self.ctx.payer.pubkey(),
            lamports,
        );
        self.ok(&[instruction], &[wallet]).await;
    }

    /// The owner of a legacy SPL Token account hands it to `new_owner`: the state SetAuthority
    /// (AccountOwner) leaves, which the SPL Token program allows on any account of its own. (The
    /// token program build program-test bundles refuses it on associated accounts, so the account
    /// is written here with exactly that state.)
    pub async fn give_token_account_away(
        &mut self,
        mint: &TestMint,
        owner: &Pubkey,
        new_owner: &Pubkey,
    ) {
        assert_eq!(
            mint.token_program,
            spl_token_interface::ID,
            "a legacy SPL Token mint"
        );
        let address = mint.ata(owner);
        let mut account = self.account(&address).await.expect("token account");
        let mut state = spl_token_interface::state::Account::unpack(&account.data).expect("state");
        state.owner = *new_owner;
        spl_token_interface::state::Account::pack(state, &mut account.data).expect("packs");
        self.inject(&address, account);
    }

    /// Freezes (or thaws) a token account with the mint's freeze authority.
    pub async fn set_frozen(&self, mint: &TestMint, account: &Pubkey, frozen: bool) {
        let build = if frozen {
            spl_token_2022_interface::instruction::freeze_account
        } else {
            spl_token_2022_interface::instruction::thaw_account
        };
        let instruction = build(
            &mint.token_program,
            account,
            &mint.address,
            &self.mint_authority.pubkey(),
            &[],
        )
        .expect("freeze or thaw");
        self.ok(&[instruction], &[&self.mint_authority]).await;
    }

    /// Schedules a new transfer fee on a transfer-fee mint (effective two epochs later).
    pub async fn set_transfer_fee(&self, mint: &TestMint, bps: u16, max: u64) {
        let instruction =
            spl_token_2022_interface::extension::transfer_fee::instruction::set_transfer_fee(
                &mint.token_program,
                &mint.address,
                &self.mint_authority.pubkey(),
                &[],
                bps,
                max,
            )
            .expect("set transfer fee");
        self.ok(&[instruction], &[&self.mint_authority]).await;
    }

    /// Moves tokens from `from`'s associated token account to any token account (a donation into a
    /// vault, say).
    pub async fn transfer_tokens(
        &self,
        mint: &TestMint,
        from: &Keypair,
        to_token_account: &Pubkey,
        amount: u64,
    ) {
        let instruction = spl_token_2022_interface::instruction::transfer_checked(
            &mint.token_program,
            &mint.ata(&from.pubkey()),
            &mint.address,
            to_token_account,
            &from.pubkey(),
            &[],
            amount,
            DECIMALS,
        )
        .expect("transfer");
        self.ok(&[instruction], &[from]).await;
    }
}
