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
use crate::venue::{Batching, Quirks, TickerWindow, Venue};
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
                let factor = Decimal::ONE + change / Decimal::ONE_HUNDRED;
                let open = (!factor.is_zero()).then(|| (last / factor).round_dp(12))?;
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

    fn classify_error(&self, status: u16, body: &str) -> VenueError {
        match check(body) {
            Err(error) if body.contains("\"label\"") => error,
            _ => VenueError::from_status(status, body),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venues::fixture::{self, d};

    fn read(name: &str) -> String {
        fixture::read("gateio", name)
    }

    #[test]
    fn currency_pairs_list_tradable_markets() {
        let markets = Gateio.parse_markets(&read("api_v4_spot_currency_pairs.json")).unwrap();
        assert_eq!(markets.len(), 1, "untradable pairs are skipped");
        let eth = &markets[0];
        assert_eq!((eth.symbol.to_string(), eth.venue_symbol.as_str()), ("ETH/USDT".to_string(), "ETH_USDT"));
        assert_eq!((eth.price_tick, eth.lot_step), (Some(d("0.000001")), Some(d("0.001"))));
        assert_eq!((eth.min_qty, eth.min_notional), (Some(d("0.001")), Some(d("1"))));
    }

    #[test]
    fn tickers_give_book_and_derived_open() {
        let request = &Gateio.book_ticker_requests(&["BTC3L_USDT", "ETH_USDT"])[0];
        assert_eq!(request.path_and_query, "/api/v4/spot/tickers");
        let body = read("api_v4_spot_tickers.json");
        let books = Gateio.parse_book_tickers(request, &body).unwrap();
        assert_eq!((books[0].bid, books[0].ask), (d("2.4606821"), d("2.477")));
        let tickers = Gateio.parse_tickers_24h(request, &body).unwrap();
        assert_eq!(tickers[0].change_pct(), Some(d("-8.91")));
    }

    #[test]
    fn candlesticks_reorder_columns() {
        let request = Gateio.candles_request("BTC_USDT", Timeframe::M1, 2, 0);
        assert_eq!(request.path_and_query, "/api/v4/spot/candlesticks?currency_pair=BTC_USDT&interval=1m&limit=2");
        let candles = Gateio.parse_candles(&request, &read("api_v4_spot_candlesticks.json")).unwrap();
        let first = &candles[0];
        assert_eq!(first.open_time_ms, 1_539_852_480_000);
        assert_eq!(
            (first.open, first.high, first.low, first.close),
            (d("0.0021717"), d("0.0021724"), d("0.0021718"), d("0.0021724"))
        );
        assert_eq!(first.volume, d("2.3"));
        assert!(Gateio.parse_candles(&request, "[]").unwrap().is_empty());
    }

    #[test]
    fn errors_are_classified() {
        let body = read("error.invalid_currency_pair.json");
        assert_eq!(Gateio.classify_error(400, &body).kind, ErrorKind::UnknownSymbol);
        assert_eq!(Gateio.classify_error(429, &read("error.too_many_requests.json")).kind, ErrorKind::RateLimited);
        assert_eq!(Gateio.classify_error(502, "").kind, ErrorKind::Transient);
    }
}
