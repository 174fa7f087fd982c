//! Exponential moving average with k = 2 / (period + 1), seeded by the SMA of the first
//! `period` inputs (TA-Lib's default).

use serde::{Deserialize, Serialize};

use super::{check_period, Indicator, IndicatorError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ema {
    period: usize,
    k: f64,
    seen: usize,
    /// The running seed sum during warm-up, the average after it.
    value: f64,
}

impl Ema {
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        let period = check_period("EMA", 1, period)?;
        Ok(Self { period, k: 2.0 / (period + 1) as f64, seen: 0, value: 0.0 })
    }

    /// Starts from an average already seeded elsewhere (MACD seeds its own).
    pub(crate) fn seeded(period: usize, seed: f64) -> Self {
        Self { period, k: 2.0 / (period + 1) as f64, seen: period, value: seed }
    }
}

impl Indicator for Ema {
    type Input = f64;
    type Output = f64;

    #[inline]
    fn update(&mut self, input: f64) -> Option<f64> {
        if self.seen >= self.period {
            self.value = self.value * (1.0 - self.k) + input * self.k;
            return Some(self.value);
        }
        self.value += input;
        self.seen += 1;
        if self.seen < self.period {
            return None;
        }
        self.value /= self.period as f64;
        Some(self.value)
    }

    fn lookback(&self) -> usize {
        self.period - 1
    }
}

#[cfg(test)]
mod tests {
    use crate::indicators::ema;

    #[test]
    fn seeds_with_the_sma_then_smooths() {
        let out = ema(&[2.0, 4.0, 6.0, 8.0], 3).unwrap();
        assert!(out[1].is_nan());
        assert_eq!(out[2], 4.0);
        assert_eq!(out[3], 6.0);
    }
}
