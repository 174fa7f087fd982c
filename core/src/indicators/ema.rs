//! Exponential moving average with k = 2 / (period + 1), seeded by the SMA of the first
//! `period` inputs (TA-Lib's default), taken as their mean deviation from the first input so
//! that a series starting flat gives its price exactly, and stepped in TA-Lib's order (see
//! [`approach`]).

use serde::{Deserialize, Serialize};

use super::{anchored_mean, approach, check_period, warm_up, Indicator, IndicatorError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ema {
    period: usize,
    k: f64,
    seen: usize,
    /// During warm-up, the sum of the inputs' deviations from `anchor`; the average after it.
    value: f64,
    /// The first input (states stored before it existed summed the inputs themselves: 0).
    #[serde(default)]
    anchor: f64,
}

impl Ema {
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        let period = check_period("EMA", 1, period)?;
        Ok(Self { period, k: 2.0 / (period + 1) as f64, seen: 0, value: 0.0, anchor: 0.0 })
    }

    /// Starts from an average already seeded elsewhere (MACD seeds its own).
    pub(crate) fn seeded(period: usize, seed: f64) -> Self {
        Self { period, k: 2.0 / (period + 1) as f64, seen: period, value: seed, anchor: 0.0 }
    }

    /// The current average (the seed's deviation sum during warm-up) and the factor k that
    /// [`Indicator::update`] steps with.
    pub(super) fn smoothing(&self) -> (f64, f64) {
        (self.value, self.k)
    }

    /// The whole series from a fresh state, NaN during warm-up: value for value what
    /// [`Indicator::update`] gives.
    #[inline(never)]
    pub(super) fn over(mut self, inputs: &[f64]) -> Vec<f64> {
        let ([mut out], rest) = warm_up(&mut self, inputs, |value| [value]);
        let (mut value, k) = self.smoothing();
        out.extend(rest.iter().map(|&input| {
            value = approach(value, input, k);
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
            self.value = approach(self.value, input, self.k);
            return Some(self.value);
        }
        if self.seen == 0 {
            self.anchor = input;
        }
        self.value += input - self.anchor;
        self.seen += 1;
        if self.seen < self.period {
            return None;
        }
        self.value = anchored_mean(self.anchor, self.value, self.period);
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

    #[test]
    fn a_flat_start_is_its_price_and_an_average_at_the_input_stays() {
        // A plain seed (0.1 + 0.1 + 0.1) / 3 is 0.10000000000000002.
        assert!(ema(&[0.1; 50], 3).unwrap()[2..].iter().all(|&v| v == 0.1));
        let mut closes = vec![512_345.67, 498_000.01, 530_001.5];
        closes.extend([499_999.99; 400]);
        let out = ema(&closes, 2).unwrap();
        // Falls towards the flat price, never below it, and arrives.
        assert!(out[2..].windows(2).all(|w| w[1] <= w[0] && w[1] >= 499_999.99));
        assert_eq!(out[402], 499_999.99);
    }
}
