//! Standard Solana JSON-RPC methods over the local chain, answered the way a validator answers
//! them. A method, encoding, filter or option the chain cannot serve faithfully is refused with a
//! JSON-RPC error, never answered approximately.

use std::str::FromStr;

use anchor_lang::prelude::Pubkey;
use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use serde_json::{json, Map, Value};
use solana_account::Account;
use solana_message::VersionedMessage;
use solana_signature::Signature;
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction_error::TransactionError;

use crate::chain::{token_account, Chain, Record};

/// The version this chain reports: the runtime it embeds.
const CORE_VERSION: &str = "3.1.12";

/// Newest-first page size of `getSignaturesForAddress` when no limit is given, and its maximum.
const SIGNATURES_LIMIT: usize = 1_000;

/// A JSON-RPC error.
#[derive(Debug)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub fn new(code: i64, message: impl Into<String>) -> RpcError {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }

    pub fn invalid_params(message: impl Into<String>) -> RpcError {
        RpcError::new(-32602, message)
    }

    pub fn internal(message: impl Into<String>) -> RpcError {
        RpcError::new(-32603, message)
    }

    fn unsupported(what: impl std::fmt::Display) -> RpcError {
        RpcError::invalid_params(format!("{what} is not supported by the local chain"))
    }

    /// A refused preflight simulation, with the error, logs and units a validator reports.
    pub fn preflight(err: &TransactionError, logs: &[String], units_consumed: u64) -> RpcError {
        RpcError {
            code: -32002,
            message: format!("Transaction simulation failed: {err}"),
            data: Some(json!({
                "err": transaction_error(err),
                "logs": logs,
                "accounts": null,
                "unitsConsumed": units_consumed,
                "returnData": null,
                "innerInstructions": null,
            })),
        }
    }

    pub fn to_json(&self) -> Value {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(data) = &self.data {
            error["data"] = data.clone();
        }
        error
    }
}

fn transaction_error(err: &TransactionError) -> Value {
    serde_json::to_value(err).expect("transaction errors serialize")
}

// ----- parameters -----

struct Params<'a>(&'a [Value]);

impl<'a> Params<'a> {
    fn get(&self, index: usize, name: &str) -> Result<&'a Value, RpcError> {
        self.0
            .get(index)
            .ok_or_else(|| RpcError::invalid_params(format!("missing parameter `{name}`")))
    }

    fn str(&self, index: usize, name: &str) -> Result<&'a str, RpcError> {
        self.get(index, name)?
            .as_str()
            .ok_or_else(|| RpcError::invalid_params(format!("`{name}` must be a string")))
    }

    fn pubkey(&self, index: usize, name: &str) -> Result<Pubkey, RpcError> {
        parse_pubkey(self.str(index, name)?)
    }

    fn u64(&self, index: usize, name: &str) -> Result<u64, RpcError> {
        self.get(index, name)?.as_u64().ok_or_else(|| {
            RpcError::invalid_params(format!("`{name}` must be an unsigned integer"))
        })
    }

    /// The optional configuration object at `index`.
    fn config(&self, index: usize) -> Result<Config<'a>, RpcError> {
        match self.0.get(index) {
            None | Some(Value::Null) => Ok(Config(None)),
            Some(Value::Object(map)) => Ok(Config(Some(map))),
            Some(_) => Err(RpcError::invalid_params(
                "the configuration must be an object",
            )),
        }
    }
}

struct Config<'a>(Option<&'a Map<String, Value>>);

impl<'a> Config<'a> {
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.0.and_then(|map| map.get(key)).filter(|v| !v.is_null())
    }

    fn str(&self, key: &str) -> Result<Option<&'a str>, RpcError> {
        self.get(key)
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| RpcError::invalid_params(format!("`{key}` must be a string")))
            })
            .transpose()
    }

    fn bool(&self, key: &str) -> Result<bool, RpcError> {
        self.get(key).map_or(Ok(false), |v| {
            v.as_bool()
                .ok_or_else(|| RpcError::invalid_params(format!("`{key}` must be a boolean")))
        })
    }

    fn u64(&self, key: &str) -> Result<Option<u64>, RpcError> {
        self.get(key)
            .map(|v| {
                v.as_u64().ok_or_else(|| {
                    RpcError::invalid_params(format!("`{key}` must be an unsigned integer"))
                })
            })
            .transpose()
    }
}

