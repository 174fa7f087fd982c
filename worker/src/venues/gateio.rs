//! Gate.io API v4, signed: `GET /api/v4/spot/accounts` with `SIGN` = hex HMAC-SHA512 of
//! `METHOD\npath\nquery\nhex(SHA512(body))\ntimestamp`, plus `KEY` and `Timestamp` (seconds)
//! (Gate's "APIv4 signed request requirements"); and its answers in plain words.

use serde::Deserialize;

use super::sign::{hmac_sha512, sha512_hex};
use super::{Balance, VenueReply};
use crate::http::outbound::{join, Outbound};
use crate::vault::Credentials;

const PATH: &str = "/api/v4/spot/accounts";

pub fn signature(secret: &str, method: &str, path: &str, query: &str, body: &str, timestamp: &str) -> String {
    let message = format!("{method}\n{path}\n{query}\n{}\n{timestamp}", sha512_hex(body.as_bytes()));
    crate::crypto::hex(&hmac_sha512(secret.as_bytes(), message.as_bytes()))
}

pub fn accounts_request(base_url: &str, credentials: &Credentials, timestamp_secs: i64) -> Outbound {
    let timestamp = timestamp_secs.to_string();
    Outbound::get(join(base_url, PATH))
        .header("key", credentials.api_key.clone())
        .header("timestamp", timestamp.clone())
        .header("sign", signature(&credentials.secret_key, "GET", PATH, "", "", &timestamp))
        .header("accept", "application/json")
}

#[derive(Deserialize)]
struct Account {
    currency: String,
    available: String,
    locked: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    label: String,
    #[serde(default)]
    message: String,
}

pub fn read_accounts(status: u16, body: &str) -> VenueReply {
    if (200..300).contains(&status) {
        return match serde_json::from_str::<Vec<Account>>(body) {
            Ok(accounts) => VenueReply::Balances(
                accounts.iter().filter_map(|a| Balance::parse(&a.currency, &a.available, &a.locked)).collect(),
            ),
            Err(_) => VenueReply::Refused("Gate.io answered with an account list Auronex could not read".into()),
        };
    }
    let Ok(error) = serde_json::from_str::<ErrorBody>(body) else {
        return VenueReply::Refused(super::unreadable("Gate.io", status));
    };
    VenueReply::Refused(match error.label.as_str() {
        "INVALID_KEY" => "Gate.io refused the key: it is invalid or was deleted".into(),
        "INVALID_SIGNATURE" => "Gate.io refused the signature: the secret does not belong to this API key".into(),
        "REQUEST_EXPIRED" => "Gate.io refused the request's time; the clocks differ too much".into(),
        "IP_FORBIDDEN" => "Gate.io refused this server's IP: it is not on the key's whitelist".into(),
        "FORBIDDEN" | "READ_ONLY" => "Gate.io refused: the key lacks the permission to read spot accounts".into(),
        "TOO_MANY_REQUESTS" => super::rate_limited("Gate.io"),
        label => format!("Gate.io refused the request ({label}): {}", super::clip(&error.message)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venues::header;

    const SIGNED: &str = "7763bebd7443c1f5dbc25e6a69e372d218733bcd22450a0b420c41d426f1b2dde85a71151c7951ba1d89cd3f0937c5e85fd3f5d2e2bd0feba52f3e59c8a0cebb";

    /// Computed independently with Python's `hmac` and `hashlib` over
    /// `GET\n/api/v4/spot/accounts\n\n<sha512 of "">\n1700000000` under `gate-secret-for-tests`.
    #[test]
    fn signature_over_the_five_lines() {
        assert_eq!(signature("gate-secret-for-tests", "GET", PATH, "", "", "1700000000"), SIGNED);
    }

    #[test]
    fn the_request_carries_key_timestamp_and_sign() {
        let credentials =
            Credentials { api_key: "gate-key".into(), secret_key: "gate-secret-for-tests".into(), passphrase: None };
        let request = accounts_request("https://api.gateio.ws", &credentials, 1_700_000_000);
        assert_eq!(request.url, "https://api.gateio.ws/api/v4/spot/accounts");
        assert_eq!((header(&request, "key"), header(&request, "timestamp")), (Some("gate-key"), Some("1700000000")));
        assert_eq!(header(&request, "sign"), Some(SIGNED));
    }

    #[test]
    fn reads_the_documented_accounts_and_errors() {
        let VenueReply::Balances(balances) =
            read_accounts(200, include_str!("../../fixtures/gateio/api_v4_spot_accounts.json"))
        else {
            panic!("balances expected")
        };
        assert_eq!(balances.iter().map(|b| b.asset.as_str()).collect::<Vec<_>>(), ["ETH", "USDT"]);
        assert_eq!((balances[1].free, balances[1].locked), (120.5, 20.0));
        let VenueReply::Refused(message) =
            read_accounts(401, include_str!("../../fixtures/gateio/error_INVALID_SIGNATURE.json"))
        else {
            panic!("refusal expected")
        };
        assert!(message.contains("secret does not belong"), "{message}");
    }
}
