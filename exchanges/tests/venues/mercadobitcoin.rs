//! MercadoBitcoin: the raw payloads under `fixtures/mercadobitcoin/` through the venue's parsers.

use crate::fixture::{self, d};
use auronex_exchanges::venues::mercadobitcoin::MercadoBitcoin;
use auronex_exchanges::{ErrorKind, Timeframe, Venue};

fn read(name: &str) -> String {
    fixture::read("mercadobitcoin", name)
}

#[test]
fn columnar_symbols_become_markets() {
    let markets = MercadoBitcoin.parse_markets(&read("api_v4_symbols.json")).unwrap();
    let names: Vec<String> = markets.iter().map(|m| m.symbol.to_string()).collect();
    assert_eq!(names, ["BTC/BRL", "ETH/BRL"], "untraded listings are skipped");
    assert_eq!(markets[0].venue_symbol, "BTC-BRL");
    assert_eq!(markets[0].price_tick, Some(d("0.01")));
    assert_eq!(markets[0].min_qty, Some(d("0.000001")));
}

#[test]
fn tickers_give_book_and_24h() {
    let request = &MercadoBitcoin.book_ticker_requests(&["BTC-BRL", "ETH-BRL"])[0];
    assert_eq!(request.path_and_query, "/api/v4/tickers?symbols=BTC-BRL%2CETH-BRL");
    let body = read("api_v4_tickers.json");
    let books = MercadoBitcoin.parse_book_tickers(request, &body).unwrap();
    assert_eq!((books[0].bid, books[0].ask), (d("344900"), d("345100")));
    let tickers = MercadoBitcoin.parse_tickers_24h(request, &body).unwrap();
    assert_eq!((tickers[0].open, tickers[0].last), (d("342000"), d("345000")));
}

#[test]
fn columnar_candles_and_grouping() {
    let request = MercadoBitcoin.candles_request("BTC-BRL", Timeframe::H1, 3, 1_699_910_000_000);
    assert_eq!(request.path_and_query, "/api/v4/candles?symbol=BTC-BRL&resolution=1h&to=1699910000&countback=4");
    let candles = MercadoBitcoin.parse_candles(&request, &read("api_v4_candles.json")).unwrap();
    assert_eq!(candles.len(), 3);
    assert_eq!(candles[0].open_time_ms, 1_699_900_000_000);
    assert_eq!(candles[2].close, d("344800"));
    let five = MercadoBitcoin.candles_request("BTC-BRL", Timeframe::M5, 2, 0);
    assert!(five.path_and_query.contains("resolution=1m") && five.path_and_query.ends_with("countback=15"));
    assert_eq!(five.group_ms, Some(300_000));
    let empty = r#"{"t":[],"o":[],"h":[],"l":[],"c":[],"v":[]}"#;
    assert!(MercadoBitcoin.parse_candles(&request, empty).unwrap().is_empty());
}

#[test]
fn errors_are_classified() {
    let body = read("error.invalid_symbol.json");
    assert_eq!(MercadoBitcoin.classify_error(400, &body).kind, ErrorKind::UnknownSymbol);
    assert_eq!(MercadoBitcoin.classify_error(429, "").kind, ErrorKind::RateLimited);
    assert_eq!(MercadoBitcoin.classify_error(503, "").kind, ErrorKind::Transient);
    let unavailable = read("error.api_unavailable.json");
    assert_eq!(MercadoBitcoin.parse_markets(&unavailable).unwrap_err().kind, ErrorKind::Transient);
    let denied = r#"{"code":"REQUEST_DENIED","message":"Request denied"}"#;
    assert_eq!(MercadoBitcoin.classify_error(403, denied).kind, ErrorKind::RateLimited);
}

/// A page of history asks for exactly one page's span with the venue's own range parameters,
/// and its answer (the same rows as the latest-candles endpoint) goes through the same parser.
#[test]
fn history_pages_ask_for_a_time_range() {
    let page = MercadoBitcoin.history_page_ms(Timeframe::H1).unwrap();
    assert_eq!(page, 1704787200000_i64 - 1704067200000);
    let request =
        MercadoBitcoin.history_request("BTC-BRL", Timeframe::H1, 1704067200000, 1704067200000 + page).unwrap();
    assert_eq!(request.path_and_query, "/api/v4/candles?symbol=BTC-BRL&resolution=1h&from=1704067200&to=1704787199");
    assert!(!MercadoBitcoin.parse_candles(&request, &read("api_v4_candles.json")).unwrap().is_empty());
}
