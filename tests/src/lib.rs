//! Shared fixtures for the p2p-escrow integration tests: a program-test bank running the program
//! natively, funded users, mints of every flavour, instruction builders and the assertions every
//! test makes (exact error, nothing changed, vault invariant).

use std::cell::{Cell, RefCell};

use anchor_lang::solana_program::{account_info::AccountInfo, entrypoint::ProgramResult};
use anchor_lang::{
    event::EVENT_IX_TAG_LE, prelude::Pubkey, AccountDeserialize, AnchorDeserialize, Discriminator,
    InstructionData, ToAccountMetas,
};
use p2p_escrow::{
    accounts as accs, instruction as ixs,
    state::{Arbiter, Config, ConfigParams, Offer, OfferTerms, Profile, Trade},
    CreateOfferArgs, TakeOfferArgs,
};
use solana_account::Account;
use solana_clock::Clock;
use solana_instruction::{error::InstructionError, AccountMeta, Instruction};
use solana_keypair::Keypair;
use solana_loader_v3_interface::state::UpgradeableLoaderState;
use solana_program_pack::Pack;
use solana_program_test::{processor, BanksClientError, ProgramTest, ProgramTestContext};
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;
use spl_associated_token_account_interface::{
    address::get_associated_token_address_with_program_id,
    instruction::create_associated_token_account_idempotent,
};
use spl_token_2022_interface::extension::{
    default_account_state::DefaultAccountState, transfer_fee::TransferFeeAmount,
    BaseStateWithExtensions, ExtensionType, StateWithExtensions,
};

pub use p2p_escrow::errors::EscrowError;

/// The SPL memo program (v3) that program-test bundles.
pub const MEMO_PROGRAM: Pubkey =
    anchor_lang::prelude::pubkey!("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");

/// Decimals of every test mint.
pub const DECIMALS: u8 = 6;
/// One whole token in base units.
pub const TOKEN: u64 = 1_000_000;
/// Lamports every user starts with.
pub const STARTING_LAMPORTS: u64 = 100_000_000_000;
/// Protocol fee of the default config.
pub const FEE_BPS: u16 = 50;
/// Fee of the default arbiter.
pub const ARBITER_FEE_BPS: u16 = 200;
/// Ruling window of the default config.
pub const RULING_WINDOW: i64 = 2 * 24 * 60 * 60;
/// Payment window of the default offer.
pub const PAYMENT_WINDOW: i64 = 30 * 60;
/// Release window of the default offer.
pub const RELEASE_WINDOW: i64 = 60 * 60;
/// Buyer bond of the default offer.
pub const BUYER_BOND: u64 = 10_000_000;
/// Price of the default offer: 1.05 units of fiat (105 cents) per token.
pub const PRICE: u64 = 105;

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
        program_data_address(),
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
        get_associated_token_address_with_program_id(owner, &self.address, &self.token_program)
    }
}

/// An offer made by the fixture, with the addresses its instructions need.
#[derive(Clone, Copy, Debug)]
pub struct OfferRef {
    pub address: Pubkey,
    pub offer_id: u64,
    pub seller: Pubkey,
    pub mint: TestMint,
    pub vault: Pubkey,
}

/// A trade made by the fixture.
#[derive(Clone, Copy, Debug)]
pub struct TradeRef {
    pub address: Pubkey,
    /// The buyer's trade id, part of the address.
    pub trade_id: u64,
    pub offer: OfferRef,
    pub buyer: Pubkey,
    /// The fallback arbiter the trade fixes (or fixed) at take.
    pub fallback: Option<Pubkey>,
}

impl TradeRef {
    /// The trade's holding account: its associated token account.
    pub fn holding(&self) -> Pubkey {
        self.offer.mint.ata(&self.address)
    }
}

/// How a transaction ended: the refusal, if any, and the program's events.
pub type SendResult = Result<Vec<Vec<u8>>, TransactionError>;

/// The test chain and its cast.
pub struct Env {
    pub ctx: ProgramTestContext,
    /// The program's upgrade authority and the protocol admin.
    pub admin: Keypair,
    pub arbiter: Keypair,
    pub fallback_arbiter: Keypair,
    pub seller: Keypair,
    pub buyer: Keypair,
    pub buyer2: Keypair,
    pub stranger: Keypair,
    /// A payment service's Ed25519 key.
    pub attestor: Keypair,
    pub mint_authority: Keypair,
    nonce: Cell<u32>,
    tracked: RefCell<Vec<Pubkey>>,
    /// Every offer the fixture created, with the tokens strangers donated to its vault.
    vaults: RefCell<Vec<(OfferRef, u64)>>,
}

/// Address of the program's ProgramData account under the upgradeable loader.
pub fn program_data_address() -> Pubkey {
    Pubkey::find_program_address(
        &[p2p_escrow::ID.as_ref()],
        &solana_sdk_ids::bpf_loader_upgradeable::ID,
    )
    .0
}

/// Address of the program's event authority, the signer of its self-CPI events.
pub fn event_authority() -> Pubkey {
    Pubkey::find_program_address(&[b"__event_authority"], &p2p_escrow::ID).0
}

/// Address of a wallet's profile.
pub fn profile_address(wallet: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(
        &[p2p_escrow::constants::PROFILE_SEED, wallet.as_ref()],
        &p2p_escrow::ID,
    )
    .0
}

