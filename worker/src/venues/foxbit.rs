//! Foxbit REST v3, signed: `GET /rest/v3/accounts` with `X-FB-ACCESS-SIGNATURE` = hex
//! HMAC-SHA256 of `timestamp + method + path + query + body`, plus `X-FB-ACCESS-KEY` and
//! `X-FB-ACCESS-TIMESTAMP` (milliseconds) (Foxbit's v3 "Authentication"); and its answers in
//! plain words.

use serde::Deserialize;

use super::sign::hmac_sha256_hex;
use super::{Balance, VenueReply};
use crate::http::outbound::{join, Outbound};
use crate::vault::Credentials;

const PATH: &str = "/rest/v3/accounts";

pub fn signature(secret: &str, timestamp_ms: i64, method: &str, path: &str, query: &str, body: &str) -> String {
    hmac_sha256_hex(secret.as_bytes(), format!("{timestamp_ms}{method}{path}{query}{body}").as_bytes())
}

pub fn accounts_request(base_url: &str, credentials: &Credentials, timestamp_ms: i64) -> Outbound {
    Outbound::get(join(base_url, PATH))
        .header("x-fb-access-key", credentials.api_key.clone())
        .header("x-fb-access-timestamp", timestamp_ms.to_string())
        .header("x-fb-access-signature", signature(&credentials.secret_key, timestamp_ms, "GET", PATH, "", ""))
        .header("accept", "application/json")
}

#[derive(Deserialize)]
struct Accounts {
    data: Vec<Account>,
}

#[derive(Deserialize)]
struct Account {
    currency_symbol: String,
    balance_available: String,
    balance_locked: String,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: i64,
    #[serde(default)]
    message: String,
}

pub fn read_accounts(status: u16, body: &str) -> VenueReply {
    if (200..300).contains(&status) {
        if let Ok(accounts) = serde_json::from_str::<Accounts>(body) {
            let balances = accounts.data.iter().filter_map(|a| {
                Balance::parse(&a.currency_symbol.to_ascii_uppercase(), &a.balance_available, &a.balance_locked)
            });
            return VenueReply::Balances(balances.collect());
        }
    }
    let Ok(envelope) = serde_json::from_str::<ErrorEnvelope>(body) else {
        return VenueReply::Refused(match status {
            200..=299 => "Foxbit answered with an account list Auronex could not read".into(),
            _ => super::unreadable("Foxbit", status),
        });
    };
    let error = envelope.error;
    VenueReply::Refused(match error.code {
        2002 => "Foxbit refused the signature: the secret does not belong to this API key".into(),
        2003 => "Foxbit refused the key: it is missing, invalid or was deleted".into(),
        2004 => "Foxbit refused the request's time; the clocks differ too much".into(),
        2005 => "Foxbit refused this server's IP: it is not on the key's trusted list".into(),
        3001 => "Foxbit refused: the key lacks the permission to read accounts".into(),
        429 => super::rate_limited("Foxbit"),
        code => format!("Foxbit refused the request (code {code}): {}", super::clip(&error.message)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venues::header;

    const SECRET: &str = "foxbit-secret-for-tests";
    const SIGNED: &str = "66e4aa0b6535d296f1d625a6c0b3b69d323670a5919e6be24155702f0d67c7fd";

    /// Computed independently with Python's `hmac` over `1700000000000GET/rest/v3/accounts`.
    #[test]
    fn signature_over_timestamp_method_path_query_and_body() {
        assert_eq!(signature(SECRET, 1_700_000_000_000, "GET", PATH, "", ""), SIGNED);
    }

    #[test]
    fn the_request_carries_key_timestamp_and_signature() {
        let credentials = Credentials { api_key: "fx-key".into(), secret_key: SECRET.into(), passphrase: None };
        let request = accounts_request("https://api.foxbit.com.br", &credentials, 1_700_000_000_000);
        assert_eq!(request.url, "https://api.foxbit.com.br/rest/v3/accounts");
        assert_eq!(header(&request, "x-fb-access-signature"), Some(SIGNED));
        assert_eq!(header(&request, "x-fb-access-timestamp"), Some("1700000000000"));
    }

    #[test]
    fn reads_the_documented_accounts_and_errors() {
        let VenueReply::Balances(balances) =
            read_accounts(200, include_str!("../../fixtures/foxbit/rest_v3_accounts.json"))
        else {
            panic!("balances expected")
        };
        assert_eq!(balances, vec![Balance { asset: "BTC".into(), free: 9000.0, locked: 1000.0 }]);
        let VenueReply::Refused(message) = read_accounts(401, include_str!("../../fixtures/foxbit/error_2002.json"))
        else {
            panic!("refusal expected")
        };
        assert!(message.contains("secret does not belong"), "{message}");
    }
}
