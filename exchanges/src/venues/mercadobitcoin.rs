//! Mercado Bitcoin API v4 (`https://api.mercadobitcoin.net`): `/api/v4/symbols` (columnar, in
//! TradingView's UDF layout), `/api/v4/tickers?symbols=` and `/api/v4/candles` (columnar; no 5m
//! or 4h resolution, so 1m and 1h candles are grouped).
//! Source: Mercado Bitcoin API v4 reference (api.mercadobitcoin.net/api/v4/docs).

use serde_json::Value;

use crate::error::{ErrorKind, VenueError};
use crate::json;
use crate::model::{BookTicker, Candle, Market, Ticker24h, Timeframe};
use crate::request::{encode, UpstreamRequest};
use crate::venue::{chunks, Batching, HistoryPaging, Quirks, TickerWindow, Venue};
use crate::ExchangeId;

pub struct MercadoBitcoin;

static QUIRKS: Quirks = Quirks {
    exchange: ExchangeId::Mercadobitcoin,
    symbol_format: "BASE-QUOTE (BTC-BRL)",
    quote_currencies: &["BRL"],
    book_ticker_batching: Batching::List { max: 50 },
    ticker_24h_batching: Batching::List { max: 50 },
    ticker_window: TickerWindow::Rolling24h,
    max_candles: 200,
    // Public data: 1 request per second per endpoint.
    rate_limit_weight: 1,
    rate_limit_per_seconds: 1,
    // Lowest-tier taker fee 0.70%.
    taker_fee_bps: 70,
    // candles: `from`/`to` (Unix seconds); pages kept to `max_candles` of the resolution.
    history: HistoryPaging::ByTime { per_page: 200 },
};

/// `(resolution, grouping)` for each timeframe; 5m and 4h are built from 1m and 1h.
fn resolution(timeframe: Timeframe) -> (&'static str, i64) {
    match timeframe {
        Timeframe::M1 => ("1m", 1),
        Timeframe::M5 => ("1m", 5),
        Timeframe::M15 => ("15m", 1),
        Timeframe::H1 => ("1h", 1),
        Timeframe::H4 => ("1h", 4),
        Timeframe::D1 => ("1d", 1),
    }
}

/// Errors are `{"code": "...", "message": "..."}` with an HTTP 4xx/5xx.
fn check(body: &str) -> Result<Value, VenueError> {
    let value = json::parse("mercadobitcoin", body)?;
    if value.get("code").is_some() && value.get("message").is_some() {
        return Err(classify(0, &value));
    }
    Ok(value)
}

fn classify(status: u16, value: &Value) -> VenueError {
    let code = value["code"].as_str().unwrap_or("");
    let message = value["message"].as_str().unwrap_or("");
    let text = format!("{code} {message}").to_ascii_lowercase();
    // Codes may come namespaced (`API|REQUEST_BLOCKED`); the last part names the error.
    let name = code.rsplit('|').next().unwrap_or("");
    let kind = if status == 429
        || matches!(name, "REQUEST_RATE_EXCEEDED" | "REQUEST_DENIED" | "REQUEST_BLOCKED")
        || text.contains("too many")
    {
        ErrorKind::RateLimited
    } else if text.contains("symbol") || text.contains("not found") || status == 404 {
        ErrorKind::UnknownSymbol
    } else if status >= 500 || name == "API_UNAVAILABLE" {
        ErrorKind::Transient
    } else {
        ErrorKind::Terminal
    };
    VenueError::new(kind, format!("mercadobitcoin {code}: {message}"))
}

/// The `index`-th entry of a columnar field.
fn column<'a>(value: &'a Value, field: &str, index: usize) -> &'a Value {
    &value[field][index]
}