fn parse_pubkey(text: &str) -> Result<Pubkey, RpcError> {
    Pubkey::from_str(text).map_err(|_| RpcError::invalid_params(format!("invalid address {text}")))
}

fn parse_signature(text: &str) -> Result<Signature, RpcError> {
    Signature::from_str(text)
        .map_err(|_| RpcError::invalid_params(format!("invalid signature {text}")))
}

// ----- encodings -----

#[derive(Clone, Copy, PartialEq, Eq)]
enum Encoding {
    /// The legacy default: data as a bare base58 string.
    Binary,
    Base58,
    Base64,
    Json,
}

fn encoding(config: &Config, default: Encoding, allow_json: bool) -> Result<Encoding, RpcError> {
    match config.str("encoding")? {
        None => Ok(default),
        Some("base58") => Ok(Encoding::Base58),
        Some("base64") => Ok(Encoding::Base64),
        Some("binary") if default == Encoding::Binary => Ok(Encoding::Binary),
        Some("json") if allow_json => Ok(Encoding::Json),
        Some(other) => Err(RpcError::unsupported(format!("encoding `{other}`"))),
    }
}

fn encode_bytes(bytes: &[u8], encoding: Encoding) -> Value {
    match encoding {
        Encoding::Binary => Value::String(bs58::encode(bytes).into_string()),
        Encoding::Base58 => json!([bs58::encode(bytes).into_string(), "base58"]),
        Encoding::Base64 | Encoding::Json => json!([BASE64.encode(bytes), "base64"]),
    }
}

fn decode_bytes(text: &str, encoding: &str) -> Result<Vec<u8>, RpcError> {
    match encoding {
        "base58" => bs58::decode(text)
            .into_vec()
            .map_err(|_| RpcError::invalid_params("invalid base58")),
        "base64" => BASE64
            .decode(text)
            .map_err(|_| RpcError::invalid_params("invalid base64")),
        other => Err(RpcError::unsupported(format!("encoding `{other}`"))),
    }
}

/// `dataSlice: {offset, length}`.
fn data_slice(config: &Config) -> Result<Option<(usize, usize)>, RpcError> {
    let Some(slice) = config.get("dataSlice") else {
        return Ok(None);
    };
    let field = |name: &str| {
        slice
            .get(name)
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| RpcError::invalid_params(format!("dataSlice.{name} must be a number")))
    };
    Ok(Some((field("offset")?, field("length")?)))
}

fn encode_account(account: &Account, encoding: Encoding, slice: Option<(usize, usize)>) -> Value {
    let data = match slice {
        Some((offset, length)) => {
            let start = offset.min(account.data.len());
            let end = offset.saturating_add(length).min(account.data.len());
            &account.data[start..end]
        }
        None => &account.data[..],
    };
    json!({
        "lamports": account.lamports,
        "owner": account.owner.to_string(),
        "data": encode_bytes(data, encoding),
        "executable": account.executable,
        "rentEpoch": account.rent_epoch,
        "space": account.data.len(),
    })
}

/// `{pubkey, account}`, as account listings answer.
fn keyed_account(
    address: &Pubkey,
    account: &Account,
    encoding: Encoding,
    slice: Option<(usize, usize)>,
) -> Value {
    json!({
        "pubkey": address.to_string(),
        "account": encode_account(account, encoding, slice),
    })
}

/// Decides whether an account passes `getProgramAccounts` filters.
enum Filter {
    DataSize(usize),
    Memcmp { offset: usize, bytes: Vec<u8> },
}

impl Filter {
    fn parse(value: &Value) -> Result<Filter, RpcError> {
        if let Some(size) = value.get("dataSize") {
            let size = size
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| RpcError::invalid_params("dataSize must be a number"))?;
            return Ok(Filter::DataSize(size));
        }
        if let Some(memcmp) = value.get("memcmp") {
            let offset = memcmp
                .get("offset")
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| RpcError::invalid_params("memcmp.offset must be a number"))?;
            let bytes = memcmp
                .get("bytes")
                .and_then(Value::as_str)
                .ok_or_else(|| RpcError::invalid_params("memcmp.bytes must be a string"))?;
            let encoding = memcmp
                .get("encoding")
                .and_then(Value::as_str)
                .unwrap_or("base58");
            return Ok(Filter::Memcmp {
                offset,
                bytes: decode_bytes(bytes, encoding)?,
            });
        }
        Err(RpcError::unsupported(format!("the filter {value}")))
    }

    fn accepts(&self, data: &[u8]) -> bool {
        match self {
            Filter::DataSize(size) => data.len() == *size,
            Filter::Memcmp { offset, bytes } => data
                .get(*offset..offset.saturating_add(bytes.len()))
                .is_some_and(|window| window == bytes.as_slice()),
        }
    }
}

