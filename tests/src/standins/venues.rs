//! Bybit and OKX stand-ins: their signed balance endpoints check the signature the way each
//! venue documents it and answer with the documented balance document or error envelope.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::json;

use super::sign::{hex, hmac_sha256};
use super::{Recorded, Reply};

pub const BYBIT_KEY: &str = "e2eBybitKey0000001";
pub const BYBIT_SECRET: &str = "e2eBybitSecret000000000000000000000001";
pub const OKX_KEY: &str = "e2e-okx-key-00000000000000000001";
pub const OKX_SECRET: &str = "E2EOKXSECRET0000000000000000001";
pub const OKX_PASSPHRASE: &str = "e2e-okx-passphrase";

const BYBIT_WALLET: &str = include_str!("../../../worker/fixtures/bybit/v5_account_wallet-balance.json");
const OKX_BALANCE: &str = include_str!("../../../worker/fixtures/okx/api_v5_account_balance.json");

fn mac(secret: &str, message: &str) -> Vec<u8> {
    hmac_sha256(secret.as_bytes(), message.as_bytes())
}

/// `GET /v5/account/wallet-balance`: `X-BAPI-SIGN` = hex HMAC of ts + key + window + query.
pub fn bybit(request: &Recorded) -> Reply {
    let envelope = |code: i64, msg: &str| {
        Reply::json(200, json!({"retCode": code, "retMsg": msg, "result": {}, "retExtInfo": {}, "time": 0}))
    };
    if request.path != "/v5/account/wallet-balance" {
        return Reply::json(404, json!({}));
    }
    if request.header("x-bapi-api-key") != Some(BYBIT_KEY) {
        return envelope(10003, "API key is invalid.");
    }
    let (ts, window) =
        (request.header("x-bapi-timestamp").unwrap_or(""), request.header("x-bapi-recv-window").unwrap_or(""));
    let expected = hex(&mac(BYBIT_SECRET, &format!("{ts}{BYBIT_KEY}{window}{}", request.query)));
    if request.header("x-bapi-sign") != Some(expected.as_str()) {
        return envelope(10004, "error sign! origin_string[...]");
    }
    Reply { status: 200, body: BYBIT_WALLET.to_string() }
}

/// `GET /api/v5/account/balance`: `OK-ACCESS-SIGN` = base64 HMAC of ts + method + path.
pub fn okx(request: &Recorded) -> Reply {
    let error = |code: &str, msg: &str| Reply::json(401, json!({"code": code, "msg": msg}));
    if request.path != "/api/v5/account/balance" {
        return Reply::json(404, json!({"code": "50000", "msg": "not found"}));
    }
    if request.header("ok-access-key") != Some(OKX_KEY) {
        return error("50111", "Invalid OK-ACCESS-KEY");
    }
    if request.header("ok-access-passphrase") != Some(OKX_PASSPHRASE) {
        return error("50105", "Invalid OK-ACCESS-PASSPHRASE");
    }
    let ts = request.header("ok-access-timestamp").unwrap_or("");
    let expected = STANDARD.encode(mac(OKX_SECRET, &format!("{ts}{}{}", request.method, request.path)));
    if request.header("ok-access-sign") != Some(expected.as_str()) {
        return error("50113", "Invalid Sign");
    }
    Reply { status: 200, body: OKX_BALANCE.to_string() }
}
