//! What the market says: candles, best bid/ask quotes, order sides, and the snapshot one tick
//! receives for one symbol.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::{Price, Quantity};
use crate::symbol::Symbol;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Buy,
    Sell,
}

/// One OHLCV bar; `open_time_ms` is Unix milliseconds, volume is in the base asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candle {
    pub open_time_ms: i64,
    pub open: Price,
    pub high: Price,
    pub low: Price,
    pub close: Price,
    pub volume: Quantity,
}

/// The best bid and ask of an order book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub bid: Price,
    pub ask: Price,
}

impl Quote {
    /// The quote a candle implies: its close widened by `half_spread` (a fraction) each way.
    pub fn around(close: Price, half_spread: Decimal) -> Self {
        let half = close * half_spread;
        Self { bid: close - half, ask: close + half }
    }
}

/// Everything one tick knows about one symbol: the newest closed candle (feeds the strategy
/// once per candle) and, when the venue gave one, the current quote (prices the fills).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Market<'a> {
    pub symbol: &'a Symbol,
    pub candle: Option<&'a Candle>,
    pub quote: Option<Quote>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_candle_implies_a_quote_around_its_close() {
        let quote = Quote::around(Decimal::from(100), Decimal::new(1, 2));
        assert_eq!(quote.bid, Decimal::from(99));
        assert_eq!(quote.ask, Decimal::from(101));
    }
}
