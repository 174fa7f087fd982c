//! Kucoin: the raw payloads under `fixtures/kucoin/` through the venue's parsers.

use crate::fixture::{self, d};
use auronex_exchanges::venues::kucoin::Kucoin;
use auronex_exchanges::{ErrorKind, Timeframe, Venue};

fn read(name: &str) -> String {
    fixture::read("kucoin", name)
}

#[test]
fn symbols_list_enabled_markets() {
    let markets = Kucoin.parse_markets(&read("api_v2_symbols.json")).unwrap();
    assert_eq!(markets.len(), 1, "disabled markets are skipped");
    let btc = &markets[0];
    assert_eq!((btc.symbol.to_string(), btc.venue_symbol.as_str()), ("BTC/USDT".to_string(), "BTC-USDT"));
    assert_eq!((btc.price_tick, btc.lot_step), (Some(d("0.1")), Some(d("0.00000001"))));
    assert_eq!((btc.min_qty, btc.min_notional), (Some(d("0.00001")), Some(d("0.1"))));
}

#[test]
fn all_tickers_give_book_and_24h() {
    let request = &Kucoin.book_ticker_requests(&["BTC-USDT"])[0];
    let body = read("api_v1_market_allTickers.json");
    let books = Kucoin.parse_book_tickers(request, &body).unwrap();
    assert_eq!((books[0].bid, books[0].ask), (d("11328.9"), d("11329")));
    let tickers = Kucoin.parse_tickers_24h(request, &body).unwrap();
    assert_eq!(tickers[0].open, d("11392.5"));
}

#[test]
fn candles_reorder_columns() {
    let request = Kucoin.candles_request("BTC-USDT", Timeframe::M1, 2, 1_545_905_100_000);
    assert_eq!(
        request.path_and_query,
        "/api/v1/market/candles?type=1min&symbol=BTC-USDT&startAt=1545904980&endAt=1545905100"
    );
    let candles = Kucoin.parse_candles(&request, &read("api_v1_market_candles.json")).unwrap();
    let first = &candles[0];
    assert_eq!(first.open_time_ms, 1_545_904_980_000);
    assert_eq!((first.open, first.close, first.high, first.low), (d("0.058"), d("0.049"), d("0.058"), d("0.049")));
    assert_eq!(first.volume, d("0.018"));
    assert!(Kucoin.parse_candles(&request, r#"{"code":"200000","data":[]}"#).unwrap().is_empty());
}

#[test]
fn errors_are_classified() {
    assert_eq!(Kucoin.classify_error(400, &read("error.symbol_not_exists.json")).kind, ErrorKind::UnknownSymbol);
    assert_eq!(Kucoin.classify_error(429, &read("error.too_many_requests.json")).kind, ErrorKind::RateLimited);
    let request = Kucoin.candles_request("NOPE-USDT", Timeframe::M1, 1, 0);
    assert_eq!(
        Kucoin.parse_candles(&request, &read("error.symbol_not_exists.json")).unwrap_err().kind,
        ErrorKind::UnknownSymbol
    );
    assert_eq!(Kucoin.classify_error(500, &read("error.internal_server_error.json")).kind, ErrorKind::Transient);
    assert_eq!(Kucoin.parse_markets(&read("error.internal_server_error.json")).unwrap_err().kind, ErrorKind::Transient);
}

/// A page of history asks for exactly one page's span with the venue's own range parameters,
/// and its answer (the same rows as the latest-candles endpoint) goes through the same parser.
#[test]
fn history_pages_ask_for_a_time_range() {
    let page = Kucoin.history_page_ms(Timeframe::H1).unwrap();
    assert_eq!(page, 1709467200000_i64 - 1704067200000);
    let request = Kucoin.history_request("BTC-USDT", Timeframe::H1, 1704067200000, 1704067200000 + page).unwrap();
    assert_eq!(
        request.path_and_query,
        "/api/v1/market/candles?type=1hour&symbol=BTC-USDT&startAt=1704067200&endAt=1709467199"
    );
    assert!(!Kucoin.parse_candles(&request, &read("api_v1_market_candles.json")).unwrap().is_empty());
}