fn decode_transaction(text: &str, encoding: &str) -> Result<VersionedTransaction, RpcError> {
    let bytes = decode_bytes(text, encoding)?;
    bincode::deserialize(&bytes)
        .map_err(|_| RpcError::invalid_params("the transaction does not deserialize"))
}

fn message_json(message: &VersionedMessage) -> Value {
    let header = message.header();
    let instructions: Vec<Value> = message
        .instructions()
        .iter()
        .map(|i| {
            json!({
                "programIdIndex": i.program_id_index,
                "accounts": i.accounts,
                "data": bs58::encode(&i.data).into_string(),
                "stackHeight": null,
            })
        })
        .collect();
    let mut json = json!({
        "header": {
            "numRequiredSignatures": header.num_required_signatures,
            "numReadonlySignedAccounts": header.num_readonly_signed_accounts,
            "numReadonlyUnsignedAccounts": header.num_readonly_unsigned_accounts,
        },
        "accountKeys": message
            .static_account_keys()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        "recentBlockhash": message.recent_blockhash().to_string(),
        "instructions": instructions,
    });
    if let VersionedMessage::V0(_) = message {
        json["addressTableLookups"] = json!([]);
    }
    json
}

fn status_json(err: &Option<TransactionError>) -> Value {
    match err {
        None => json!({ "Ok": null }),
        Some(err) => json!({ "Err": transaction_error(err) }),
    }
}

fn transaction_json(record: &Record, encoding: Encoding) -> Value {
    let transaction = match encoding {
        Encoding::Json => json!({
            "signatures": record
                .transaction
                .signatures
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            "message": message_json(&record.transaction.message),
        }),
        other => encode_bytes(
            &bincode::serialize(&record.transaction).expect("transactions serialize"),
            other,
        ),
    };
    let version = match record.transaction.message {
        VersionedMessage::Legacy(_) => json!("legacy"),
        VersionedMessage::V0(_) => json!(0),
    };
    json!({
        "slot": record.slot,
        "blockTime": record.block_time,
        "version": version,
        "transaction": transaction,
        "meta": {
            "err": record.err.as_ref().map(transaction_error),
            "status": status_json(&record.err),
            "fee": record.fee,
            "preBalances": record.pre_balances,
            "postBalances": record.post_balances,
            "preTokenBalances": record.pre_token_balances,
            "postTokenBalances": record.post_token_balances,
            "innerInstructions": record.inner_instructions,
            "logMessages": record.logs,
            "rewards": [],
            "loadedAddresses": { "writable": [], "readonly": [] },
            "returnData": null,
            "computeUnitsConsumed": record.units_consumed,
        },
    })
}

// ----- methods -----

async fn with_context(chain: &Chain, value: Value) -> Result<Value, RpcError> {
    Ok(json!({
        "context": { "slot": chain.slot().await?, "apiVersion": CORE_VERSION },
        "value": value,
    }))
}

