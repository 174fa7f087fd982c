//! Kraken spot (`https://api.kraken.com`): `/0/public/AssetPairs`, `/0/public/Ticker` and
//! `/0/public/OHLC`. Pairs are keyed by legacy names (`XXBTZUSD`) and assets use Kraken's own
//! codes (`XBT`, `XDG`), which are mapped to the common ones here.
//! Source: Kraken REST API documentation (docs.kraken.com/api/docs/rest-api/*).

use serde_json::{Map, Value};

use crate::error::{ErrorKind, VenueError};
use crate::json::{self, RowLayout};
use crate::model::{BookTicker, Candle, Market, Ticker24h, Timeframe};
use crate::request::{encode, UpstreamRequest};
use crate::venue::{chunks, Batching, HistoryPaging, Quirks, TickerWindow, Venue};
use crate::ExchangeId;

pub struct Kraken;

static QUIRKS: Quirks = Quirks {
    exchange: ExchangeId::Kraken,
    symbol_format: "legacy pair keys (XXBTZUSD; altname XBTUSD; wsname XBT/USD), XBT = BTC, XDG = DOGE",
    quote_currencies: &["USD", "EUR", "USDT", "USDC", "BTC", "ETH", "GBP"],
    book_ticker_batching: Batching::List { max: 50 },
    ticker_24h_batching: Batching::All,
    // Ticker "o" is today's opening price (00:00 UTC), not a rolling 24h open.
    ticker_window: TickerWindow::SinceMidnightUtc,
    // OHLC returns up to 720 of the most recent entries.
    max_candles: 720,
    // Public endpoints: about one call per second per IP.
    rate_limit_weight: 1,
    rate_limit_per_seconds: 1,
    // Kraken Pro's lowest-volume taker fee, 0.40%.
    taker_fee_bps: 40,
    history: HistoryPaging::Unavailable {
        why: "Kraken's OHLC endpoint returns only the latest 720 candles whatever `since` asks for",
    },
};

/// `[time (s), open, high, low, close, vwap, volume, count]`.
const OHLC: RowLayout = RowLayout { columns: [0, 1, 2, 3, 4, 6], time_unit_ms: 1000 };

/// Kraken's asset codes in common spelling: `XXBT`/`XBT` -> BTC, `XDG` -> DOGE, `ZUSD` -> USD.
pub fn asset(code: &str) -> String {
    let code = match code.len() {
        4 if code.starts_with('X') || code.starts_with('Z') => &code[1..],
        _ => code,
    };
    match code {
        "XBT" => "BTC".to_string(),
        "XDG" => "DOGE".to_string(),
        other => other.to_string(),
    }
}

/// Every answer is `{"error": [...], "result": {...}}`; a non-empty `error` is a failure.
fn result(body: &str) -> Result<Map<String, Value>, VenueError> {
    let mut value = json::parse("kraken", body)?;
    if let Some(first) = value["error"].as_array().and_then(|errors| errors.first()) {
        return Err(classify(first.as_str().unwrap_or("")));
    }
    match value["result"].take() {
        Value::Object(map) => Ok(map),
        _ => Err(VenueError::malformed("kraken", "`result` missing")),
    }
}

fn classify(message: &str) -> VenueError {
    let kind = if message.starts_with("EQuery:Unknown asset pair") {
        ErrorKind::UnknownSymbol
    } else if message.contains("Rate limit") || message.contains("Too many requests") {
        ErrorKind::RateLimited
    } else if message.starts_with("EService:") || message.starts_with("EGeneral:Temporary lockout") {
        ErrorKind::Transient
    } else {
        ErrorKind::Terminal
    };
    VenueError::new(kind, format!("kraken {message}"))
}

/// `(base, quote)` of a pair, from its wsname (`XBT/USD`) or its asset ids.
fn base_quote(item: &Value) -> Option<(String, String)> {
    if let Some((base, quote)) = item["wsname"].as_str().and_then(|ws| ws.split_once('/')) {
        return Some((asset(base), asset(quote)));
    }
    Some((asset(item["base"].as_str()?), asset(item["quote"].as_str()?)))
}

fn first(value: &Value) -> Option<rust_decimal::Decimal> {
    json::decimal(&value[0])
}

