//! Gateio: the raw payloads under `fixtures/gateio/` through the venue's parsers.

use crate::fixture::{self, d};
use auronex_exchanges::venues::gateio::Gateio;
use auronex_exchanges::{ErrorKind, Timeframe, Venue};

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
    assert_eq!(Gateio.classify_error(500, &read("error.server_error.json")).kind, ErrorKind::Transient);
}

/// A page of history asks for exactly one page's span with the venue's own range parameters,
/// and its answer (the same rows as the latest-candles endpoint) goes through the same parser.
#[test]
fn history_pages_ask_for_a_time_range() {
    let page = Gateio.history_page_ms(Timeframe::H1).unwrap();
    assert_eq!(page, 1707667200000_i64 - 1704067200000);
    let request = Gateio.history_request("BTC_USDT", Timeframe::H1, 1704067200000, 1704067200000 + page).unwrap();
    assert_eq!(
        request.path_and_query,
        "/api/v4/spot/candlesticks?currency_pair=BTC_USDT&interval=1h&from=1704067200&to=1707667199"
    );
    assert!(!Gateio.parse_candles(&request, &read("api_v4_spot_candlesticks.json")).unwrap().is_empty());
}
