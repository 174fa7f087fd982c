//! Gate.io API v4 spot (`https://api.gateio.ws`): `/api/v4/spot/currency_pairs`,
//! `/api/v4/spot/tickers` (best bid/ask and 24h change in one all-markets call) and
//! `/api/v4/spot/candlesticks`. Source: Gate API v4 documentation (www.gate.io/docs/developers/apiv4).

use rust_decimal::Decimal;
use serde_json::Value;

use crate::error::{ErrorKind, VenueError};
use crate::fields::{self, BookFields};
use crate::json::{self, RowLayout};
use crate::model::{BookTicker, Candle, Market, Ticker24h, Timeframe};
use crate::request::{encode, UpstreamRequest};
use crate::venue::{Batching, HistoryPaging, Quirks, TickerWindow, Venue};
use crate::ExchangeId;

pub struct Gateio;

static QUIRKS: Quirks = Quirks {
    exchange: ExchangeId::Gateio,
    symbol_format: "BASE_QUOTE (BTC_USDT)",
    quote_currencies: &["USDT", "USDC", "BTC", "ETH", "TRY"],
    book_ticker_batching: Batching::All,
    ticker_24h_batching: Batching::All,
    ticker_window: TickerWindow::Rolling24h,
    // candlesticks: "Maximum of 1000 points can be returned in a query".
    max_candles: 1000,
    // Public spot endpoints: 200 requests per 10 seconds (per endpoint, per IP).
    rate_limit_weight: 200,
    rate_limit_per_seconds: 10,
    // Spot VIP 0 taker fee 0.2% (the `fee` field of currency_pairs).
    taker_fee_bps: 20,
    // candlesticks: `from`/`to` (Unix seconds) instead of `limit`, at most 1000 points.
    history: HistoryPaging::ByTime { per_page: 1000 },
};

/// `[t (s), quote volume, close, high, low, open, base volume, window closed]`, oldest first.
const CANDLE: RowLayout = RowLayout { columns: [0, 5, 3, 4, 2, 6], time_unit_ms: 1000 };

/// A 2xx body is the data itself; errors are `{"label": "...", "message": "..."}`.
fn check(body: &str) -> Result<Value, VenueError> {
    let value = json::parse("gateio", body)?;
    if let Some(label) = value.get("label").and_then(Value::as_str) {
        return Err(classify(label, value["message"].as_str().unwrap_or("")));
    }
    Ok(value)
}

fn classify(label: &str, message: &str) -> VenueError {
    let kind = match label {
        "INVALID_CURRENCY_PAIR" | "INVALID_CURRENCY" => ErrorKind::UnknownSymbol,
        "TOO_MANY_REQUESTS" => ErrorKind::RateLimited,
        "SERVER_ERROR" | "TOO_BUSY" => ErrorKind::Transient,
        _ => ErrorKind::Terminal,
    };
    VenueError::new(kind, format!("gateio {label}: {message}"))
}

/// Best bid/ask fields of the tickers payload.
const BOOK: BookFields = BookFields {
    symbol: "currency_pair",
    bid: "highest_bid",
    ask: "lowest_ask",
    bid_qty: "highest_size",
    ask_qty: "lowest_size",
};

impl Venue for Gateio {
    fn quirks(&self) -> &'static Quirks {
        &QUIRKS
    }

    fn markets_request(&self) -> UpstreamRequest {
        UpstreamRequest::new("/api/v4/spot/currency_pairs", 1)
    }

    fn parse_markets(&self, body: &str) -> Result<Vec<Market>, VenueError> {
        let value = check(body)?;
        let mut markets = Vec::new();
        for item in json::array("currency_pairs", &value)? {
            let base = json::req_str("currency_pairs", item, "base")?;
            let quote = json::req_str("currency_pairs", item, "quote")?;
            let tradable = item["trade_status"] == "tradable";
            let Some(symbol) = super::unified(base, quote).filter(|_| tradable) else {
                continue;
            };
            markets.push(Market {
                symbol,
                venue_symbol: json::req_str("currency_pairs", item, "id")?.to_string(),
                price_tick: json::int(&item["precision"]).and_then(json::step_from_places),
                lot_step: json::int(&item["amount_precision"]).and_then(json::step_from_places),
                min_qty: json::positive(&item["min_base_amount"]),
                min_notional: json::positive(&item["min_quote_amount"]),
            });
        }
        Ok(markets)
    }

    fn book_ticker_requests(&self, venue_symbols: &[&str]) -> Vec<UpstreamRequest> {
        match venue_symbols {
            [] => vec![],
            [one] => vec![UpstreamRequest::new(format!("/api/v4/spot/tickers?currency_pair={}", encode(one)), 1)],
            _ => vec![UpstreamRequest::new("/api/v4/spot/tickers", 1)],
        }
    }

    fn parse_book_tickers(&self, _: &UpstreamRequest, body: &str) -> Result<Vec<BookTicker>, VenueError> {
        let value = check(body)?;
        Ok(fields::book_tickers(json::array("tickers", &value)?, &BOOK))
    }

    fn ticker_24h_requests(&self, venue_symbols: &[&str]) -> Vec<UpstreamRequest> {
        match venue_symbols {
            [one] => self.book_ticker_requests(&[one]),
            _ => vec![UpstreamRequest::new("/api/v4/spot/tickers", 1)],
        }
    }

    fn parse_tickers_24h(&self, _: &UpstreamRequest, body: &str) -> Result<Vec<Ticker24h>, VenueError> {
        let value = check(body)?;
        Ok(json::array("tickers", &value)?
            .iter()
            .filter_map(|item| {
                let last = json::decimal(&item["last"])?;
                // Gate publishes the 24h change in percent, not the open: open = last / (1 + pct/100).
                let change = json::decimal(&item["change_percentage"])?;
                let factor = Decimal::ONE.checked_add(change / Decimal::ONE_HUNDRED)?;
                let open = last.checked_div(factor)?.round_dp(12);
                Some(Ticker24h {
                    venue_symbol: item["currency_pair"].as_str()?.to_string(),
                    last,
                    open,
                    quote_volume: json::decimal(&item["quote_volume"]),
                })
            })
            .collect())
    }

    fn candles_request(&self, venue_symbol: &str, timeframe: Timeframe, limit: u16, _now_ms: i64) -> UpstreamRequest {
        let limit = limit.clamp(1, QUIRKS.max_candles);
        UpstreamRequest::new(
            format!(
                "/api/v4/spot/candlesticks?currency_pair={}&interval={}&limit={limit}",
                encode(venue_symbol),
                timeframe.as_str()
            ),
            1,
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
            "/api/v4/spot/candlesticks?currency_pair={}&interval={}&from={}&to={}",
            encode(venue_symbol),
            timeframe.as_str(),
            start_ms / 1000,
            end_ms / 1000 - 1
        );
        Some(UpstreamRequest::new(path, 1).about(venue_symbol))
    }

    fn classify_error(&self, status: u16, body: &str) -> VenueError {
        match check(body) {
            Err(error) if body.contains("\"label\"") => error,
            _ => VenueError::from_status(status, body),
        }
    }
}
