//! Simple moving average, summed the way TA-Lib sums it (add the newest, emit, drop the oldest).

use serde::{Deserialize, Serialize};

use super::rolling_sum::RollingSum;
use super::{check_period, Indicator, IndicatorError};

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
