//! `local-chain`: a local Solana chain for the p2p-escrow client, the command line and the web
//! desk. The Solana toolchain cannot build SBF programs on these machines, so no validator can run
//! the program; this binary runs the real program, compiled natively, inside solana-program-test's
//! bank (as the Rust tests do) and serves standard Solana JSON-RPC over HTTP.
//!
//!     cargo run -p p2p-escrow-local-chain -- [--port 8899] [--host 127.0.0.1]
//!         [--upgrade-authority <PUBKEY | KEYPAIR_FILE>]
//!
//! The program is deployed at its declared id with a ProgramData account naming the upgrade
//! authority (default: the Solana CLI's `~/.config/solana/id.json`), so `initialize_config` works
//! as after `anchor deploy`. The clock follows the wall clock; the non-standard method
//! `localchain_advanceClock [seconds]` moves it forward. Every transaction lands in its own slot
//! and is final at once. State lives in memory and ends with the process.

mod chain;
mod rpc;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use bytes::Bytes;
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS};
use hyper::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use jsonrpc_core::{Call, Failure, Output, Success, Version};
use solana_keypair::Keypair;
use solana_pubkey::Pubkey;
use solana_signer::Signer;
use tokio::net::TcpListener;
use tokio::sync::Mutex;

use chain::Chain;
use rpc::dispatch;

/// A local Solana chain running the p2p-escrow program natively, served over standard JSON-RPC.
///
/// Every transaction lands in its own slot and is final at once; the clock follows the wall clock
/// and the method `localchain_advanceClock [seconds]` moves it forward. State lives in memory and
/// ends with the process.
#[derive(Parser)]
#[command(name = "local-chain", version)]
struct Options {
    /// Port to serve JSON-RPC on; 0 picks a free one (the address is printed on start).
    #[arg(long, default_value_t = 8899)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// The program's upgrade authority (who may call `initialize_config`): a public key or a
    /// Solana CLI keypair file. Default: ~/.config/solana/id.json.
    #[arg(long, value_name = "PUBKEY|KEYPAIR_FILE", value_parser = authority)]
    upgrade_authority: Option<Pubkey>,
}

/// A public key, or the public key of a Solana CLI keypair file.
fn authority(text: &str) -> Result<Pubkey, String> {
    if let Ok(pubkey) = Pubkey::from_str(text) {
        return Ok(pubkey);
    }
    let json = std::fs::read_to_string(PathBuf::from(text))
        .map_err(|error| format!("neither a public key nor a readable keypair file ({error})"))?;
    let bytes: Vec<u8> =
        serde_json::from_str(&json).map_err(|_| "not a Solana CLI keypair file".to_string())?;
    Keypair::try_from(bytes.as_slice())
        .map(|keypair| keypair.pubkey())
        .map_err(|_| "not a Solana CLI keypair file".to_string())
}

/// The Solana CLI's default keypair, the default upgrade authority.
fn default_authority() -> Result<Pubkey, String> {
    let home = std::env::var("HOME").map_err(|_| "HOME is not set".to_string())?;
    let path = format!("{home}/.config/solana/id.json");
    if !std::path::Path::new(&path).exists() {
        return Err(format!(
            "no --upgrade-authority given and {path} does not exist \
             (make one with `node app/packages/cli/dist/p2p-escrow.mjs keygen {path}`)"
        ));
    }
    authority(&path).map_err(|error| format!("{path}: {error}"))
}

fn fail(message: &str) -> ! {
    eprintln!("local-chain: {message}");
    std::process::exit(2)
}

/// Answers one JSON-RPC call; a notification (no id) gets no answer.
async fn answer(chain: &Mutex<Chain>, call: Call) -> Option<Output> {
    match call {
        Call::MethodCall(call) => {
            let mut chain = chain.lock().await;
            let output = match dispatch(&mut chain, &call.method, call.params).await {
                Ok(result) => Output::Success(Success {
                    jsonrpc: Some(Version::V2),
                    result,
                    id: call.id,
                }),
                Err(error) => Output::Failure(Failure {
                    jsonrpc: Some(Version::V2),
                    error,
                    id: call.id,
                }),
            };
            Some(output)
        }
        Call::Notification(_) => None,
        Call::Invalid { id } => Some(Output::invalid_request(id, Some(Version::V2))),
    }
}

fn reply(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(
        ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, GET, OPTIONS"),
    );
    headers.insert(
        ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type, solana-client"),
    );
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

async fn serve(
    chain: Arc<Mutex<Chain>>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    match *request.method() {
        Method::OPTIONS => return Ok(reply(StatusCode::NO_CONTENT, Bytes::new())),
        Method::GET => {
            let body = serde_json::json!({ "chain": "p2p-escrow local chain", "usage": "POST JSON-RPC 2.0" });
            return Ok(reply(StatusCode::OK, Bytes::from(body.to_string())));
        }
        Method::POST => {}
        _ => return Ok(reply(StatusCode::METHOD_NOT_ALLOWED, Bytes::new())),
    }
    let body = request.into_body().collect().await?.to_bytes();
    let response = match serde_json::from_slice::<jsonrpc_core::Request>(&body) {
        Err(_) => Some(jsonrpc_core::Response::from(
            jsonrpc_core::Error::parse_error(),
            Some(Version::V2),
        )),
        Ok(jsonrpc_core::Request::Single(call)) => answer(&chain, call)
            .await
            .map(jsonrpc_core::Response::Single),
        Ok(jsonrpc_core::Request::Batch(calls)) => {
            let mut outputs = Vec::with_capacity(calls.len());
            for call in calls {
                outputs.extend(answer(&chain, call).await);
            }
            Some(jsonrpc_core::Response::Batch(outputs))
        }
    };
    let body = response.map_or_else(String::new, |response| {
        serde_json::to_string(&response).expect("responses serialize")
    });
    Ok(reply(StatusCode::OK, Bytes::from(body)))
}

#[tokio::main]
async fn main() {
    // program-test logs every instruction at debug level unless told otherwise.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let options = Options::parse();
    let upgrade_authority = match options.upgrade_authority {
        Some(authority) => authority,
        None => default_authority().unwrap_or_else(|error| fail(&error)),
    };
    let address = SocketAddr::new(options.host, options.port);
    let listener = TcpListener::bind(address).await.unwrap_or_else(|error| {
        if error.kind() == std::io::ErrorKind::AddrInUse {
            fail(&format!(
                "{address} is in use (another local chain or validator?): \
                 pass --port N, or --port 0 for any free port"
            ))
        }
        fail(&format!("cannot listen on {address}: {error}"))
    });
    let address = listener.local_addr().unwrap_or(address);
    let chain = Arc::new(Mutex::new(Chain::start(&upgrade_authority).await));
    println!(
        "p2p-escrow local chain: program {} (upgrade authority {upgrade_authority}), \
         JSON-RPC on http://{address}",
        p2p_escrow::ID,
    );
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = tokio::signal::ctrl_c() => break,
        };
        let Ok((stream, _)) = accepted else {
            continue;
        };
        let chain = chain.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| serve(chain.clone(), request));
            // A client hanging up mid-request is its own business.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
