//! Kraken, Coinbase Exchange, Gate.io, HTX, KuCoin and Foxbit stand-ins: each private balance
//! endpoint recomputes the request's signature the way the venue documents it, compares, and
//! answers with the documented balance document or the venue's own error format.

use base64::engine::general_purpose::STANDARD;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256, Sha512};

use super::sign::{hex, hmac_sha256 as sha256_mac, hmac_sha512 as sha512_mac};

use super::{Recorded, Reply};

pub const KRAKEN_KEY: &str = "e2eKrakenKey000000000000000000000000000000000000000001";
/// Kraken private keys are base64.
pub const KRAKEN_SECRET: &str = "ZTJlLWtyYWtlbi1wcml2YXRlLWtleS1mb3ItdGVzdHMtMDAwMDAwMDAwMDAwMDAwMDE=";
pub const COINBASE_KEY: &str = "e2ecoinbasekey00000000000000001";
pub const COINBASE_SECRET: &str = "ZTJlLWNvaW5iYXNlLXNlY3JldC0wMDAwMDAwMDAwMDE=";
pub const COINBASE_PASSPHRASE: &str = "e2e-coinbase-pass";
pub const GATEIO_KEY: &str = "e2egatekey000000000000000000001";
pub const GATEIO_SECRET: &str = "e2egatesecret00000000000000000000000000000000000000000000000001";
pub const HTX_KEY: &str = "e2e00001-htxkey01-00000001-0001";
pub const HTX_SECRET: &str = "e2e00001-htxsecr-00000001-0001";
pub const KUCOIN_KEY: &str = "e2ekucoinkey0000000000001";
pub const KUCOIN_SECRET: &str = "e2e-kucoin-secret-0000-0000-000000000001";
pub const KUCOIN_PASSPHRASE: &str = "e2e-kucoin-pass";
pub const FOXBIT_KEY: &str = "e2efoxbitkey000000000000000001";
pub const FOXBIT_SECRET: &str = "e2efoxbitsecret0000000000000000000000001";
/// A Foxbit key whose every first request meets a 503, as a venue in passing trouble would.
pub const FOXBIT_FLAKY_KEY: &str = "e2efoxbitflakykey000000000001";

static FOXBIT_FLAKY_CALLS: AtomicUsize = AtomicUsize::new(0);

const KRAKEN_BALANCE: &str = include_str!("../../../worker/fixtures/kraken/0_private_Balance.json");
const COINBASE_ACCOUNTS: &str = include_str!("../../../worker/fixtures/coinbase/accounts.json");
const GATEIO_ACCOUNTS: &str = include_str!("../../../worker/fixtures/gateio/api_v4_spot_accounts.json");
const HTX_ACCOUNTS: &str = include_str!("../../../worker/fixtures/htx/v1_account_accounts.json");
const HTX_BALANCE: &str = include_str!("../../../worker/fixtures/htx/v1_account_accounts_id_balance.json");
const KUCOIN_ACCOUNTS: &str = include_str!("../../../worker/fixtures/kucoin/api_v1_accounts.json");
const FOXBIT_ACCOUNTS: &str = include_str!("../../../worker/fixtures/foxbit/rest_v3_accounts.json");

fn ok(body: &str) -> Reply {
    Reply { status: 200, body: body.to_string() }
}

/// `POST /0/private/Balance`: errors are HTTP 200 with `{"error": ["EAPI:..."]}`.
pub fn kraken(request: &Recorded) -> Reply {
    let error = |text: &str| Reply::json(200, json!({"error": [text]}));
    if request.method != "POST" || request.path != "/0/private/Balance" {
        return Reply::json(404, json!({"error": ["EGeneral:Unknown method"]}));
    }
    if request.header("api-key") != Some(KRAKEN_KEY) {
        return error("EAPI:Invalid key");
    }
    let Some(nonce) = request.form_value("nonce") else {
        return error("EAPI:Invalid nonce");
    };
    let mut message = request.path.as_bytes().to_vec();
    message.extend_from_slice(&Sha256::digest(format!("{nonce}{}", request.body).as_bytes()));
    let expected = STANDARD.encode(sha512_mac(&STANDARD.decode(KRAKEN_SECRET).unwrap(), &message));
    if request.header("api-sign") != Some(expected.as_str()) {
        return error("EAPI:Invalid signature");
    }
    ok(KRAKEN_BALANCE)
}

/// `GET /accounts`: errors are HTTP 401 with `{"message": ...}`.
pub fn coinbase(request: &Recorded) -> Reply {
    let error = |text: &str| Reply::json(401, json!({"message": text}));
    if request.path != "/accounts" {
        return Reply::json(404, json!({"message": "NotFound"}));
    }
    if request.header("cb-access-key") != Some(COINBASE_KEY) {
        return error("Invalid API Key");
    }
    if request.header("cb-access-passphrase") != Some(COINBASE_PASSPHRASE) {
        return error("Invalid Passphrase");
    }
    let timestamp = request.header("cb-access-timestamp").unwrap_or("");
    let prehash = format!("{timestamp}{}{}{}", request.method, request.path, request.body);
    let expected = STANDARD.encode(sha256_mac(&STANDARD.decode(COINBASE_SECRET).unwrap(), prehash.as_bytes()));
    if request.header("cb-access-sign") != Some(expected.as_str()) {
        return error("invalid signature");
    }
    ok(COINBASE_ACCOUNTS)
}

