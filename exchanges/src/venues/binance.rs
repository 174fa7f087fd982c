//! Binance spot (`https://api.binance.com`): `/api/v3/exchangeInfo`, `/ticker/bookTicker`,
//! `/ticker/24hr` and `/klines`. Source: binance/binance-spot-api-docs, rest-api.md,
//! filters.md, errors.md and enums.md.

use serde_json::Value;

use crate::error::{ErrorKind, VenueError};
use crate::json::{self, RowLayout};
use crate::model::{BookTicker, Candle, Market, Ticker24h, Timeframe};
use crate::request::{encode, UpstreamRequest};
use crate::venue::{chunks, Batching, HistoryPaging, Quirks, TickerWindow, Venue};
use crate::ExchangeId;

pub struct Binance;

static QUIRKS: Quirks = Quirks {
    exchange: ExchangeId::Binance,
    symbol_format: "BASEQUOTE (BTCUSDT), mapped through exchangeInfo's baseAsset/quoteAsset",
    quote_currencies: &["USDT", "USDC", "FDUSD", "BTC", "ETH", "BNB", "BRL", "EUR", "TRY"],
    book_ticker_batching: Batching::List { max: 100 },
    ticker_24h_batching: Batching::List { max: 20 },
    ticker_window: TickerWindow::Rolling24h,
    max_candles: 1000,
    // enums.md: REQUEST_WEIGHT 6000 per minute per IP.
    rate_limit_weight: 6000,
    rate_limit_per_seconds: 60,
    taker_fee_bps: 10,
    // klines: `startTime`/`endTime` (ms, inclusive), `limit` up to 1000, oldest first.
    history: HistoryPaging::ByTime { per_page: 1000 },
};

const KLINE: RowLayout = RowLayout { columns: [0, 1, 2, 3, 4, 5], time_unit_ms: 1 };

/// `["BTCUSDT","ETHUSDT"]`, percent-encoded, for the `symbols` parameter.
fn symbols_param(venue_symbols: &[&str]) -> String {
    let quoted: Vec<String> = venue_symbols.iter().map(|s| format!("\"{s}\"")).collect();
    encode(&format!("[{}]", quoted.join(",")))
}

/// Binance answers a list endpoint with an object when asked for one symbol.
fn items(body: &Value) -> Vec<&Value> {
    match body {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

fn filter<'a>(symbol: &'a Value, kind: &str) -> Option<&'a Value> {
    symbol["filters"].as_array()?.iter().find(|f| f["filterType"] == kind)
}

/// A 2xx body can still be `{"code": -1121, "msg": ...}`.
fn check(body: &str) -> Result<Value, VenueError> {
    let value = json::parse("binance", body)?;
    if value.get("code").is_some() && value.get("msg").is_some() {
        return Err(classify(&value));
    }
    Ok(value)
}

fn classify(value: &Value) -> VenueError {
    let code = value["code"].as_i64().unwrap_or_default();
    let message = format!("binance {code}: {}", value["msg"].as_str().unwrap_or(""));
    let kind = match code {
        // -1121 Invalid symbol; -1100/-1102 a bad or missing symbol parameter.
        -1121 => ErrorKind::UnknownSymbol,
        // -1003 too many requests; -1015 too many orders.
        -1003 | -1015 => ErrorKind::RateLimited,
        // -1000 unknown, -1001 disconnected, -1007 timeout, -1008 server busy.
        -1000 | -1001 | -1007 | -1008 => ErrorKind::Transient,
        _ => ErrorKind::Terminal,
    };
    VenueError::new(kind, message)
}

