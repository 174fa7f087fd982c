//! Foxbit: the raw payloads under `fixtures/foxbit/` through the venue's parsers.

use crate::fixture::{self, d};
use auronex_exchanges::venues::foxbit::Foxbit;
use auronex_exchanges::{ErrorKind, Timeframe, Venue};

fn read(name: &str) -> String {
    fixture::read("foxbit", name)
}

#[test]
fn markets_map_lower_case_symbols() {
    let markets = Foxbit.parse_markets(&read("rest_v3_markets.json")).unwrap();
    let btc = &markets[0];
    assert_eq!((btc.symbol.to_string(), btc.venue_symbol.as_str()), ("BTC/BRL".to_string(), "btcbrl"));
    assert_eq!(
        (btc.price_tick, btc.lot_step, btc.min_qty),
        (Some(d("0.0001")), Some(d("0.00000001")), Some(d("0.00000236")))
    );
}

#[test]
fn market_ticker_has_the_book() {
    let request = &Foxbit.book_ticker_requests(&["btcbrl"])[0];
    assert_eq!(request.path_and_query, "/rest/v3/markets/btcbrl/ticker/24hr");
    let books = Foxbit.parse_book_tickers(request, &read("rest_v3_markets_market_ticker_24hr.json")).unwrap();
    assert_eq!((books[0].bid, books[0].ask), (d("358400.1"), d("358504.6934")));
}

#[test]
fn all_tickers_give_24h() {
    let request = &Foxbit.ticker_24h_requests(&[])[0];
    assert_eq!(request.path_and_query, "/rest/v3/markets/ticker/24hr");
    let tickers = Foxbit.parse_tickers_24h(request, &read("rest_v3_markets_ticker_24hr.json")).unwrap();
    assert_eq!((tickers[0].open, tickers[0].last), (d("355292.8205"), d("358504.6934")));
}

#[test]
fn candlesticks() {
    let request = Foxbit.candles_request("btcbrl", Timeframe::M1, 2, 0);
    assert_eq!(request.path_and_query, "/rest/v3/markets/btcbrl/candlesticks?interval=1m&limit=2");
    let candles = Foxbit.parse_candles(&request, &read("rest_v3_markets_market_candlesticks.json")).unwrap();
    assert_eq!(candles[0].open_time_ms, 1_692_918_000_000);
    assert_eq!(candles[0].volume, d("0.17080431"));
    assert!(Foxbit.parse_candles(&request, "[]").unwrap().is_empty());
}

#[test]
fn errors_are_classified() {
    let body = read("error.invalid_symbol.json");
    assert_eq!(Foxbit.classify_error(400, &body).kind, ErrorKind::UnknownSymbol);
    let request = Foxbit.candles_request("nope", Timeframe::M1, 1, 0);
    assert_eq!(Foxbit.parse_candles(&request, &body).unwrap_err().kind, ErrorKind::UnknownSymbol);
    assert_eq!(Foxbit.classify_error(429, &body).kind, ErrorKind::RateLimited);
    assert_eq!(Foxbit.parse_markets(&read("error.service_unavailable.json")).unwrap_err().kind, ErrorKind::Transient);
}

/// A page of history asks for exactly one page's span with the venue's own range parameters,
/// and its answer (the same rows as the latest-candles endpoint) goes through the same parser.
#[test]
fn history_pages_ask_for_a_time_range() {
    let page = Foxbit.history_page_ms(Timeframe::H1).unwrap();
    assert_eq!(page, 1705867200000_i64 - 1704067200000);
    let request = Foxbit.history_request("btcbrl", Timeframe::H1, 1704067200000, 1704067200000 + page).unwrap();
    assert_eq!(request.path_and_query, "/rest/v3/markets/btcbrl/candlesticks?interval=1h&start_time=2024-01-01T00%3A00%3A00.000Z&end_time=2024-01-21T19%3A59%3A59.999Z&limit=500");
    assert!(!Foxbit.parse_candles(&request, &read("rest_v3_markets_market_candlesticks.json")).unwrap().is_empty());
}
