//! Signed (private) requests to exchanges, used to test a user's API key: each venue module
//! builds its signed request and reads the answer (pure, tested natively); `test_key` sends it.
//! Binance, Bybit and OKX are covered (HMAC-SHA256); the other venues answer "not yet".

pub mod binance;
pub mod bybit;
pub mod okx;
pub mod sign;

use serde::Serialize;
use worker::Env;

use crate::clock;
use crate::config;
use crate::http::outbound::{self, Outbound};
use crate::vault::Credentials;

/// Most balances a key test reports (the largest accounts hold hundreds of dust assets).
const MAX_BALANCES: usize = 50;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Balance {
    pub asset: String,
    pub free: f64,
    pub locked: f64,
}

impl Balance {
    /// A balance from the venue's decimal strings; `None` when zero or unreadable.
    pub fn parse(asset: &str, free: &str, locked: &str) -> Option<Balance> {
        let free: f64 = free.trim().parse().ok()?;
        let locked: f64 = locked.trim().parse().ok()?;
        let asset = asset.trim();
        (free + locked > 0.0 && !asset.is_empty() && asset.len() <= 20).then(|| Balance {
            asset: asset.to_string(),
            free,
            locked,
        })
    }
}

/// What a venue said about a key.
#[derive(Debug)]
pub enum VenueReply {
    Balances(Vec<Balance>),
    Refused(String),
}

/// The result of `POST /api/api-keys/{id}/test`.
#[derive(Debug, Serialize)]
pub struct KeyTest {
    pub ok: bool,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balances: Option<Vec<Balance>>,
}

/// A venue's message, bounded and on one line, for a reply to the user.
pub fn clip(message: &str) -> String {
    message.chars().filter(|c| !c.is_control()).take(200).collect()
}

fn base_url(env: &Env, var: &str, default: &str) -> String {
    config::optional(env, var).unwrap_or_else(|| default.to_string())
}

type Reader = fn(u16, &str) -> VenueReply;

/// The signed read-only request for a venue, and how to read its answer.
fn signed_request(env: &Env, exchange: &str, testnet: bool, credentials: &Credentials) -> Option<(Outbound, Reader)> {
    let now = clock::now_ms();
    match (exchange, testnet) {
        ("binance", false) => {
            let base = base_url(env, "BINANCE_API_URL", "https://api.binance.com");
            Some((binance::account_request(&base, credentials, now), binance::read_account))
        }
        ("binance", true) => {
            let base = base_url(env, "BINANCE_TESTNET_API_URL", "https://testnet.binance.vision");
            Some((binance::account_request(&base, credentials, now), binance::read_account))
        }
        ("bybit", false) => {
            let base = base_url(env, "BYBIT_API_URL", "https://api.bybit.com");
            Some((bybit::wallet_request(&base, credentials, now), bybit::read_wallet))
        }
        ("bybit", true) => {
            let base = base_url(env, "BYBIT_TESTNET_API_URL", "https://api-testnet.bybit.com");
            Some((bybit::wallet_request(&base, credentials, now), bybit::read_wallet))
        }
        ("okx", demo) => {
            let base = base_url(env, "OKX_API_URL", "https://www.okx.com");
            let timestamp =
                chrono::DateTime::from_timestamp_millis(now)?.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            Some((okx::balance_request(&base, credentials, &timestamp, demo), okx::read_balance))
        }
        _ => None,
    }
}

/// Makes one signed, read-only request with the key and reports balances or the refusal.
pub async fn test_key(env: &Env, exchange: &str, is_testnet: bool, credentials: &Credentials) -> KeyTest {
    let Some((request, read)) = signed_request(env, exchange, is_testnet, credentials) else {
        return KeyTest {
            ok: false,
            message: format!("Auronex cannot test {exchange} keys yet; the key is stored and can be used later"),
            balances: None,
        };
    };
    let reply = match outbound::send(&request).await {
        Ok(answer) => read(answer.status, &answer.body),
        Err(outbound::Unreachable(detail)) => {
            worker::console_warn!(
                "{}",
                serde_json::json!({"level": "warn", "event": "venue_unreachable", "exchange": exchange, "detail": detail})
            );
            VenueReply::Refused(format!("could not reach {exchange}; try again later"))
        }
    };
    match reply {
        VenueReply::Balances(mut balances) => {
            balances.truncate(MAX_BALANCES);
            let message = format!("{exchange} accepted the key; {} non-zero balances", balances.len());
            KeyTest { ok: true, message, balances: Some(balances) }
        }
        VenueReply::Refused(message) => KeyTest { ok: false, message, balances: None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_unreadable_balances_are_dropped() {
        assert!(Balance::parse("BTC", "0.00000000", "0.00000000").is_none());
        assert!(Balance::parse("BTC", "abc", "0").is_none());
        assert_eq!(Balance::parse("ETH", "0", "1.5").unwrap().locked, 1.5);
    }

    #[test]
    fn clipped_messages_are_short_single_lines() {
        assert_eq!(clip("a\nb"), "ab");
        assert_eq!(clip(&"x".repeat(500)).len(), 200);
    }
}
