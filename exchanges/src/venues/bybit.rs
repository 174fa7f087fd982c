//! Bybit V5 spot (`https://api.bybit.com`): `/v5/market/instruments-info`, `/v5/market/tickers`
//! (best bid/ask and 24h statistics in one all-markets call) and `/v5/market/kline`.
//! Source: Bybit V5 API documentation (bybit-exchange.github.io/docs/v5/market/*).

use serde_json::Value;

use crate::error::{ErrorKind, VenueError};
use crate::fields::{self, BookFields, TickerFields};
use crate::json::{self, RowLayout};
use crate::model::{BookTicker, Candle, Market, Ticker24h, Timeframe};
use crate::request::{encode, UpstreamRequest};
use crate::venue::{Batching, HistoryPaging, Quirks, TickerWindow, Venue};
use crate::ExchangeId;

pub struct Bybit;

static QUIRKS: Quirks = Quirks {
    exchange: ExchangeId::Bybit,
    symbol_format: "BASEQUOTE (BTCUSDT), mapped through instruments-info baseCoin/quoteCoin",
    quote_currencies: &["USDT", "USDC", "BTC", "ETH", "EUR", "BRL"],
    book_ticker_batching: Batching::All,
    ticker_24h_batching: Batching::All,
    ticker_window: TickerWindow::Rolling24h,
    max_candles: 1000,
    // "600 requests within a 5-second window per IP" (rate-limit page).
    rate_limit_weight: 600,
    rate_limit_per_seconds: 5,
    taker_fee_bps: 10,
    // kline: `start`/`end` (ms), `limit` up to 1000, newest first.
    history: HistoryPaging::ByTime { per_page: 1000 },
};

/// `[startTime, open, high, low, close, volume, turnover]`, newest first.
const KLINE: RowLayout = RowLayout { columns: [0, 1, 2, 3, 4, 5], time_unit_ms: 1 };

fn interval(timeframe: Timeframe) -> &'static str {
    match timeframe {
        Timeframe::M1 => "1",
        Timeframe::M5 => "5",
        Timeframe::M15 => "15",
        Timeframe::H1 => "60",
        Timeframe::H4 => "240",
        Timeframe::D1 => "D",
    }
}

/// Every answer is `{"retCode": 0, "retMsg": "OK", "result": {...}}`; non-zero is an error.
fn result(body: &str) -> Result<Value, VenueError> {
    let mut value = json::parse("bybit", body)?;
    match value["retCode"].as_i64() {
        Some(0) => Ok(value["result"].take()),
        Some(code) => Err(classify(code, value["retMsg"].as_str().unwrap_or(""))),
        None => Err(VenueError::malformed("bybit", "`retCode` missing")),
    }
}

fn classify(code: i64, message: &str) -> VenueError {
    let kind = match code {
        // 10001 is Bybit's parameter error; for a symbol it reads "Not supported symbols".
        10001 if message.to_ascii_lowercase().contains("symbol") => ErrorKind::UnknownSymbol,
        // 10006 too many visits; 10018 exceeded the IP rate limit.
        10006 | 10018 => ErrorKind::RateLimited,
        // 10000 server timeout; 10016 server error.
        10000 | 10016 => ErrorKind::Transient,
        _ => ErrorKind::Terminal,
    };
    VenueError::new(kind, format!("bybit {code}: {message}"))
}

fn list(result: &Value) -> Result<&Vec<Value>, VenueError> {
    json::array("bybit list", &result["list"])
}

/// Best bid/ask fields of the tickers payload.
const BOOK: BookFields =
    BookFields { symbol: "symbol", bid: "bid1Price", ask: "ask1Price", bid_qty: "bid1Size", ask_qty: "ask1Size" };

/// 24h statistics fields of the tickers payload.
const TICKER: TickerFields =
    TickerFields { symbol: "symbol", last: "lastPrice", open: "prevPrice24h", quote_volume: "turnover24h" };

