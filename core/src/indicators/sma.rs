//! Simple moving average, summed the way TA-Lib sums it (add the newest, emit, drop the oldest).

use serde::{Deserialize, Serialize};

use super::rolling_sum::{roll, RollingSum};
use super::{check_period, warm_up, Indicator, IndicatorError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sma {
    period: usize,
    sum: RollingSum,
}

impl Sma {
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        let period = check_period("SMA", 2, period)?;
        Ok(Self { period, sum: RollingSum::new(period) })
    }

    /// The whole series from a fresh state, NaN during warm-up: value for value what
    /// [`Indicator::update`] gives, without its ring buffer (the oldest input is read from
    /// `inputs`).
    #[inline(never)]
    pub(super) fn over(mut self, inputs: &[f64]) -> Vec<f64> {
        let ([mut out], rest) = warm_up(&mut self, inputs, |value| [value]);
        let period = self.period as f64;
        let mut partial = self.sum.partial();
        // `rest[i]` is `inputs[period + i]`; the input leaving the window is `inputs[1 + i]`.
        out.extend(rest.iter().zip(inputs.get(1..).unwrap_or_default()).map(|(&value, &oldest)| {
            let total;
            (total, partial) = roll(partial, value, oldest);
            total / period
        }));
        out
    }
}

impl Indicator for Sma {
    type Input = f64;
    type Output = f64;

    #[inline]
    fn update(&mut self, input: f64) -> Option<f64> {
        Some(self.sum.add(input)? / self.period as f64)
    }

    fn lookback(&self) -> usize {
        self.period - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::sma;

    #[test]
    fn averages_the_last_period_inputs() {
        let out = sma(&[1.0, 2.0, 3.0, 4.0, 5.0], 3).unwrap();
        assert!(out[0].is_nan() && out[1].is_nan());
        assert_eq!(&out[2..], &[2.0, 3.0, 4.0]);
        assert!(Sma::new(1).is_err());
    }
}
