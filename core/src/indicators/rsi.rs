//! Relative strength index with Wilder smoothing, seeded by the plain mean of the first
//! `period` gains and losses (TA-Lib's default, not Metastock's).

use serde::{Deserialize, Serialize};

use super::{check_period, is_zero, Indicator, IndicatorError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rsi {
    period: usize,
    /// Wilder's smoothing: `average * keep + change * take`, with keep = (n-1)/n, take = 1/n.
    keep: f64,
    take: f64,
    previous: Option<f64>,
    changes: usize,
    gain: f64,
    loss: f64,
}

impl Rsi {
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        let period = check_period("RSI", 2, period)?;
        Ok(Self {
            period,
            keep: (period - 1) as f64 / period as f64,
            take: 1.0 / period as f64,
            previous: None,
            changes: 0,
            gain: 0.0,
            loss: 0.0,
        })
    }

    #[inline]
    fn value(&self) -> f64 {
        let total = self.gain + self.loss;
        if is_zero(total) {
            0.0
        } else {
            100.0 * (self.gain / total)
        }
    }
}

impl Indicator for Rsi {
    type Input = f64;
    type Output = f64;

    #[inline]
    fn update(&mut self, close: f64) -> Option<f64> {
        let previous = self.previous.replace(close)?;
        let change = close - previous;
        let (gain, loss) = if change < 0.0 { (0.0, -change) } else { (change, 0.0) };
        if self.changes >= self.period {
            self.gain = self.gain * self.keep + gain * self.take;
            self.loss = self.loss * self.keep + loss * self.take;
            return Some(self.value());
        }
        self.gain += gain;
        self.loss += loss;
        self.changes += 1;
        if self.changes < self.period {
            return None;
        }
        self.gain /= self.period as f64;
        self.loss /= self.period as f64;
        Some(self.value())
    }

    fn lookback(&self) -> usize {
        self.period
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::rsi;

    #[test]
    fn first_value_is_the_share_of_gains_in_the_first_period() {
        // Changes +2, -1, +1: mean gain 1, mean loss 1/3, RSI 75.
        let out = rsi(&[10.0, 12.0, 11.0, 12.0, 12.0], 3).unwrap();
        assert!(out[..3].iter().all(|v| v.is_nan()));
        assert_eq!(out[3], 75.0);
        // Wilder: gain (1*2 + 0)/3, loss (1/3*2 + 0)/3, so still 75.
        assert!((out[4] - 75.0).abs() < 1e-12);
    }

    #[test]
    fn a_flat_market_reads_zero_like_ta_lib() {
        let out = rsi(&[5.0; 6], 2).unwrap();
        assert_eq!(out[5], 0.0);
        assert!(Rsi::new(1).is_err());
    }
}
