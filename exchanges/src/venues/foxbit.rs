//! Foxbit REST v3 (`https://api.foxbit.com.br`): `/rest/v3/markets`, per-market
//! `/rest/v3/markets/{m}/ticker/24hr` (best bid/ask), all-markets `/rest/v3/markets/ticker/24hr`
//! and `/rest/v3/markets/{m}/candlesticks`. Market symbols are lower-case (`btcbrl`).
//! Source: Foxbit API v3 reference (docs.foxbit.com.br/rest/v3).

use serde_json::Value;

use crate::error::{ErrorKind, VenueError};
use crate::json::{self, RowLayout};
use crate::model::{BookTicker, Candle, Market, Ticker24h, Timeframe};
use crate::request::{encode, iso8601, UpstreamRequest};
use crate::venue::{Batching, HistoryPaging, Quirks, TickerWindow, Venue};
use crate::ExchangeId;

pub struct Foxbit;

static QUIRKS: Quirks = Quirks {
    exchange: ExchangeId::Foxbit,
    symbol_format: "lower-case basequote (btcbrl), mapped through base.symbol/quote.symbol",
    quote_currencies: &["BRL", "USDT", "BTC"],
    book_ticker_batching: Batching::PerSymbol,
    ticker_24h_batching: Batching::All,
    ticker_window: TickerWindow::Rolling24h,
    // candlesticks: limit up to 500.
    max_candles: 500,
    // 300 units per 10 s per IP; markets cost 5, a market's ticker 15, candlesticks 12 and
    // the all-markets ticker 60 (one request per two seconds).
    rate_limit_weight: 300,
    rate_limit_per_seconds: 10,
    taker_fee_bps: 50,
    // candlesticks: `start_time`/`end_time` (ISO 8601), `limit` up to 500.
    history: HistoryPaging::ByTime { per_page: 500 },
};

/// `[open time (ms), open, high, low, close, close time, base volume, quote volume, trades, ...]`.
const CANDLE: RowLayout = RowLayout { columns: [0, 1, 2, 3, 4, 6], time_unit_ms: 1 };

/// Errors are `{"error": {"message": "...", "code": 4004, ...}}`.
fn check(body: &str) -> Result<Value, VenueError> {
    let value = json::parse("foxbit", body)?;
    if value["error"].is_object() {
        return Err(classify(0, &value["error"]));
    }
    Ok(value)
}

fn classify(status: u16, error: &Value) -> VenueError {
    let code = json::int(&error["code"]).unwrap_or(i64::from(status));
    let message = error["message"].as_str().unwrap_or("");
    let kind = match code {
        // 4004 "Invalid symbol. The market or asset symbol is invalid or was not found."
        4004 => ErrorKind::UnknownSymbol,
        429 => ErrorKind::RateLimited,
        // 5001 service unavailable, 5002/5003 maintenance.
        500 | 5001..=5003 => ErrorKind::Transient,
        _ => ErrorKind::Terminal,
    };
    VenueError::new(kind, format!("foxbit {code}: {message}"))
}

fn data(value: &Value) -> Result<&Vec<Value>, VenueError> {
    json::array("foxbit data", &value["data"])
}

fn upper(value: &Value) -> Option<String> {
    value["symbol"].as_str().map(str::to_ascii_uppercase)
}

