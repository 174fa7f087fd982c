//! Binance: the raw payloads under `fixtures/binance/` through the venue's parsers.

use crate::fixture::{self, d};
use auronex_exchanges::venues::binance::Binance;
use auronex_exchanges::{ErrorKind, Timeframe, Venue};

fn read(name: &str) -> String {
    fixture::read("binance", name)
}

#[test]
fn exchange_info_lists_trading_spot_markets_with_rules() {
    let markets = Binance.parse_markets(&read("api_v3_exchangeInfo.json")).unwrap();
    let names: Vec<String> = markets.iter().map(|m| m.symbol.to_string()).collect();
    // BNBBTC is in BREAK status; the non-ASCII asset cannot be named.
    assert_eq!(names, ["ETH/BTC", "BTC/USDT"]);
    let btc = &markets[1];
    assert_eq!(btc.venue_symbol, "BTCUSDT");
    assert_eq!(btc.price_tick, Some(d("0.01")));
    assert_eq!(btc.lot_step, Some(d("0.00001")));
    assert_eq!(btc.min_qty, Some(d("0.00001")));
    assert_eq!(btc.min_notional, Some(d("5")));
    // ETHBTC publishes the legacy MIN_NOTIONAL filter.
    assert_eq!(markets[0].min_notional, Some(d("0.001")));
}

#[test]
fn book_tickers_single_and_list() {
    let request = &Binance.book_ticker_requests(&["LTCBTC", "ETHBTC"])[0];
    assert_eq!(request.path_and_query, "/api/v3/ticker/bookTicker?symbols=%5B%22LTCBTC%22%2C%22ETHBTC%22%5D");
    let list = Binance.parse_book_tickers(request, &read("api_v3_ticker_bookTicker.json")).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!((list[0].bid, list[0].ask), (d("4.00000000"), d("4.00000200")));
    assert_eq!(list[1].ask_qty, Some(d("1000")));
    let one = Binance.parse_book_tickers(request, &read("api_v3_ticker_bookTicker.single.json")).unwrap();
    assert_eq!(one[0].venue_symbol, "LTCBTC");
}

#[test]
fn book_ticker_batches_of_one_hundred() {
    let many: Vec<String> = (0..150).map(|i| format!("S{i}USDT")).collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    assert_eq!(Binance.book_ticker_requests(&refs).len(), 2);
    assert!(Binance.book_ticker_requests(&[]).is_empty());
}

#[test]
fn tickers_24h_mini() {
    let request = &Binance.ticker_24h_requests(&[])[0];
    assert_eq!(request.path_and_query, "/api/v3/ticker/24hr?type=MINI");
    let tickers = Binance.parse_tickers_24h(request, &read("api_v3_ticker_24hr.json")).unwrap();
    assert_eq!(tickers.len(), 2);
    assert_eq!(tickers[0].change_pct(), Some(d("-95.96")));
    assert_eq!(tickers[1].quote_volume, Some(d("0.77")));
}

#[test]
fn klines_oldest_first() {
    let request = Binance.candles_request("BNBBTC", Timeframe::H4, 2, 0);
    assert_eq!(request.path_and_query, "/api/v3/klines?symbol=BNBBTC&interval=4h&limit=2");
    let candles = Binance.parse_candles(&request, &read("api_v3_klines.json")).unwrap();
    assert_eq!(candles.len(), 2);
    assert_eq!(candles[0].open_time_ms, 1499040000000);
    assert_eq!(candles[0].high, d("0.8"));
    assert_eq!(candles[1].volume, d("148976.11427815"));
    let empty = Binance.parse_candles(&request, &read("api_v3_klines.empty.json")).unwrap();
    assert!(empty.is_empty());
}

#[test]
fn errors_are_classified() {
    let body = read("error.invalid_symbol.json");
    let error = Binance.classify_error(400, &body);
    assert_eq!(error.kind, ErrorKind::UnknownSymbol);
    assert!(error.message.contains("Invalid symbol"));
    let request = Binance.candles_request("NOPE", Timeframe::M1, 1, 0);
    assert_eq!(Binance.parse_candles(&request, &body).unwrap_err().kind, ErrorKind::UnknownSymbol);
    assert_eq!(Binance.classify_error(429, &read("error.too_many_requests.json")).kind, ErrorKind::RateLimited);
    assert_eq!(Binance.classify_error(503, "Service Unavailable").kind, ErrorKind::Transient);
    assert!(Binance.parse_markets("<html>").is_err());
}

/// A page of history asks for exactly one page's span with the venue's own range parameters,
/// and its answer (the same rows as the latest-candles endpoint) goes through the same parser.
#[test]
fn history_pages_ask_for_a_time_range() {
    let page = Binance.history_page_ms(Timeframe::H1).unwrap();
    assert_eq!(page, 1707667200000_i64 - 1704067200000);
    let request = Binance.history_request("BTCUSDT", Timeframe::H1, 1704067200000, 1704067200000 + page).unwrap();
    assert_eq!(
        request.path_and_query,
        "/api/v3/klines?symbol=BTCUSDT&interval=1h&startTime=1704067200000&endTime=1707667199999&limit=1000"
    );
    assert!(!Binance.parse_candles(&request, &read("api_v3_klines.json")).unwrap().is_empty());
}
