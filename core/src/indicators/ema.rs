//! Exponential moving average with k = 2 / (period + 1), seeded by the SMA of the first
//! `period` inputs (TA-Lib's default).

use serde::{Deserialize, Serialize};

use super::{check_period, smooth, warm_up, Indicator, IndicatorError};

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

    /// The current average (the seed sum during warm-up) and the smoothing factors `keep`
    /// (1 - k) and `take` (k) that [`Indicator::update`] applies.
    pub(super) fn smoothing(&self) -> (f64, f64, f64) {
        (self.value, 1.0 - self.k, self.k)
    }

    /// The whole series from a fresh state, NaN during warm-up: value for value what
    /// [`Indicator::update`] gives.
    #[inline(never)]
    pub(super) fn over(mut self, inputs: &[f64]) -> Vec<f64> {
        let ([mut out], rest) = warm_up(&mut self, inputs, |value| [value]);
        let (mut value, keep, take) = self.smoothing();
        out.extend(rest.iter().map(|&input| {
            value = smooth(value, input, keep, take);
            value
        }));
        out
    }
}

impl Indicator for Ema {
    type Input = f64;
    type Output = f64;

    #[inline]
    fn update(&mut self, input: f64) -> Option<f64> {
        if self.seen >= self.period {
            self.value = smooth(self.value, input, 1.0 - self.k, self.k);
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
