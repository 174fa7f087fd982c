//! Kraken: the raw payloads under `fixtures/kraken/` through the venue's parsers.

use crate::fixture::{self, d};
use auronex_exchanges::venues::kraken::Kraken;
use auronex_exchanges::{ErrorKind, Timeframe, Venue};

fn read(name: &str) -> String {
    fixture::read("kraken", name)
}

#[test]
fn asset_pairs_map_to_common_names() {
    let mut markets = Kraken.parse_markets(&read("0_public_AssetPairs.json")).unwrap();
    markets.sort_by(|a, b| a.symbol.cmp(&b.symbol));
    let names: Vec<(String, &str)> = markets.iter().map(|m| (m.symbol.to_string(), m.venue_symbol.as_str())).collect();
    assert_eq!(names, [("BTC/USD".to_string(), "XXBTZUSD"), ("ETH/BTC".to_string(), "XETHXXBT")]);
    let btc = &markets[0];
    assert_eq!((btc.price_tick, btc.lot_step), (Some(d("0.1")), Some(d("0.00000001"))));
    assert_eq!((btc.min_qty, btc.min_notional), (Some(d("0.0001")), Some(d("0.5"))));
}

#[test]
fn ticker_book_and_day() {
    let request = &Kraken.book_ticker_requests(&["XXBTZUSD", "XETHXXBT"])[0];
    assert_eq!(request.path_and_query, "/0/public/Ticker?pair=XXBTZUSD%2CXETHXXBT");
    let body = read("0_public_Ticker.json");
    let books = Kraken.parse_book_tickers(request, &body).unwrap();
    assert_eq!((books[0].bid, books[0].ask), (d("30300.00000"), d("30300.10000")));
    let tickers = Kraken.parse_tickers_24h(request, &body).unwrap();
    assert_eq!((tickers[0].last, tickers[0].open), (d("30303.2"), d("30502.8")));
}

#[test]
fn ohlc_rows_in_seconds() {
    let request = Kraken.candles_request("XXBTZUSD", Timeframe::M1, 2, 0);
    assert_eq!(request.path_and_query, "/0/public/OHLC?pair=XXBTZUSD&interval=1");
    let candles = Kraken.parse_candles(&request, &read("0_public_OHLC.json")).unwrap();
    assert_eq!(candles.len(), 2);
    assert_eq!(candles[0].open_time_ms, 1_688_671_200_000);
    assert_eq!(candles[0].volume, d("3.39243896"));
    assert!(Kraken.parse_candles(&request, &read("0_public_OHLC.empty.json")).unwrap().is_empty());
}

#[test]
fn errors_are_classified() {
    let body = read("error.unknown_asset_pair.json");
    assert_eq!(Kraken.classify_error(200, &body).kind, ErrorKind::UnknownSymbol);
    let request = Kraken.candles_request("NOPE", Timeframe::M1, 1, 0);
    assert_eq!(Kraken.parse_candles(&request, &body).unwrap_err().kind, ErrorKind::UnknownSymbol);
    assert_eq!(Kraken.parse_markets(&read("error.rate_limit.json")).unwrap_err().kind, ErrorKind::RateLimited);
    assert_eq!(Kraken.classify_error(520, "").kind, ErrorKind::Transient);
    assert_eq!(Kraken.parse_markets(&read("error.service_unavailable.json")).unwrap_err().kind, ErrorKind::Transient);
    assert_eq!(Kraken.classify_error(200, r#"{"error":["EGeneral:Invalid arguments"]}"#).kind, ErrorKind::Terminal);
}

#[test]
fn absurd_numbers_are_refused_not_panicked_on() {
    let body = r#"{"error":[],"result":{"XXBTZUSD":{"a":["1","1","1"],"b":["1","1","1"],
        "c":["79228162514264337593543950335","1"],"v":["1","79228162514264337593543950335"],
        "p":["1","10"],"o":"0.0000000000000000000000000001"}}}"#;
    let request = &Kraken.ticker_24h_requests(&[])[0];
    let tickers = Kraken.parse_tickers_24h(request, body).unwrap();
    assert_eq!(tickers[0].quote_volume, None, "the product overflows");
    assert_eq!(tickers[0].change_pct(), None, "the change overflows");
    let request = Kraken.candles_request("XXBTZUSD", Timeframe::M1, 1, 0);
    let rows = r#"{"error":[],"result":{"XXBTZUSD":[[9223372036854775807,"1","1","1","1","1","1",1]]}}"#;
    assert!(Kraken.parse_candles(&request, rows).is_err());
}

#[test]
fn history_is_refused_naming_what_ohlc_offers() {
    assert!(Kraken.history_request("XXBTZUSD", Timeframe::H1, 0, 3_600_000).is_none());
    assert!(Kraken.history_page_ms(Timeframe::H1).is_none());
}
