//! Average true range with Wilder smoothing, seeded by the mean of the first `period` true
//! ranges (the first bar has no previous close, so it yields none, as in TA-Lib).

use serde::{Deserialize, Serialize};

use super::{check_period, Indicator, IndicatorError};

/// The prices ATR reads from one candle.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    pub high: f64,
    pub low: f64,
    pub close: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Atr {
    period: usize,
    previous_close: Option<f64>,
    ranges: usize,
    /// The sum of true ranges during warm-up, the average after it.
    value: f64,
}

impl Atr {
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        Ok(Self { period: check_period("ATR", 2, period)?, previous_close: None, ranges: 0, value: 0.0 })
    }
}

fn true_range(bar: Bar, previous_close: f64) -> f64 {
    let mut greatest = bar.high - bar.low;
    let to_high = (previous_close - bar.high).abs();
    if to_high > greatest {
        greatest = to_high;
    }
    let to_low = (previous_close - bar.low).abs();
    if to_low > greatest {
        greatest = to_low;
    }
    greatest
}

impl Indicator for Atr {
    type Input = Bar;
    type Output = f64;

    #[inline]
    fn update(&mut self, bar: Bar) -> Option<f64> {
        let previous = self.previous_close.replace(bar.close)?;
        let range = true_range(bar, previous);
        let period = self.period as f64;
        if self.ranges >= self.period {
            self.value = (self.value * (period - 1.0) + range) / period;
            return Some(self.value);
        }
        self.value += range;
        self.ranges += 1;
        if self.ranges < self.period {
            return None;
        }
        self.value /= period;
        Some(self.value)
    }

    fn lookback(&self) -> usize {
        self.period
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::atr;

    #[test]
    fn true_range_reaches_back_to_the_previous_close() {
        let bar = |high, low, close| Bar { high, low, close };
        // Ranges: 2 (high-low), 5 (gap up from 10 to a high of 15), 3.
        let bars = [bar(11.0, 9.0, 10.0), bar(11.0, 9.0, 10.0), bar(15.0, 13.0, 14.0), bar(14.0, 11.0, 12.0)];
        let out = atr(&bars, 2).unwrap();
        assert!(out[1].is_nan());
        assert_eq!(out[2], 3.5);
        assert_eq!(out[3], (3.5 + 3.0) / 2.0);
    }
}
