//! Signed (private) requests to exchanges, used to test a user's API key: each venue module
//! builds its signed requests and reads the answers (pure, tested natively); `test_key` sends
//! them. Binance, Bybit, OKX, Kraken, Coinbase Exchange, Gate.io, HTX, KuCoin and Foxbit sign
//! with HMAC; Mercado Bitcoin's v4 API logs in for a bearer token instead.

pub mod binance;
pub mod bybit;
pub mod coinbase;
pub mod foxbit;
pub mod gateio;
pub mod htx;
pub mod kraken;
pub mod kucoin;
pub mod mercadobitcoin;
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

/// The plain words for a venue limiting this server's requests.
pub fn rate_limited(venue: &str) -> String {
    format!("{venue} is rate-limiting this server; try again in a minute")
}

/// The plain words for an answer that is not the venue's documented format (a proxy's error
/// page, an outage): rate limiting on 429, unavailability otherwise.
pub fn unreadable(venue: &str, status: u16) -> String {
    match status {
        429 => rate_limited(venue),
        _ => format!("{venue} is unavailable right now (HTTP {status}); try again later"),
    }
}

/// A venue's message, bounded and on one line, for a reply to the user.
pub fn clip(message: &str) -> String {
    message.chars().filter(|c| !c.is_control()).take(200).collect()
}

/// Where a key test stands: finished, or one more request to send and how to read its answer
/// (HTX needs the account id before the balance; Mercado Bitcoin a token before anything).
pub enum Step {
    Done(VenueReply),
    Send(Outbound, Box<dyn FnOnce(u16, &str) -> Step>),
}

impl Step {
    /// One request whose answer ends the test.
    pub fn once(request: Outbound, read: fn(u16, &str) -> VenueReply) -> Step {
        Step::Send(request, Box::new(move |status, body| Step::Done(read(status, body))))
    }

    fn refuse(message: String) -> Step {
        Step::Done(VenueReply::Refused(message))
    }
}

/// The most requests one key test may make.
const MAX_STEPS: usize = 3;

/// The first signed read-only request for a venue (`now_ms` is the signing time).
pub fn first_step(env: &Env, exchange: &str, testnet: bool, credentials: &Credentials, now_ms: i64) -> Step {
    let url = |var: &str, default: &str| config::optional(env, var).unwrap_or_else(|| default.to_string());
    let no_testnet = || Step::refuse(format!("{exchange} has no test network; store the key with is_testnet false"));
    match (exchange, testnet) {
        ("binance", false) => {
            let base = url("BINANCE_API_URL", "https://api.binance.com");
            Step::once(binance::account_request(&base, credentials, now_ms), binance::read_account)
        }
        ("binance", true) => {
            let base = url("BINANCE_TESTNET_API_URL", "https://testnet.binance.vision");
            Step::once(binance::account_request(&base, credentials, now_ms), binance::read_account)
        }
        ("bybit", false) => {
            let base = url("BYBIT_API_URL", "https://api.bybit.com");
            Step::once(bybit::wallet_request(&base, credentials, now_ms), bybit::read_wallet)
        }
        ("bybit", true) => {
            let base = url("BYBIT_TESTNET_API_URL", "https://api-testnet.bybit.com");
            Step::once(bybit::wallet_request(&base, credentials, now_ms), bybit::read_wallet)
        }
        ("okx", demo) => {
            let base = url("OKX_API_URL", "https://www.okx.com");
            let timestamp = clock::rfc3339_from_ms(now_ms);
            Step::once(okx::balance_request(&base, credentials, &timestamp, demo), okx::read_balance)
        }
        ("kraken", false) => {
            let base = url("KRAKEN_API_URL", "https://api.kraken.com");
            match kraken::balance_request(&base, credentials, now_ms) {
                Some(request) => Step::once(request, kraken::read_balance),
                None => Step::refuse(kraken::SECRET_NOT_BASE64.into()),
            }
        }
        ("coinbase", sandbox) => {
            let base = if sandbox {
                url("COINBASE_SANDBOX_API_URL", "https://api-public.sandbox.exchange.coinbase.com")
            } else {
                url("COINBASE_API_URL", "https://api.exchange.coinbase.com")
            };
            match coinbase::accounts_request(&base, credentials, now_ms / 1000) {
                Some(request) => Step::once(request, coinbase::read_accounts),
                None => Step::refuse(coinbase::SECRET_NOT_BASE64.into()),
            }
        }
        ("gateio", testnet) => {
            let base = if testnet {
                url("GATEIO_TESTNET_API_URL", "https://api-testnet.gateapi.io")
            } else {
                url("GATEIO_API_URL", "https://api.gateio.ws")
            };
            Step::once(gateio::accounts_request(&base, credentials, now_ms / 1000), gateio::read_accounts)
        }
        ("htx", false) => htx::first_step(&url("HTX_API_URL", "https://api.huobi.pro"), credentials, now_ms),
        ("kucoin", false) => {
            let base = url("KUCOIN_API_URL", "https://api.kucoin.com");
            Step::once(kucoin::accounts_request(&base, credentials, now_ms), kucoin::read_accounts)
        }
        ("foxbit", false) => {
            let base = url("FOXBIT_API_URL", "https://api.foxbit.com.br");
            Step::once(foxbit::accounts_request(&base, credentials, now_ms), foxbit::read_accounts)
        }
        ("mercadobitcoin", false) => {
            mercadobitcoin::first_step(&url("MERCADOBITCOIN_API_URL", "https://api.mercadobitcoin.net"), credentials)
        }
        ("kraken" | "htx" | "kucoin" | "foxbit" | "mercadobitcoin", true) => no_testnet(),
        _ => Step::refuse(format!("Auronex cannot test {exchange} keys yet; the key is stored and can be used later")),
    }
}