/// A mint's fee vault: the config's associated token account.
pub fn fee_vault(mint: &TestMint) -> Pubkey {
    mint.ata(&Config::address())
}

/// Address of an arbiter's account.
pub fn arbiter_address(authority: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(
        &[p2p_escrow::constants::ARBITER_SEED, authority.as_ref()],
        &p2p_escrow::ID,
    )
    .0
}

/// A program instruction from anchor's client accounts and instruction data.
pub fn ix(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: p2p_escrow::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// The custom error code of a program error.
pub fn code(error: EscrowError) -> u32 {
    error.into()
}

/// The custom error code of an anchor framework error.
pub fn anchor_code(error: anchor_lang::error::ErrorCode) -> u32 {
    error.into()
}

/// Pulls the custom error code out of a refusal.
pub fn custom_code(error: &TransactionError) -> Option<u32> {
    match error {
        TransactionError::InstructionError(_, InstructionError::Custom(code)) => Some(*code),
        _ => None,
    }
}

/// Decodes the program's event of type `E` from a transaction's events.
pub fn events_of<E: AnchorDeserialize + Discriminator>(events: &[Vec<u8>]) -> Vec<E> {
    events
        .iter()
        .filter_map(|data| data.strip_prefix(E::DISCRIMINATOR))
        .map(|mut body| E::deserialize(&mut body).expect("event decodes"))
        .collect()
}

/// The one event of type `E` a transaction emitted.
pub fn single_event<E: AnchorDeserialize + Discriminator>(events: &[Vec<u8>]) -> E {
    let mut found = events_of::<E>(events);
    assert_eq!(found.len(), 1, "expected exactly one event of the type");
    found.remove(0)
}

/// The default config settings.
pub fn default_params(env: &Env) -> ConfigParams {
    ConfigParams {
        fee_bps: FEE_BPS,
        fallback_arbiter: env.fallback_arbiter.pubkey(),
        ruling_window: RULING_WINDOW,
        default_buyer_bps: 5_000,
    }
}

impl Env {
    /// A fresh chain with the program, its ProgramData naming `admin` as upgrade authority, and
    /// funded users; no config yet.
    pub async fn bare() -> Env {
        let admin = Keypair::new();
        let mut program_test = escrow_program_test(&admin.pubkey());
        let users: Vec<Keypair> = (0..7).map(|_| Keypair::new()).collect();
        for user in users.iter().chain([&admin]) {
            program_test.add_account(
                user.pubkey(),
                Account {
                    lamports: STARTING_LAMPORTS,
                    owner: solana_sdk_ids::system_program::ID,
                    ..Account::default()
                },
            );
        }
        let ctx = program_test.start_with_context().await;
        let mut users = users.into_iter();
        let mut next = || users.next().expect("enough users");
        let env = Env {
            ctx,
            admin,
            arbiter: next(),
            fallback_arbiter: next(),
            seller: next(),
            buyer: next(),
            buyer2: next(),
            stranger: next(),
            attestor: next(),
            mint_authority: Keypair::new(),
            nonce: Cell::new(0),
            tracked: RefCell::new(Vec::new()),
            vaults: RefCell::new(Vec::new()),
        };
        let people: Vec<Pubkey> = [
            &env.admin,
            &env.arbiter,
            &env.fallback_arbiter,
            &env.seller,
            &env.buyer,
            &env.buyer2,
            &env.stranger,
        ]
        .iter()
        .map(|k| k.pubkey())
        .collect();
        env.track(&people);
        env.track(&[
            p2p_escrow::state::Config::address(),
            arbiter_address(&env.arbiter.pubkey()),
            arbiter_address(&env.fallback_arbiter.pubkey()),
        ]);
        env
    }

    /// A chain with the default config and both arbiters registered.
    pub async fn new() -> Env {
        let env = Env::bare().await;
        env.send(
            &[env.initialize_config_ix(&env.admin.pubkey(), default_params(&env))],
            &[&env.admin],
        )
        .await
        .expect("config initializes");
        for wallet in [
            &env.admin,
            &env.arbiter,
            &env.fallback_arbiter,
            &env.seller,
            &env.buyer,
            &env.buyer2,
            &env.stranger,
            &env.attestor,
        ] {
            env.open_profile(wallet).await;
        }
        for arbiter in [&env.arbiter, &env.fallback_arbiter] {
            env.send(
                &[env.register_arbiter_ix(&arbiter.pubkey(), ARBITER_FEE_BPS)],
                &[&env.admin],
            )
            .await
            .expect("arbiter registers");
        }
        env
    }

    // ----- sending -----

    /// Sends one transaction paid by the context's payer and signed by `signers`. A success
    /// returns the program's events (read from a simulation of the same transaction); every
    /// offer's vault invariant is checked afterwards either way.
    pub async fn send(&self, instructions: &[Instruction], signers: &[&Keypair]) -> SendResult {
        let tx = self.transaction(instructions, signers).await;
        let simulation = self
            .ctx
            .banks_client
            .simulate_transaction(tx.clone())
            .await
            .expect("simulation runs");
        let events = simulation
            .simulation_details
            .and_then(|details| details.inner_instructions)
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .filter(|inner| {
                tx.message.account_keys[inner.instruction.program_id_index as usize]
                    == p2p_escrow::ID
            })
            .filter_map(|inner| {
                inner
                    .instruction
                    .data
                    .strip_prefix(EVENT_IX_TAG_LE)
                    .map(<[u8]>::to_vec)
            })
            .collect();
        let result = self.process(tx).await.map(|()| events);
        self.assert_vaults().await;
        result
    }

    /// Sends one transaction like [`Env::send`], without reading its events or checking vaults:
    /// for callers that check the whole state themselves after every step.
    pub async fn execute(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<(), TransactionError> {
        let tx = self.transaction(instructions, signers).await;
        self.process(tx).await
    }

    /// A transaction paid by the context's payer, made unique by its compute-unit limit so that
    /// sending the same instructions twice never looks like a duplicate.
    async fn transaction(&self, instructions: &[Instruction], signers: &[&Keypair]) -> Transaction {
        let nonce = self.nonce.get() + 1;
        self.nonce.set(nonce);
        let mut all = vec![
            solana_compute_budget_interface::ComputeBudgetInstruction::set_compute_unit_limit(
                1_400_000 - nonce,
            ),
        ];
        all.extend_from_slice(instructions);
        let blockhash = self
            .ctx
            .banks_client
            .get_latest_blockhash()
            .await
            .expect("blockhash");
        let mut keypairs: Vec<&Keypair> = vec![&self.ctx.payer];
        keypairs.extend_from_slice(signers);
        Transaction::new_signed_with_payer(
            &all,
            Some(&self.ctx.payer.pubkey()),
            &keypairs,
            blockhash,
        )
    }

    async fn process(&self, tx: Transaction) -> Result<(), TransactionError> {
        match self.ctx.banks_client.process_transaction(tx).await {
            Ok(()) => Ok(()),
            Err(BanksClientError::TransactionError(error)) => Err(error),
            Err(BanksClientError::SimulationError { err, .. }) => Err(err),
            Err(other) => panic!("transport failure: {other:?}"),
        }
    }

    /// Sends and expects success.
    pub async fn ok(&self, instructions: &[Instruction], signers: &[&Keypair]) -> Vec<Vec<u8>> {
        match self.send(instructions, signers).await {
            Ok(events) => events,
            Err(error) => panic!("transaction refused: {error:?}"),
        }
    }

    /// Sends, expects the refusal with custom error `expected`, and checks that no tracked account
    /// changed in any way.
    pub async fn refuse(&self, instructions: &[Instruction], signers: &[&Keypair], expected: u32) {
        let error = self.refuse_with(instructions, signers).await;
        assert_eq!(
            custom_code(&error),
            Some(expected),
            "expected custom error {expected}, got {error:?}"
        );
    }

    /// Sends, expects a refusal, checks that no tracked account changed, and returns the refusal.
    pub async fn refuse_with(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> TransactionError {
        let before = self.snapshot().await;
        let error = match self.send(instructions, signers).await {
            Ok(_) => panic!("transaction was accepted but should have been refused"),
            Err(error) => error,
        };
        let after = self.snapshot().await;
        for ((key, was), now) in self.tracked.borrow().iter().zip(before).zip(after) {
            assert_eq!(was, now, "account {key} changed on a refused transaction");
        }
        error
    }

    /// Adds accounts to the set checked for changes on refusals.
    pub fn track(&self, keys: &[Pubkey]) {
        let mut tracked = self.tracked.borrow_mut();
        for key in keys {
            if !tracked.contains(key) {
                tracked.push(*key);
            }
        }
    }

    async fn snapshot(&self) -> Vec<Option<Account>> {
        let keys = self.tracked.borrow().clone();
        let mut accounts = Vec::with_capacity(keys.len());
        for key in keys {
            accounts.push(self.account(&key).await);
        }
        accounts
    }

    // ----- reading -----

    pub async fn account(&self, key: &Pubkey) -> Option<Account> {
        self.ctx
            .banks_client
            .get_account(*key)
            .await
            .expect("account read")
    }

    pub async fn lamports(&self, key: &Pubkey) -> u64 {
        self.account(key).await.map_or(0, |a| a.lamports)
    }

    pub async fn exists(&self, key: &Pubkey) -> bool {
        self.account(key).await.is_some()
    }

    pub async fn anchor_account<T: AccountDeserialize>(&self, key: &Pubkey) -> T {
        let account = self.account(key).await.expect("account exists");
        T::try_deserialize(&mut account.data.as_slice()).expect("account decodes")
    }

    pub async fn config(&self) -> Config {
        self.anchor_account(&Config::address()).await
    }

    pub async fn arbiter_account(&self, authority: &Pubkey) -> Arbiter {
        self.anchor_account(&arbiter_address(authority)).await
    }

    pub async fn offer(&self, offer: &OfferRef) -> Offer {
        self.anchor_account(&offer.address).await
    }

    pub async fn trade(&self, trade: &TradeRef) -> Trade {
        self.anchor_account(&trade.address).await
    }

    /// Token balance of a token account, zero when it does not exist.
    pub async fn balance(&self, token_account: &Pubkey) -> u64 {
        match self.account(token_account).await {
            None => 0,
            Some(account) => {
                StateWithExtensions::<spl_token_2022_interface::state::Account>::unpack(
                    &account.data,
                )
                .expect("token account decodes")
                .base
                .amount
            }
        }
    }

    /// Transfer fees withheld in a Token-2022 account.
    pub async fn withheld(&self, token_account: &Pubkey) -> u64 {
        let account = self.account(token_account).await.expect("token account");
        let state =
            StateWithExtensions::<spl_token_2022_interface::state::Account>::unpack(&account.data)
                .expect("token account decodes");
        state
            .get_extension::<TransferFeeAmount>()
            .map(|fees| u64::from(fees.withheld_amount))
            .unwrap_or(0)
    }

    /// Whether a mint charges transfer fees.
    pub async fn has_transfer_fee(&self, mint: &TestMint) -> bool {
        use spl_token_2022_interface::extension::transfer_fee::TransferFeeConfig;
        if mint.token_program != spl_token_2022_interface::ID {
            return false;
        }
        let account = self.account(&mint.address).await.expect("mint");
        StateWithExtensions::<spl_token_2022_interface::state::Mint>::unpack(&account.data)
            .expect("mint decodes")
            .get_extension::<TransferFeeConfig>()
            .is_ok()
    }

    /// Transfer fees harvested into a Token-2022 mint, waiting to be withdrawn.
    pub async fn mint_withheld(&self, mint: &TestMint) -> u64 {
        use spl_token_2022_interface::extension::transfer_fee::TransferFeeConfig;
        let account = self.account(&mint.address).await.expect("mint");
        let state =
            StateWithExtensions::<spl_token_2022_interface::state::Mint>::unpack(&account.data)
                .expect("mint decodes");
        state
            .get_extension::<TransferFeeConfig>()
            .map(|config| u64::from(config.withheld_amount))
            .unwrap_or(0)
    }

    /// Asserts every open offer's vault invariant: the vault holds available + locked, plus what
    /// strangers donated. Runs after every transaction the fixture sends.
    async fn assert_vaults(&self) {
        let vaults = self.vaults.borrow().clone();
        for (offer, donated) in vaults {
            let Some(account) = self.account(&offer.address).await else {
                continue;
            };
            let state = Offer::try_deserialize(&mut account.data.as_slice()).expect("offer");
            assert_eq!(
                self.balance(&offer.vault).await,
                state.available + state.locked + donated,
                "vault of offer {} == available + locked (+ donations)",
                offer.address
            );
        }
    }

    /// A stranger sends `amount` of the offer's mint straight into its vault.
    pub async fn donate(&self, offer: &OfferRef, from: &Keypair, amount: u64) {
        self.mint_to(&offer.mint, &from.pubkey(), amount).await;
        {
            let mut vaults = self.vaults.borrow_mut();
            let entry = vaults
                .iter_mut()
                .find(|(known, _)| known.address == offer.address)
                .expect("offer made by the fixture");
            entry.1 += amount;
        }
        self.transfer_tokens(&offer.mint, from, &offer.vault, amount)
            .await;
    }

    // ----- clock -----

    pub async fn now(&self) -> i64 {
        self.clock().await.unix_timestamp
    }

    async fn clock(&self) -> Clock {
        self.ctx
            .banks_client
            .get_sysvar::<Clock>()
            .await
            .expect("clock")
    }

    /// Moves the bank to its next slot, as the chain does between blocks.
    pub async fn next_slot(&mut self) {
        let slot = self.clock().await.slot;
        self.ctx
            .warp_to_slot(slot + 1)
            .expect("warp to the next slot");
    }

    /// Moves the chain's clock to `unix_timestamp`.
    pub async fn set_time(&self, unix_timestamp: i64) {
        let mut clock = self.clock().await;
        clock.unix_timestamp = unix_timestamp;
        self.ctx.set_sysvar(&clock);
    }

    // ----- tokens -----

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

    // ----- what a party, a stranger or an issuer can do outside the program -----

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

    // ----- instruction builders -----

    pub fn open_profile_ix(&self, wallet: &Pubkey) -> Instruction {
        ix(
            accs::OpenProfile {
                wallet: *wallet,
                profile: profile_address(wallet),
                system_program: solana_sdk_ids::system_program::ID,
                event_authority: event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::OpenProfile {},
        )
    }

    /// `wallet` opens its profile, as it must before its first offer or trade.
    pub async fn open_profile(&self, wallet: &Keypair) {
        self.ok(&[self.open_profile_ix(&wallet.pubkey())], &[wallet])
            .await;
        self.track(&[profile_address(&wallet.pubkey())]);
    }

    pub fn initialize_config_ix(&self, authority: &Pubkey, params: ConfigParams) -> Instruction {
        ix(
            accs::InitializeConfig {
                authority: *authority,
                config: Config::address(),
                program_data: program_data_address(),
                system_program: solana_sdk_ids::system_program::ID,
                event_authority: event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::InitializeConfig { params },
        )
    }

    pub fn update_config_ix(&self, admin: &Pubkey, params: ConfigParams) -> Instruction {
        ix(
            accs::UpdateConfig {
                admin: *admin,
                config: Config::address(),
                event_authority: event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::UpdateConfig { params },
        )
    }

    pub fn set_pause_ix(&self, admin: &Pubkey, offers: bool, trades: bool) -> Instruction {
        ix(
            accs::SetPause {
                admin: *admin,
                config: Config::address(),
                event_authority: event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::SetPause {
                new_offers_paused: offers,
                new_trades_paused: trades,
            },
        )
    }

    pub fn propose_admin_ix(&self, admin: &Pubkey, new_admin: Pubkey) -> Instruction {
        ix(
            accs::ProposeAdmin {
                admin: *admin,
                config: Config::address(),
                event_authority: event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::ProposeAdmin { new_admin },
        )
    }

    pub fn accept_admin_ix(&self, new_admin: &Pubkey) -> Instruction {
        ix(
            accs::AcceptAdmin {
                new_admin: *new_admin,
                config: Config::address(),
                event_authority: event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::AcceptAdmin {},
        )
    }

    pub fn register_arbiter_ix(&self, authority: &Pubkey, fee_bps: u16) -> Instruction {
        ix(
            accs::RegisterArbiter {
                admin: self.admin.pubkey(),
                config: Config::address(),
                authority: *authority,
                arbiter: arbiter_address(authority),
                system_program: solana_sdk_ids::system_program::ID,
                event_authority: event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::RegisterArbiter { fee_bps },
        )
    }

    pub fn update_arbiter_ix(&self, authority: &Pubkey, fee_bps: u16, active: bool) -> Instruction {
        ix(
            accs::UpdateArbiter {
                admin: self.admin.pubkey(),
                config: Config::address(),
                arbiter: arbiter_address(authority),
                event_authority: event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::UpdateArbiter { fee_bps, active },
        )
    }

    /// The default terms: 1..=100 tokens a trade, the env's arbiter, no attestor, a bond.
    pub fn default_terms(&self) -> OfferTerms {
        OfferTerms {
            min_trade_amount: TOKEN,
            max_trade_amount: 100 * TOKEN,
            price: PRICE,
            fiat_currency: *b"EUR",
            payment_terms_hash: [7; 32],
            payment_window: PAYMENT_WINDOW,
            release_window: RELEASE_WINDOW,
            arbiter: self.arbiter.pubkey(),
            attestor: None,
            buyer_bond: BUYER_BOND,
            allowed_buyer: None,
        }
    }

    /// The offer a seller would get with this id and mint.
    pub fn offer_ref(&self, seller: &Pubkey, offer_id: u64, mint: &TestMint) -> OfferRef {
        let address = Offer::address(seller, offer_id);
        OfferRef {
            address,
            offer_id,
            seller: *seller,
            mint: *mint,
            vault: mint.ata(&address),
        }
    }

    /// A wallet's profile, if it has one yet.
    pub async fn profile(&self, wallet: &Pubkey) -> Option<Profile> {
        let account = self.account(&profile_address(wallet)).await?;
        Some(Profile::try_deserialize(&mut account.data.as_slice()).expect("profile decodes"))
    }

    /// The id of a seller's next offer, as the chain stands.
    pub async fn next_offer_id(&self, seller: &Pubkey) -> u64 {
        self.profile(seller).await.map_or(0, |p| p.offers_created)
    }

    pub fn create_offer_accounts(&self, offer: &OfferRef) -> accs::CreateOffer {
        accs::CreateOffer {
            seller: offer.seller,
            profile: profile_address(&offer.seller),
            config: Config::address(),
            arbiter: arbiter_address(&self.arbiter.pubkey()),
            offer: offer.address,
            mint: offer.mint.address,
            vault: offer.vault,
            seller_token_account: offer.mint.ata(&offer.seller),
            token_program: offer.mint.token_program,
            associated_token_program: spl_associated_token_account_interface::program::ID,
            system_program: solana_sdk_ids::system_program::ID,
            event_authority: event_authority(),
            program: p2p_escrow::ID,
        }
    }

    pub fn create_offer_ix(&self, offer: &OfferRef, amount: u64, terms: OfferTerms) -> Instruction {
        let mut accounts = self.create_offer_accounts(offer);
        accounts.arbiter = arbiter_address(&terms.arbiter);
        ix(
            accounts,
            ixs::CreateOffer {
                args: CreateOfferArgs {
                    offer_id: offer.offer_id,
                    amount,
                    terms,
                },
            },
        )
    }

    /// The seller funds itself with `amount` of `mint` and creates an offer with `terms`.
    pub async fn create_offer_with(
        &self,
        mint: &TestMint,
        amount: u64,
        terms: OfferTerms,
    ) -> OfferRef {
        let seller = self.seller.pubkey();
        let offer = self.offer_ref(&seller, self.next_offer_id(&seller).await, mint);
        self.mint_to(mint, &self.seller.pubkey(), amount).await;
        self.ok(
            &[self.create_offer_ix(&offer, amount, terms)],
            &[&self.seller],
        )
        .await;
        self.track(&[offer.address, offer.vault]);
        self.vaults.borrow_mut().push((offer, 0));
        offer
    }

    /// The default offer: 1000 tokens of `mint` on the default terms.
    pub async fn create_offer(&self, mint: &TestMint) -> OfferRef {
        self.create_offer_with(mint, 1_000 * TOKEN, self.default_terms())
            .await
    }

    pub fn deposit_accounts(&self, offer: &OfferRef) -> accs::Deposit {
        accs::Deposit {
            seller: offer.seller,
            offer: offer.address,
            vault: offer.vault,
            mint: offer.mint.address,
            seller_token_account: offer.mint.ata(&offer.seller),
            token_program: offer.mint.token_program,
            event_authority: event_authority(),
            program: p2p_escrow::ID,
        }
    }

    pub fn deposit_ix(&self, offer: &OfferRef, amount: u64) -> Instruction {
        ix(self.deposit_accounts(offer), ixs::Deposit { amount })
    }

    pub fn withdraw_accounts(&self, offer: &OfferRef) -> accs::Withdraw {
        accs::Withdraw {
            seller: offer.seller,
            offer: offer.address,
            vault: offer.vault,
            mint: offer.mint.address,
            destination: offer.mint.ata(&offer.seller),
            token_program: offer.mint.token_program,
            memo_program: MEMO_PROGRAM,
            event_authority: event_authority(),
            program: p2p_escrow::ID,
        }
    }

    pub fn withdraw_ix(&self, offer: &OfferRef, amount: u64) -> Instruction {
        ix(self.withdraw_accounts(offer), ixs::Withdraw { amount })
    }

    pub fn set_offer_paused_ix(
        &self,
        offer: &OfferRef,
        seller: &Pubkey,
        paused: bool,
    ) -> Instruction {
        ix(
            accs::SetOfferPaused {
                seller: *seller,
                offer: offer.address,
                event_authority: event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::SetOfferPaused { paused },
        )
    }

    pub fn close_offer_accounts(&self, offer: &OfferRef) -> accs::CloseOffer {
        accs::CloseOffer {
            seller: offer.seller,
            offer: offer.address,
            vault: offer.vault,
            mint: offer.mint.address,
            destination: offer.mint.ata(&offer.seller),
            token_program: offer.mint.token_program,
            memo_program: MEMO_PROGRAM,
            event_authority: event_authority(),
            program: p2p_escrow::ID,
        }
    }

    pub fn close_offer_ix(&self, offer: &OfferRef) -> Instruction {
        ix(self.close_offer_accounts(offer), ixs::CloseOffer {})
    }

    /// What a buyer who read the offer and the config now would put in `take_offer` for `trade`.
    pub async fn take_args(&self, trade: &TradeRef, amount: u64) -> TakeOfferArgs {
        let state = self.offer(&trade.offer).await;
        let arbiter = self.arbiter_account(&state.terms.arbiter).await;
        let config = self.config().await;
        TakeOfferArgs {
            trade_id: trade.trade_id,
            amount,
            expected_mint: state.mint,
            expected_terms: state.terms,
            expected_fee_bps: config.fee_bps,
            expected_arbiter_fee_bps: arbiter.fee_bps,
            expected_fallback_arbiter: self.usable_fallback(&trade.offer, &trade.buyer).await,
            expected_default_buyer_bps: config.default_buyer_bps,
            expected_ruling_window: config.ruling_window,
        }
    }

    /// The config's fallback arbiter as a trade of `buyer` on `offer` would fix it now: registered,
    /// active, neither party nor the offer's arbiter.
    pub async fn usable_fallback(&self, offer: &OfferRef, buyer: &Pubkey) -> Option<Pubkey> {
        let fallback = self.config().await.fallback_arbiter;
        let account = self.account(&arbiter_address(&fallback)).await?;
        let state = Arbiter::try_deserialize(&mut account.data.as_slice()).ok()?;
        let arbiter = self.offer(offer).await.terms.arbiter;
        let usable =
            state.active && fallback != arbiter && fallback != *buyer && fallback != offer.seller;
        usable.then_some(fallback)
    }

    /// The next trade of `buyer` on an offer, as the chain stands.
    pub async fn next_trade(&self, offer: &OfferRef, buyer: &Pubkey) -> TradeRef {
        let trade_id = self.profile(buyer).await.map_or(0, |p| p.trades_taken);
        TradeRef {
            address: Trade::address(buyer, trade_id),
            trade_id,
            offer: *offer,
            buyer: *buyer,
            fallback: self.usable_fallback(offer, buyer).await,
        }
    }

    pub async fn take_offer_accounts(&self, trade: &TradeRef) -> accs::TakeOffer {
        let state = self.offer(&trade.offer).await;
        accs::TakeOffer {
            buyer: trade.buyer,
            profile: profile_address(&trade.buyer),
            config: Config::address(),
            offer: trade.offer.address,
            arbiter: arbiter_address(&state.terms.arbiter),
            fallback_arbiter: arbiter_address(&self.config().await.fallback_arbiter),
            trade: trade.address,
            vault: trade.offer.vault,
            mint: trade.offer.mint.address,
            system_program: solana_sdk_ids::system_program::ID,
            event_authority: event_authority(),
            program: p2p_escrow::ID,
        }
    }

    pub async fn take_offer_ix(&self, trade: &TradeRef, args: TakeOfferArgs) -> Instruction {
        ix(
            self.take_offer_accounts(trade).await,
            ixs::TakeOffer { args },
        )
    }

    /// `buyer` takes `amount` of the offer on the terms it shows now.
    pub async fn take(&self, offer: &OfferRef, buyer: &Keypair, amount: u64) -> TradeRef {
        let trade = self.next_trade(offer, &buyer.pubkey()).await;
        let args = self.take_args(&trade, amount).await;
        self.ok(&[self.take_offer_ix(&trade, args).await], &[buyer])
            .await;
        self.track(&[trade.address]);
        trade
    }

    /// `buyer` tries to take `amount` of the offer on the terms it shows now and is refused with
    /// custom error `expected`; nothing changes, the trade's address included.
    pub async fn refuse_take(&self, offer: &OfferRef, buyer: &Keypair, amount: u64, expected: u32) {
        let trade = self.next_trade(offer, &buyer.pubkey()).await;
        self.track(&[trade.address]);
        let args = self.take_args(&trade, amount).await;
        self.refuse(
            &[self.take_offer_ix(&trade, args).await],
            &[buyer],
            expected,
        )
        .await;
    }

    pub fn cancel_trade_ix(&self, trade: &TradeRef) -> Instruction {
        ix(
            accs::CancelTrade {
                buyer: trade.buyer,
                offer: trade.offer.address,
                trade: trade.address,
                vault: trade.offer.vault,
                event_authority: event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::CancelTrade {},
        )
    }

    pub fn expire_trade_accounts(&self, trade: &TradeRef, cranker: &Pubkey) -> accs::ExpireTrade {
        accs::ExpireTrade {
            cranker: *cranker,
            seller: trade.offer.seller,
            buyer: trade.buyer,
            offer: trade.offer.address,
            trade: trade.address,
            vault: trade.offer.vault,
            event_authority: event_authority(),
            program: p2p_escrow::ID,
        }
    }

    pub fn expire_trade_ix(&self, trade: &TradeRef, cranker: &Pubkey) -> Instruction {
        ix(
            self.expire_trade_accounts(trade, cranker),
            ixs::ExpireTrade {},
        )
    }

    pub fn mark_paid_ix(&self, trade: &TradeRef, payment_ref_hash: [u8; 32]) -> Instruction {
        ix(
            accs::MarkPaid {
                buyer: trade.buyer,
                trade: trade.address,
                event_authority: event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::MarkPaid { payment_ref_hash },
        )
    }

    /// The accounts of `release` for a trade whose arbiter in charge is the env's arbiter (set
    /// `arbiter` to the fallback's account after an escalation).
    pub fn release_accounts(&self, trade: &TradeRef) -> accs::Release {
        let mint = &trade.offer.mint;
        accs::Release {
            seller: trade.offer.seller,
            config: Config::address(),
            offer: trade.offer.address,
            trade: trade.address,
            buyer: trade.buyer,
            arbiter: arbiter_address(&self.arbiter.pubkey()),
            buyer_token_account: mint.ata(&trade.buyer),
            holding: trade.holding(),
            fee_vault: fee_vault(mint),
            vault: trade.offer.vault,
            mint: mint.address,
            token_program: mint.token_program,
            memo_program: MEMO_PROGRAM,
            associated_token_program: spl_associated_token_account_interface::program::ID,
            system_program: solana_sdk_ids::system_program::ID,
            event_authority: event_authority(),
            program: p2p_escrow::ID,
        }
    }

    pub fn release_ix(&self, trade: &TradeRef) -> Instruction {
        ix(self.release_accounts(trade), ixs::Release {})
    }

    /// Tracks the token accounts a payout may create, so refusals prove they were not created.
    pub fn track_payout_accounts(&self, trade: &TradeRef) {
        let mint = &trade.offer.mint;
        self.track(&[
            mint.ata(&trade.buyer),
            fee_vault(mint),
            mint.ata(&trade.offer.seller),
            trade.holding(),
        ]);
    }

    /// `claim` of a `Settled` trade by its buyer: held tokens to `destination`, lamports to
    /// `recipient`.
    pub fn claim_ix(
        &self,
        trade: &TradeRef,
        destination: Option<Pubkey>,
        recipient: &Pubkey,
    ) -> Instruction {
        let mint = &trade.offer.mint;
        ix(
            accs::Claim {
                buyer: trade.buyer,
                trade: trade.address,
                holding: trade.holding(),
                destination,
                recipient: *recipient,
                mint: mint.address,
                token_program: mint.token_program,
                memo_program: MEMO_PROGRAM,
                event_authority: event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::Claim {},
        )
    }

    /// `withdraw_fees` of `amount` from a mint's fee vault to `destination`, signed by `admin`.
    pub fn withdraw_fees_ix(
        &self,
        admin: &Pubkey,
        mint: &TestMint,
        destination: &Pubkey,
        amount: u64,
    ) -> Instruction {
        ix(
            accs::WithdrawFees {
                admin: *admin,
                config: Config::address(),
                fee_vault: fee_vault(mint),
                destination: *destination,
                mint: mint.address,
                token_program: mint.token_program,
                memo_program: MEMO_PROGRAM,
                event_authority: event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::WithdrawFees { amount },
        )
    }
}

impl Env {
    pub fn open_dispute_ix(
        &self,
        trade: &TradeRef,
        caller: &Pubkey,
        arbiter: &Pubkey,
    ) -> Instruction {
        ix(
            accs::OpenDispute {
                caller: *caller,
                trade: trade.address,
                arbiter: arbiter_address(arbiter),
                event_authority: event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::OpenDispute {},
        )
    }

    pub fn submit_evidence_ix(
        &self,
        trade: &TradeRef,
        party: &Pubkey,
        evidence_hash: [u8; 32],
        uri: &str,
    ) -> Instruction {
        ix(
            accs::SubmitEvidence {
                party: *party,
                trade: trade.address,
                event_authority: event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::SubmitEvidence {
                evidence_hash,
                uri: uri.to_string(),
            },
        )
    }

    /// `rule` signed by `signer`, naming the arbiter account of `arbiter`.
    pub fn rule_ix(
        &self,
        trade: &TradeRef,
        signer: &Pubkey,
        arbiter: &Pubkey,
        buyer_bps: u16,
    ) -> Instruction {
        let mint = &trade.offer.mint;
        ix(
            accs::Rule {
                arbiter_authority: *signer,
                arbiter: arbiter_address(arbiter),
                arbiter_token_account: mint.ata(signer),
                offer: trade.offer.address,
                trade: trade.address,
                buyer: trade.buyer,
                buyer_token_account: mint.ata(&trade.buyer),
                holding: trade.holding(),
                seller: trade.offer.seller,
                vault: trade.offer.vault,
                mint: mint.address,
                token_program: mint.token_program,
                memo_program: MEMO_PROGRAM,
                associated_token_program: spl_associated_token_account_interface::program::ID,
                system_program: solana_sdk_ids::system_program::ID,
                event_authority: event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::Rule { buyer_bps },
        )
    }

    pub fn settle_ix(&self, trade: &TradeRef, arbiter: &Pubkey, buyer_bps: u16) -> Instruction {
        let mint = &trade.offer.mint;
        ix(
            accs::Settle {
                buyer: trade.buyer,
                seller: trade.offer.seller,
                arbiter: arbiter_address(arbiter),
                offer: trade.offer.address,
                trade: trade.address,
                buyer_token_account: mint.ata(&trade.buyer),
                holding: trade.holding(),
                vault: trade.offer.vault,
                mint: mint.address,
                token_program: mint.token_program,
                memo_program: MEMO_PROGRAM,
                associated_token_program: spl_associated_token_account_interface::program::ID,
                system_program: solana_sdk_ids::system_program::ID,
                event_authority: event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::Settle { buyer_bps },
        )
    }

    /// `escalate` cranked by `cranker` for a dispute now with `arbiter`, naming the trade's
    /// fallback arbiter when the dispute goes to it (the first escalation).
    pub fn escalate_ix(&self, trade: &TradeRef, cranker: &Pubkey, arbiter: &Pubkey) -> Instruction {
        let mint = &trade.offer.mint;
        ix(
            accs::Escalate {
                cranker: *cranker,
                arbiter: arbiter_address(arbiter),
                fallback_arbiter: trade
                    .fallback
                    .filter(|fallback| fallback != arbiter)
                    .map(|fallback| arbiter_address(&fallback)),
                offer: trade.offer.address,
                trade: trade.address,
                buyer: trade.buyer,
                buyer_token_account: mint.ata(&trade.buyer),
                holding: trade.holding(),
                seller: trade.offer.seller,
                vault: trade.offer.vault,
                mint: mint.address,
                token_program: mint.token_program,
                memo_program: MEMO_PROGRAM,
                associated_token_program: spl_associated_token_account_interface::program::ID,
                system_program: solana_sdk_ids::system_program::ID,
                event_authority: event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::Escalate {},
        )
    }

    pub fn release_with_attestation_ix(&self, trade: &TradeRef, relayer: &Pubkey) -> Instruction {
        let mint = &trade.offer.mint;
        ix(
            accs::ReleaseWithAttestation {
                relayer: *relayer,
                config: Config::address(),
                offer: trade.offer.address,
                trade: trade.address,
                buyer: trade.buyer,
                buyer_token_account: mint.ata(&trade.buyer),
                holding: trade.holding(),
                fee_vault: fee_vault(mint),
                vault: trade.offer.vault,
                mint: mint.address,
                token_program: mint.token_program,
                memo_program: MEMO_PROGRAM,
                associated_token_program: spl_associated_token_account_interface::program::ID,
                system_program: solana_sdk_ids::system_program::ID,
                instructions_sysvar: solana_sdk_ids::sysvar::instructions::ID,
                event_authority: event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::ReleaseWithAttestation {},
        )
    }

    /// The attestation message of a trade as the chain holds it now.
    pub async fn attestation_message(&self, trade: &TradeRef) -> Vec<u8> {
        p2p_escrow::attestation::attestation_message(&trade.address, &self.trade(trade).await)
    }
}

/// The Ed25519 program instruction carrying `signer`'s signature over `message`, with every offset
/// pointing into its own data.
pub fn ed25519_ix(signer: &Keypair, message: &[u8]) -> Instruction {
    let signature = signer.sign_message(message);
    let signature: [u8; 64] = signature.as_ref().try_into().expect("64-byte signature");
    solana_ed25519_program::new_ed25519_instruction_with_signature(
        message,
        &signature,
        &signer.pubkey().to_bytes(),
    )
}

/// Replaces one account of an instruction, found by its address, with another.
pub fn substitute(mut instruction: Instruction, from: &Pubkey, to: &Pubkey) -> Instruction {
    let mut found = false;
    for meta in instruction
        .accounts
        .iter_mut()
        .filter(|m| m.pubkey == *from)
    {
        meta.pubkey = *to;
        found = true;
    }
    assert!(found, "account {from} is not in the instruction");
    instruction
}

/// Drops the signer flag of one account of an instruction (a missing signature).
pub fn unsign(mut instruction: Instruction, key: &Pubkey) -> Instruction {
    for meta in instruction.accounts.iter_mut() {
        if meta.pubkey == *key {
            *meta = AccountMeta {
                pubkey: meta.pubkey,
                is_signer: false,
                is_writable: meta.is_writable,
            };
        }
    }
    instruction
}