impl Venue for Foxbit {
    fn quirks(&self) -> &'static Quirks {
        &QUIRKS
    }

    fn markets_request(&self) -> UpstreamRequest {
        UpstreamRequest::new("/rest/v3/markets", 5)
    }

    fn parse_markets(&self, body: &str) -> Result<Vec<Market>, VenueError> {
        let value = check(body)?;
        let mut markets = Vec::new();
        for item in data(&value)? {
            let (Some(base), Some(quote)) = (upper(&item["base"]), upper(&item["quote"])) else {
                continue;
            };
            let Some(symbol) = super::unified(&base, &quote) else {
                continue;
            };
            markets.push(Market {
                symbol,
                venue_symbol: json::req_str("markets", item, "symbol")?.to_string(),
                price_tick: json::positive(&item["price_increment"]),
                lot_step: json::positive(&item["quantity_increment"]),
                min_qty: json::positive(&item["quantity_min"]),
                min_notional: None,
            });
        }
        Ok(markets)
    }

    fn book_ticker_requests(&self, venue_symbols: &[&str]) -> Vec<UpstreamRequest> {
        venue_symbols
            .iter()
            .map(|m| UpstreamRequest::new(format!("/rest/v3/markets/{}/ticker/24hr", encode(m)), 15).about(m))
            .collect()
    }

    fn parse_book_tickers(&self, _: &UpstreamRequest, body: &str) -> Result<Vec<BookTicker>, VenueError> {
        let value = check(body)?;
        Ok(data(&value)?
            .iter()
            .filter_map(|item| {
                let best = &item["best"];
                Some(BookTicker {
                    venue_symbol: item["market_symbol"].as_str()?.to_string(),
                    bid: json::positive(&best["bid"]["price"])?,
                    ask: json::positive(&best["ask"]["price"])?,
                    bid_qty: json::decimal(&best["bid"]["volume"]),
                    ask_qty: json::decimal(&best["ask"]["volume"]),
                })
            })
            .collect())
    }

    fn ticker_24h_requests(&self, venue_symbols: &[&str]) -> Vec<UpstreamRequest> {
        match venue_symbols {
            [] => vec![UpstreamRequest::new("/rest/v3/markets/ticker/24hr", 60)],
            some => self.book_ticker_requests(some),
        }
    }

    fn parse_tickers_24h(&self, _: &UpstreamRequest, body: &str) -> Result<Vec<Ticker24h>, VenueError> {
        let value = check(body)?;
        Ok(data(&value)?
            .iter()
            .filter_map(|item| {
                let last = json::decimal(&item["last_trade"]["price"])?;
                let rolling = &item["rolling_24h"];
                Some(Ticker24h {
                    venue_symbol: item["market_symbol"].as_str()?.to_string(),
                    last,
                    open: json::decimal(&rolling["open"])?,
                    quote_volume: json::decimal(&rolling["volume"]).and_then(|volume| volume.checked_mul(last)),
                })
            })
            .collect())
    }

    fn candles_request(&self, venue_symbol: &str, timeframe: Timeframe, limit: u16, _now_ms: i64) -> UpstreamRequest {
        let limit = limit.clamp(1, QUIRKS.max_candles);
        UpstreamRequest::new(
            format!(
                "/rest/v3/markets/{}/candlesticks?interval={}&limit={limit}",
                encode(venue_symbol),
                timeframe.as_str()
            ),
            12,
        )
        .about(venue_symbol)
    }

    fn parse_candles(&self, request: &UpstreamRequest, body: &str) -> Result<Vec<Candle>, VenueError> {
        let value = check(body)?;
        json::candle_rows("candlesticks", &value, &CANDLE, request.group_ms)
    }

    fn history_request(
        &self,
        venue_symbol: &str,
        timeframe: Timeframe,
        start_ms: i64,
        end_ms: i64,
    ) -> Option<UpstreamRequest> {
        let path = format!(
            "/rest/v3/markets/{}/candlesticks?interval={}&start_time={}&end_time={}&limit=500",
            encode(venue_symbol),
            timeframe.as_str(),
            encode(&iso8601(start_ms)),
            encode(&iso8601(end_ms - 1))
        );
        Some(UpstreamRequest::new(path, 12).about(venue_symbol))
    }

    fn classify_error(&self, status: u16, body: &str) -> VenueError {
        match serde_json::from_str::<Value>(body) {
            Ok(value) if value["error"].is_object() && status != 429 => classify(status, &value["error"]),
            _ => VenueError::from_status(status, body),
        }
    }
}
