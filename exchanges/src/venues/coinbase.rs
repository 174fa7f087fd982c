//! Coinbase Exchange (`https://api.exchange.coinbase.com`): `/products`, per-product `/ticker`
//! and `/stats` (no all-markets variant) and `/candles` (no 4h granularity: 1h candles are
//! grouped). Source: Coinbase Exchange REST API reference (docs.cdp.coinbase.com/exchange).

use serde_json::Value;

use crate::error::{ErrorKind, VenueError};
use crate::json::{self, RowLayout};
use crate::model::{BookTicker, Candle, Market, Ticker24h, Timeframe};
use crate::request::{encode, UpstreamRequest};
use crate::venue::{Batching, Quirks, TickerWindow, Venue};
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
            quote_volume: json::decimal(&item["volume"]).map(|volume| volume * last),
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

    fn classify_error(&self, status: u16, body: &str) -> VenueError {
        match serde_json::from_str::<Value>(body) {
            Ok(value) if value["message"].is_string() => classify(status, value["message"].as_str().unwrap_or("")),
            _ => VenueError::from_status(status, body),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venues::fixture::{self, d};

    fn read(name: &str) -> String {
        fixture::read("coinbase", name)
    }

    #[test]
    fn products_list_online_markets() {
        let markets = Coinbase.parse_markets(&read("products.json")).unwrap();
        assert_eq!(markets.len(), 1, "delisted products are skipped");
        let btc = &markets[0];
        assert_eq!((btc.symbol.to_string(), btc.venue_symbol.as_str()), ("BTC/USD".to_string(), "BTC-USD"));
        assert_eq!(
            (btc.price_tick, btc.lot_step, btc.min_notional),
            (Some(d("0.01")), Some(d("0.00000001")), Some(d("1")))
        );
    }

    #[test]
    fn ticker_and_stats_per_product() {
        let request = &Coinbase.book_ticker_requests(&["BTC-USD", "ETH-USD"])[0];
        assert_eq!(request.path_and_query, "/products/BTC-USD/ticker");
        let book = Coinbase.parse_book_tickers(request, &read("products_id_ticker.json")).unwrap();
        assert_eq!((book[0].venue_symbol.as_str(), book[0].bid, book[0].ask), ("BTC-USD", d("6265.15"), d("6267.71")));
        assert!(Coinbase.ticker_24h_requests(&[]).is_empty(), "no all-markets ticker");
        let request = &Coinbase.ticker_24h_requests(&["BTC-USD"])[0];
        let stats = Coinbase.parse_tickers_24h(request, &read("products_id_stats.json")).unwrap();
        assert_eq!((stats[0].open, stats[0].last), (d("5414.18"), d("6250.02")));
    }

    #[test]
    fn candles_reorder_columns_and_group_four_hours() {
        let request = Coinbase.candles_request("BTC-USD", Timeframe::M1, 3, 0);
        assert_eq!(request.path_and_query, "/products/BTC-USD/candles?granularity=60");
        let candles = Coinbase.parse_candles(&request, &read("products_id_candles.json")).unwrap();
        assert_eq!(candles.len(), 3);
        let first = &candles[0];
        assert_eq!(first.open_time_ms, 1_415_398_680_000);
        assert_eq!((first.open, first.high, first.low, first.close), (d("0.51"), d("0.58"), d("0.32"), d("0.35")));
        let four = Coinbase.candles_request("BTC-USD", Timeframe::H4, 3, 0);
        assert_eq!(four.path_and_query, "/products/BTC-USD/candles?granularity=3600");
        assert_eq!(four.group_ms, Some(14_400_000));
        assert!(Coinbase.parse_candles(&request, "[]").unwrap().is_empty());
    }

    #[test]
    fn errors_are_classified() {
        let body = read("error.not_found.json");
        assert_eq!(Coinbase.classify_error(404, &body).kind, ErrorKind::UnknownSymbol);
        assert_eq!(Coinbase.classify_error(429, &read("error.rate_limit.json")).kind, ErrorKind::RateLimited);
        assert_eq!(Coinbase.classify_error(503, "").kind, ErrorKind::Transient);
    }
}
