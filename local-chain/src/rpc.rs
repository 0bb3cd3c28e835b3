//! Standard Solana JSON-RPC methods over the local chain, answered the way a validator answers
//! them: parameters read into Solana's own request types (`solana-rpc-client-types`), answers
//! built from its response types, errors from `solana-rpc-client-api`'s. A method, encoding,
//! filter or option the chain cannot serve faithfully is refused with a JSON-RPC error, never
//! answered approximately.

use std::str::FromStr;

use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use jsonrpc_core::{Error, ErrorCode, Params};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use solana_account::Account;
use solana_account_decoder::encode_ui_account;
use solana_account_decoder_client_types::{UiAccount, UiAccountEncoding, UiDataSliceConfig};
use solana_message::VersionedMessage;
use solana_pubkey::Pubkey;
use solana_rpc_client_api::custom_error::RpcCustomError;
use solana_rpc_client_types::config::{
    RpcAccountInfoConfig, RpcEncodingConfigWrapper, RpcProgramAccountsConfig,
    RpcSendTransactionConfig, RpcSignaturesForAddressConfig, RpcSimulateTransactionConfig,
    RpcTokenAccountsFilter, RpcTransactionConfig,
};
use solana_rpc_client_types::filter::RpcFilterType;
use solana_rpc_client_types::response::{
    Response, RpcBlockhash, RpcConfirmedTransactionStatusWithSignature, RpcKeyedAccount,
    RpcResponseContext, RpcVersionInfo,
};
use solana_signature::Signature;
use solana_transaction::versioned::{TransactionVersion, VersionedTransaction};
use solana_transaction_status_client_types::{
    EncodedConfirmedTransactionWithStatusMeta, EncodedTransaction,
    EncodedTransactionWithStatusMeta, TransactionBinaryEncoding, TransactionConfirmationStatus,
    TransactionStatus, UiCompiledInstruction, UiMessage, UiRawMessage, UiTransaction,
    UiTransactionEncoding, UiTransactionStatusMeta,
};

use crate::chain::{token_account, Chain, Record};

/// Newest-first page size of `getSignaturesForAddress` when no limit is given, and its maximum.
const SIGNATURES_LIMIT: usize = 1_000;

/// The largest account data a validator encodes in base58.
const MAX_BASE58_BYTES: usize = 128;

/// The longest encoded transaction a validator decodes: a packet's worth of bytes in base58 and
/// in base64.
const MAX_BASE58_TRANSACTION: usize = 1683;
const MAX_BASE64_TRANSACTION: usize = 1644;

/// The largest account a transaction may create (10 MiB), the bound of a rent question.
const MAX_ACCOUNT_DATA: usize = 10 * 1024 * 1024;

fn unsupported(what: impl std::fmt::Display) -> Error {
    Error::invalid_params(format!("{what} is not supported by the local chain"))
}

fn internal(error: impl std::fmt::Display) -> Error {
    Error {
        message: error.to_string(),
        ..Error::internal_error()
    }
}

fn to_value(value: impl Serialize) -> Result<Value, Error> {
    serde_json::to_value(value).map_err(internal)
}

// ----- parameters -----

/// The positional parameters of a call.
struct Positional(Vec<Value>);

impl Positional {
    fn new(params: Params) -> Result<Positional, Error> {
        match params {
            Params::None => Ok(Positional(Vec::new())),
            Params::Array(values) => Ok(Positional(values)),
            Params::Map(_) => Err(Error::invalid_params("params must be an array")),
        }
    }

    /// The parameter at `index`, which must be present.
    fn required<T: DeserializeOwned>(&self, index: usize, name: &str) -> Result<T, Error> {
        match self.0.get(index) {
            None | Some(Value::Null) => {
                Err(Error::invalid_params(format!("missing parameter `{name}`")))
            }
            Some(value) => serde_json::from_value(value.clone())
                .map_err(|error| Error::invalid_params(format!("`{name}`: {error}"))),
        }
    }

    /// The optional parameter (usually a configuration object) at `index`.
    fn optional<T: DeserializeOwned>(&self, index: usize, name: &str) -> Result<Option<T>, Error> {
        match self.0.get(index) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => serde_json::from_value(value.clone())
                .map(Some)
                .map_err(|error| Error::invalid_params(format!("`{name}`: {error}"))),
        }
    }
}

