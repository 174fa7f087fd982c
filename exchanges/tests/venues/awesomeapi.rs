//! AwesomeAPI: the USD-BRL payloads under `fixtures/awesomeapi/` through its parser.

use auronex_exchanges::fx::parse_usd_brl;

use crate::fixture;

#[test]
fn parses_the_last_quote() {
    let quote = parse_usd_brl(&fixture::read("awesomeapi", "json_last_USD-BRL.json")).unwrap();
    assert_eq!(quote.bid, "5.7289".parse().unwrap());
    assert_eq!(quote.ask, "5.7299".parse().unwrap());
    assert_eq!(quote.rate(), "5.7294".parse().unwrap());
    assert_eq!(quote.timestamp, 1618317283);
}

#[test]
fn error_and_odd_payloads_are_errors() {
    let error = parse_usd_brl(&fixture::read("awesomeapi", "error.coin_not_exists.json"));
    assert!(error.unwrap_err().message.contains("CoinNotExists"));
    assert!(parse_usd_brl("{}").is_err());
    assert!(parse_usd_brl("not json").is_err());
}
