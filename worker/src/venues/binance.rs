//! Binance spot, signed: `GET /api/v3/account` (USER_DATA) with HMAC-SHA256 over the query
//! string (`timestamp`, `recvWindow`, then `signature` in hex) and the key in `X-MBX-APIKEY`,
//! per Binance's "Request security" documentation; and its answers in plain words.

use serde::Deserialize;

use super::sign::hmac_sha256_hex;
use super::{Balance, VenueReply};
use crate::http::outbound::{join, Outbound};
use crate::vault::Credentials;

/// Binance's own recommendation is 5,000 ms or less.
pub const RECV_WINDOW_MS: u32 = 5_000;

/// The query string signed for `/api/v3/account`, before `&signature=`.
pub fn account_query(timestamp_ms: i64) -> String {
    format!("omitZeroBalances=true&recvWindow={RECV_WINDOW_MS}&timestamp={timestamp_ms}")
}

/// Appends `&signature=<hex HMAC-SHA256 of the query under the secret>`.
pub fn sign_query(query: &str, secret: &str) -> String {
    format!("{query}&signature={}", hmac_sha256_hex(secret.as_bytes(), query.as_bytes()))
}

pub fn account_request(base_url: &str, credentials: &Credentials, timestamp_ms: i64) -> Outbound {
    let signed = sign_query(&account_query(timestamp_ms), &credentials.secret_key);
    Outbound::get(format!("{}?{signed}", join(base_url, "/api/v3/account")))
        .header("x-mbx-apikey", credentials.api_key.clone())
        .header("accept", "application/json")
}

#[derive(Deserialize)]
struct Account {
    balances: Vec<RawBalance>,
}

#[derive(Deserialize)]
struct RawBalance {
    asset: String,
    free: String,
    locked: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: i64,
    msg: String,
}

/// Reads the venue's answer: the non-zero balances, or why Binance refused, in plain words.
pub fn read_account(status: u16, body: &str) -> VenueReply {
    if (200..300).contains(&status) {
        return match serde_json::from_str::<Account>(body) {
            Ok(account) => VenueReply::Balances(
                account
                    .balances
                    .into_iter()
                    .filter_map(|raw| Balance::parse(&raw.asset, &raw.free, &raw.locked))
                    .collect(),
            ),
            Err(_) => VenueReply::Refused("Binance answered with an account document Auronex could not read".into()),
        };
    }
    let Ok(error) = serde_json::from_str::<ErrorBody>(body) else {
        return VenueReply::Refused(match status {
            418 => super::rate_limited("Binance"),
            _ => super::unreadable("Binance", status),
        });
    };
    VenueReply::Refused(match error.code {
        -2015 => "Binance refused the key: it is invalid, this server's IP is not on the key's whitelist, or the \
                  key lacks the permission to read the account"
            .into(),
        -2014 => "Binance says the API key's format is invalid; copy it again from Binance".into(),
        -1022 => "Binance refused the signature: the secret key does not belong to this API key".into(),
        -1021 => "Binance refused the request's time; the clocks differ by more than the allowed window".into(),
        -1003 => super::rate_limited("Binance"),
        code => format!("Binance refused the request (code {code}): {}", super::clip(&error.msg)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC_SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

    /// The HMAC example of Binance's "Request security" page.
    #[test]
    fn documented_signature_example() {
        let query = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000\
                     &timestamp=1499827319559";
        assert_eq!(
            sign_query(query, DOC_SECRET),
            format!("{query}&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71")
        );
    }

    #[test]
    fn the_account_request_is_signed_over_exactly_what_is_sent() {
        let credentials = Credentials {
            api_key: "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A".into(),
            secret_key: DOC_SECRET.into(),
            passphrase: None,
        };
        let request = account_request("https://api.binance.com/", &credentials, 1_499_827_319_559);
        assert_eq!(request.method, "GET");
        let (path, query) = request.url.split_once('?').unwrap();
        assert_eq!(path, "https://api.binance.com/api/v3/account");
        let (signed, signature) = query.rsplit_once("&signature=").unwrap();
        assert_eq!(signed, "omitZeroBalances=true&recvWindow=5000&timestamp=1499827319559");
        assert_eq!(signature, hmac_sha256_hex(DOC_SECRET.as_bytes(), signed.as_bytes()));
        assert!(request.headers.contains(&("x-mbx-apikey", credentials.api_key.clone())));
        assert!(!request.url.contains(DOC_SECRET));
    }

    #[test]
    fn reads_the_documented_account_response() {
        let body = include_str!("../../fixtures/binance/api_v3_account.json");
        let VenueReply::Balances(balances) = read_account(200, body) else { panic!("balances expected") };
        assert_eq!(balances.len(), 2);
        assert_eq!(balances[0].asset, "BTC");
        assert_eq!(balances[0].free, 4_723_846.892_081_29);
        assert_eq!(balances[1].locked, 0.0);
    }

    #[test]
    fn documented_errors_become_plain_words() {
        let refused = |status, body: &str| match read_account(status, body) {
            VenueReply::Refused(message) => message,
            VenueReply::Balances(_) => panic!("refusal expected"),
        };
        assert!(refused(401, include_str!("../../fixtures/binance/error_-2015.json")).contains("whitelist"));
        assert!(refused(400, include_str!("../../fixtures/binance/error_-1022.json")).contains("secret key"));
        assert!(refused(400, r#"{"code":-1100,"msg":"Illegal characters found in parameter."}"#).contains("-1100"));
        assert!(refused(502, "<html>bad gateway</html>").contains("HTTP 502"));
        assert!(refused(200, "{}").contains("could not read"));
    }
}