fn parse_pubkey(text: &str) -> Result<Pubkey, Error> {
    Pubkey::from_str(text).map_err(|_| Error::invalid_params(format!("invalid address {text}")))
}

fn parse_signature(text: &str) -> Result<Signature, Error> {
    Signature::from_str(text)
        .map_err(|_| Error::invalid_params(format!("invalid signature {text}")))
}

// ----- accounts -----

/// How accounts are to be encoded: the requested encoding (or the method's default) and slice.
#[derive(Clone, Copy)]
struct AccountEncoding {
    encoding: UiAccountEncoding,
    slice: Option<UiDataSliceConfig>,
}

impl AccountEncoding {
    /// Reads the encoding of an account configuration; `jsonParsed` and compressed encodings are
    /// refused (the chain keeps no parsers' side data, so it could only answer approximately).
    fn new(
        config: Option<&RpcAccountInfoConfig>,
        default: UiAccountEncoding,
    ) -> Result<AccountEncoding, Error> {
        let encoding = config.and_then(|c| c.encoding).unwrap_or(default);
        if matches!(
            encoding,
            UiAccountEncoding::JsonParsed | UiAccountEncoding::Base64Zstd
        ) {
            let name = serde_json::to_value(encoding).map_err(internal)?;
            return Err(unsupported(format!(
                "encoding `{}`",
                name.as_str().unwrap_or_default()
            )));
        }
        Ok(AccountEncoding {
            encoding,
            slice: config.and_then(|c| c.data_slice),
        })
    }

    /// An account as the RPC answers it; base58 only for what a validator encodes in base58.
    fn encode(&self, address: &Pubkey, account: &Account) -> Result<UiAccount, Error> {
        let length = self.slice.map_or(account.data.len(), |s| {
            s.length.min(account.data.len().saturating_sub(s.offset))
        });
        if matches!(
            self.encoding,
            UiAccountEncoding::Binary | UiAccountEncoding::Base58
        ) && length > MAX_BASE58_BYTES
        {
            return Err(Error {
                message: format!(
                    "Encoded binary (base 58) data should be less than {MAX_BASE58_BYTES} bytes, \
                     please use Base64 encoding."
                ),
                ..Error::invalid_request()
            });
        }
        Ok(encode_ui_account(
            address,
            account,
            self.encoding,
            None,
            self.slice,
        ))
    }

    fn keyed(&self, address: &Pubkey, account: &Account) -> Result<RpcKeyedAccount, Error> {
        Ok(RpcKeyedAccount {
            pubkey: address.to_string(),
            account: self.encode(address, account)?,
        })
    }
}

/// Checks the filters of `getProgramAccounts` as a validator does.
fn verified_filters(filters: Option<Vec<RpcFilterType>>) -> Result<Vec<RpcFilterType>, Error> {
    let filters = filters.unwrap_or_default();
    for filter in &filters {
        filter
            .verify()
            .map_err(|error| Error::invalid_params(format!("invalid filter: {error}")))?;
    }
    Ok(filters)
}

fn filter_accepts(filter: &RpcFilterType, account: &Account) -> bool {
    match filter {
        RpcFilterType::DataSize(size) => account.data.len() as u64 == *size,
        RpcFilterType::Memcmp(memcmp) => memcmp.bytes_match(&account.data),
        RpcFilterType::TokenAccountState => token_account(account).is_some(),
    }
}

// ----- transactions -----

/// The wire encoding of a transaction parameter (base58 unless told otherwise).
fn binary_encoding(
    encoding: Option<UiTransactionEncoding>,
) -> Result<TransactionBinaryEncoding, Error> {
    let encoding = encoding.unwrap_or(UiTransactionEncoding::Base58);
    encoding
        .into_binary_encoding()
        .ok_or_else(|| unsupported(format!("transaction encoding `{encoding}`")))
}