/// Makes the signed, read-only requests with the key and reports balances or the refusal.
pub async fn test_key(env: &Env, exchange: &str, is_testnet: bool, credentials: &Credentials) -> KeyTest {
    let mut step = first_step(env, exchange, is_testnet, credentials, clock::now_ms());
    let mut sent = 0;
    let reply = loop {
        match step {
            Step::Done(reply) => break reply,
            Step::Send(..) if sent == MAX_STEPS => {
                break VenueReply::Refused(format!("{exchange} needed more requests than a key test may make"))
            }
            Step::Send(request, read) => {
                sent += 1;
                step = match outbound::send_retrying(&request, exchange).await {
                    Ok(answer) => read(answer.status, &answer.body),
                    Err(_) => Step::refuse(format!("could not reach {exchange}; try again later")),
                };
            }
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

/// Sums balances of one asset held in several accounts (KuCoin's main and trade, HTX's
/// trade and frozen), keeping the venue's order of first appearance.
pub fn merge(balances: impl IntoIterator<Item = Balance>) -> Vec<Balance> {
    let mut merged: Vec<Balance> = Vec::new();
    for balance in balances {
        match merged.iter_mut().find(|b| b.asset == balance.asset) {
            Some(existing) => {
                existing.free += balance.free;
                existing.locked += balance.locked;
            }
            None => merged.push(balance),
        }
    }
    merged
}

/// The value of a header of a built request (for the venue modules' tests).
#[cfg(test)]
pub fn header<'a>(request: &'a Outbound, name: &str) -> Option<&'a str> {
    request.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
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
    fn balances_of_one_asset_are_summed() {
        let merged = merge([
            Balance { asset: "BTC".into(), free: 1.0, locked: 0.0 },
            Balance { asset: "USDT".into(), free: 5.0, locked: 0.0 },
            Balance { asset: "BTC".into(), free: 0.5, locked: 0.25 },
        ]);
        assert_eq!(merged[0], Balance { asset: "BTC".into(), free: 1.5, locked: 0.25 });
        assert_eq!(merged.len(), 2);
    }

    #[test]
    fn clipped_messages_are_short_single_lines() {
        assert_eq!(clip("a\nb"), "ab");
        assert_eq!(clip(&"x".repeat(500)).len(), 200);
    }
}
