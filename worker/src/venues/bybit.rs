//! Bybit v5, signed: `GET /v5/account/wallet-balance?accountType=UNIFIED` with the key in
//! `X-BAPI-API-KEY` and `X-BAPI-SIGN` = hex HMAC-SHA256 of `timestamp + key + recv_window +
//! query` (Bybit's v5 "Integration Guidance"); and its answers in plain words.

use serde::Deserialize;

use super::sign::hmac_sha256_hex;
use super::{Balance, VenueReply};
use crate::http::outbound::{join, Outbound};
use crate::vault::Credentials;

pub const RECV_WINDOW_MS: u32 = 5_000;
const QUERY: &str = "accountType=UNIFIED";

pub fn signature(secret: &str, timestamp_ms: i64, api_key: &str, query: &str) -> String {
    hmac_sha256_hex(secret.as_bytes(), format!("{timestamp_ms}{api_key}{RECV_WINDOW_MS}{query}").as_bytes())
}

pub fn wallet_request(base_url: &str, credentials: &Credentials, timestamp_ms: i64) -> Outbound {
    let sign = signature(&credentials.secret_key, timestamp_ms, &credentials.api_key, QUERY);
    Outbound::get(format!("{}?{QUERY}", join(base_url, "/v5/account/wallet-balance")))
        .header("x-bapi-api-key", credentials.api_key.clone())
        .header("x-bapi-timestamp", timestamp_ms.to_string())
        .header("x-bapi-recv-window", RECV_WINDOW_MS.to_string())
        .header("x-bapi-sign", sign)
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "retCode")]
    ret_code: i64,
    #[serde(rename = "retMsg", default)]
    ret_msg: String,
    #[serde(default)]
    result: Option<WalletResult>,
}

#[derive(Deserialize)]
struct WalletResult {
    #[serde(default)]
    list: Vec<Account>,
}

#[derive(Deserialize)]
struct Account {
    #[serde(default)]
    coin: Vec<Coin>,
}

#[derive(Deserialize)]
struct Coin {
    coin: String,
    #[serde(rename = "walletBalance", default)]
    wallet_balance: String,
    #[serde(default)]
    locked: String,
}

pub fn read_wallet(status: u16, body: &str) -> VenueReply {
    let Ok(envelope) = serde_json::from_str::<Envelope>(body) else {
        return VenueReply::Refused(match status {
            403 => "Bybit refused this server's address (its API is closed to some regions)".into(),
            _ => super::unreadable("Bybit", status),
        });
    };
    match envelope.ret_code {
        0 => {
            let coins = envelope.result.map(|r| r.list).unwrap_or_default().into_iter().flat_map(|a| a.coin);
            VenueReply::Balances(
                coins
                    .filter_map(|c| {
                        let total: f64 = c.wallet_balance.parse().ok()?;
                        let locked: f64 = c.locked.parse().unwrap_or(0.0);
                        Balance::parse(&c.coin, &(total - locked).to_string(), &locked.to_string())
                    })
                    .collect(),
            )
        }
        10003 => VenueReply::Refused("Bybit refused the key: it is invalid or was deleted".into()),
        10004 => {
            VenueReply::Refused("Bybit refused the signature: the secret key does not belong to this API key".into())
        }
        10002 => VenueReply::Refused("Bybit refused the request's time; the clocks differ too much".into()),
        10005 => VenueReply::Refused("Bybit refused: the key lacks the permission to read the wallet".into()),
        10010 => VenueReply::Refused("Bybit refused this server's IP: it is not on the key's whitelist".into()),
        10006 | 10018 => VenueReply::Refused(super::rate_limited("Bybit")),
        code => {
            VenueReply::Refused(format!("Bybit refused the request (code {code}): {}", super::clip(&envelope.ret_msg)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Computed independently with Python's `hmac` over
    /// `1658384314791XXXXXXXXXX5000accountType=UNIFIED` under 36 `X`s.
    #[test]
    fn signature_over_timestamp_key_window_and_query() {
        assert_eq!(
            signature(&"X".repeat(36), 1_658_384_314_791, "XXXXXXXXXX", QUERY),
            "64b5b10837fe9b0f37cd4633e2d48772f98f9d574996d8556fb522eeb72774c6"
        );
    }

    #[test]
    fn the_request_carries_the_documented_headers() {
        let credentials = Credentials { api_key: "XXXXXXXXXX".into(), secret_key: "X".repeat(36), passphrase: None };
        let request = wallet_request("https://api.bybit.com", &credentials, 1_658_384_314_791);
        assert_eq!(request.url, "https://api.bybit.com/v5/account/wallet-balance?accountType=UNIFIED");
        let header = |name: &str| request.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str());
        assert_eq!(header("x-bapi-api-key"), Some("XXXXXXXXXX"));
        assert_eq!(header("x-bapi-timestamp"), Some("1658384314791"));
        assert_eq!(header("x-bapi-recv-window"), Some("5000"));
        assert_eq!(header("x-bapi-sign"), Some("64b5b10837fe9b0f37cd4633e2d48772f98f9d574996d8556fb522eeb72774c6"));
    }

    #[test]
    fn reads_the_documented_wallet_and_errors() {
        let VenueReply::Balances(balances) =
            read_wallet(200, include_str!("../../fixtures/bybit/v5_account_wallet-balance.json"))
        else {
            panic!("balances expected")
        };
        assert_eq!(balances, vec![Balance { asset: "USDT".into(), free: 1.0, locked: 0.5 }]);
        let VenueReply::Refused(message) = read_wallet(200, include_str!("../../fixtures/bybit/error_10004.json"))
        else {
            panic!("refusal expected")
        };
        assert!(message.contains("secret key") && !message.contains("origin_string"), "{message}");
        assert!(matches!(read_wallet(403, "<html>"), VenueReply::Refused(m) if m.contains("regions")));
    }
}