fn decode_transaction(
    text: &str,
    encoding: TransactionBinaryEncoding,
) -> Result<VersionedTransaction, Error> {
    let limit = match encoding {
        TransactionBinaryEncoding::Base58 => MAX_BASE58_TRANSACTION,
        TransactionBinaryEncoding::Base64 => MAX_BASE64_TRANSACTION,
    };
    if text.len() > limit {
        return Err(Error::invalid_params(format!(
            "the encoded transaction is {} characters long; at most {limit} are allowed",
            text.len()
        )));
    }
    let bytes = match encoding {
        TransactionBinaryEncoding::Base58 => bs58::decode(text)
            .into_vec()
            .map_err(|_| Error::invalid_params("invalid base58"))?,
        TransactionBinaryEncoding::Base64 => BASE64
            .decode(text)
            .map_err(|_| Error::invalid_params("invalid base64"))?,
    };
    bincode::deserialize(&bytes)
        .map_err(|_| Error::invalid_params("the transaction does not deserialize"))
}

fn raw_message(message: &VersionedMessage) -> UiMessage {
    UiMessage::Raw(UiRawMessage {
        header: *message.header(),
        account_keys: message
            .static_account_keys()
            .iter()
            .map(ToString::to_string)
            .collect(),
        recent_blockhash: message.recent_blockhash().to_string(),
        instructions: message
            .instructions()
            .iter()
            .map(|instruction| UiCompiledInstruction::from(instruction, None))
            .collect(),
        address_table_lookups: match message {
            VersionedMessage::Legacy(_) => None,
            VersionedMessage::V0(_) => Some(Vec::new()),
        },
    })
}

fn encode_transaction(
    transaction: &VersionedTransaction,
    encoding: UiTransactionEncoding,
) -> Result<EncodedTransaction, Error> {
    let bytes = || bincode::serialize(transaction).expect("transactions serialize");
    match encoding {
        UiTransactionEncoding::Json => Ok(EncodedTransaction::Json(UiTransaction {
            signatures: transaction
                .signatures
                .iter()
                .map(ToString::to_string)
                .collect(),
            message: raw_message(&transaction.message),
        })),
        UiTransactionEncoding::Binary => Ok(EncodedTransaction::LegacyBinary(
            bs58::encode(bytes()).into_string(),
        )),
        UiTransactionEncoding::Base58 => Ok(EncodedTransaction::Binary(
            bs58::encode(bytes()).into_string(),
            TransactionBinaryEncoding::Base58,
        )),
        UiTransactionEncoding::Base64 => Ok(EncodedTransaction::Binary(
            BASE64.encode(bytes()),
            TransactionBinaryEncoding::Base64,
        )),
        UiTransactionEncoding::JsonParsed => Err(unsupported("encoding jsonParsed")),
    }
}

fn confirmed_transaction(
    record: &Record,
    encoding: UiTransactionEncoding,
) -> Result<EncodedConfirmedTransactionWithStatusMeta, Error> {
    let version = match record.transaction.message {
        VersionedMessage::Legacy(_) => TransactionVersion::LEGACY,
        VersionedMessage::V0(_) => TransactionVersion::Number(0),
    };
    Ok(EncodedConfirmedTransactionWithStatusMeta {
        slot: record.slot,
        transaction: EncodedTransactionWithStatusMeta {
            transaction: encode_transaction(&record.transaction, encoding)?,
            meta: Some(UiTransactionStatusMeta::from(record.meta.clone())),
            version: Some(version),
        },
        block_time: Some(record.block_time),
    })
}

// ----- methods -----

async fn with_context<T: Serialize>(chain: &Chain, value: T) -> Result<Value, Error> {
    to_value(Response {
        context: RpcResponseContext::new(chain.slot().await?),
        value,
    })
}

