//! `local-chain`: a local Solana chain for the p2p-escrow client, the command line and the web
//! app. The Solana toolchain cannot build SBF programs on these machines, so no validator can run
//! the program; this binary runs the real program, compiled natively, inside solana-program-test's
//! bank (as the Rust tests do) and serves standard Solana JSON-RPC over HTTP.
//!
//!     cargo run -p p2p-escrow-tests --bin local-chain -- [--port 8899] [--host 127.0.0.1]
//!         [--upgrade-authority <PUBKEY | KEYPAIR_FILE>]
//!
//! The program is deployed at its declared id with a ProgramData account naming the upgrade
//! authority (default: the Solana CLI's `~/.config/solana/id.json`), so `initialize_config` works
//! as after `anchor deploy`. The clock follows the wall clock; the non-standard method
//! `localchain_advanceClock [seconds]` moves it forward. Every transaction lands in its own slot
//! and is final at once. State lives in memory and ends with the process.

mod chain;
mod rpc;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use anchor_lang::prelude::Pubkey;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS};
use hyper::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use solana_keypair::Keypair;
use solana_signer::Signer;
use tokio::net::TcpListener;
use tokio::sync::Mutex;

use chain::Chain;
use rpc::{dispatch, RpcError};

const USAGE: &str = "usage: local-chain [--port PORT] [--host HOST] \
                     [--upgrade-authority PUBKEY|KEYPAIR_FILE]";

struct Options {
    address: SocketAddr,
    upgrade_authority: Pubkey,
}

fn fail(message: &str) -> ! {
    eprintln!("local-chain: {message}\n{USAGE}");
    std::process::exit(2)
}

/// A public key, or the public key of a Solana CLI keypair file.
fn authority(text: &str) -> Pubkey {
    if let Ok(pubkey) = Pubkey::from_str(text) {
        return pubkey;
    }
    let path = PathBuf::from(text);
    let json = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        fail(&format!(
            "--upgrade-authority: {text} is neither a public key nor a readable keypair file ({error})"
        ))
    });
    let bytes: Vec<u8> = serde_json::from_str(&json)
        .unwrap_or_else(|_| fail(&format!("{text} is not a Solana CLI keypair file")));
    Keypair::try_from(bytes.as_slice())
        .unwrap_or_else(|_| fail(&format!("{text} is not a Solana CLI keypair file")))
        .pubkey()
}

fn options() -> Options {
    let mut port = 8899u16;
    let mut host = "127.0.0.1".to_string();
    let mut upgrade_authority = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| fail(&format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--port" => {
                port = value()
                    .parse()
                    .unwrap_or_else(|_| fail("--port must be a port number"))
            }
            "--host" => host = value(),
            "--upgrade-authority" => upgrade_authority = Some(authority(&value())),
            "--help" | "-h" => {
                println!("{USAGE}");
                std::process::exit(0)
            }
            other => fail(&format!("unknown argument {other}")),
        }
    }
    let upgrade_authority = upgrade_authority.unwrap_or_else(|| {
        let home = std::env::var("HOME").unwrap_or_else(|_| fail("HOME is not set"));
        let default = format!("{home}/.config/solana/id.json");
        if !std::path::Path::new(&default).exists() {
            fail(&format!(
                "no --upgrade-authority given and {default} does not exist"
            ))
        }
        authority(&default)
    });
    let address = format!("{host}:{port}")
        .parse()
        .unwrap_or_else(|_| fail(&format!("{host}:{port} is not a socket address")));
    Options {
        address,
        upgrade_authority,
    }
}

/// One JSON-RPC request object in, one response object out.
async fn answer(chain: &Mutex<Chain>, request: &Value) -> Value {
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let Some(method) = request.get("method").and_then(Value::as_str) else {
        let error = RpcError::new(-32600, "Invalid request: no method");
        return json!({ "jsonrpc": "2.0", "id": id, "error": error.to_json() });
    };
    let params = match request.get("params") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(params)) => params.clone(),
        Some(_) => {
            let error = RpcError::invalid_params("params must be an array");
            return json!({ "jsonrpc": "2.0", "id": id, "error": error.to_json() });
        }
    };
    let mut chain = chain.lock().await;
    match dispatch(&mut chain, method, &params).await {
        Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
        Err(error) => json!({ "jsonrpc": "2.0", "id": id, "error": error.to_json() }),
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
            let body = json!({ "chain": "p2p-escrow local chain", "usage": "POST JSON-RPC 2.0" });
            return Ok(reply(StatusCode::OK, Bytes::from(body.to_string())));
        }
        Method::POST => {}
        _ => return Ok(reply(StatusCode::METHOD_NOT_ALLOWED, Bytes::new())),
    }
    let body = request.into_body().collect().await?.to_bytes();
    let response = match serde_json::from_slice::<Value>(&body) {
        Err(_) => {
            let error = RpcError::new(-32700, "Parse error");
            json!({ "jsonrpc": "2.0", "id": null, "error": error.to_json() })
        }
        Ok(Value::Array(batch)) => {
            let mut answers = Vec::with_capacity(batch.len());
            for request in &batch {
                answers.push(answer(&chain, request).await);
            }
            Value::Array(answers)
        }
        Ok(request) => answer(&chain, &request).await,
    };
    Ok(reply(StatusCode::OK, Bytes::from(response.to_string())))
}

#[tokio::main]
async fn main() {
    // program-test logs every instruction at debug level unless told otherwise.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let options = options();
    let chain = Arc::new(Mutex::new(Chain::start(&options.upgrade_authority).await));
    let listener = TcpListener::bind(options.address)
        .await
        .unwrap_or_else(|error| fail(&format!("cannot listen on {}: {error}", options.address)));
    println!(
        "p2p-escrow local chain: program {} (upgrade authority {}), JSON-RPC on http://{}",
        p2p_escrow::ID,
        options.upgrade_authority,
        options.address
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
