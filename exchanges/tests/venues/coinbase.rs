//! Coinbase: the raw payloads under `fixtures/coinbase/` through the venue's parsers.

use crate::fixture::{self, d};
use auronex_exchanges::venues::coinbase::Coinbase;
use auronex_exchanges::{ErrorKind, Timeframe, Venue};

fn read(name: &str) -> String {
    fixture::read("coinbase", name)
}

#[test]
fn products_list_online_markets() {
    let markets = Coinbase.parse_markets(&read("products.json")).unwrap();
    assert_eq!(markets.len(), 1, "delisted products are skipped");
    let btc = &markets[0];
    assert_eq!((btc.symbol.to_string(), btc.venue_symbol.as_str()), ("BTC/USD".to_string(), "BTC-USD"));
    assert_eq!(
        (btc.price_tick, btc.lot_step, btc.min_notional),
        (Some(d("0.01")), Some(d("0.00000001")), Some(d("1")))
    );
}

#[test]
fn ticker_and_stats_per_product() {
    let request = &Coinbase.book_ticker_requests(&["BTC-USD", "ETH-USD"])[0];
    assert_eq!(request.path_and_query, "/products/BTC-USD/ticker");
    let book = Coinbase.parse_book_tickers(request, &read("products_id_ticker.json")).unwrap();
    assert_eq!((book[0].venue_symbol.as_str(), book[0].bid, book[0].ask), ("BTC-USD", d("6265.15"), d("6267.71")));
    assert!(Coinbase.ticker_24h_requests(&[]).is_empty(), "no all-markets ticker");
    let request = &Coinbase.ticker_24h_requests(&["BTC-USD"])[0];
    let stats = Coinbase.parse_tickers_24h(request, &read("products_id_stats.json")).unwrap();
    assert_eq!((stats[0].open, stats[0].last), (d("5414.18"), d("6250.02")));
}

#[test]
fn candles_reorder_columns_and_group_four_hours() {
    let request = Coinbase.candles_request("BTC-USD", Timeframe::M1, 3, 0);
    assert_eq!(request.path_and_query, "/products/BTC-USD/candles?granularity=60");
    let candles = Coinbase.parse_candles(&request, &read("products_id_candles.json")).unwrap();
    assert_eq!(candles.len(), 3);
    let first = &candles[0];
    assert_eq!(first.open_time_ms, 1_415_398_680_000);
    assert_eq!((first.open, first.high, first.low, first.close), (d("0.51"), d("0.58"), d("0.32"), d("0.35")));
    let four = Coinbase.candles_request("BTC-USD", Timeframe::H4, 3, 0);
    assert_eq!(four.path_and_query, "/products/BTC-USD/candles?granularity=3600");
    assert_eq!(four.group_ms, Some(14_400_000));
    assert!(Coinbase.parse_candles(&request, "[]").unwrap().is_empty());
}

#[test]
fn errors_are_classified() {
    let body = read("error.not_found.json");
    assert_eq!(Coinbase.classify_error(404, &body).kind, ErrorKind::UnknownSymbol);
    assert_eq!(Coinbase.classify_error(429, &read("error.rate_limit.json")).kind, ErrorKind::RateLimited);
    assert_eq!(Coinbase.classify_error(503, "").kind, ErrorKind::Transient);
}

/// A page of history asks for exactly one page's span with the venue's own range parameters,
/// and its answer (the same rows as the latest-candles endpoint) goes through the same parser.
#[test]
fn history_pages_ask_for_a_time_range() {
    let page = Coinbase.history_page_ms(Timeframe::H1).unwrap();
    assert_eq!(page, 1705147200000_i64 - 1704067200000);
    let request = Coinbase.history_request("BTC-USD", Timeframe::H1, 1704067200000, 1704067200000 + page).unwrap();
    assert_eq!(request.path_and_query, "/products/BTC-USD/candles?granularity=3600&start=2024-01-01T00%3A00%3A00.000Z&end=2024-01-13T11%3A59%3A59.000Z");
    assert!(!Coinbase.parse_candles(&request, &read("products_id_candles.json")).unwrap().is_empty());
}