/// Answers one JSON-RPC method call.
pub async fn dispatch(
    chain: &mut Chain,
    method: &str,
    params: &[Value],
) -> Result<Value, RpcError> {
    let params = Params(params);
    match method {
        "getHealth" => Ok(json!("ok")),
        "getVersion" => Ok(json!({ "solana-core": CORE_VERSION, "feature-set": 0 })),
        "getGenesisHash" => Ok(json!(chain.genesis_hash().to_string())),
        "getSlot" => Ok(json!(chain.slot().await?)),
        "getBlockHeight" => Ok(json!(chain.block_height().await?)),
        "getLatestBlockhash" => {
            let (blockhash, last_valid_block_height) = chain.latest_blockhash().await?;
            let value = json!({
                "blockhash": blockhash.to_string(),
                "lastValidBlockHeight": last_valid_block_height,
            });
            with_context(chain, value).await
        }
        "getMinimumBalanceForRentExemption" => {
            let len = usize::try_from(params.u64(0, "dataLength")?)
                .map_err(|_| RpcError::invalid_params("dataLength out of range"))?;
            Ok(json!(chain.minimum_balance(len).await?))
        }
        "getBalance" => {
            let address = params.pubkey(0, "address")?;
            let lamports = chain.account(&address).await?.map_or(0, |a| a.lamports);
            with_context(chain, json!(lamports)).await
        }
        "getAccountInfo" => {
            let address = params.pubkey(0, "address")?;
            let config = params.config(1)?;
            let encoding = encoding(&config, Encoding::Binary, false)?;
            let slice = data_slice(&config)?;
            let value = chain
                .account(&address)
                .await?
                .map(|account| encode_account(&account, encoding, slice));
            with_context(chain, json!(value)).await
        }
        "getMultipleAccounts" => {
            let addresses = params
                .get(0, "addresses")?
                .as_array()
                .ok_or_else(|| RpcError::invalid_params("`addresses` must be an array"))?;
            let config = params.config(1)?;
            let encoding = encoding(&config, Encoding::Base64, false)?;
            let slice = data_slice(&config)?;
            let mut values = Vec::with_capacity(addresses.len());
            for address in addresses {
                let address = parse_pubkey(address.as_str().unwrap_or_default())?;
                let account = chain.account(&address).await?;
                values.push(json!(account.map(|a| encode_account(&a, encoding, slice))));
            }
            with_context(chain, Value::Array(values)).await
        }
        "getProgramAccounts" => {
            let program = params.pubkey(0, "programId")?;
            let config = params.config(1)?;
            let encoding = encoding(&config, Encoding::Binary, false)?;
            let slice = data_slice(&config)?;
            let filters = config
                .get("filters")
                .map(|f| {
                    f.as_array()
                        .ok_or_else(|| RpcError::invalid_params("`filters` must be an array"))?
                        .iter()
                        .map(Filter::parse)
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?
                .unwrap_or_default();
            let found = chain
                .accounts_owned_by(&program, |_, account| {
                    filters.iter().all(|f| f.accepts(&account.data))
                })
                .await?;
            let values: Vec<Value> = found
                .iter()
                .map(|(address, account)| keyed_account(address, account, encoding, slice))
                .collect();
            if config.bool("withContext")? {
                with_context(chain, Value::Array(values)).await
            } else {
                Ok(Value::Array(values))
            }
        }
        "getTokenAccountsByOwner" => {
            let owner = params.pubkey(0, "owner")?;
            let selector = params.config(1)?;
            let config = params.config(2)?;
            let encoding = encoding(&config, Encoding::Binary, false)?;
            let slice = data_slice(&config)?;
            let (programs, mint) = match (selector.str("mint")?, selector.str("programId")?) {
                (Some(mint), None) => (
                    vec![spl_token_interface::ID, spl_token_2022_interface::ID],
                    Some(parse_pubkey(mint)?),
                ),
                (None, Some(program)) => (vec![parse_pubkey(program)?], None),
                _ => {
                    return Err(RpcError::invalid_params(
                        "give exactly one of `mint` and `programId`",
                    ))
                }
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
                values.extend(
                    found
                        .iter()
                        .map(|(address, account)| keyed_account(address, account, encoding, slice)),
                );
            }
            with_context(chain, Value::Array(values)).await
        }
        "getTokenAccountBalance" => {
            let address = params.pubkey(0, "address")?;
            let account = chain.account(&address).await?;
            let amount = match &account {
                Some(account) => chain.token_amount(account).await?,
                None => None,
            };
            let amount = amount.ok_or_else(|| {
                RpcError::invalid_params(format!("{address} is not a token account"))
            })?;
            with_context(chain, amount).await
        }
        "sendTransaction" => {
            let config = params.config(1)?;
            let encoding = config.str("encoding")?.unwrap_or("base58");
            let tx = decode_transaction(params.str(0, "transaction")?, encoding)?;
            let signature = chain.send(tx, config.bool("skipPreflight")?).await?;
            Ok(json!(signature.to_string()))
        }
        "simulateTransaction" => {
            let config = params.config(1)?;
            if config.bool("replaceRecentBlockhash")? {
                return Err(RpcError::unsupported("replaceRecentBlockhash"));
            }
            if config.get("accounts").is_some() {
                return Err(RpcError::unsupported(
                    "returning accounts from a simulation",
                ));
            }
            let encoding = config.str("encoding")?.unwrap_or("base58");
            let tx = decode_transaction(params.str(0, "transaction")?, encoding)?;
            if config.bool("sigVerify")? {
                chain.screen(&tx)?;
            }
            let simulation = chain.simulate(&tx).await?;
            let inner = config
                .bool("innerInstructions")?
                .then_some(simulation.inner_instructions);
            let value = json!({
                "err": simulation.err.as_ref().map(transaction_error),
                "logs": simulation.logs,
                "accounts": null,
                "unitsConsumed": simulation.units_consumed,
                "returnData": null,
                "innerInstructions": inner,
            });
            with_context(chain, value).await
        }
        "requestAirdrop" => {
            let address = params.pubkey(0, "address")?;
            let lamports = params.u64(1, "lamports")?;
            let signature = chain.airdrop(&address, lamports).await?;
            Ok(json!(signature.to_string()))
        }
        "getSignatureStatuses" => {
            let signatures = params
                .get(0, "signatures")?
                .as_array()
                .ok_or_else(|| RpcError::invalid_params("`signatures` must be an array"))?;
            let mut values = Vec::with_capacity(signatures.len());
            for signature in signatures {
                let signature = parse_signature(signature.as_str().unwrap_or_default())?;
                values.push(match chain.record(&signature) {
                    Some(record) => json!({
                        "slot": record.slot,
                        "confirmations": null,
                        "err": record.err.as_ref().map(transaction_error),
                        "status": status_json(&record.err),
                        "confirmationStatus": "finalized",
                    }),
                    None => Value::Null,
                });
            }
            with_context(chain, Value::Array(values)).await
        }
        "getTransaction" => {
            let signature = parse_signature(params.str(0, "signature")?)?;
            let config = params.config(1)?;
            let encoding = encoding(&config, Encoding::Json, true)?;
            let Some(record) = chain.record(&signature) else {
                return Ok(Value::Null);
            };
            if let VersionedMessage::V0(_) = record.transaction.message {
                if config.u64("maxSupportedTransactionVersion")?.is_none() {
                    return Err(RpcError::new(
                        -32015,
                        "Transaction version (0) is not supported by the requesting client. \
                         Please try the request again with the following configuration \
                         parameter: \"maxSupportedTransactionVersion\": 0",
                    ));
                }
            }
            Ok(transaction_json(record, encoding))
        }
        "getSignaturesForAddress" => {
            let address = params.pubkey(0, "address")?;
            let config = params.config(1)?;
            let limit = config.u64("limit")?.map_or(SIGNATURES_LIMIT, |n| {
                usize::try_from(n).unwrap_or(usize::MAX)
            });
            if limit == 0 || limit > SIGNATURES_LIMIT {
                return Err(RpcError::invalid_params(format!(
                    "limit must be between 1 and {SIGNATURES_LIMIT}"
                )));
            }
            let before = config.str("before")?.map(parse_signature).transpose()?;
            let until = config.str("until")?.map(parse_signature).transpose()?;
            let newest_first = chain.records_for(&address);
            let after_before =
                newest_first.skip_while(|r| before.is_some_and(|b| r.signature != b));
            let skip = usize::from(before.is_some());
            let values: Vec<Value> = after_before
                .skip(skip)
                .take_while(|r| until.is_none_or(|u| r.signature != u))
                .take(limit)
                .map(|record| {
                    json!({
                        "signature": record.signature.to_string(),
                        "slot": record.slot,
                        "err": record.err.as_ref().map(transaction_error),
                        "memo": null,
                        "blockTime": record.block_time,
                        "confirmationStatus": "finalized",
                    })
                })
                .collect();
            Ok(Value::Array(values))
        }
        "localchain_advanceClock" => {
            let seconds = params.get(0, "seconds")?.as_i64().ok_or_else(|| {
                RpcError::invalid_params("`seconds` must be a whole number of seconds")
            })?;
            let clock = chain.advance_clock(seconds).await?;
            Ok(json!({ "slot": clock.slot, "unixTimestamp": clock.unix_timestamp }))
        }
        other => Err(RpcError::new(
            -32601,
            format!("Method not found: `{other}` is not supported by the local chain"),
        )),
    }
}
