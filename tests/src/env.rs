//! The test chain and its cast: a program-test bank with the program, funded users, a config
//! and arbiters; sending transactions with the checks every test makes (exact error, nothing
//! changed, vault invariant); reading accounts.

use std::cell::{Cell, RefCell};

use anchor_lang::{event::EVENT_IX_TAG_LE, prelude::Pubkey, AccountDeserialize};
use p2p_escrow::state::{Arbiter, Config, ConfigParams, Offer, Trade};
use solana_account::Account;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_program_test::{BanksClientError, ProgramTestContext};
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;
use spl_token_2022_interface::extension::{
    transfer_fee::TransferFeeAmount, BaseStateWithExtensions, StateWithExtensions,
};

use crate::*;

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
    pub(crate) nonce: Cell<u32>,
    pub(crate) tracked: RefCell<Vec<Pubkey>>,
    /// Every offer the fixture created, with the tokens strangers donated to its vault.
    pub(crate) vaults: RefCell<Vec<(OfferRef, u64)>>,
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
            addresses::config(),
            addresses::arbiter(&env.arbiter.pubkey()),
            addresses::arbiter(&env.fallback_arbiter.pubkey()),
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
        self.anchor_account(&addresses::config()).await
    }

    pub async fn arbiter_account(&self, authority: &Pubkey) -> Arbiter {
        self.anchor_account(&addresses::arbiter(authority)).await
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
}