impl Venue for Bybit {
    fn quirks(&self) -> &'static Quirks {
        &QUIRKS
    }

    fn markets_request(&self) -> UpstreamRequest {
        UpstreamRequest::new("/v5/market/instruments-info?category=spot", 1)
    }

    fn parse_markets(&self, body: &str) -> Result<Vec<Market>, VenueError> {
        let result = result(body)?;
        let mut markets = Vec::new();
        for item in list(&result)? {
            let base = json::req_str("instruments-info", item, "baseCoin")?;
            let quote = json::req_str("instruments-info", item, "quoteCoin")?;
            let Some(symbol) = super::unified(base, quote).filter(|_| item["status"] == "Trading") else {
                continue;
            };
            let lot = &item["lotSizeFilter"];
            markets.push(Market {
                symbol,
                venue_symbol: json::req_str("instruments-info", item, "symbol")?.to_string(),
                price_tick: json::positive(&item["priceFilter"]["tickSize"]),
                lot_step: json::positive(&lot["basePrecision"]),
                min_qty: json::positive(&lot["minOrderQty"]),
                min_notional: json::positive(&lot["minOrderAmt"]),
            });
        }
        Ok(markets)
    }

    fn book_ticker_requests(&self, venue_symbols: &[&str]) -> Vec<UpstreamRequest> {
        match venue_symbols {
            [] => vec![],
            [one] => vec![UpstreamRequest::new(format!("/v5/market/tickers?category=spot&symbol={}", encode(one)), 1)],
            _ => vec![UpstreamRequest::new("/v5/market/tickers?category=spot", 1)],
        }
    }

    fn parse_book_tickers(&self, _: &UpstreamRequest, body: &str) -> Result<Vec<BookTicker>, VenueError> {
        let result = result(body)?;
        Ok(fields::book_tickers(list(&result)?, &BOOK))
    }

    fn ticker_24h_requests(&self, venue_symbols: &[&str]) -> Vec<UpstreamRequest> {
        match venue_symbols {
            [one] => self.book_ticker_requests(&[one]),
            _ => vec![UpstreamRequest::new("/v5/market/tickers?category=spot", 1)],
        }
    }

    fn parse_tickers_24h(&self, _: &UpstreamRequest, body: &str) -> Result<Vec<Ticker24h>, VenueError> {
        let result = result(body)?;
        Ok(fields::tickers(list(&result)?, &TICKER))
    }

    fn candles_request(&self, venue_symbol: &str, timeframe: Timeframe, limit: u16, _now_ms: i64) -> UpstreamRequest {
        let limit = limit.clamp(1, QUIRKS.max_candles);
        UpstreamRequest::new(
            format!(
                "/v5/market/kline?category=spot&symbol={}&interval={}&limit={limit}",
                encode(venue_symbol),
                interval(timeframe)
            ),
            1,
        )
        .about(venue_symbol)
    }

    fn parse_candles(&self, request: &UpstreamRequest, body: &str) -> Result<Vec<Candle>, VenueError> {
        let result = result(body)?;
        json::candle_rows("kline", &result["list"], &KLINE, request.group_ms)
    }

    fn history_request(
        &self,
        venue_symbol: &str,
        timeframe: Timeframe,
        start_ms: i64,
        end_ms: i64,
    ) -> Option<UpstreamRequest> {
        let path = format!(
            "/v5/market/kline?category=spot&symbol={}&interval={}&start={start_ms}&end={}&limit=1000",
            encode(venue_symbol),
            interval(timeframe),
            end_ms - 1
        );
        Some(UpstreamRequest::new(path, 1).about(venue_symbol))
    }

    fn classify_error(&self, status: u16, body: &str) -> VenueError {
        // Bybit answers an IP over its limit with 403 "access too frequent".
        if status == 403 || status == 429 {
            return VenueError::new(ErrorKind::RateLimited, format!("bybit HTTP {status}"));
        }
        match result(body) {
            Err(error) if body.contains("retCode") => error,
            _ => VenueError::from_status(status, body),
        }
    }
}
