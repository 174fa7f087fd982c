//! OKX v5 spot (`https://www.okx.com`): `/api/v5/public/instruments`, `/api/v5/market/tickers`
//! (best bid/ask and 24h statistics in one all-markets call) and `/api/v5/market/candles`.
//! Source: OKX API v5 documentation (www.okx.com/docs-v5/en, "Public Data" and "Market Data").

use serde_json::Value;

use crate::error::{ErrorKind, VenueError};
use crate::fields::{self, BookFields, TickerFields};
use crate::json::{self, RowLayout};
use crate::model::{BookTicker, Candle, Market, Ticker24h, Timeframe};
use crate::request::{encode, UpstreamRequest};
use crate::venue::{Batching, HistoryPaging, Quirks, TickerWindow, Venue};
use crate::ExchangeId;

pub struct Okx;

static QUIRKS: Quirks = Quirks {
    exchange: ExchangeId::Okx,
    symbol_format: "BASE-QUOTE (BTC-USDT)",
    quote_currencies: &["USDT", "USDC", "BTC", "ETH", "EUR", "BRL"],
    book_ticker_batching: Batching::All,
    ticker_24h_batching: Batching::All,
    ticker_window: TickerWindow::Rolling24h,
    // /market/candles: "The maximum is 300".
    max_candles: 300,
    // Market data endpoints: 20 requests per 2 seconds per IP.
    rate_limit_weight: 20,
    rate_limit_per_seconds: 2,
    taker_fee_bps: 10,
    // /market/history-candles: `after` (records older than ts), `before` (newer than ts),
    // `limit` up to 100, newest first; the same rows as /market/candles.
    history: HistoryPaging::ByTime { per_page: 100 },
};

/// `[ts, o, h, l, c, vol, volCcy, volCcyQuote, confirm]`, newest first.
const CANDLE: RowLayout = RowLayout { columns: [0, 1, 2, 3, 4, 5], time_unit_ms: 1 };

fn bar(timeframe: Timeframe) -> &'static str {
    match timeframe {
        Timeframe::M1 => "1m",
        Timeframe::M5 => "5m",
        Timeframe::M15 => "15m",
        Timeframe::H1 => "1H",
        Timeframe::H4 => "4H",
        // "1D" is aligned to Hong Kong time; "1Dutc" to UTC like every other venue here.
        Timeframe::D1 => "1Dutc",
    }
}

/// Every answer is `{"code": "0", "msg": "", "data": [...]}`; another code is an error.
fn data(body: &str) -> Result<Vec<Value>, VenueError> {
    let mut value = json::parse("okx", body)?;
    match value["code"].as_str() {
        Some("0") => match value["data"].take() {
            Value::Array(items) => Ok(items),
            _ => Err(VenueError::malformed("okx", "`data` is not an array")),
        },
        Some(code) => Err(classify(code, value["msg"].as_str().unwrap_or(""))),
        None => Err(VenueError::malformed("okx", "`code` missing")),
    }
}

fn classify(code: &str, message: &str) -> VenueError {
    let kind = match code {
        // 51001 "Instrument ID or Spread ID doesn't exist."
        "51001" => ErrorKind::UnknownSymbol,
        // 50011 "Rate limit reached."
        "50011" | "50061" => ErrorKind::RateLimited,
        // 50001 service temporarily unavailable; 50004 endpoint request timeout; 50013 busy.
        "50001" | "50004" | "50013" | "50026" => ErrorKind::Transient,
        _ => ErrorKind::Terminal,
    };
    VenueError::new(kind, format!("okx {code}: {message}"))
}

/// Best bid/ask fields of the tickers payload.
const BOOK: BookFields =
    BookFields { symbol: "instId", bid: "bidPx", ask: "askPx", bid_qty: "bidSz", ask_qty: "askSz" };

