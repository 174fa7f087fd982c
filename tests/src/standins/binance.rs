//! Binance stand-in: `GET /api/v3/account` checks the request the way Binance documents it
//! (`X-MBX-APIKEY` names a known key; `signature` is the hex HMAC-SHA256 of the rest of the
//! query under that key's secret; `timestamp` within `recvWindow`) and answers with the
//! documented account document or Binance's documented error bodies.

use serde_json::json;

use super::sign::{hex, hmac_sha256};
use super::{Recorded, Reply};

/// A key pair the stand-in knows (test values only).
pub const API_KEY: &str = "e2eBinanceApiKey0000000000000000000000000000000000000000000AbCd";
pub const SECRET_KEY: &str = "e2eBinanceSecret000000000000000000000000000000000000000000WxYz";
/// The documented `GET /api/v3/account` response (the worker's own fixture).
const ACCOUNT: &str = include_str!("../../../worker/fixtures/binance/api_v3_account.json");

fn hex_hmac(secret: &str, message: &str) -> String {
    hex(&hmac_sha256(secret.as_bytes(), message.as_bytes()))
}

fn error(status: u16, code: i64, msg: &str) -> Reply {
    Reply::json(status, json!({"code": code, "msg": msg}))
}

pub fn handle(request: &Recorded) -> Reply {
    if request.method != "GET" || request.path != "/api/v3/account" {
        return error(404, -1000, "An unknown error occurred while processing the request.");
    }
    if request.header("x-mbx-apikey") != Some(API_KEY) {
        return error(401, -2015, "Invalid API-key, IP, or permissions for action.");
    }
    let Some((signed, signature)) = request.query.rsplit_once("&signature=") else {
        return error(400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
    };
    if !signature.eq_ignore_ascii_case(&hex_hmac(SECRET_KEY, signed)) {
        return error(400, -1022, "Signature for this request is not valid.");
    }
    let params = super::url_decode_pairs(signed);
    let param = |name: &str| params.iter().find(|(k, _)| k == name).and_then(|(_, v)| v.parse::<i64>().ok());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    match (param("timestamp"), param("recvWindow")) {
        (Some(timestamp), Some(window)) if timestamp < now + 1_000 && now - timestamp <= window => {
            Reply { status: 200, body: ACCOUNT.to_string() }
        }
        _ => error(400, -1021, "Timestamp for this request is outside of the recvWindow."),
    }
}
