//! HTX (Huobi) spot, signed (signature version 2): `GET /v1/account/accounts` for the spot
//! account id, then `GET /v1/account/accounts/{id}/balance`. Each request carries
//! `AccessKeyId`, `SignatureMethod=HmacSHA256`, `SignatureVersion=2`, `Timestamp` and
//! `Signature` = base64 HMAC-SHA256 of `GET\nhost\npath\nsorted encoded query` in its query
//! (HTX "Signature Authentication"); and its answers in plain words.

use serde::Deserialize;

use super::sign::{hmac_sha256_base64, percent_encode};
use super::{Balance, Step, VenueReply};
use crate::http::outbound::{join, Outbound};
use crate::vault::Credentials;

const ACCOUNTS: &str = "/v1/account/accounts";

pub fn signature(secret: &str, method: &str, host: &str, path: &str, query: &str) -> String {
    hmac_sha256_base64(secret.as_bytes(), format!("{method}\n{host}\n{path}\n{query}").as_bytes())
}

/// The host HTX signs over: the base URL's authority, lower-case (`api.huobi.pro`).
fn host(base_url: &str) -> String {
    let rest = base_url.split_once("://").map_or(base_url, |(_, rest)| rest);
    rest.split('/').next().unwrap_or("").to_ascii_lowercase()
}