/// 24h statistics fields of the tickers payload.
// For SPOT, volCcy24h is in the quote currency.
const TICKER: TickerFields =
    TickerFields { symbol: "instId", last: "last", open: "open24h", quote_volume: "volCcy24h" };

impl Venue for Okx {
    fn quirks(&self) -> &'static Quirks {
        &QUIRKS
    }

    fn markets_request(&self) -> UpstreamRequest {
        UpstreamRequest::new("/api/v5/public/instruments?instType=SPOT", 1)
    }

    fn parse_markets(&self, body: &str) -> Result<Vec<Market>, VenueError> {
        let mut markets = Vec::new();
        for item in data(body)? {
            let base = json::req_str("instruments", &item, "baseCcy")?;
            let quote = json::req_str("instruments", &item, "quoteCcy")?;
            let Some(symbol) = super::unified(base, quote).filter(|_| item["state"] == "live") else {
                continue;
            };
            markets.push(Market {
                symbol,
                venue_symbol: json::req_str("instruments", &item, "instId")?.to_string(),
                price_tick: json::positive(&item["tickSz"]),
                lot_step: json::positive(&item["lotSz"]),
                min_qty: json::positive(&item["minSz"]),
                min_notional: None,
            });
        }
        Ok(markets)
    }

    fn book_ticker_requests(&self, venue_symbols: &[&str]) -> Vec<UpstreamRequest> {
        match venue_symbols {
            [] => vec![],
            [one] => vec![UpstreamRequest::new(format!("/api/v5/market/ticker?instId={}", encode(one)), 1)],
            _ => vec![UpstreamRequest::new("/api/v5/market/tickers?instType=SPOT", 1)],
        }
    }

    fn parse_book_tickers(&self, _: &UpstreamRequest, body: &str) -> Result<Vec<BookTicker>, VenueError> {
        Ok(fields::book_tickers(&data(body)?, &BOOK))
    }

    fn ticker_24h_requests(&self, venue_symbols: &[&str]) -> Vec<UpstreamRequest> {
        match venue_symbols {
            [one] => self.book_ticker_requests(&[one]),
            _ => vec![UpstreamRequest::new("/api/v5/market/tickers?instType=SPOT", 1)],
        }
    }

    fn parse_tickers_24h(&self, _: &UpstreamRequest, body: &str) -> Result<Vec<Ticker24h>, VenueError> {
        Ok(fields::tickers(&data(body)?, &TICKER))
    }

    fn candles_request(&self, venue_symbol: &str, timeframe: Timeframe, limit: u16, _now_ms: i64) -> UpstreamRequest {
        let limit = limit.clamp(1, QUIRKS.max_candles);
        UpstreamRequest::new(
            format!("/api/v5/market/candles?instId={}&bar={}&limit={limit}", encode(venue_symbol), bar(timeframe)),
            1,
        )
        .about(venue_symbol)
    }

    fn parse_candles(&self, request: &UpstreamRequest, body: &str) -> Result<Vec<Candle>, VenueError> {
        json::candle_rows("candles", &Value::Array(data(body)?), &CANDLE, request.group_ms)
    }

    fn history_request(
        &self,
        venue_symbol: &str,
        timeframe: Timeframe,
        start_ms: i64,
        end_ms: i64,
    ) -> Option<UpstreamRequest> {
        // Exclusive bounds on both sides: ts < after and ts > before.
        let path = format!(
            "/api/v5/market/history-candles?instId={}&bar={}&after={end_ms}&before={}&limit=100",
            encode(venue_symbol),
            bar(timeframe),
            start_ms - 1
        );
        Some(UpstreamRequest::new(path, 1).about(venue_symbol))
    }

    fn classify_error(&self, status: u16, body: &str) -> VenueError {
        if status == 429 {
            return VenueError::new(ErrorKind::RateLimited, "okx HTTP 429");
        }
        match data(body) {
            Err(error) if body.contains("\"code\"") => error,
            _ => VenueError::from_status(status, body),
        }
    }
}