impl Venue for MercadoBitcoin {
    fn quirks(&self) -> &'static Quirks {
        &QUIRKS
    }

    fn markets_request(&self) -> UpstreamRequest {
        UpstreamRequest::new("/api/v4/symbols", 1)
    }

    fn parse_markets(&self, body: &str) -> Result<Vec<Market>, VenueError> {
        let value = check(body)?;
        let names = json::array("symbols", &value["symbol"])?;
        let mut markets = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let Some(name) = name.as_str() else { continue };
            let traded = column(&value, "exchange-traded", i) != &Value::Bool(false)
                && column(&value, "exchange-listed", i) != &Value::Bool(false);
            let base = column(&value, "base-currency", i).as_str();
            let quote = column(&value, "currency", i).as_str();
            let (Some(base), Some(quote)) = (base, quote) else {
                continue;
            };
            let Some(symbol) = super::unified(base, quote).filter(|_| traded) else {
                continue;
            };
            // UDF: the price step is minmovement / pricescale.
            let tick =
                json::decimal(column(&value, "pricescale", i)).filter(|scale| !scale.is_zero()).and_then(|scale| {
                    json::decimal(column(&value, "minmovement", i))
                        .unwrap_or(rust_decimal::Decimal::ONE)
                        .checked_div(scale)
                });
            markets.push(Market {
                symbol,
                venue_symbol: name.to_string(),
                price_tick: tick.map(|t| t.normalize()),
                lot_step: None,
                min_qty: json::positive(column(&value, "min-volume", i)),
                min_notional: None,
            });
        }
        Ok(markets)
    }

    fn book_ticker_requests(&self, venue_symbols: &[&str]) -> Vec<UpstreamRequest> {
        chunks(QUIRKS.book_ticker_batching, venue_symbols)
            .into_iter()
            .filter(|chunk| !chunk.is_empty())
            .map(|chunk| UpstreamRequest::new(format!("/api/v4/tickers?symbols={}", encode(&chunk.join(","))), 1))
            .collect()
    }

    fn parse_book_tickers(&self, _: &UpstreamRequest, body: &str) -> Result<Vec<BookTicker>, VenueError> {
        let value = check(body)?;
        Ok(json::array("tickers", &value)?
            .iter()
            .filter_map(|item| {
                Some(BookTicker {
                    venue_symbol: item["pair"].as_str()?.to_string(),
                    bid: json::positive(&item["buy"])?,
                    ask: json::positive(&item["sell"])?,
                    bid_qty: None,
                    ask_qty: None,
                })
            })
            .collect())
    }

    fn ticker_24h_requests(&self, venue_symbols: &[&str]) -> Vec<UpstreamRequest> {
        self.book_ticker_requests(venue_symbols)
    }

    fn parse_tickers_24h(&self, _: &UpstreamRequest, body: &str) -> Result<Vec<Ticker24h>, VenueError> {
        let value = check(body)?;
        Ok(json::array("tickers", &value)?
            .iter()
            .filter_map(|item| {
                let last = json::decimal(&item["last"])?;
                Some(Ticker24h {
                    venue_symbol: item["pair"].as_str()?.to_string(),
                    last,
                    open: json::decimal(&item["open"])?,
                    // `vol` is the base volume; its value at the last price approximates turnover.
                    quote_volume: json::decimal(&item["vol"]).and_then(|vol| vol.checked_mul(last)),
                })
            })
            .collect())
    }

    fn candles_request(&self, venue_symbol: &str, timeframe: Timeframe, limit: u16, now_ms: i64) -> UpstreamRequest {
        let (resolution, group) = resolution(timeframe);
        let countback = i64::from(limit.clamp(1, QUIRKS.max_candles)) * group + group;
        let request = UpstreamRequest::new(
            format!(
                "/api/v4/candles?symbol={}&resolution={resolution}&to={}&countback={countback}",
                encode(venue_symbol),
                now_ms / 1000
            ),
            1,
        )
        .about(venue_symbol);
        if group > 1 {
            request.grouped(timeframe.millis())
        } else {
            request
        }
    }

    fn parse_candles(&self, request: &UpstreamRequest, body: &str) -> Result<Vec<Candle>, VenueError> {
        let value = check(body)?;
        let times = json::array("candles", &value["t"])?;
        let field = |name: &str, i: usize| {
            json::decimal(&value[name][i])
                .ok_or_else(|| VenueError::malformed("candles", format!("`{name}[{i}]` missing")))
        };
        let mut candles = Vec::with_capacity(times.len());
        for (i, time) in times.iter().enumerate() {
            candles.push(Candle {
                open_time_ms: json::time_ms("candles", time, 1000)?,
                open: field("o", i)?,
                high: field("h", i)?,
                low: field("l", i)?,
                close: field("c", i)?,
                volume: field("v", i)?,
            });
        }
        Ok(json::finish_candles(candles, request.group_ms))
    }

    fn history_request(
        &self,
        venue_symbol: &str,
        timeframe: Timeframe,
        start_ms: i64,
        end_ms: i64,
    ) -> Option<UpstreamRequest> {
        let (resolution, group) = resolution(timeframe);
        let path = format!(
            "/api/v4/candles?symbol={}&resolution={resolution}&from={}&to={}",
            encode(venue_symbol),
            start_ms / 1000,
            end_ms / 1000 - 1
        );
        let request = UpstreamRequest::new(path, 1).about(venue_symbol);
        Some(if group > 1 { request.grouped(timeframe.millis()) } else { request })
    }

    fn history_page_ms(&self, timeframe: Timeframe) -> Option<i64> {
        let (_, group) = resolution(timeframe);
        Some(i64::from(QUIRKS.max_candles) * timeframe.millis() / group)
    }

    fn classify_error(&self, status: u16, body: &str) -> VenueError {
        match serde_json::from_str::<Value>(body) {
            Ok(value) if value.get("code").is_some() || value.get("message").is_some() => classify(status, &value),
            _ => VenueError::from_status(status, body),
        }
    }
}
