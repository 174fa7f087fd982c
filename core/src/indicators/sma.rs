//! Simple moving average: the mean of the latest `period` inputs from a [`Window`], so a flat
//! window averages to its price exactly (TA-Lib's running sum can be off there by its rounding).

use serde::{Deserialize, Serialize};

use super::window::{step, Window};
use super::{check_period, warm_up, Indicator, IndicatorError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sma {
    period: usize,
    window: Window,
}

impl Sma {
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        let period = check_period("SMA", 2, period)?;
        Ok(Self { period, window: Window::new(period) })
    }

    /// The whole series from a fresh state, NaN during warm-up: value for value what
    /// [`Indicator::update`] gives, without its ring buffer (the window is read from `inputs`).
    #[inline(never)]
    pub(super) fn over(mut self, inputs: &[f64]) -> Vec<f64> {
        let ([mut out], rest) = warm_up(&mut self, inputs, |value| [value]);
        let (period, n) = (self.period, self.period as f64);
        let (mut schedule, mut sums) = self.window.state();
        let start = inputs.len() - rest.len();
        out.extend((start..inputs.len()).map(|end| {
            sums = step(&mut schedule, sums, inputs, end, period);
            sums.mean(n)
        }));
        out
    }
}

impl Indicator for Sma {
    type Input = f64;
    type Output = f64;

    #[inline]
    fn update(&mut self, input: f64) -> Option<f64> {
        Some(self.window.push(input)?.mean(self.period as f64))
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

    #[test]
    fn a_flat_window_averages_to_its_price() {
        // Summed and divided, three 0.1s average to 0.10000000000000002.
        assert_eq!(sma(&[0.3, 0.1, 0.1, 0.1], 3).unwrap()[3], 0.1);
    }
}