impl Venue for Kraken {
    fn quirks(&self) -> &'static Quirks {
        &QUIRKS
    }

    fn markets_request(&self) -> UpstreamRequest {
        UpstreamRequest::new("/0/public/AssetPairs", 1)
    }

    fn parse_markets(&self, body: &str) -> Result<Vec<Market>, VenueError> {
        let mut markets = Vec::new();
        for (key, item) in result(body)? {
            let online = item["status"].as_str().is_none_or(|status| status == "online");
            let Some((base, quote)) = base_quote(&item).filter(|_| online) else {
                continue;
            };
            let Some(symbol) = super::unified(&base, &quote) else {
                continue;
            };
            markets.push(Market {
                symbol,
                venue_symbol: key,
                price_tick: json::positive(&item["tick_size"])
                    .or_else(|| item["pair_decimals"].as_i64().and_then(json::step_from_places)),
                lot_step: item["lot_decimals"].as_i64().and_then(json::step_from_places),
                min_qty: json::positive(&item["ordermin"]),
                min_notional: json::positive(&item["costmin"]),
            });
        }
        Ok(markets)
    }

    fn book_ticker_requests(&self, venue_symbols: &[&str]) -> Vec<UpstreamRequest> {
        chunks(QUIRKS.book_ticker_batching, venue_symbols)
            .into_iter()
            .filter(|chunk| !chunk.is_empty())
            .map(|chunk| UpstreamRequest::new(format!("/0/public/Ticker?pair={}", encode(&chunk.join(","))), 1))
            .collect()
    }

    fn parse_book_tickers(&self, _: &UpstreamRequest, body: &str) -> Result<Vec<BookTicker>, VenueError> {
        Ok(result(body)?
            .into_iter()
            .filter_map(|(key, item)| {
                Some(BookTicker {
                    venue_symbol: key,
                    bid: first(&item["b"])?,
                    ask: first(&item["a"])?,
                    bid_qty: json::decimal(&item["b"][2]),
                    ask_qty: json::decimal(&item["a"][2]),
                })
            })
            .collect())
    }

    fn ticker_24h_requests(&self, venue_symbols: &[&str]) -> Vec<UpstreamRequest> {
        if venue_symbols.is_empty() {
            return vec![UpstreamRequest::new("/0/public/Ticker", 1)];
        }
        self.book_ticker_requests(venue_symbols)
    }

    fn parse_tickers_24h(&self, _: &UpstreamRequest, body: &str) -> Result<Vec<Ticker24h>, VenueError> {
        Ok(result(body)?
            .into_iter()
            .filter_map(|(key, item)| {
                // v[1] is the last-24h volume (base), p[1] its volume-weighted price.
                let quote_volume = json::decimal(&item["v"][1])
                    .zip(json::decimal(&item["p"][1]))
                    .and_then(|(volume, vwap)| volume.checked_mul(vwap));
                Some(Ticker24h {
                    venue_symbol: key,
                    last: first(&item["c"])?,
                    open: json::decimal(&item["o"])?,
                    quote_volume,
                })
            })
            .collect())
    }

    fn candles_request(&self, venue_symbol: &str, timeframe: Timeframe, _limit: u16, _now_ms: i64) -> UpstreamRequest {
        let minutes = timeframe.seconds() / 60;
        UpstreamRequest::new(format!("/0/public/OHLC?pair={}&interval={minutes}", encode(venue_symbol)), 1)
            .about(venue_symbol)
    }

    fn parse_candles(&self, request: &UpstreamRequest, body: &str) -> Result<Vec<Candle>, VenueError> {
        let result = result(body)?;
        let rows = request
            .venue_symbol
            .as_ref()
            .and_then(|key| result.get(key))
            .or_else(|| result.iter().find(|(key, _)| *key != "last").map(|(_, rows)| rows));
        let Some(rows) = rows else {
            return Ok(Vec::new());
        };
        json::candle_rows("OHLC", rows, &OHLC, request.group_ms)
    }

    fn history_request(&self, _: &str, _: Timeframe, _: i64, _: i64) -> Option<UpstreamRequest> {
        None
    }

    fn classify_error(&self, status: u16, body: &str) -> VenueError {
        match result(body) {
            Err(error) if body.contains("\"error\"") && status != 429 => error,
            _ => VenueError::from_status(status, body),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::asset;

    #[test]
    fn legacy_asset_codes() {
        assert_eq!(asset("XXBT"), "BTC");
        assert_eq!(asset("ZUSD"), "USD");
        assert_eq!(asset("XDG"), "DOGE");
        assert_eq!(asset("USDT"), "USDT");
    }
}