/// `GET /api/v4/spot/accounts`: errors are HTTP 401 with `{"label", "message"}`.
pub fn gateio(request: &Recorded) -> Reply {
    let error = |label: &str, text: &str| Reply::json(401, json!({"label": label, "message": text}));
    if request.path != "/api/v4/spot/accounts" {
        return Reply::json(404, json!({"label": "NOT_FOUND", "message": "Not found"}));
    }
    if request.header("key") != Some(GATEIO_KEY) {
        return error("INVALID_KEY", "Invalid key provided");
    }
    let timestamp = request.header("timestamp").unwrap_or("");
    let body_hash = hex(&Sha512::digest(request.body.as_bytes()));
    let message = format!("{}\n{}\n{}\n{body_hash}\n{timestamp}", request.method, request.path, request.query);
    if request.header("sign") != Some(hex(&sha512_mac(GATEIO_SECRET.as_bytes(), message.as_bytes())).as_str()) {
        return error("INVALID_SIGNATURE", "Signature mismatch");
    }
    ok(GATEIO_ACCOUNTS)
}

/// `GET /v1/account/accounts` and `.../{id}/balance`: the signature covers the host, the path
/// and every other query parameter sorted by name; errors are HTTP 200 with `status: error`.
pub fn htx(request: &Recorded) -> Reply {
    let error = |text: &str| {
        Reply::json(
            200,
            json!({"status": "error", "err-code": "api-signature-not-valid", "err-msg": text, "data": null}),
        )
    };
    let mut params: Vec<(&str, &str)> = request.query.split('&').filter_map(|pair| pair.split_once('=')).collect();
    let signature = params
        .iter()
        .find(|(k, _)| *k == "Signature")
        .map(|(_, v)| super::url_decode_pairs(&format!("s={v}"))[0].1.clone());
    params.retain(|(k, _)| *k != "Signature");
    params.sort();
    let access_key = params.iter().find(|(k, _)| *k == "AccessKeyId").map(|(_, v)| *v);
    if access_key != Some(HTX_KEY) {
        return error("Signature not valid: Incorrect Access key [Access key错误]");
    }
    let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let host = request.header("host").unwrap_or("").to_ascii_lowercase();
    let payload = format!("{}\n{host}\n{}\n{}", request.method, request.path, query.join("&"));
    let expected = STANDARD.encode(sha256_mac(HTX_SECRET.as_bytes(), payload.as_bytes()));
    if signature.as_deref() != Some(expected.as_str()) {
        return error("Signature not valid: Verification failure [校验失败]");
    }
    match request.path.as_str() {
        "/v1/account/accounts" => ok(HTX_ACCOUNTS),
        "/v1/account/accounts/10000001/balance" => ok(HTX_BALANCE),
        _ => Reply::json(
            200,
            json!({"status": "error", "err-code": "account-get-balance-account-inexistent-error", "err-msg": "account for id `0` and user id `0` does not exist", "data": null}),
        ),
    }
}

/// `GET /api/v1/accounts`: errors are HTTP 401 with `{"code", "msg"}`.
pub fn kucoin(request: &Recorded) -> Reply {
    let error = |code: &str, text: &str| Reply::json(401, json!({"code": code, "msg": text}));
    if request.path != "/api/v1/accounts" {
        return Reply::json(404, json!({"code": "404000", "msg": "Not Found"}));
    }
    if request.header("kc-api-key") != Some(KUCOIN_KEY) {
        return error("400003", "KC-API-KEY not exists");
    }
    let passphrase = STANDARD.encode(sha256_mac(KUCOIN_SECRET.as_bytes(), KUCOIN_PASSPHRASE.as_bytes()));
    if request.header("kc-api-key-version") != Some("2")
        || request.header("kc-api-passphrase") != Some(passphrase.as_str())
    {
        return error("400004", "Invalid KC-API-PASSPHRASE");
    }
    let timestamp = request.header("kc-api-timestamp").unwrap_or("");
    let endpoint =
        if request.query.is_empty() { request.path.clone() } else { format!("{}?{}", request.path, request.query) };
    let prehash = format!("{timestamp}{}{endpoint}{}", request.method, request.body);
    let expected = STANDARD.encode(sha256_mac(KUCOIN_SECRET.as_bytes(), prehash.as_bytes()));
    if request.header("kc-api-sign") != Some(expected.as_str()) {
        return error("400005", "Invalid KC-API-SIGN");
    }
    ok(KUCOIN_ACCOUNTS)
}

/// `GET /rest/v3/accounts`: errors are HTTP 401 with `{"error": {"message", "code", "details"}}`.
pub fn foxbit(request: &Recorded) -> Reply {
    let error =
        |code: i64, text: &str| Reply::json(401, json!({"error": {"message": text, "code": code, "details": []}}));
    if request.path != "/rest/v3/accounts" {
        return Reply::json(404, json!({"error": {"message": "Resource not found.", "code": 404, "details": []}}));
    }
    let key = request.header("x-fb-access-key");
    if key == Some(FOXBIT_FLAKY_KEY) && FOXBIT_FLAKY_CALLS.fetch_add(1, Ordering::SeqCst) % 2 == 0 {
        return Reply { status: 503, body: "<html><body>503 Service Temporarily Unavailable</body></html>".into() };
    }
    if key != Some(FOXBIT_KEY) && key != Some(FOXBIT_FLAKY_KEY) {
        return error(2003, "Invalid access key. Access key missing, invalid or not found.");
    }
    let timestamp = request.header("x-fb-access-timestamp").unwrap_or("");
    let prehash = format!("{timestamp}{}{}{}{}", request.method, request.path, request.query, request.body);
    if request.header("x-fb-access-signature")
        != Some(hex(&sha256_mac(FOXBIT_SECRET.as_bytes(), prehash.as_bytes())).as_str())
    {
        return error(2002, "Invalid signature. The signature for this request is not valid.");
    }
    ok(FOXBIT_ACCOUNTS)
}
