//! Mercado Bitcoin v4 stand-in: `POST /api/v4/authorize` trades a known token id and secret
//! for a bearer token; `GET /api/v4/accounts` and `.../{id}/balances` answer only to that
//! token, in the documented shapes, with `{"code", "message"}` errors.

use serde_json::{json, Value};

use super::{Recorded, Reply};

pub const TOKEN_ID: &str = "e2eMercadoBitcoinTokenId0001";
pub const TOKEN_SECRET: &str = "e2eMercadoBitcoinTokenSecret000000000001";
/// The bearer token the stand-in hands out for the known pair.
pub const ACCESS_TOKEN: &str = "01GF442ATTVP4M6M0XGHQYT544";
const ACCOUNTS: &str = include_str!("../../../worker/fixtures/mercadobitcoin/api_v4_accounts.json");
const BALANCES: &str = include_str!("../../../worker/fixtures/mercadobitcoin/api_v4_accounts_id_balances.json");

fn error(status: u16, code: &str, message: &str) -> Reply {
    Reply::json(status, json!({"code": code, "message": message}))
}

pub fn handle(request: &Recorded) -> Reply {
    if request.method == "POST" && request.path == "/api/v4/authorize" {
        let body: Value = request.json();
        if body["login"] != TOKEN_ID || body["password"] != TOKEN_SECRET {
            return error(403, "FORBIDDEN", "Invalid credentials");
        }
        return Reply::json(200, json!({"access_token": ACCESS_TOKEN, "expiration": 4_102_444_800_i64}));
    }
    if request.header("authorization") != Some(&format!("Bearer {ACCESS_TOKEN}")) {
        return error(401, "FORBIDDEN", "Invalid or expired token");
    }
    match request.path.as_str() {
        "/api/v4/accounts" => Reply { status: 200, body: ACCOUNTS.to_string() },
        "/api/v4/accounts/a322205ace882ef800553118e5000066/balances" => {
            Reply { status: 200, body: BALANCES.to_string() }
        }
        _ => error(404, "INVALID_ACCOUNT", "account not found"),
    }
}
