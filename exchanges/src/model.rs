//! The unified market-data types every venue parser produces: spot markets with trading
//! rules, best bid/ask, 24-hour tickers and candles, with decimal prices throughout.
//! (The core crate is getting its own candle type; these are the exchange layer's view and
//! convert to it field by field.)

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Symbol;

/// A tradable spot market and its trading rules, as the venue publishes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Market {
    /// Unified `BASE/QUOTE` name.
    pub symbol: Symbol,
    /// The venue's own spelling, used in its requests and payloads.
    pub venue_symbol: String,
    /// Smallest price increment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_tick: Option<Decimal>,
    /// Smallest quantity increment (base asset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lot_step: Option<Decimal>,
    /// Smallest order quantity (base asset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_qty: Option<Decimal>,
    /// Smallest order value (quote asset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_notional: Option<Decimal>,
}

/// Best bid and ask of one market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookTicker {
    pub venue_symbol: String,
    pub bid: Decimal,
    pub ask: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bid_qty: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ask_qty: Option<Decimal>,
}

/// Price statistics over the venue's 24-hour window (see `Quirks::ticker_window`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticker24h {
    pub venue_symbol: String,
    pub last: Decimal,
    pub open: Decimal,
    /// Traded volume in the quote asset, when the venue publishes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote_volume: Option<Decimal>,
}

impl Ticker24h {
    /// Percentage change from open to last, two decimal places; `None` without an open.
    pub fn change_pct(&self) -> Option<Decimal> {
        if self.open.is_zero() {
            return None;
        }
        // Checked: a venue's nonsense must not panic the Worker.
        let pct = self.last.checked_sub(self.open)?.checked_div(self.open)?.checked_mul(Decimal::ONE_HUNDRED)?;
        Some(pct.round_dp(2))
    }
}

/// One candle; `open_time_ms` is the start of its interval in Unix milliseconds (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candle {
    pub open_time_ms: i64,
    pub open: Decimal,
    pub high: Decimal,
    pub low: Decimal,
    pub close: Decimal,
    /// Volume in the base asset.
    pub volume: Decimal,
}

impl Candle {
    /// The core crate's candle, field by field.
    pub fn to_core(&self) -> auronex_core::market::Candle {
        auronex_core::market::Candle {
            open_time_ms: self.open_time_ms,
            open: self.open,
            high: self.high,
            low: self.low,
            close: self.close,
            volume: self.volume,
        }
    }
}

/// The candle intervals the product offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Timeframe {
    #[serde(rename = "1m")]
    M1,
    #[serde(rename = "5m")]
    M5,
    #[serde(rename = "15m")]
    M15,
    #[serde(rename = "1h")]
    H1,
    #[serde(rename = "4h")]
    H4,
    #[serde(rename = "1d")]
    D1,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown timeframe `{0}`: use 1m, 5m, 15m, 1h, 4h or 1d")]
pub struct UnknownTimeframe(pub String);

impl Timeframe {
    pub const ALL: [Timeframe; 6] = [Self::M1, Self::M5, Self::M15, Self::H1, Self::H4, Self::D1];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::M1 => "1m",
            Self::M5 => "5m",
            Self::M15 => "15m",
            Self::H1 => "1h",
            Self::H4 => "4h",
            Self::D1 => "1d",
        }
    }

    pub fn seconds(self) -> i64 {
        match self {
            Self::M1 => 60,
            Self::M5 => 300,
            Self::M15 => 900,
            Self::H1 => 3_600,
            Self::H4 => 14_400,
            Self::D1 => 86_400,
        }
    }

    pub fn millis(self) -> i64 {
        self.seconds() * 1000
    }
}

impl FromStr for Timeframe {
    type Err = UnknownTimeframe;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|tf| tf.as_str() == text).ok_or_else(|| UnknownTimeframe(text.to_string()))
    }
}

impl fmt::Display for Timeframe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeframes_round_trip() {
        for tf in Timeframe::ALL {
            assert_eq!(tf.as_str().parse::<Timeframe>(), Ok(tf));
            assert_eq!(serde_json::to_string(&tf).unwrap(), format!("\"{tf}\""));
        }
        assert!("1M".parse::<Timeframe>().is_err());
        assert!("60".parse::<Timeframe>().is_err());
    }

    #[test]
    fn change_pct_from_open_and_last() {
        let ticker = Ticker24h {
            venue_symbol: "X".into(),
            last: Decimal::new(110, 0),
            open: Decimal::new(100, 0),
            quote_volume: None,
        };
        assert_eq!(ticker.change_pct(), Some(Decimal::new(1000, 2)));
        let flat = Ticker24h { open: Decimal::ZERO, ..ticker };
        assert_eq!(flat.change_pct(), None);
    }
}