/// Answers one JSON-RPC method call.
pub async fn dispatch(chain: &mut Chain, method: &str, params: Params) -> Result<Value, Error> {
    let params = Positional::new(params)?;
    match method {
        "getHealth" => Ok(Value::from("ok")),
        "getVersion" => {
            let version = solana_version::Version::default();
            to_value(RpcVersionInfo {
                solana_core: version.to_string(),
                feature_set: Some(version.feature_set),
            })
        }
        "getGenesisHash" => Ok(Value::from(chain.genesis_hash().to_string())),
        "getSlot" => Ok(Value::from(chain.slot().await?)),
        "getBlockHeight" => Ok(Value::from(chain.block_height().await?)),
        "getLatestBlockhash" => {
            let (blockhash, last_valid_block_height) = chain.latest_blockhash().await?;
            let value = RpcBlockhash {
                blockhash: blockhash.to_string(),
                last_valid_block_height,
            };
            with_context(chain, value).await
        }
        "getMinimumBalanceForRentExemption" => {
            let length: usize = params.required(0, "dataLength")?;
            if length > MAX_ACCOUNT_DATA {
                return Err(Error::invalid_params(format!(
                    "dataLength must be at most {MAX_ACCOUNT_DATA}"
                )));
            }
            Ok(Value::from(chain.minimum_balance(length).await?))
        }
        "getBalance" => {
            let address = parse_pubkey(&params.required::<String>(0, "address")?)?;
            let lamports = chain.account(&address).await?.map_or(0, |a| a.lamports);
            with_context(chain, lamports).await
        }
        "getAccountInfo" => {
            let address = parse_pubkey(&params.required::<String>(0, "address")?)?;
            let config: Option<RpcAccountInfoConfig> = params.optional(1, "config")?;
            let encoding = AccountEncoding::new(config.as_ref(), UiAccountEncoding::Binary)?;
            let value = match chain.account(&address).await? {
                Some(account) => Some(encoding.encode(&address, &account)?),
                None => None,
            };
            with_context(chain, value).await
        }
        "getMultipleAccounts" => {
            let addresses: Vec<String> = params.required(0, "addresses")?;
            let config: Option<RpcAccountInfoConfig> = params.optional(1, "config")?;
            let encoding = AccountEncoding::new(config.as_ref(), UiAccountEncoding::Base64)?;
            let mut values = Vec::with_capacity(addresses.len());
            for address in &addresses {
                let address = parse_pubkey(address)?;
                values.push(match chain.account(&address).await? {
                    Some(account) => Some(encoding.encode(&address, &account)?),
                    None => None,
                });
            }
            with_context(chain, values).await
        }
        "getProgramAccounts" => {
            let program = parse_pubkey(&params.required::<String>(0, "programId")?)?;
            let config: RpcProgramAccountsConfig =
                params.optional(1, "config")?.unwrap_or_default();
            let encoding =
                AccountEncoding::new(Some(&config.account_config), UiAccountEncoding::Binary)?;
            let filters = verified_filters(config.filters)?;
            let found = chain
                .accounts_owned_by(&program, |_, account| {
                    filters.iter().all(|f| filter_accepts(f, account))
                })
                .await?;
            let values = found
                .iter()
                .map(|(address, account)| encoding.keyed(address, account))
                .collect::<Result<Vec<_>, _>>()?;
            if config.with_context.unwrap_or(false) {
                with_context(chain, values).await
            } else {
                to_value(values)
            }
        }
        "getTokenAccountsByOwner" => {
            let owner = parse_pubkey(&params.required::<String>(0, "owner")?)?;
            let selector: RpcTokenAccountsFilter = params.required(1, "filter")?;
            let config: Option<RpcAccountInfoConfig> = params.optional(2, "config")?;
            let encoding = AccountEncoding::new(config.as_ref(), UiAccountEncoding::Binary)?;
            let (programs, mint) = match selector {
                RpcTokenAccountsFilter::Mint(mint) => (
                    vec![spl_token_interface::ID, spl_token_2022_interface::ID],
                    Some(parse_pubkey(&mint)?),
                ),
                RpcTokenAccountsFilter::ProgramId(program) => (vec![parse_pubkey(&program)?], None),
            };
            let mut values = Vec::new();
            for program in programs {
                let found = chain
                    .accounts_owned_by(&program, |_, account| {
                        token_account(account).is_some_and(|state| {
                            state.owner == owner && mint.is_none_or(|m| m == state.mint)
                        })
                    })
                    .await?;
                for (address, account) in &found {
                    values.push(encoding.keyed(address, account)?);
                }
            }
            with_context(chain, values).await
        }
        "getTokenAccountBalance" => {
            let address = parse_pubkey(&params.required::<String>(0, "address")?)?;
            let amount = match chain.account(&address).await? {
                Some(account) => chain.token_amount(&account).await?,
                None => None,
            };
            let amount = amount.ok_or_else(|| {
                Error::invalid_params(format!("{address} is not a token account"))
            })?;
            with_context(chain, amount).await
        }
        "sendTransaction" => {
            let text: String = params.required(0, "transaction")?;
            let config: RpcSendTransactionConfig =
                params.optional(1, "config")?.unwrap_or_default();
            let tx = decode_transaction(&text, binary_encoding(config.encoding)?)?;
            let signature = chain.send(tx, config.skip_preflight).await?;
            Ok(Value::from(signature.to_string()))
        }
        "simulateTransaction" => {
            let text: String = params.required(0, "transaction")?;
            let config: RpcSimulateTransactionConfig =
                params.optional(1, "config")?.unwrap_or_default();
            if config.replace_recent_blockhash {
                return Err(unsupported("replaceRecentBlockhash"));
            }
            if config.accounts.is_some() {
                return Err(unsupported("returning accounts from a simulation"));
            }
            let tx = decode_transaction(&text, binary_encoding(config.encoding)?)?;
            if config.sig_verify {
                chain.screen(&tx)?;
            }
            let simulation = chain.simulate(&tx).await?;
            with_context(chain, simulation.result(config.inner_instructions)).await
        }
        "requestAirdrop" => {
            let address = parse_pubkey(&params.required::<String>(0, "address")?)?;
            let lamports: u64 = params.required(1, "lamports")?;
            let signature = chain.airdrop(&address, lamports).await?;
            Ok(Value::from(signature.to_string()))
        }
        "getSignatureStatuses" => {
            let signatures: Vec<String> = params.required(0, "signatures")?;
            let mut values = Vec::with_capacity(signatures.len());
            for signature in &signatures {
                let signature = parse_signature(signature)?;
                values.push(chain.record(&signature).map(|record| TransactionStatus {
                    slot: record.slot,
                    confirmations: None,
                    status: record.meta.status.clone(),
                    err: record.meta.status.clone().err(),
                    confirmation_status: Some(TransactionConfirmationStatus::Finalized),
                }));
            }
            with_context(chain, values).await
        }
        "getTransaction" => {
            let signature = parse_signature(&params.required::<String>(0, "signature")?)?;
            let config = params
                .optional::<RpcEncodingConfigWrapper<RpcTransactionConfig>>(1, "config")?
                .map(|wrapper| wrapper.convert_to_current())
                .unwrap_or_default();
            let Some(record) = chain.record(&signature) else {
                return Ok(Value::Null);
            };
            if let VersionedMessage::V0(_) = record.transaction.message {
                if config.max_supported_transaction_version.is_none() {
                    return Err(RpcCustomError::UnsupportedTransactionVersion(0).into());
                }
            }
            let encoding = config.encoding.unwrap_or(UiTransactionEncoding::Json);
            to_value(confirmed_transaction(record, encoding)?)
        }
        "getSignaturesForAddress" => {
            let address = parse_pubkey(&params.required::<String>(0, "address")?)?;
            let config: RpcSignaturesForAddressConfig =
                params.optional(1, "config")?.unwrap_or_default();
            let limit = config.limit.unwrap_or(SIGNATURES_LIMIT);
            if limit == 0 || limit > SIGNATURES_LIMIT {
                return Err(Error::invalid_params(format!(
                    "limit must be between 1 and {SIGNATURES_LIMIT}"
                )));
            }
            let before = config.before.as_deref().map(parse_signature).transpose()?;
            let until = config.until.as_deref().map(parse_signature).transpose()?;
            let newest_first = chain.records_for(&address);
            let after_before =
                newest_first.skip_while(|r| before.is_some_and(|b| r.signature != b));
            let skip = usize::from(before.is_some());
            let values: Vec<RpcConfirmedTransactionStatusWithSignature> = after_before
                .skip(skip)
                .take_while(|r| until.is_none_or(|u| r.signature != u))
                .take(limit)
                .map(|record| RpcConfirmedTransactionStatusWithSignature {
                    signature: record.signature.to_string(),
                    slot: record.slot,
                    err: record.meta.status.clone().err().map(Into::into),
                    memo: None,
                    block_time: Some(record.block_time),
                    confirmation_status: Some(TransactionConfirmationStatus::Finalized),
                })
                .collect();
            to_value(values)
        }
        "localchain_advanceClock" => {
            let seconds: i64 = params.required(0, "seconds")?;
            let clock = chain.advance_clock(seconds).await?;
            Ok(serde_json::json!({ "slot": clock.slot, "unixTimestamp": clock.unix_timestamp }))
        }
        other => Err(Error {
            code: ErrorCode::MethodNotFound,
            message: format!("Method not found: `{other}` is not supported by the local chain"),
            data: None,
        }),
    }
}