impl Venue for Binance {
    fn quirks(&self) -> &'static Quirks {
        &QUIRKS
    }

    fn markets_request(&self) -> UpstreamRequest {
        UpstreamRequest::new("/api/v3/exchangeInfo?permissions=SPOT&showPermissionSets=false", 20)
    }

    fn parse_markets(&self, body: &str) -> Result<Vec<Market>, VenueError> {
        let value = check(body)?;
        let symbols = json::array("exchangeInfo", &value["symbols"])?;
        let mut markets = Vec::with_capacity(symbols.len());
        for item in symbols {
            let tradable = item["status"] == "TRADING" && item["isSpotTradingAllowed"] != false;
            let base = json::req_str("exchangeInfo", item, "baseAsset")?;
            let quote = json::req_str("exchangeInfo", item, "quoteAsset")?;
            let Some(symbol) = super::unified(base, quote).filter(|_| tradable) else {
                continue;
            };
            let lot = filter(item, "LOT_SIZE");
            let notional = filter(item, "NOTIONAL").or_else(|| filter(item, "MIN_NOTIONAL"));
            markets.push(Market {
                symbol,
                venue_symbol: json::req_str("exchangeInfo", item, "symbol")?.to_string(),
                price_tick: filter(item, "PRICE_FILTER").and_then(|f| json::positive(&f["tickSize"])),
                lot_step: lot.and_then(|f| json::positive(&f["stepSize"])),
                min_qty: lot.and_then(|f| json::positive(&f["minQty"])),
                min_notional: notional.and_then(|f| json::positive(&f["minNotional"])),
            });
        }
        Ok(markets)
    }

    fn book_ticker_requests(&self, venue_symbols: &[&str]) -> Vec<UpstreamRequest> {
        chunks(QUIRKS.book_ticker_batching, venue_symbols)
            .into_iter()
            .filter(|chunk| !chunk.is_empty())
            .map(|chunk| {
                let query = symbols_param(chunk);
                UpstreamRequest::new(format!("/api/v3/ticker/bookTicker?symbols={query}"), 4)
            })
            .collect()
    }

    fn parse_book_tickers(&self, _: &UpstreamRequest, body: &str) -> Result<Vec<BookTicker>, VenueError> {
        let value = check(body)?;
        items(&value)
            .into_iter()
            .map(|item| {
                Ok(BookTicker {
                    venue_symbol: json::req_str("bookTicker", item, "symbol")?.to_string(),
                    bid: json::req_decimal("bookTicker", item, "bidPrice")?,
                    ask: json::req_decimal("bookTicker", item, "askPrice")?,
                    bid_qty: json::decimal(&item["bidQty"]),
                    ask_qty: json::decimal(&item["askQty"]),
                })
            })
            .collect()
    }

    fn ticker_24h_requests(&self, venue_symbols: &[&str]) -> Vec<UpstreamRequest> {
        if venue_symbols.is_empty() {
            return vec![UpstreamRequest::new("/api/v3/ticker/24hr?type=MINI", 80)];
        }
        chunks(QUIRKS.ticker_24h_batching, venue_symbols)
            .into_iter()
            .map(|chunk| {
                let query = symbols_param(chunk);
                UpstreamRequest::new(format!("/api/v3/ticker/24hr?type=MINI&symbols={query}"), 2)
            })
            .collect()
    }

    fn parse_tickers_24h(&self, _: &UpstreamRequest, body: &str) -> Result<Vec<Ticker24h>, VenueError> {
        let value = check(body)?;
        items(&value)
            .into_iter()
            .map(|item| {
                Ok(Ticker24h {
                    venue_symbol: json::req_str("ticker/24hr", item, "symbol")?.to_string(),
                    last: json::req_decimal("ticker/24hr", item, "lastPrice")?,
                    open: json::req_decimal("ticker/24hr", item, "openPrice")?,
                    quote_volume: json::decimal(&item["quoteVolume"]),
                })
            })
            .collect()
    }

    fn candles_request(&self, venue_symbol: &str, timeframe: Timeframe, limit: u16, _now_ms: i64) -> UpstreamRequest {
        let limit = limit.clamp(1, QUIRKS.max_candles);
        UpstreamRequest::new(
            format!("/api/v3/klines?symbol={}&interval={}&limit={limit}", encode(venue_symbol), timeframe.as_str()),
            2,
        )
        .about(venue_symbol)
    }

    fn parse_candles(&self, _: &UpstreamRequest, body: &str) -> Result<Vec<Candle>, VenueError> {
        let value = check(body)?;
        json::candle_rows("klines", &value, &KLINE, None)
    }

    fn history_request(
        &self,
        venue_symbol: &str,
        timeframe: Timeframe,
        start_ms: i64,
        end_ms: i64,
    ) -> Option<UpstreamRequest> {
        let path = format!(
            "/api/v3/klines?symbol={}&interval={}&startTime={start_ms}&endTime={}&limit=1000",
            encode(venue_symbol),
            timeframe.as_str(),
            end_ms - 1
        );
        Some(UpstreamRequest::new(path, 2).about(venue_symbol))
    }

    fn classify_error(&self, status: u16, body: &str) -> VenueError {
        match serde_json::from_str::<Value>(body) {
            Ok(value) if value.get("code").is_some() && status != 429 && status != 418 => classify(&value),
            _ => VenueError::from_status(status, body),
        }
    }
}
