//! Bybit: the raw payloads under `fixtures/bybit/` through the venue's parsers.

use crate::fixture::{self, d};
use auronex_exchanges::venues::bybit::Bybit;
use auronex_exchanges::{ErrorKind, Timeframe, Venue};

fn read(name: &str) -> String {
    fixture::read("bybit", name)
}

#[test]
fn instruments_info_lists_trading_spot_markets() {
    let markets = Bybit.parse_markets(&read("v5_market_instruments-info.json")).unwrap();
    assert_eq!(markets.len(), 1, "PreLaunch markets are not tradable");
    let btc = &markets[0];
    assert_eq!((btc.symbol.to_string(), btc.venue_symbol.as_str()), ("BTC/USDT".into(), "BTCUSDT"));
    assert_eq!(btc.price_tick, Some(d("0.01")));
    assert_eq!(btc.lot_step, Some(d("0.000001")));
    assert_eq!(btc.min_qty, Some(d("0.000048")));
    assert_eq!(btc.min_notional, Some(d("1")));
}

#[test]
fn tickers_give_book_and_24h() {
    let request = &Bybit.book_ticker_requests(&["BTCUSDT", "ETHUSDT"])[0];
    assert_eq!(request.path_and_query, "/v5/market/tickers?category=spot");
    let body = read("v5_market_tickers.json");
    let books = Bybit.parse_book_tickers(request, &body).unwrap();
    assert_eq!(books.len(), 1);
    assert_eq!((books[0].bid, books[0].ask), (d("20517.96"), d("20527.77")));
    let tickers = Bybit.parse_tickers_24h(request, &body).unwrap();
    assert_eq!(tickers[0].open, d("20393.48"));
    assert_eq!(tickers[0].change_pct(), Some(d("0.68")));
}

#[test]
fn kline_newest_first_becomes_oldest_first() {
    let request = Bybit.candles_request("BTCUSDT", Timeframe::H4, 2, 0);
    assert_eq!(request.path_and_query, "/v5/market/kline?category=spot&symbol=BTCUSDT&interval=240&limit=2");
    let candles = Bybit.parse_candles(&request, &read("v5_market_kline.json")).unwrap();
    assert_eq!(candles.len(), 2);
    assert!(candles[0].open_time_ms < candles[1].open_time_ms);
    assert_eq!(candles[1].close, d("21400"));
    assert!(Bybit.parse_candles(&request, &read("v5_market_kline.empty.json")).unwrap().is_empty());
}

#[test]
fn errors_are_classified() {
    let body = read("error.not_supported_symbols.json");
    let request = Bybit.candles_request("NOPE", Timeframe::M1, 1, 0);
    assert_eq!(Bybit.parse_candles(&request, &body).unwrap_err().kind, ErrorKind::UnknownSymbol);
    assert_eq!(Bybit.classify_error(200, &body).kind, ErrorKind::UnknownSymbol);
    assert_eq!(Bybit.classify_error(403, "access too frequent").kind, ErrorKind::RateLimited);
    assert_eq!(Bybit.classify_error(502, "Bad Gateway").kind, ErrorKind::Transient);
    assert_eq!(Bybit.parse_markets(&read("error.server_error.json")).unwrap_err().kind, ErrorKind::Transient);
}

/// A page of history asks for exactly one page's span with the venue's own range parameters,
/// and its answer (the same rows as the latest-candles endpoint) goes through the same parser.
#[test]
fn history_pages_ask_for_a_time_range() {
    let page = Bybit.history_page_ms(Timeframe::H1).unwrap();
    assert_eq!(page, 1707667200000_i64 - 1704067200000);
    let request = Bybit.history_request("BTCUSDT", Timeframe::H1, 1704067200000, 1704067200000 + page).unwrap();
    assert_eq!(
        request.path_and_query,
        "/v5/market/kline?category=spot&symbol=BTCUSDT&interval=60&start=1704067200000&end=1707667199999&limit=1000"
    );
    assert!(!Bybit.parse_candles(&request, &read("v5_market_kline.json")).unwrap().is_empty());
}
