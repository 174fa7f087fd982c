//! Coinbase Exchange, signed: `GET /accounts` with `CB-ACCESS-SIGN` = base64 HMAC-SHA256 of
//! `timestamp + method + requestPath + body` under the base64-decoded secret, plus
//! `CB-ACCESS-KEY`, `CB-ACCESS-TIMESTAMP` (seconds) and `CB-ACCESS-PASSPHRASE` (Coinbase
//! Exchange "REST API Authentication"); and its answers in plain words.

use serde::Deserialize;

use super::sign::{base64, decode_base64, hmac_sha256};
use super::{Balance, VenueReply};
use crate::http::outbound::{join, Outbound};
use crate::vault::Credentials;

const PATH: &str = "/accounts";
pub const SECRET_NOT_BASE64: &str =
    "Coinbase Exchange secrets are base64 text and this one is not; copy the secret again from Coinbase";

/// `None` when the secret is not base64.
pub fn signature(secret: &str, timestamp: &str, method: &str, request_path: &str, body: &str) -> Option<String> {
    let key = decode_base64(secret)?;
    Some(base64(&hmac_sha256(&key, format!("{timestamp}{method}{request_path}{body}").as_bytes())))
}

pub fn accounts_request(base_url: &str, credentials: &Credentials, timestamp_secs: i64) -> Option<Outbound> {
    let timestamp = timestamp_secs.to_string();
    let sign = signature(&credentials.secret_key, &timestamp, "GET", PATH, "")?;
    Some(
        Outbound::get(join(base_url, PATH))
            .header("cb-access-key", credentials.api_key.clone())
            .header("cb-access-sign", sign)
            .header("cb-access-timestamp", timestamp)
            .header("cb-access-passphrase", credentials.passphrase.clone().unwrap_or_default())
            .header("accept", "application/json"),
    )
}

#[derive(Deserialize)]
struct Account {
    currency: String,
    #[serde(default)]
    available: String,
    #[serde(default)]
    hold: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    message: String,
}

pub fn read_accounts(status: u16, body: &str) -> VenueReply {
    if (200..300).contains(&status) {
        return match serde_json::from_str::<Vec<Account>>(body) {
            Ok(accounts) => VenueReply::Balances(
                accounts.iter().filter_map(|a| Balance::parse(&a.currency, &a.available, &a.hold)).collect(),
            ),
            Err(_) => VenueReply::Refused("Coinbase answered with an account list Auronex could not read".into()),
        };
    }
    let Ok(error) = serde_json::from_str::<ErrorBody>(body) else {
        return VenueReply::Refused(super::unreadable("Coinbase", status));
    };
    let message = error.message.to_ascii_lowercase();
    VenueReply::Refused(if message.contains("invalid signature") {
        "Coinbase refused the signature: the secret does not belong to this API key".into()
    } else if message.contains("api key") {
        "Coinbase refused the key: it is invalid or was deleted".into()
    } else if message.contains("passphrase") {
        "Coinbase refused the passphrase given with this key".into()
    } else if message.contains("timestamp") {
        "Coinbase refused the request's time; the clocks differ too much".into()
    } else if status == 403 {
        "Coinbase refused: the key lacks the View permission or this server's IP is not allowed".into()
    } else {
        format!("Coinbase refused the request (HTTP {status}): {}", super::clip(&error.message))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venues::header;

    const SECRET: &str = "c2VjcmV0LWZvci1jb2luYmFzZS1leGNoYW5nZS10ZXN0cw==";

    /// Computed independently with Python's `hmac` and `base64` over
    /// `1700000000GET/accounts` under the decoded secret `secret-for-coinbase-exchange-tests`.
    #[test]
    fn signature_over_timestamp_method_and_path() {
        assert_eq!(
            signature(SECRET, "1700000000", "GET", "/accounts", "").as_deref(),
            Some("ETLyj9NWKTvNc0soomH5MzbIDndmYZObBWdQECk+Ty8=")
        );
        assert_eq!(signature("%%%", "1", "GET", "/accounts", ""), None);
    }

    #[test]
    fn the_request_carries_key_sign_time_and_passphrase() {
        let credentials =
            Credentials { api_key: "cb-key".into(), secret_key: SECRET.into(), passphrase: Some("cb-pass".into()) };
        let request = accounts_request("https://api.exchange.coinbase.com", &credentials, 1_700_000_000).unwrap();
        assert_eq!(request.url, "https://api.exchange.coinbase.com/accounts");
        assert_eq!(header(&request, "cb-access-sign"), Some("ETLyj9NWKTvNc0soomH5MzbIDndmYZObBWdQECk+Ty8="));
        assert_eq!(
            (header(&request, "cb-access-key"), header(&request, "cb-access-passphrase")),
            (Some("cb-key"), Some("cb-pass"))
        );
        assert_eq!(header(&request, "cb-access-timestamp"), Some("1700000000"));
    }

    #[test]
    fn reads_the_documented_accounts_and_errors() {
        let VenueReply::Balances(balances) = read_accounts(200, include_str!("../../fixtures/coinbase/accounts.json"))
        else {
            panic!("balances expected")
        };
        assert_eq!(balances.len(), 2, "the empty ETH account is dropped");
        assert_eq!(balances[0], Balance { asset: "BTC".into(), free: 0.2, locked: 0.05 });
        let VenueReply::Refused(message) =
            read_accounts(401, include_str!("../../fixtures/coinbase/error_invalid_signature.json"))
        else {
            panic!("refusal expected")
        };
        assert!(message.contains("secret does not belong"), "{message}");
        assert!(
            matches!(read_accounts(401, r#"{"message":"Invalid Passphrase"}"#), VenueReply::Refused(m) if m.contains("passphrase"))
        );
    }
}