/// `YYYY-MM-DDThh:mm:ss` in UTC, as HTX wants it.
pub fn timestamp(now_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(now_ms).unwrap_or_default().format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// A signed GET of `path` (no parameters of its own).
pub fn signed_get(base_url: &str, credentials: &Credentials, path: &str, timestamp: &str) -> Outbound {
    // Already in ASCII order of the parameter names, as the signature requires.
    let query = format!(
        "AccessKeyId={}&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp={}",
        percent_encode(&credentials.api_key),
        percent_encode(timestamp)
    );
    let sign = signature(&credentials.secret_key, "GET", &host(base_url), path, &query);
    Outbound::get(format!("{}?{query}&Signature={}", join(base_url, path), percent_encode(&sign)))
        .header("accept", "application/json")
}

pub fn first_step(base_url: &str, credentials: &Credentials, now_ms: i64) -> Step {
    let (base, credentials, stamp) = (base_url.to_string(), credentials.clone(), timestamp(now_ms));
    let request = signed_get(&base, &credentials, ACCOUNTS, &stamp);
    Step::Send(
        request,
        Box::new(move |status, body| match read_accounts(status, body) {
            Err(refusal) => Step::Done(refusal),
            Ok(id) => {
                let path = format!("{ACCOUNTS}/{id}/balance");
                Step::once(signed_get(&base, &credentials, &path, &stamp), read_balance)
            }
        }),
    )
}

#[derive(Deserialize)]
struct Envelope<T> {
    status: String,
    #[serde(rename = "err-code", default)]
    err_code: Option<String>,
    #[serde(rename = "err-msg", default)]
    err_msg: Option<String>,
    data: Option<T>,
}

#[derive(Deserialize)]
struct Account {
    id: i64,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct BalanceData {
    list: Vec<Line>,
}

#[derive(Deserialize)]
struct Line {
    currency: String,
    #[serde(rename = "type")]
    kind: String,
    balance: String,
}

fn envelope<'a, T: Deserialize<'a>>(status: u16, body: &'a str) -> Result<T, VenueReply> {
    let refused = |message: String| Err(VenueReply::Refused(message));
    let Ok(envelope) = serde_json::from_str::<Envelope<T>>(body) else {
        return refused(super::unreadable("HTX", status));
    };
    if envelope.status == "ok" {
        if let Some(data) = envelope.data {
            return Ok(data);
        }
    }
    let code = envelope.err_code.unwrap_or_default();
    let message = envelope.err_msg.unwrap_or_default();
    refused(match code.as_str() {
        "api-signature-not-valid" if message.contains("Access key") => {
            "HTX refused the key: it is invalid or was deleted".into()
        }
        "api-signature-not-valid" if message.contains("Verification failure") => {
            "HTX refused the signature: the secret does not belong to this API key".into()
        }
        "api-signature-not-valid" if message.contains("expired") || message.contains("Timestamp") => {
            "HTX refused the request's time; the clocks differ too much".into()
        }
        "api-not-support-temp-addr" | "invalid-ip" => {
            "HTX refused this server's IP: it is not on the key's whitelist".into()
        }
        "forbidden-trade-for-open-protect" | "login-required" => {
            "HTX refused: the key lacks the permission to read the account".into()
        }
        _ => format!("HTX refused the request ({code}): {}", super::clip(&message)),
    })
}

/// The id of the spot account, or why there is none.
fn read_accounts(status: u16, body: &str) -> Result<i64, VenueReply> {
    let accounts: Vec<Account> = envelope(status, body)?;
    accounts
        .iter()
        .find(|account| account.kind == "spot")
        .map(|account| account.id)
        .ok_or_else(|| VenueReply::Refused("HTX accepted the key but the account has no spot account".into()))
}

/// `trade` lines are free, `frozen` lines locked; others (loan, interest) are not holdings.
pub fn read_balance(status: u16, body: &str) -> VenueReply {
    let data: BalanceData = match envelope(status, body) {
        Ok(data) => data,
        Err(refusal) => return refusal,
    };
    let balances = data.list.iter().filter_map(|line| {
        let asset = line.currency.to_ascii_uppercase();
        match line.kind.as_str() {
            "trade" => Balance::parse(&asset, &line.balance, "0"),
            "frozen" => Balance::parse(&asset, "0", &line.balance),
            _ => None,
        }
    });
    VenueReply::Balances(super::merge(balances))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pre-signed text of HTX's documentation (`GET\napi.huobi.pro\n/v1/order/orders\n…`)
    /// uses masked keys, so its printed result cannot be reproduced; this vector was computed
    /// independently with Python's `hmac` and `base64` for the accounts path.
    #[test]
    fn signature_over_method_host_path_and_sorted_query() {
        let query =
            "AccessKeyId=htx-key&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2023-11-14T22%3A13%3A20";
        assert_eq!(
            signature("htx-secret-for-tests", "GET", "api.huobi.pro", ACCOUNTS, query),
            "U6S8dhtG9Ufh6UX8aUs8zwL9wL+2+hsZtdpF8WU9rh0="
        );
    }

    #[test]
    fn the_signed_url_carries_every_parameter_and_the_encoded_signature() {
        let credentials =
            Credentials { api_key: "htx-key".into(), secret_key: "htx-secret-for-tests".into(), passphrase: None };
        let stamp = timestamp(1_700_000_000_000);
        assert_eq!(stamp, "2023-11-14T22:13:20");
        let request = signed_get("https://API.huobi.pro/", &credentials, ACCOUNTS, &stamp);
        assert_eq!(
            request.url,
            "https://API.huobi.pro/v1/account/accounts?AccessKeyId=htx-key&SignatureMethod=HmacSHA256\
             &SignatureVersion=2&Timestamp=2023-11-14T22%3A13%3A20&Signature=U6S8dhtG9Ufh6UX8aUs8zwL9wL%2B2%2BhsZtdpF8WU9rh0%3D"
        );
        assert_eq!(host("http://127.0.0.1:8787/htx"), "127.0.0.1:8787");
    }

    #[test]
    fn two_steps_from_accounts_to_balance() {
        let credentials = Credentials { api_key: "k".into(), secret_key: "s".into(), passphrase: None };
        let Step::Send(first, read) = first_step("https://api.huobi.pro", &credentials, 1_700_000_000_000) else {
            panic!("a request first")
        };
        assert!(first.url.starts_with("https://api.huobi.pro/v1/account/accounts?"));
        let Step::Send(second, read) = read(200, include_str!("../../fixtures/htx/v1_account_accounts.json")) else {
            panic!("then the balance")
        };
        assert!(
            second.url.starts_with("https://api.huobi.pro/v1/account/accounts/10000001/balance?"),
            "{}",
            second.url
        );
        let Step::Done(VenueReply::Balances(balances)) =
            read(200, include_str!("../../fixtures/htx/v1_account_accounts_id_balance.json"))
        else {
            panic!("balances expected")
        };
        assert_eq!(balances, vec![Balance { asset: "USDT".into(), free: 91.85004379767651, locked: 5.16 }]);
    }

    #[test]
    fn documented_errors_become_plain_words() {
        let body = include_str!("../../fixtures/htx/error_api-signature-not-valid.json");
        let VenueReply::Refused(message) = read_balance(200, body) else { panic!("refusal expected") };
        assert!(message.contains("secret does not belong"), "{message}");
        let key = r#"{"status":"error","err-code":"api-signature-not-valid","err-msg":"Signature not valid: Incorrect Access key [Access key错误]","data":null}"#;
        assert!(matches!(read_accounts(200, key), Err(VenueReply::Refused(m)) if m.contains("invalid or was deleted")));
    }
}
