//! AwesomeAPI's foreign-exchange quote (`GET /json/last/USD-BRL`), used to show BRL values.
//! Source: AwesomeAPI's documentation (docs.awesomeapi.com.br, "API de Cotações").

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::VenueError;
use crate::json;
use crate::request::UpstreamRequest;

/// One currency pair's latest quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FxQuote {
    pub bid: Decimal,
    pub ask: Decimal,
    /// Unix seconds of the quote, as AwesomeAPI reports it.
    pub timestamp: i64,
}

impl FxQuote {
    /// The mid rate, rounded to 4 decimal places.
    pub fn rate(&self) -> Decimal {
        ((self.bid + self.ask) / Decimal::TWO).round_dp(4)
    }
}

pub fn usd_brl_request() -> UpstreamRequest {
    UpstreamRequest::new("/json/last/USD-BRL", 1)
}

/// Parses `{"USDBRL": {"bid": "5.7289", "ask": "5.7299", "timestamp": "1618317283", ...}}`.
/// AwesomeAPI reports errors as `{"status": 404, "code": "CoinNotExists", "message": ...}`.
pub fn parse_usd_brl(body: &str) -> Result<FxQuote, VenueError> {
    let value = json::parse("awesomeapi", body)?;
    if let Some(code) = value["code"].as_str() {
        let message = value["message"].as_str().unwrap_or("");
        return Err(VenueError::terminal(format!("awesomeapi {code}: {message}")));
    }
    let quote: &Value = &value["USDBRL"];
    if !quote.is_object() {
        return Err(VenueError::malformed("awesomeapi", "`USDBRL` missing"));
    }
    Ok(FxQuote {
        bid: json::req_decimal("awesomeapi", quote, "bid")?,
        ask: json::req_decimal("awesomeapi", quote, "ask")?,
        timestamp: json::int(&quote["timestamp"])
            .ok_or_else(|| VenueError::malformed("awesomeapi", "`timestamp` missing"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venues::fixture;

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
}
