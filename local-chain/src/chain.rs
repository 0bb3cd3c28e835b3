//! The chain behind the local JSON-RPC server: a program-test bank running the escrow program
//! natively, plus what a validator's RPC keeps and a bank does not (a ledger of transactions with
//! their metadata, the addresses each one touched, the set of addresses ever used).

use std::collections::{BTreeSet, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use jsonrpc_core::Error;
use p2p_escrow_program_test::{addresses, escrow_program_test};
use solana_account::Account;
use solana_account_decoder::parse_account_data::SplTokenAdditionalDataV2;
use solana_account_decoder::parse_token::token_amount_to_ui_amount_v3;
use solana_account_decoder_client_types::token::UiTokenAmount;
use solana_clock::Clock;
use solana_commitment_config::CommitmentLevel;
use solana_hash::Hash;
use solana_keypair::Keypair;
use solana_message::{inner_instruction, Message, VersionedMessage};
use solana_program_test::{BanksClientError, ProgramTestContext};
use solana_pubkey::Pubkey;
use solana_rpc_client_api::custom_error::RpcCustomError;
use solana_rpc_client_types::response::RpcSimulateTransactionResult;
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::{versioned::VersionedTransaction, Transaction};
use solana_transaction_error::TransactionError;
use solana_transaction_status_client_types::{
    InnerInstruction, InnerInstructions, TransactionStatusMeta, TransactionTokenBalance,
    UiInnerInstructions,
};
use spl_token_2022_interface::{
    extension::StateWithExtensions,
    state::{Account as TokenAccount, Mint},
};

/// Lamports the faucet starts with; airdrops come from it.
const FAUCET_LAMPORTS: u64 = 1_000_000_000 * 1_000_000_000;

/// One executed transaction as the ledger keeps it.
pub struct Record {
    pub signature: Signature,
    pub slot: u64,
    pub block_time: i64,
    pub transaction: VersionedTransaction,
    pub meta: TransactionStatusMeta,
}

/// What a simulation reports.
pub struct Simulation {
    pub err: Option<TransactionError>,
    pub logs: Vec<String>,
    pub units_consumed: u64,
    pub loaded_accounts_data_size: u32,
    pub inner_instructions: Vec<InnerInstructions>,
}

impl Simulation {
    /// A simulation that stopped before running anything.
    fn nothing_ran(err: Option<TransactionError>) -> Simulation {
        Simulation {
            err,
            logs: Vec::new(),
            units_consumed: 0,
            loaded_accounts_data_size: 0,
            inner_instructions: Vec::new(),
        }
    }

    /// The simulation as `simulateTransaction` reports it, with or without the inner
    /// instructions.
    pub fn result(&self, inner_instructions: bool) -> RpcSimulateTransactionResult {
        RpcSimulateTransactionResult {
            err: self.err.clone().map(Into::into),
            logs: Some(self.logs.clone()),
            accounts: None,
            units_consumed: Some(self.units_consumed),
            loaded_accounts_data_size: Some(self.loaded_accounts_data_size),
            return_data: None,
            inner_instructions: inner_instructions.then(|| {
                self.inner_instructions
                    .iter()
                    .cloned()
                    .map(UiInnerInstructions::from)
                    .collect()
            }),
            replacement_blockhash: None,
            fee: None,
            pre_balances: None,
            post_balances: None,
            pre_token_balances: None,
            post_token_balances: None,
            loaded_addresses: None,
        }
    }

    /// The error a validator answers when this simulation refuses a transaction at preflight.
    pub fn preflight_failure(&self, err: &TransactionError) -> Error {
        RpcCustomError::SendTransactionPreflightFailure {
            message: format!("Transaction simulation failed: {err}"),
            result: self.result(false),
        }
        .into()
    }
}

/// A refusal before execution: nothing ran, so there are no logs.
fn refused(err: TransactionError) -> Error {
    Simulation::nothing_ran(Some(err.clone())).preflight_failure(&err)
}

pub struct Chain {
    ctx: ProgramTestContext,
    faucet: Keypair,
    /// Seconds added to the wall clock by `advance_clock`.
    clock_offset: i64,
    /// The chain's time never goes backwards, whatever a new bank computes.
    last_timestamp: i64,
    /// Every address a transaction or the genesis named: the only accounts that can exist.
    known: BTreeSet<Pubkey>,
    records: Vec<Record>,
    by_signature: HashMap<Signature, usize>,
    by_address: HashMap<Pubkey, Vec<usize>>,
}

fn wall_clock() -> i64 {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the wall clock is after 1970")
        .as_secs();
    i64::try_from(seconds).expect("seconds fit in i64")
}

fn internal(error: impl std::fmt::Debug) -> Error {
    Error {
        message: format!("{error:?}"),
        ..Error::internal_error()
    }
}

impl Chain {
    /// Starts a chain whose escrow program names `upgrade_authority` in its ProgramData.
    pub async fn start(upgrade_authority: &Pubkey) -> Chain {
        let faucet = Keypair::new();
        let mut program_test = escrow_program_test(upgrade_authority);
        program_test.add_account(
            faucet.pubkey(),
            Account {
                lamports: FAUCET_LAMPORTS,
                owner: solana_sdk_ids::system_program::ID,
                ..Account::default()
            },
        );
        let ctx = program_test.start_with_context().await;
        let known = BTreeSet::from([
            faucet.pubkey(),
            ctx.payer.pubkey(),
            addresses::program_data(),
        ]);
        let mut chain = Chain {
            ctx,
            faucet,
            clock_offset: 0,
            last_timestamp: 0,
            known,
            records: Vec::new(),
            by_signature: HashMap::new(),
            by_address: HashMap::new(),
        };
        chain.sync_clock().await.expect("the clock syncs");
        chain
    }

    // ----- time -----

    pub async fn clock(&self) -> Result<Clock, Error> {
        self.ctx
            .banks_client
            .get_sysvar::<Clock>()
            .await
            .map_err(internal)
    }

    /// Sets the bank's clock to the wall clock plus the offset, never backwards.
    async fn sync_clock(&mut self) -> Result<Clock, Error> {
        let mut clock = self.clock().await?;
        let target = self
            .last_timestamp
            .max(wall_clock().saturating_add(self.clock_offset))
            .max(clock.unix_timestamp);
        if clock.unix_timestamp != target {
            clock.unix_timestamp = target;
            self.ctx.set_sysvar(&clock);
        }
        self.last_timestamp = target;
        Ok(clock)
    }

    /// Moves to the next slot, as a validator does after a block.
    async fn next_slot(&mut self) -> Result<Clock, Error> {
        let slot = self.clock().await?.slot;
        self.ctx.warp_to_slot(slot + 1).map_err(internal)?;
        self.sync_clock().await
    }

    /// Moves the chain's clock forward by `seconds` (and to a new slot).
    pub async fn advance_clock(&mut self, seconds: i64) -> Result<Clock, Error> {
        if seconds < 0 {
            return Err(Error::invalid_params(
                "the clock only moves forward: seconds must not be negative",
            ));
        }
        let offset = self
            .clock_offset
            .checked_add(seconds)
            .filter(|offset| wall_clock().checked_add(*offset).is_some())
            .ok_or_else(|| Error::invalid_params("seconds out of range"))?;
        self.clock_offset = offset;
        self.next_slot().await
    }

    pub async fn slot(&self) -> Result<u64, Error> {
        Ok(self.clock().await?.slot)
    }

    pub async fn block_height(&self) -> Result<u64, Error> {
        self.ctx
            .banks_client
            .get_block_height_with_context(tarpc::context::current(), CommitmentLevel::Processed)
            .await
            .map_err(internal)
    }

    pub async fn latest_blockhash(&self) -> Result<(Hash, u64), Error> {
        self.ctx
            .banks_client
            .get_latest_blockhash_with_commitment(CommitmentLevel::Processed)
            .await
            .map_err(internal)?
            .ok_or_else(|| internal("no blockhash"))
    }

    pub fn genesis_hash(&self) -> Hash {
        self.ctx.genesis_config().hash()
    }

    // ----- accounts -----

    pub async fn account(&self, address: &Pubkey) -> Result<Option<Account>, Error> {
        self.ctx
            .banks_client
            .get_account_with_commitment(*address, CommitmentLevel::Processed)
            .await
            .map_err(internal)
    }

    /// Every existing account owned by `owner` that `keep` accepts.
    pub async fn accounts_owned_by(
        &self,
        owner: &Pubkey,
        keep: impl Fn(&Pubkey, &Account) -> bool,
    ) -> Result<Vec<(Pubkey, Account)>, Error> {
        let mut found = Vec::new();
        for address in &self.known {
            if let Some(account) = self.account(address).await? {
                if account.owner == *owner && keep(address, &account) {
                    found.push((*address, account));
                }
            }
        }
        Ok(found)
    }

    pub async fn minimum_balance(&self, data_len: usize) -> Result<u64, Error> {
        let rent = self.ctx.banks_client.get_rent().await.map_err(internal)?;
        Ok(rent.minimum_balance(data_len))
    }

    /// The amount of a token account, if it is one, as the RPC reports token amounts.
    pub async fn token_amount(&self, account: &Account) -> Result<Option<UiTokenAmount>, Error> {
        match token_account(account) {
            Some(state) => self.ui_amount(&state).await,
            None => Ok(None),
        }
    }

    /// A token account's amount with its mint's decimals; none while the mint is unreadable.
    async fn ui_amount(&self, state: &TokenAccount) -> Result<Option<UiTokenAmount>, Error> {
        let Some(mint) = self.account(&state.mint).await? else {
            return Ok(None);
        };
        let Ok(mint) = StateWithExtensions::<Mint>::unpack(&mint.data) else {
            return Ok(None);
        };
        let decimals = SplTokenAdditionalDataV2::with_decimals(mint.base.decimals);
        Ok(Some(token_amount_to_ui_amount_v3(state.amount, &decimals)))
    }

    async fn token_balances(&self, keys: &[Pubkey]) -> Result<Vec<TransactionTokenBalance>, Error> {
        let mut balances = Vec::new();
        for (index, key) in keys.iter().enumerate() {
            let Some(account) = self.account(key).await? else {
                continue;
            };
            let Some(state) = token_account(&account) else {
                continue;
            };
            if let Some(ui_token_amount) = self.ui_amount(&state).await? {
                balances.push(TransactionTokenBalance {
                    account_index: u8::try_from(index).map_err(internal)?,
                    mint: state.mint.to_string(),
                    ui_token_amount,
                    owner: state.owner.to_string(),
                    program_id: account.owner.to_string(),
                });
            }
        }
        Ok(balances)
    }

    async fn lamports(&self, keys: &[Pubkey]) -> Result<Vec<u64>, Error> {
        let mut balances = Vec::with_capacity(keys.len());
        for key in keys {
            balances.push(self.account(key).await?.map_or(0, |a| a.lamports));
        }
        Ok(balances)
    }

    // ----- transactions -----

    pub async fn simulate(&self, tx: &VersionedTransaction) -> Result<Simulation, Error> {
        let simulation = self
            .ctx
            .banks_client
            .simulate_transaction_with_commitment(tx.clone(), CommitmentLevel::Processed)
            .await
            .map_err(internal)?;
        let err = simulation.result.and_then(Result::err);
        let Some(details) = simulation.simulation_details else {
            return Ok(Simulation::nothing_ran(err));
        };
        let inner_instructions = details
            .inner_instructions
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .filter(|(_, inner)| !inner.is_empty())
            .map(|(index, inner)| numbered(index, inner))
            .collect::<Result<_, _>>()?;
        Ok(Simulation {
            err,
            logs: details.logs,
            units_consumed: details.units_consumed,
            loaded_accounts_data_size: details.loaded_accounts_data_size,
            inner_instructions,
        })
    }

    /// Checks what the runtime would check before running a transaction and a simulation cannot
    /// be trusted to: signatures, and no address lookup tables (the ledger indexes static keys).
    pub fn screen(&self, tx: &VersionedTransaction) -> Result<(), Error> {
        if tx.sanitize().is_err() {
            return Err(Error::invalid_params("the transaction is malformed"));
        }
        if tx
            .message
            .address_table_lookups()
            .is_some_and(|l| !l.is_empty())
        {
            return Err(Error::invalid_params(
                "address lookup tables are not supported by the local chain",
            ));
        }
        if !tx.verify_with_results().into_iter().all(|ok| ok) {
            return Err(RpcCustomError::TransactionSignatureVerificationFailure.into());
        }
        Ok(())
    }

    /// Runs a transaction: preflight (unless skipped), execution, ledger record, next slot.
    pub async fn send(
        &mut self,
        tx: VersionedTransaction,
        skip_preflight: bool,
    ) -> Result<Signature, Error> {
        self.screen(&tx)?;
        let signature = tx.signatures[0];
        if self.by_signature.contains_key(&signature) {
            return Err(refused(TransactionError::AlreadyProcessed));
        }
        self.sync_clock().await?;
        let simulation = self.simulate(&tx).await?;
        if !skip_preflight {
            if let Some(err) = &simulation.err {
                return Err(simulation.preflight_failure(err));
            }
        }
        let keys: Vec<Pubkey> = tx.message.static_account_keys().to_vec();
        let pre_balances = self.lamports(&keys).await?;
        let pre_token_balances = self.token_balances(&keys).await?;
        let fee = self.fee(&tx.message).await?;
        let clock = self.clock().await?;
        let err = match self
            .ctx
            .banks_client
            .process_transaction_with_commitment(tx.clone(), CommitmentLevel::Processed)
            .await
        {
            Ok(()) => None,
            Err(BanksClientError::TransactionError(err)) => Some(err),
            Err(BanksClientError::SimulationError { err, .. }) => Some(err),
            Err(other) => return Err(internal(other)),
        };
        if let Some(
            TransactionError::BlockhashNotFound
            | TransactionError::AlreadyProcessed
            | TransactionError::InsufficientFundsForFee
            | TransactionError::AccountNotFound,
        ) = &err
        {
            // Refused before execution: nothing landed, so nothing goes in the ledger.
            return Err(refused(err.expect("matched above")));
        }
        let post_balances = self.lamports(&keys).await?;
        let post_token_balances = self.token_balances(&keys).await?;
        let index = self.records.len();
        for key in &keys {
            self.known.insert(*key);
            self.by_address.entry(*key).or_default().push(index);
        }
        self.by_signature.insert(signature, index);
        self.records.push(Record {
            signature,
            slot: clock.slot,
            block_time: clock.unix_timestamp,
            transaction: tx,
            meta: TransactionStatusMeta {
                status: err.map_or(Ok(()), Err),
                fee,
                pre_balances,
                post_balances,
                inner_instructions: Some(simulation.inner_instructions),
                log_messages: Some(simulation.logs),
                pre_token_balances: Some(pre_token_balances),
                post_token_balances: Some(post_token_balances),
                rewards: Some(Vec::new()),
                compute_units_consumed: Some(simulation.units_consumed),
                ..TransactionStatusMeta::default()
            },
        });
        self.next_slot().await?;
        Ok(signature)
    }

    /// The fee the bank charges for a message; a v0 message without lookup tables costs what the
    /// same keys and instructions cost as a legacy message.
    async fn fee(&self, message: &VersionedMessage) -> Result<u64, Error> {
        let legacy = match message {
            VersionedMessage::Legacy(legacy) => legacy.clone(),
            VersionedMessage::V0(v0) => Message {
                header: v0.header,
                account_keys: v0.account_keys.clone(),
                recent_blockhash: v0.recent_blockhash,
                instructions: v0.instructions.clone(),
            },
        };
        Ok(self
            .ctx
            .banks_client
            .get_fee_for_message(legacy)
            .await
            .map_err(internal)?
            .unwrap_or(0))
    }

    /// Sends `lamports` from the faucet to `to`.
    pub async fn airdrop(&mut self, to: &Pubkey, lamports: u64) -> Result<Signature, Error> {
        let (blockhash, _) = self.latest_blockhash().await?;
        let transfer =
            solana_system_interface::instruction::transfer(&self.faucet.pubkey(), to, lamports);
        let tx = Transaction::new_signed_with_payer(
            &[transfer],
            Some(&self.faucet.pubkey()),
            &[&self.faucet],
            blockhash,
        );
        self.send(tx.into(), false).await
    }

    pub fn record(&self, signature: &Signature) -> Option<&Record> {
        self.by_signature.get(signature).map(|&i| &self.records[i])
    }

    /// The records that named `address`, newest first.
    pub fn records_for(&self, address: &Pubkey) -> impl Iterator<Item = &Record> {
        self.by_address
            .get(address)
            .into_iter()
            .flat_map(|indexes| indexes.iter().rev())
            .map(|&i| &self.records[i])
    }
}

/// The base state of an SPL Token or Token-2022 account.
pub fn token_account(account: &Account) -> Option<TokenAccount> {
    let token_program =
        account.owner == spl_token_interface::ID || account.owner == spl_token_2022_interface::ID;
    if !token_program {
        return None;
    }
    StateWithExtensions::<TokenAccount>::unpack(&account.data)
        .ok()
        .map(|state| state.base)
}

/// The inner instructions of the transaction's instruction number `index`, as the ledger keeps
/// them.
fn numbered(
    index: usize,
    inner: Vec<inner_instruction::InnerInstruction>,
) -> Result<InnerInstructions, Error> {
    Ok(InnerInstructions {
        index: u8::try_from(index).map_err(internal)?,
        instructions: inner
            .into_iter()
            .map(|i| InnerInstruction {
                instruction: i.instruction,
                stack_height: Some(u32::from(i.stack_height)),
            })
            .collect(),
    })
}
