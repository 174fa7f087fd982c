//! KuCoin, signed: `GET /api/v1/accounts` with `KC-API-SIGN` = base64 HMAC-SHA256 of
//! `timestamp + method + endpoint + body` and, for key version 2, `KC-API-PASSPHRASE` = base64
//! HMAC-SHA256 of the passphrase, both under the secret (KuCoin's "Authentication"); and its
//! answers in plain words.

use serde::Deserialize;

use super::sign::hmac_sha256_base64;
use super::{Balance, VenueReply};
use crate::http::outbound::{join, Outbound};
use crate::vault::Credentials;

const PATH: &str = "/api/v1/accounts";

pub fn signature(secret: &str, timestamp_ms: i64, method: &str, endpoint: &str, body: &str) -> String {
    hmac_sha256_base64(secret.as_bytes(), format!("{timestamp_ms}{method}{endpoint}{body}").as_bytes())
}

/// The passphrase as key version 2 sends it.
pub fn signed_passphrase(secret: &str, passphrase: &str) -> String {
    hmac_sha256_base64(secret.as_bytes(), passphrase.as_bytes())
}

pub fn accounts_request(base_url: &str, credentials: &Credentials, timestamp_ms: i64) -> Outbound {
    let secret = &credentials.secret_key;
    let passphrase = credentials.passphrase.as_deref().unwrap_or_default();
    Outbound::get(join(base_url, PATH))
        .header("kc-api-key", credentials.api_key.clone())
        .header("kc-api-sign", signature(secret, timestamp_ms, "GET", PATH, ""))
        .header("kc-api-timestamp", timestamp_ms.to_string())
        .header("kc-api-passphrase", signed_passphrase(secret, passphrase))
        .header("kc-api-key-version", "2")
}

#[derive(Deserialize)]
struct Envelope {
    code: String,
    #[serde(default)]
    msg: String,
    #[serde(default)]
    data: Option<Vec<Account>>,
}

#[derive(Deserialize)]
struct Account {
    currency: String,
    available: String,
    holds: String,
}

pub fn read_accounts(status: u16, body: &str) -> VenueReply {
    let Ok(envelope) = serde_json::from_str::<Envelope>(body) else {
        return VenueReply::Refused(super::unreadable("KuCoin", status));
    };
    VenueReply::Refused(match envelope.code.as_str() {
        "200000" => {
            let accounts = envelope.data.unwrap_or_default();
            let balances = accounts.iter().filter_map(|a| Balance::parse(&a.currency, &a.available, &a.holds));
            return VenueReply::Balances(super::merge(balances));
        }
        "400003" => "KuCoin refused the key: it does not exist or was deleted".into(),
        // Key version 2 sends the passphrase signed with the secret: either may be the wrong one.
        "400004" => {
            "KuCoin refused the signed passphrase: the passphrase or the secret does not belong to this API key".into()
        }
        "400005" => "KuCoin refused the signature: the secret does not belong to this API key".into(),
        "400002" => "KuCoin refused the request's time; the clocks differ too much".into(),
        "400006" => "KuCoin refused this server's IP: it is not on the key's whitelist".into(),
        "400007" => "KuCoin refused: the key lacks the permission to read accounts".into(),
        "429000" => super::rate_limited("KuCoin"),
        code => format!("KuCoin refused the request (code {code}): {}", super::clip(&envelope.msg)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venues::header;

    const SECRET: &str = "kucoin-secret-for-tests";

    /// Computed independently with Python's `hmac` and `base64`: the prehash
    /// `1700000000000GET/api/v1/accounts` and the passphrase `kucoin-pass` under the secret.
    #[test]
    fn signature_and_passphrase_for_key_version_2() {
        assert_eq!(
            signature(SECRET, 1_700_000_000_000, "GET", PATH, ""),
            "Wkc9OtJX181fFqz/LYwhh8zF0LouSjQiQNUw/AnOpDs="
        );
        assert_eq!(signed_passphrase(SECRET, "kucoin-pass"), "ILYZ1Vj7BUCq3efwIP0p5I4WNnXTRYSteUDUb/innc0=");
    }

    #[test]
    fn the_request_carries_the_documented_headers() {
        let credentials =
            Credentials { api_key: "kc-key".into(), secret_key: SECRET.into(), passphrase: Some("kucoin-pass".into()) };
        let request = accounts_request("https://api.kucoin.com", &credentials, 1_700_000_000_000);
        assert_eq!(request.url, "https://api.kucoin.com/api/v1/accounts");
        assert_eq!(header(&request, "kc-api-passphrase"), Some("ILYZ1Vj7BUCq3efwIP0p5I4WNnXTRYSteUDUb/innc0="));
        assert_eq!(
            (header(&request, "kc-api-key"), header(&request, "kc-api-key-version")),
            (Some("kc-key"), Some("2"))
        );
        assert_eq!(header(&request, "kc-api-timestamp"), Some("1700000000000"));
    }

    #[test]
    fn reads_the_documented_accounts_and_errors() {
        let VenueReply::Balances(balances) =
            read_accounts(200, include_str!("../../fixtures/kucoin/api_v1_accounts.json"))
        else {
            panic!("balances expected")
        };
        assert_eq!(balances, vec![Balance { asset: "BTC".into(), free: 1.65, locked: 0.1 }], "main + trade");
        let VenueReply::Refused(message) = read_accounts(401, include_str!("../../fixtures/kucoin/error_400005.json"))
        else {
            panic!("refusal expected")
        };
        assert!(message.contains("secret does not belong"), "{message}");
    }
}
