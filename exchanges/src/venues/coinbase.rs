//! Coinbase Exchange (`https://api.exchange.coinbase.com`): `/products`, per-product `/ticker`
//! and `/stats` (no all-markets variant) and `/candles` (no 4h granularity: 1h candles are
//! grouped). Source: Coinbase Exchange REST API reference (docs.cdp.coinbase.com/exchange).

use serde_json::Value;

use crate::error::{ErrorKind, VenueError};
use crate::json::{self, RowLayout};
use crate::model::{BookTicker, Candle, Market, Ticker24h, Timeframe};
use crate::request::{encode, iso8601, UpstreamRequest};
use crate::venue::{Batching, HistoryPaging, Quirks, TickerWindow, Venue};
use crate::ExchangeId;

pub struct Coinbase;

static QUIRKS: Quirks = Quirks {
    exchange: ExchangeId::Coinbase,
    symbol_format: "BASE-QUOTE product ids (BTC-USD)",
    quote_currencies: &["USD", "USDC", "USDT", "EUR", "GBP", "BTC"],
    book_ticker_batching: Batching::PerSymbol,
    ticker_24h_batching: Batching::PerSymbol,
    ticker_window: TickerWindow::Rolling24h,
    // "The maximum number of data points for a single request is 300 candles."
    max_candles: 300,
    // Public endpoints: 10 requests per second per IP.
    rate_limit_weight: 10,
    rate_limit_per_seconds: 1,
    // Exchange fee schedule, lowest tier taker 0.60%.
    taker_fee_bps: 60,
    // candles: `start`/`end` (ISO 8601), at most 300 candles of the granularity per request.
    history: HistoryPaging::ByTime { per_page: 300 },
};

/// `[time (s), low, high, open, close, volume]`, newest first.
const CANDLE: RowLayout = RowLayout { columns: [0, 3, 2, 1, 4, 5], time_unit_ms: 1000 };

/// Granularity in seconds, and the grouping for intervals Coinbase does not offer.
fn granularity(timeframe: Timeframe) -> (i64, Option<i64>) {
    match timeframe {
        Timeframe::H4 => (3600, Some(Timeframe::H4.millis())),
        other => (other.seconds(), None),
    }
}

fn check(body: &str) -> Result<Value, VenueError> {
    let value = json::parse("coinbase", body)?;
    if let Some(message) = value.get("message").and_then(Value::as_str) {
        return Err(classify(404, message));
    }
    Ok(value)
}

fn classify(status: u16, message: &str) -> VenueError {
    let kind = match (status, message) {
        (_, "NotFound") | (404, _) => ErrorKind::UnknownSymbol,
        (429, _) => ErrorKind::RateLimited,
        (500..=599, _) => ErrorKind::Transient,
        _ if message.contains("rate limit") => ErrorKind::RateLimited,
        _ => ErrorKind::Terminal,
    };
    VenueError::new(kind, format!("coinbase {status}: {message}"))
}

fn product(request: &UpstreamRequest) -> Result<String, VenueError> {
    request.venue_symbol.clone().ok_or_else(|| VenueError::terminal("coinbase request without a product id"))
}

impl Venue for Coinbase {
    fn quirks(&self) -> &'static Quirks {
        &QUIRKS
    }

    fn markets_request(&self) -> UpstreamRequest {
        UpstreamRequest::new("/products", 1)
    }

    fn parse_markets(&self, body: &str) -> Result<Vec<Market>, VenueError> {
        let value = check(body)?;
        let mut markets = Vec::new();
        for item in json::array("products", &value)? {
            let tradable =
                item["status"] == "online" && item["trading_disabled"] != true && item["cancel_only"] != true;
            let base = json::req_str("products", item, "base_currency")?;
            let quote = json::req_str("products", item, "quote_currency")?;
            let Some(symbol) = super::unified(base, quote).filter(|_| tradable) else {
                continue;
            };
            markets.push(Market {
                symbol,
                venue_symbol: json::req_str("products", item, "id")?.to_string(),
                price_tick: json::positive(&item["quote_increment"]),
                lot_step: json::positive(&item["base_increment"]),
                min_qty: json::positive(&item["base_min_size"]),
                min_notional: json::positive(&item["min_market_funds"]),
            });
        }
        Ok(markets)
    }

    fn book_ticker_requests(&self, venue_symbols: &[&str]) -> Vec<UpstreamRequest> {
        venue_symbols
            .iter()
            .map(|id| UpstreamRequest::new(format!("/products/{}/ticker", encode(id)), 1).about(id))
            .collect()
    }

    fn parse_book_tickers(&self, request: &UpstreamRequest, body: &str) -> Result<Vec<BookTicker>, VenueError> {
        let item = check(body)?;
        Ok(vec![BookTicker {
            venue_symbol: product(request)?,
            bid: json::req_decimal("ticker", &item, "bid")?,
            ask: json::req_decimal("ticker", &item, "ask")?,
            bid_qty: None,
            ask_qty: None,
        }])
    }

    fn ticker_24h_requests(&self, venue_symbols: &[&str]) -> Vec<UpstreamRequest> {
        venue_symbols
            .iter()
            .map(|id| UpstreamRequest::new(format!("/products/{}/stats", encode(id)), 1).about(id))
            .collect()
    }

    fn parse_tickers_24h(&self, request: &UpstreamRequest, body: &str) -> Result<Vec<Ticker24h>, VenueError> {
        let item = check(body)?;
        let last = json::req_decimal("stats", &item, "last")?;
        Ok(vec![Ticker24h {
            venue_symbol: product(request)?,
            last,
            open: json::req_decimal("stats", &item, "open")?,
            quote_volume: json::decimal(&item["volume"]).and_then(|volume| volume.checked_mul(last)),
        }])
    }

    fn candles_request(&self, venue_symbol: &str, timeframe: Timeframe, _limit: u16, _now_ms: i64) -> UpstreamRequest {
        let (seconds, group) = granularity(timeframe);
        let request =
            UpstreamRequest::new(format!("/products/{}/candles?granularity={seconds}", encode(venue_symbol)), 1)
                .about(venue_symbol);
        match group {
            Some(group_ms) => request.grouped(group_ms),
            None => request,
        }
    }

    fn parse_candles(&self, request: &UpstreamRequest, body: &str) -> Result<Vec<Candle>, VenueError> {
        let value = check(body)?;
        json::candle_rows("candles", &value, &CANDLE, request.group_ms)
    }

    fn history_request(
        &self,
        venue_symbol: &str,
        timeframe: Timeframe,
        start_ms: i64,
        end_ms: i64,
    ) -> Option<UpstreamRequest> {
        let (seconds, group) = granularity(timeframe);
        let path = format!(
            "/products/{}/candles?granularity={seconds}&start={}&end={}",
            encode(venue_symbol),
            encode(&iso8601(start_ms)),
            encode(&iso8601(end_ms - 1000))
        );
        let request = UpstreamRequest::new(path, 1).about(venue_symbol);
        Some(match group {
            Some(group_ms) => request.grouped(group_ms),
            None => request,
        })
    }

    fn history_page_ms(&self, timeframe: Timeframe) -> Option<i64> {
        Some(300 * granularity(timeframe).0 * 1000)
    }

    fn classify_error(&self, status: u16, body: &str) -> VenueError {
        match serde_json::from_str::<Value>(body) {
            Ok(value) if value["message"].is_string() => classify(status, value["message"].as_str().unwrap_or("")),
            _ => VenueError::from_status(status, body),
        }
    }
}
