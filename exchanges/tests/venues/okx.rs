//! Okx: the raw payloads under `fixtures/okx/` through the venue's parsers.

use crate::fixture::{self, d};
use auronex_exchanges::venues::okx::Okx;
use auronex_exchanges::{ErrorKind, Timeframe, Venue};

fn read(name: &str) -> String {
    fixture::read("okx", name)
}

#[test]
fn instruments_list_live_spot_markets() {
    let markets = Okx.parse_markets(&read("api_v5_public_instruments.json")).unwrap();
    assert_eq!(markets.len(), 1, "suspended instruments are skipped");
    let btc = &markets[0];
    assert_eq!((btc.symbol.to_string(), btc.venue_symbol.as_str()), ("BTC/USDT".to_string(), "BTC-USDT"));
    assert_eq!(
        (btc.price_tick, btc.lot_step, btc.min_qty),
        (Some(d("0.1")), Some(d("0.00000001")), Some(d("0.00001")))
    );
}

#[test]
fn tickers_give_book_and_24h() {
    let request = &Okx.book_ticker_requests(&["BTC-USDT", "ETH-USDT"])[0];
    let body = read("api_v5_market_tickers.json");
    let books = Okx.parse_book_tickers(request, &body).unwrap();
    assert_eq!((books[0].bid, books[0].ask), (d("9999.98"), d("9999.99")));
    let tickers = Okx.parse_tickers_24h(request, &body).unwrap();
    assert_eq!((tickers[0].last, tickers[0].open), (d("9999.99"), d("9000")));
}

#[test]
fn candles_oldest_first() {
    let request = Okx.candles_request("BTC-USDT", Timeframe::D1, 2, 0);
    assert_eq!(request.path_and_query, "/api/v5/market/candles?instId=BTC-USDT&bar=1Dutc&limit=2");
    let candles = Okx.parse_candles(&request, &read("api_v5_market_candles.json")).unwrap();
    assert_eq!(candles[0].open_time_ms, 1596939983085);
    assert_eq!(candles[1].high, d("3.799"));
    assert!(Okx.parse_candles(&request, &read("api_v5_market_candles.empty.json")).unwrap().is_empty());
}

#[test]
fn errors_are_classified() {
    let body = read("error.instrument_does_not_exist.json");
    assert_eq!(Okx.classify_error(400, &body).kind, ErrorKind::UnknownSymbol);
    let request = Okx.candles_request("NOPE-USDT", Timeframe::M1, 1, 0);
    assert_eq!(Okx.parse_candles(&request, &body).unwrap_err().kind, ErrorKind::UnknownSymbol);
    assert_eq!(Okx.classify_error(429, &read("error.rate_limit.json")).kind, ErrorKind::RateLimited);
    assert_eq!(Okx.parse_markets(&read("error.rate_limit.json")).unwrap_err().kind, ErrorKind::RateLimited);
    // The venue's own "busy" answer is worth a retry; a parameter error is not.
    assert_eq!(Okx.parse_markets(&read("error.service_unavailable.json")).unwrap_err().kind, ErrorKind::Transient);
    assert_eq!(
        Okx.classify_error(400, r#"{"code":"51000","msg":"Parameter instId error","data":[]}"#).kind,
        ErrorKind::Terminal
    );
}

/// A page of history asks for exactly one page's span with the venue's own range parameters,
/// and its answer (the same rows as the latest-candles endpoint) goes through the same parser.
#[test]
fn history_pages_ask_for_a_time_range() {
    let page = Okx.history_page_ms(Timeframe::H1).unwrap();
    assert_eq!(page, 1704427200000_i64 - 1704067200000);
    let request = Okx.history_request("BTC-USDT", Timeframe::H1, 1704067200000, 1704067200000 + page).unwrap();
    assert_eq!(
        request.path_and_query,
        "/api/v5/market/history-candles?instId=BTC-USDT&bar=1H&after=1704427200000&before=1704067199999&limit=100"
    );
    assert!(!Okx.parse_candles(&request, &read("api_v5_market_candles.json")).unwrap().is_empty());
}
