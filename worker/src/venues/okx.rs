//! OKX v5, signed: `GET /api/v5/account/balance` with `OK-ACCESS-SIGN` = base64 HMAC-SHA256
//! of `timestamp + "GET" + requestPath`, the ISO timestamp, the key and the passphrase in
//! headers, and `x-simulated-trading: 1` for demo-trading keys (OKX's "REST Authentication").

use serde::Deserialize;

use super::sign::hmac_sha256_base64;
use super::{Balance, VenueReply};
use crate::http::outbound::{join, Outbound};
use crate::vault::Credentials;

const PATH: &str = "/api/v5/account/balance";

pub fn signature(secret: &str, timestamp: &str, method: &str, request_path: &str, body: &str) -> String {
    hmac_sha256_base64(secret.as_bytes(), format!("{timestamp}{method}{request_path}{body}").as_bytes())
}

/// `timestamp` is ISO 8601 with milliseconds, e.g. `2020-12-08T09:08:57.715Z`.
pub fn balance_request(base_url: &str, credentials: &Credentials, timestamp: &str, demo: bool) -> Outbound {
    let request = Outbound::get(join(base_url, PATH))
        .header("ok-access-key", credentials.api_key.clone())
        .header("ok-access-sign", signature(&credentials.secret_key, timestamp, "GET", PATH, ""))
        .header("ok-access-timestamp", timestamp.to_string())
        .header("ok-access-passphrase", credentials.passphrase.clone().unwrap_or_default());
    if demo {
        request.header("x-simulated-trading", "1")
    } else {
        request
    }
}

#[derive(Deserialize)]
struct Envelope {
    code: String,
    #[serde(default)]
    msg: String,
    #[serde(default)]
    data: Vec<Account>,
}

#[derive(Deserialize)]
struct Account {
    #[serde(default)]
    details: Vec<Detail>,
}

#[derive(Deserialize)]
struct Detail {
    ccy: String,
    #[serde(rename = "availBal", default)]
    avail_bal: String,
    #[serde(rename = "frozenBal", default)]
    frozen_bal: String,
}

pub fn read_balance(status: u16, body: &str) -> VenueReply {
    let Ok(envelope) = serde_json::from_str::<Envelope>(body) else {
        return VenueReply::Refused(super::unreadable("OKX", status));
    };
    VenueReply::Refused(match envelope.code.as_str() {
        "0" => {
            let details = envelope.data.into_iter().flat_map(|account| account.details);
            return VenueReply::Balances(
                details.filter_map(|d| Balance::parse(&d.ccy, &d.avail_bal, &d.frozen_bal)).collect(),
            );
        }
        "50111" | "50119" => "OKX refused the key: it is invalid or was deleted".into(),
        "50113" => "OKX refused the signature: the secret key does not belong to this API key".into(),
        "50105" => "OKX refused the passphrase given with this key".into(),
        "50102" | "50112" => "OKX refused the request's time; the clocks differ too much".into(),
        "50110" => "OKX refused this server's IP: it is not on the key's whitelist".into(),
        "50101" => "OKX says the key belongs to the other environment (demo or live); check the testnet flag".into(),
        "50011" => super::rate_limited("OKX"),
        code => format!("OKX refused the request (code {code}): {}", super::clip(&envelope.msg)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "22582BD0CFF14C41EDBF1AB98506286D";
    const TS: &str = "2020-12-08T09:08:57.715Z";

    /// The documented example (`timestamp + 'GET' + '/api/v5/account/balance?ccy=BTC'` under
    /// the documented SecretKey), computed independently with Python's `hmac` and `base64`.
    #[test]
    fn documented_signing_example() {
        assert_eq!(
            signature(SECRET, TS, "GET", "/api/v5/account/balance?ccy=BTC", ""),
            "HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY="
        );
    }

    #[test]
    fn the_request_carries_key_sign_time_passphrase_and_demo_flag() {
        let credentials =
            Credentials { api_key: "k-1".into(), secret_key: SECRET.into(), passphrase: Some("pass".into()) };
        let request = balance_request("https://www.okx.com", &credentials, TS, true);
        assert_eq!(request.url, "https://www.okx.com/api/v5/account/balance");
        let header = |name: &str| request.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str());
        assert_eq!(header("ok-access-sign"), Some("AkD5YszBhggtIyjDlmTy/9PpNVntel+1Lff8wh0qpQw="));
        assert_eq!((header("ok-access-key"), header("ok-access-passphrase")), (Some("k-1"), Some("pass")));
        assert_eq!((header("ok-access-timestamp"), header("x-simulated-trading")), (Some(TS), Some("1")));
        let live = balance_request("https://www.okx.com", &credentials, TS, false);
        assert!(!live.headers.iter().any(|(n, _)| *n == "x-simulated-trading"));
    }

    #[test]
    fn reads_the_documented_balance_and_errors() {
        let VenueReply::Balances(balances) =
            read_balance(200, include_str!("../../fixtures/okx/api_v5_account_balance.json"))
        else {
            panic!("balances expected")
        };
        assert_eq!(balances, vec![Balance { asset: "BTC".into(), free: 0.5, locked: 0.2 }]);
        let VenueReply::Refused(message) = read_balance(401, include_str!("../../fixtures/okx/error_50113.json"))
        else {
            panic!("refusal expected")
        };
        assert!(message.contains("secret key"), "{message}");
    }
}
