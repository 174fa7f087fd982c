//! Htx: the raw payloads under `fixtures/htx/` through the venue's parsers.

use crate::fixture::{self, d};
use auronex_exchanges::venues::htx::Htx;
use auronex_exchanges::{ErrorKind, Timeframe, Venue};

fn read(name: &str) -> String {
    fixture::read("htx", name)
}

#[test]
fn symbols_list_online_markets() {
    let markets = Htx.parse_markets(&read("v1_common_symbols.json")).unwrap();
    assert_eq!(markets.len(), 1, "offline symbols are skipped");
    let btc = &markets[0];
    assert_eq!((btc.symbol.to_string(), btc.venue_symbol.as_str()), ("BTC/USDT".to_string(), "btcusdt"));
    assert_eq!((btc.price_tick, btc.lot_step), (Some(d("0.01")), Some(d("0.000001"))));
    assert_eq!((btc.min_qty, btc.min_notional), (Some(d("0.0001")), Some(d("5"))));
}

#[test]
fn tickers_give_book_and_24h() {
    let request = &Htx.book_ticker_requests(&["btcusdt"])[0];
    let body = read("market_tickers.json");
    let books = Htx.parse_book_tickers(request, &body).unwrap();
    assert_eq!((books[0].bid, books[0].ask), (d("49006.48"), d("49006.49")));
    let tickers = Htx.parse_tickers_24h(request, &body).unwrap();
    assert_eq!((tickers[0].open, tickers[0].last), (d("48430.01"), d("49006.48")));
}

#[test]
fn kline_objects_oldest_first() {
    let request = Htx.candles_request("btcusdt", Timeframe::H1, 2, 0);
    assert_eq!(request.path_and_query, "/market/history/kline?symbol=btcusdt&period=60min&size=2");
    let candles = Htx.parse_candles(&request, &read("market_history_kline.json")).unwrap();
    assert_eq!(candles[0].open_time_ms, 1_629_766_800_000);
    assert_eq!(candles[1].volume, d("73.0891"));
    assert!(Htx
        .parse_candles(&request, r#"{"ch":"market.btcusdt.kline.60min","status":"ok","ts":1,"data":[]}"#)
        .unwrap()
        .is_empty());
}

#[test]
fn errors_are_classified() {
    let body = read("error.invalid_symbol.json");
    assert_eq!(Htx.classify_error(200, &body).kind, ErrorKind::UnknownSymbol);
    let request = Htx.candles_request("nope", Timeframe::M1, 1, 0);
    assert_eq!(Htx.parse_candles(&request, &body).unwrap_err().kind, ErrorKind::UnknownSymbol);
    assert_eq!(Htx.classify_error(429, "").kind, ErrorKind::RateLimited);
}

#[test]
fn history_is_refused_naming_what_kline_offers() {
    assert!(Htx.history_request("btcusdt", Timeframe::H1, 0, 3_600_000).is_none());
    assert!(Htx.history_page_ms(Timeframe::H1).is_none());
}
