//! The chain behind the local JSON-RPC server: a program-test bank running the escrow program
//! natively, plus what a validator's RPC keeps and a bank does not (a ledger of transactions with
//! their metadata, the addresses each one touched, the set of addresses ever used).

use std::collections::{BTreeSet, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use p2p_escrow_tests::escrow_program_test;
use serde_json::{json, Value};
use solana_account::Account;
use solana_clock::Clock;
use solana_commitment_config::CommitmentLevel;
use solana_hash::Hash;
use solana_keypair::Keypair;
use solana_message::{Message, VersionedMessage};
use solana_program_test::{BanksClientError, ProgramTestContext};
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::{versioned::VersionedTransaction, Transaction};
use solana_transaction_error::TransactionError;
use spl_token_2022_interface::{
    extension::StateWithExtensions,
    state::{Account as TokenAccount, Mint},
};

use anchor_lang::prelude::Pubkey;

use crate::rpc::RpcError;

/// Lamports the faucet starts with; airdrops come from it.
const FAUCET_LAMPORTS: u64 = 1_000_000_000 * 1_000_000_000;

/// One executed transaction as the ledger keeps it.
pub struct Record {
    pub signature: Signature,
    pub slot: u64,
    pub block_time: i64,
    pub transaction: VersionedTransaction,
    pub err: Option<TransactionError>,
    pub fee: u64,
    pub pre_balances: Vec<u64>,
    pub post_balances: Vec<u64>,
    pub pre_token_balances: Vec<Value>,
    pub post_token_balances: Vec<Value>,
    /// `[{index, instructions: [{programIdIndex, accounts, data, stackHeight}]}]`, data in base58.
    pub inner_instructions: Value,
    pub logs: Vec<String>,
    pub units_consumed: u64,
}

/// What a simulation reports.
pub struct Simulation {
    pub err: Option<TransactionError>,
    pub logs: Vec<String>,
    pub units_consumed: u64,
    pub inner_instructions: Value,
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

fn internal(error: impl std::fmt::Debug) -> RpcError {
    RpcError::internal(format!("{error:?}"))
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
            p2p_escrow_tests::program_data_address(),
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

    pub async fn clock(&self) -> Result<Clock, RpcError> {
        self.ctx
            .banks_client
            .get_sysvar::<Clock>()
            .await
            .map_err(internal)
    }

    /// Sets the bank's clock to the wall clock plus the offset, never backwards.
    async fn sync_clock(&mut self) -> Result<Clock, RpcError> {
        let mut clock = self.clock().await?;
        let target = self
            .last_timestamp
            .max(wall_clock() + self.clock_offset)
            .max(clock.unix_timestamp);
        if clock.unix_timestamp != target {
            clock.unix_timestamp = target;
            self.ctx.set_sysvar(&clock);
        }
        self.last_timestamp = target;
        Ok(clock)
    }

    /// Moves to the next slot, as a validator does after a block.
    async fn next_slot(&mut self) -> Result<Clock, RpcError> {
        let slot = self.clock().await?.slot;
        self.ctx.warp_to_slot(slot + 1).map_err(internal)?;
        self.sync_clock().await
    }

    /// Moves the chain's clock forward by `seconds` (and to a new slot).
    pub async fn advance_clock(&mut self, seconds: i64) -> Result<Clock, RpcError> {
        if seconds < 0 {
            return Err(RpcError::invalid_params(
                "the clock only moves forward: seconds must not be negative",
            ));
        }
        self.clock_offset = self
            .clock_offset
            .checked_add(seconds)
            .ok_or_else(|| RpcError::invalid_params("seconds out of range"))?;
        self.next_slot().await
    }

    pub async fn slot(&self) -> Result<u64, RpcError> {
        Ok(self.clock().await?.slot)
    }

    pub async fn block_height(&self) -> Result<u64, RpcError> {
        self.ctx
            .banks_client
            .get_block_height_with_context(tarpc::context::current(), CommitmentLevel::Processed)
            .await
            .map_err(internal)
    }

    pub async fn latest_blockhash(&self) -> Result<(Hash, u64), RpcError> {
        self.ctx
            .banks_client
            .get_latest_blockhash_with_commitment(CommitmentLevel::Processed)
            .await
            .map_err(internal)?
            .ok_or_else(|| RpcError::internal("no blockhash"))
    }

    pub fn genesis_hash(&self) -> Hash {
        self.ctx.genesis_config().hash()
    }

    // ----- accounts -----

    pub async fn account(&self, address: &Pubkey) -> Result<Option<Account>, RpcError> {
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
    ) -> Result<Vec<(Pubkey, Account)>, RpcError> {
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

    pub async fn minimum_balance(&self, data_len: usize) -> Result<u64, RpcError> {
        let rent = self.ctx.banks_client.get_rent().await.map_err(internal)?;
        Ok(rent.minimum_balance(data_len))
    }

    /// `{amount, decimals, uiAmount, uiAmountString}` of a token account, if it is one.
    pub async fn token_amount(&self, account: &Account) -> Result<Option<Value>, RpcError> {
        let Some(state) = token_account(account) else {
            return Ok(None);
        };
        let Some(mint) = self.account(&state.mint).await? else {
            return Ok(None);
        };
        let Ok(mint) = StateWithExtensions::<Mint>::unpack(&mint.data) else {
            return Ok(None);
        };
        Ok(Some(ui_token_amount(state.amount, mint.base.decimals)))
    }

    async fn token_balances(&self, keys: &[Pubkey]) -> Result<Vec<Value>, RpcError> {
        let mut balances = Vec::new();
        for (index, key) in keys.iter().enumerate() {
            let Some(account) = self.account(key).await? else {
                continue;
            };
            let Some(state) = token_account(&account) else {
                continue;
            };
            if let Some(amount) = self.token_amount(&account).await? {
                balances.push(json!({
                    "accountIndex": index,
                    "mint": state.mint.to_string(),
                    "owner": state.owner.to_string(),
                    "programId": account.owner.to_string(),
                    "uiTokenAmount": amount,
                }));
            }
        }
        Ok(balances)
    }

    async fn lamports(&self, keys: &[Pubkey]) -> Result<Vec<u64>, RpcError> {
        let mut balances = Vec::with_capacity(keys.len());
        for key in keys {
            balances.push(self.account(key).await?.map_or(0, |a| a.lamports));
        }
        Ok(balances)
    }

    // ----- transactions -----

    pub async fn simulate(&self, tx: &VersionedTransaction) -> Result<Simulation, RpcError> {
        let simulation = self
            .ctx
            .banks_client
            .simulate_transaction_with_commitment(tx.clone(), CommitmentLevel::Processed)
            .await
            .map_err(internal)?;
        let err = simulation.result.and_then(Result::err);
        let details = simulation.simulation_details;
        let inner_instructions = details
            .as_ref()
            .and_then(|d| d.inner_instructions.as_ref())
            .map(|all| {
                all.iter()
                    .enumerate()
                    .filter(|(_, inner)| !inner.is_empty())
                    .map(|(index, inner)| {
                        let instructions: Vec<Value> = inner
                            .iter()
                            .map(|i| {
                                json!({
                                    "programIdIndex": i.instruction.program_id_index,
                                    "accounts": i.instruction.accounts,
                                    "data": bs58::encode(&i.instruction.data).into_string(),
                                    "stackHeight": i.stack_height,
                                })
                            })
                            .collect();
                        json!({ "index": index, "instructions": instructions })
                    })
                    .collect::<Vec<Value>>()
            })
            .unwrap_or_default();
        Ok(Simulation {
            err,
            logs: details.as_ref().map(|d| d.logs.clone()).unwrap_or_default(),
            units_consumed: details.as_ref().map_or(0, |d| d.units_consumed),
            inner_instructions: Value::Array(inner_instructions),
        })
    }

    /// Checks what the runtime would check before running a transaction and a simulation cannot
    /// be trusted to: signatures, and no address lookup tables (the ledger indexes static keys).
    pub fn screen(&self, tx: &VersionedTransaction) -> Result<(), RpcError> {
        if tx.sanitize().is_err() {
            return Err(RpcError::invalid_params("the transaction is malformed"));
        }
        if tx
            .message
            .address_table_lookups()
            .is_some_and(|l| !l.is_empty())
        {
            return Err(RpcError::invalid_params(
                "address lookup tables are not supported by the local chain",
            ));
        }
        if !tx.verify_with_results().into_iter().all(|ok| ok) {
            return Err(RpcError::new(
                -32003,
                "Transaction signature verification failure",
            ));
        }
        Ok(())
    }

    /// Runs a transaction: preflight (unless skipped), execution, ledger record, next slot.
    pub async fn send(
        &mut self,
        tx: VersionedTransaction,
        skip_preflight: bool,
    ) -> Result<Signature, RpcError> {
        self.screen(&tx)?;
        let signature = tx.signatures[0];
        if self.by_signature.contains_key(&signature) {
            return Err(RpcError::preflight(
                &TransactionError::AlreadyProcessed,
                &[],
                0,
            ));
        }
        self.sync_clock().await?;
        let simulation = self.simulate(&tx).await?;
        if !skip_preflight {
            if let Some(err) = &simulation.err {
                return Err(RpcError::preflight(
                    err,
                    &simulation.logs,
                    simulation.units_consumed,
                ));
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
            let err = err.expect("matched above");
            return Err(RpcError::preflight(&err, &[], 0));
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
            err,
            fee,
            pre_balances,
            post_balances,
            pre_token_balances,
            post_token_balances,
            inner_instructions: simulation.inner_instructions,
            logs: simulation.logs,
            units_consumed: simulation.units_consumed,
        });
        self.next_slot().await?;
        Ok(signature)
    }

    /// The fee the bank charges for a message; a v0 message without lookup tables costs what the
    /// same keys and instructions cost as a legacy message.
    async fn fee(&self, message: &VersionedMessage) -> Result<u64, RpcError> {
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
    pub async fn airdrop(&mut self, to: &Pubkey, lamports: u64) -> Result<Signature, RpcError> {
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

fn ui_token_amount(amount: u64, decimals: u8) -> Value {
    let digits = format!("{amount:0>width$}", width = usize::from(decimals) + 1);
    let (whole, fraction) = digits.split_at(digits.len() - usize::from(decimals));
    let fraction = fraction.trim_end_matches('0');
    let ui_amount_string = if fraction.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{fraction}")
    };
    json!({
        "amount": amount.to_string(),
        "decimals": decimals,
        "uiAmount": ui_amount_string.parse::<f64>().ok(),
        "uiAmountString": ui_amount_string,
    })
}
