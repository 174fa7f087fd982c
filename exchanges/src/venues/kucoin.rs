//! KuCoin spot (`https://api.kucoin.com`): `/api/v2/symbols`, `/api/v1/market/allTickers`
//! (best bid/ask and 24h change for every market) and `/api/v1/market/candles`.
//! Source: KuCoin API documentation (www.kucoin.com/docs, Spot "Market Data").

use serde_json::Value;

use crate::error::{ErrorKind, VenueError};
use crate::fields::{self, BookFields};
use crate::json::{self, RowLayout};
use crate::model::{BookTicker, Candle, Market, Ticker24h, Timeframe};
use crate::request::{encode, UpstreamRequest};
use crate::venue::{Batching, HistoryPaging, Quirks, TickerWindow, Venue};
use crate::ExchangeId;

pub struct Kucoin;

static QUIRKS: Quirks = Quirks {
    exchange: ExchangeId::Kucoin,
    symbol_format: "BASE-QUOTE (BTC-USDT)",
    quote_currencies: &["USDT", "USDC", "BTC", "ETH", "KCS", "BRL"],
    book_ticker_batching: Batching::All,
    ticker_24h_batching: Batching::All,
    ticker_window: TickerWindow::Rolling24h,
    // candles: "The maximum size per request is 1500".
    max_candles: 1500,
    // Public resource pool: 2000 weight per 30 s (allTickers 15, candles 3, symbols 4).
    rate_limit_weight: 2000,
    rate_limit_per_seconds: 30,
    taker_fee_bps: 10,
    // candles: `startAt`/`endAt` (Unix seconds), at most 1500 per request, newest first.
    history: HistoryPaging::ByTime { per_page: 1500 },
};

/// `[time (s), open, close, high, low, volume, turnover]`, newest first.
const CANDLE: RowLayout = RowLayout { columns: [0, 1, 3, 4, 2, 5], time_unit_ms: 1000 };

fn kind(timeframe: Timeframe) -> &'static str {
    match timeframe {
        Timeframe::M1 => "1min",
        Timeframe::M5 => "5min",
        Timeframe::M15 => "15min",
        Timeframe::H1 => "1hour",
        Timeframe::H4 => "4hour",
        Timeframe::D1 => "1day",
    }
}

/// Answers are `{"code": "200000", "data": ...}`; any other code is an error.
fn data(body: &str) -> Result<Value, VenueError> {
    let mut value = json::parse("kucoin", body)?;
    match value["code"].as_str() {
        Some("200000") => Ok(value["data"].take()),
        Some(code) => Err(classify(code, value["msg"].as_str().unwrap_or(""))),
        None => Err(VenueError::malformed("kucoin", "`code` missing")),
    }
}

fn classify(code: &str, message: &str) -> VenueError {
    let kind = match code {
        // 900001 "symbol not exists"; 400100 with a pair message for unknown markets.
        "900001" => ErrorKind::UnknownSymbol,
        "400100" if message.to_ascii_lowercase().contains("pair") => ErrorKind::UnknownSymbol,
        "429000" => ErrorKind::RateLimited,
        "500000" | "503000" => ErrorKind::Transient,
        _ => ErrorKind::Terminal,
    };
    VenueError::new(kind, format!("kucoin {code}: {message}"))
}

/// Best bid/ask fields of the tickers payload.
const BOOK: BookFields =
    BookFields { symbol: "symbol", bid: "buy", ask: "sell", bid_qty: "bestBidSize", ask_qty: "bestAskSize" };

impl Venue for Kucoin {
    fn quirks(&self) -> &'static Quirks {
        &QUIRKS
    }

    fn markets_request(&self) -> UpstreamRequest {
        UpstreamRequest::new("/api/v2/symbols", 4)
    }

    fn parse_markets(&self, body: &str) -> Result<Vec<Market>, VenueError> {
        let value = data(body)?;
        let mut markets = Vec::new();
        for item in json::array("symbols", &value)? {
            let base = json::req_str("symbols", item, "baseCurrency")?;
            let quote = json::req_str("symbols", item, "quoteCurrency")?;
            let Some(symbol) = super::unified(base, quote).filter(|_| item["enableTrading"] == true) else {
                continue;
            };
            markets.push(Market {
                symbol,
                venue_symbol: json::req_str("symbols", item, "symbol")?.to_string(),
                price_tick: json::positive(&item["priceIncrement"]),
                lot_step: json::positive(&item["baseIncrement"]),
                min_qty: json::positive(&item["baseMinSize"]),
                min_notional: json::positive(&item["minFunds"]).or_else(|| json::positive(&item["quoteMinSize"])),
            });
        }
        Ok(markets)
    }

    fn book_ticker_requests(&self, venue_symbols: &[&str]) -> Vec<UpstreamRequest> {
        if venue_symbols.is_empty() {
            return vec![];
        }
        vec![UpstreamRequest::new("/api/v1/market/allTickers", 15)]
    }

    fn parse_book_tickers(&self, _: &UpstreamRequest, body: &str) -> Result<Vec<BookTicker>, VenueError> {
        let value = data(body)?;
        Ok(fields::book_tickers(json::array("allTickers", &value["ticker"])?, &BOOK))
    }

    fn ticker_24h_requests(&self, _venue_symbols: &[&str]) -> Vec<UpstreamRequest> {
        vec![UpstreamRequest::new("/api/v1/market/allTickers", 15)]
    }

    fn parse_tickers_24h(&self, _: &UpstreamRequest, body: &str) -> Result<Vec<Ticker24h>, VenueError> {
        let value = data(body)?;
        Ok(json::array("allTickers", &value["ticker"])?
            .iter()
            .filter_map(|item| {
                let last = json::decimal(&item["last"])?;
                // KuCoin publishes the 24h change, not the open: open = last - changePrice.
                let open = last.checked_sub(json::decimal(&item["changePrice"])?)?;
                Some(Ticker24h {
                    venue_symbol: item["symbol"].as_str()?.to_string(),
                    last,
                    open,
                    quote_volume: json::decimal(&item["volValue"]),
                })
            })
            .collect())
    }

    fn candles_request(&self, venue_symbol: &str, timeframe: Timeframe, limit: u16, now_ms: i64) -> UpstreamRequest {
        let limit = i64::from(limit.clamp(1, QUIRKS.max_candles));
        let end = now_ms / 1000;
        let start = end - limit * timeframe.seconds();
        UpstreamRequest::new(
            format!(
                "/api/v1/market/candles?type={}&symbol={}&startAt={start}&endAt={end}",
                kind(timeframe),
                encode(venue_symbol)
            ),
            3,
        )
        .about(venue_symbol)
    }

    fn parse_candles(&self, request: &UpstreamRequest, body: &str) -> Result<Vec<Candle>, VenueError> {
        let value = data(body)?;
        json::candle_rows("candles", &value, &CANDLE, request.group_ms)
    }

    fn history_request(
        &self,
        venue_symbol: &str,
        timeframe: Timeframe,
        start_ms: i64,
        end_ms: i64,
    ) -> Option<UpstreamRequest> {
        let path = format!(
            "/api/v1/market/candles?type={}&symbol={}&startAt={}&endAt={}",
            kind(timeframe),
            encode(venue_symbol),
            start_ms / 1000,
            end_ms / 1000 - 1
        );
        Some(UpstreamRequest::new(path, 3).about(venue_symbol))
    }

    fn classify_error(&self, status: u16, body: &str) -> VenueError {
        match data(body) {
            Err(error) if body.contains("\"code\"") && status != 429 => error,
            _ => VenueError::from_status(status, body),
        }
    }
}
