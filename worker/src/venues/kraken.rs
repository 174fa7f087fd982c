//! Kraken spot, signed: `POST /0/private/Balance` with the form body `nonce=<n>`, the key in
//! `API-Key` and `API-Sign` = base64 HMAC-SHA512 of `path + SHA256(nonce + body)` under the
//! base64-decoded secret (Kraken's "Spot REST Authentication"); and its answers in plain words.

use std::collections::BTreeMap;

use auronex_exchanges::venues::kraken::asset;

use super::sign::{base64, decode_base64, hmac_sha512, sha256};
use super::{Balance, VenueReply};
use crate::http::outbound::{join, Outbound};
use crate::vault::Credentials;

const PATH: &str = "/0/private/Balance";
pub const SECRET_NOT_BASE64: &str =
    "Kraken private keys are base64 text and this one is not; copy the private key again from Kraken";

/// `None` when the secret is not base64 (Kraken's secrets always are).
pub fn api_sign(secret: &str, path: &str, nonce: &str, post_data: &str) -> Option<String> {
    let key = decode_base64(secret)?;
    let mut message = path.as_bytes().to_vec();
    message.extend_from_slice(&sha256(format!("{nonce}{post_data}").as_bytes()));
    Some(base64(&hmac_sha512(&key, &message)))
}

/// The nonce is the signing time in milliseconds: it only grows, as Kraken requires per key.
pub fn balance_request(base_url: &str, credentials: &Credentials, nonce_ms: i64) -> Option<Outbound> {
    let nonce = nonce_ms.to_string();
    let body = format!("nonce={nonce}");
    let sign = api_sign(&credentials.secret_key, PATH, &nonce, &body)?;
    Some(
        Outbound::post(join(base_url, PATH), "application/x-www-form-urlencoded", body)
            .header("api-key", credentials.api_key.clone())
            .header("api-sign", sign),
    )
}

#[derive(serde::Deserialize)]
struct Envelope {
    #[serde(default)]
    error: Vec<String>,
    #[serde(default)]
    result: Option<BTreeMap<String, String>>,
}

pub fn read_balance(status: u16, body: &str) -> VenueReply {
    let Ok(envelope) = serde_json::from_str::<Envelope>(body) else {
        return VenueReply::Refused(super::unreadable("Kraken", status));
    };
    if let Some(error) = envelope.error.first() {
        return VenueReply::Refused(match error.as_str() {
            "EAPI:Invalid key" => "Kraken refused the key: it is invalid or was deleted".into(),
            "EAPI:Invalid signature" => {
                "Kraken refused the signature: the private key does not belong to this API key".into()
            }
            "EAPI:Invalid nonce" => "Kraken refused the nonce; another program may be using this key".into(),
            "EGeneral:Permission denied" => "Kraken refused: the key lacks the permission to query funds".into(),
            "EAPI:Rate limit exceeded" | "EGeneral:Temporary lockout" => {
                "Kraken is rate-limiting this key; try again in a minute".into()
            }
            other => format!("Kraken refused the request: {}", super::clip(other)),
        });
    }
    // Kraken reports totals only; funds held by open orders are not split out here.
    // Suffixed lines (`ETH2.S` staked, `USD.M` rewards) stay separate assets.
    let balances = envelope
        .result
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(code, total)| Balance::parse(&asset(&code), &total, "0"));
    VenueReply::Balances(super::merge(balances))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venues::header;

    const DOC_SECRET: &str = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==";

    /// The example of Kraken's "Spot REST Authentication" page.
    #[test]
    fn documented_signature_example() {
        let payload = "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25";
        assert_eq!(
            api_sign(DOC_SECRET, "/0/private/AddOrder", "1616492376594", payload).as_deref(),
            Some("4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==")
        );
        assert_eq!(api_sign("not base64!", PATH, "1", "nonce=1"), None);
    }

    #[test]
    fn the_balance_request_is_a_signed_form_post() {
        let credentials = Credentials { api_key: "kraken-key".into(), secret_key: DOC_SECRET.into(), passphrase: None };
        let request = balance_request("https://api.kraken.com/", &credentials, 1_616_492_376_594).unwrap();
        assert_eq!((request.method, request.url.as_str()), ("POST", "https://api.kraken.com/0/private/Balance"));
        assert_eq!(request.body.as_deref(), Some("nonce=1616492376594"));
        assert_eq!(header(&request, "api-key"), Some("kraken-key"));
        let expected = api_sign(DOC_SECRET, PATH, "1616492376594", "nonce=1616492376594").unwrap();
        assert_eq!(header(&request, "api-sign"), Some(expected.as_str()));
    }

    #[test]
    fn reads_the_documented_balance_and_errors() {
        let VenueReply::Balances(balances) =
            read_balance(200, include_str!("../../fixtures/kraken/0_private_Balance.json"))
        else {
            panic!("balances expected")
        };
        let btc = balances.iter().find(|b| b.asset == "BTC").unwrap();
        assert_eq!((btc.free, btc.locked), (1011.19088779, 0.0));
        assert!(balances.iter().any(|b| b.asset == "ETH2.S") && balances.iter().any(|b| b.asset == "USD"));
        assert!(!balances.iter().any(|b| b.asset == "DOGE"), "zero balances are dropped");
        let refused = |body: &str| match read_balance(200, body) {
            VenueReply::Refused(message) => message,
            VenueReply::Balances(_) => panic!("refusal expected"),
        };
        assert!(refused(include_str!("../../fixtures/kraken/error_invalid_signature.json")).contains("private key"));
        assert!(refused(include_str!("../../fixtures/kraken/error_invalid_key.json")).contains("invalid"));
        assert!(refused("<html>").contains("HTTP 200"));
    }
}
