//! HTX, formerly Huobi (`https://api.huobi.pro`): `/v1/common/symbols`, `/market/tickers`
//! (best bid/ask and 24h statistics for every market in one call) and
//! `/market/history/kline`. Source: HTX Spot API reference (huobiapi.github.io/docs/spot/v1/en).

use serde_json::Value;

use crate::error::{ErrorKind, VenueError};
use crate::fields::{self, BookFields, TickerFields};
use crate::json;
use crate::model::{BookTicker, Candle, Market, Ticker24h, Timeframe};
use crate::request::{encode, UpstreamRequest};
use crate::venue::{Batching, HistoryPaging, Quirks, TickerWindow, Venue};
use crate::ExchangeId;

pub struct Htx;

static QUIRKS: Quirks = Quirks {
    exchange: ExchangeId::Htx,
    symbol_format: "lower-case basequote (btcusdt), mapped through base-currency/quote-currency",
    quote_currencies: &["USDT", "USDC", "BTC", "ETH", "TRX"],
    book_ticker_batching: Batching::All,
    ticker_24h_batching: Batching::All,
    ticker_window: TickerWindow::Rolling24h,
    // /market/history/kline: size 1 to 2000.
    max_candles: 2000,
    // Market data: 10 requests per second per IP (kept conservative; see the README).
    rate_limit_weight: 10,
    rate_limit_per_seconds: 1,
    taker_fee_bps: 20,
    history: HistoryPaging::Unavailable {
        why: "HTX's /market/history/kline takes only a size (the latest up to 2000 candles), no time range",
    },
};

fn period(timeframe: Timeframe) -> &'static str {
    match timeframe {
        Timeframe::M1 => "1min",
        Timeframe::M5 => "5min",
        Timeframe::M15 => "15min",
        Timeframe::H1 => "60min",
        Timeframe::H4 => "4hour",
        Timeframe::D1 => "1day",
    }
}

/// Answers are `{"status": "ok", "data": ...}` or `{"status": "error", "err-code", "err-msg"}`.
fn data(body: &str) -> Result<Value, VenueError> {
    let mut value = json::parse("htx", body)?;
    match value["status"].as_str() {
        Some("ok") => Ok(value["data"].take()),
        Some(_) => Err(classify(value["err-code"].as_str().unwrap_or(""), value["err-msg"].as_str().unwrap_or(""))),
        None => Err(VenueError::malformed("htx", "`status` missing")),
    }
}

fn classify(code: &str, message: &str) -> VenueError {
    let lower = message.to_ascii_lowercase();
    let kind = if code == "invalid-parameter" && lower.contains("symbol")
        || code == "bad-request" && lower.contains("symbol")
    {
        ErrorKind::UnknownSymbol
    } else if code.contains("too-many") || lower.contains("too many") || lower.contains("frequent") {
        ErrorKind::RateLimited
    } else if code.contains("timeout") || code.contains("system-busy") || code == "base-system-error" {
        ErrorKind::Transient
    } else {
        ErrorKind::Terminal
    };
    VenueError::new(kind, format!("htx {code}: {message}"))
}

fn upper(item: &Value, field: &str) -> Option<String> {
    item[field].as_str().map(str::to_ascii_uppercase)
}

/// Best bid/ask fields of the tickers payload.
const BOOK: BookFields =
    BookFields { symbol: "symbol", bid: "bid", ask: "ask", bid_qty: "bidSize", ask_qty: "askSize" };

/// 24h statistics fields of the tickers payload.
// `vol` is the quote-currency turnover, `amount` the base volume.
const TICKER: TickerFields = TickerFields { symbol: "symbol", last: "close", open: "open", quote_volume: "vol" };

impl Venue for Htx {
    fn quirks(&self) -> &'static Quirks {
        &QUIRKS
    }

    fn markets_request(&self) -> UpstreamRequest {
        UpstreamRequest::new("/v1/common/symbols", 1)
    }

    fn parse_markets(&self, body: &str) -> Result<Vec<Market>, VenueError> {
        let value = data(body)?;
        let mut markets = Vec::new();
        for item in json::array("symbols", &value)? {
            let (Some(base), Some(quote)) = (upper(item, "base-currency"), upper(item, "quote-currency")) else {
                continue;
            };
            let tradable = item["state"] == "online" && item["api-trading"] != "disabled";
            let Some(symbol) = super::unified(&base, &quote).filter(|_| tradable) else {
                continue;
            };
            markets.push(Market {
                symbol,
                venue_symbol: json::req_str("symbols", item, "symbol")?.to_string(),
                price_tick: json::int(&item["price-precision"]).and_then(json::step_from_places),
                lot_step: json::int(&item["amount-precision"]).and_then(json::step_from_places),
                min_qty: json::positive(&item["limit-order-min-order-amt"])
                    .or_else(|| json::positive(&item["min-order-amt"])),
                min_notional: json::positive(&item["min-order-value"]),
            });
        }
        Ok(markets)
    }

    fn book_ticker_requests(&self, venue_symbols: &[&str]) -> Vec<UpstreamRequest> {
        if venue_symbols.is_empty() {
            return vec![];
        }
        vec![UpstreamRequest::new("/market/tickers", 1)]
    }

    fn parse_book_tickers(&self, _: &UpstreamRequest, body: &str) -> Result<Vec<BookTicker>, VenueError> {
        let value = data(body)?;
        Ok(fields::book_tickers(json::array("tickers", &value)?, &BOOK))
    }

    fn ticker_24h_requests(&self, _venue_symbols: &[&str]) -> Vec<UpstreamRequest> {
        vec![UpstreamRequest::new("/market/tickers", 1)]
    }

    fn parse_tickers_24h(&self, _: &UpstreamRequest, body: &str) -> Result<Vec<Ticker24h>, VenueError> {
        let value = data(body)?;
        Ok(fields::tickers(json::array("tickers", &value)?, &TICKER))
    }

    fn candles_request(&self, venue_symbol: &str, timeframe: Timeframe, limit: u16, _now_ms: i64) -> UpstreamRequest {
        let size = limit.clamp(1, QUIRKS.max_candles);
        UpstreamRequest::new(
            format!("/market/history/kline?symbol={}&period={}&size={size}", encode(venue_symbol), period(timeframe)),
            1,
        )
        .about(venue_symbol)
    }

    fn parse_candles(&self, request: &UpstreamRequest, body: &str) -> Result<Vec<Candle>, VenueError> {
        let value = data(body)?;
        let field = |item: &Value, name: &str| {
            json::decimal(&item[name]).ok_or_else(|| VenueError::malformed("kline", format!("`{name}` missing")))
        };
        let candles = json::array("kline", &value)?
            .iter()
            .map(|item| {
                Ok(Candle {
                    open_time_ms: json::time_ms("kline", &item["id"], 1000)?,
                    open: field(item, "open")?,
                    high: field(item, "high")?,
                    low: field(item, "low")?,
                    close: field(item, "close")?,
                    volume: field(item, "amount")?,
                })
            })
            .collect::<Result<Vec<_>, VenueError>>()?;
        Ok(json::finish_candles(candles, request.group_ms))
    }

    fn history_request(&self, _: &str, _: Timeframe, _: i64, _: i64) -> Option<UpstreamRequest> {
        None
    }

    fn classify_error(&self, status: u16, body: &str) -> VenueError {
        match data(body) {
            Err(error) if body.contains("err-code") => error,
            _ => VenueError::from_status(status, body),
        }
    }
}
