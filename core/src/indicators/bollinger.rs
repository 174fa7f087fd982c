//! Bollinger Bands: SMA middle band, plus and minus `deviations` population standard
//! deviations, from running sums of values and squares as TA-Lib computes them.

use serde::{Deserialize, Serialize};

use super::rolling_sum::RollingSum;
use super::{check_period, Indicator, IndicatorError};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bands {
    pub upper: f64,
    pub middle: f64,
    pub lower: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bollinger {
    period: usize,
    deviations: f64,
    sum: RollingSum,
    squares: RollingSum,
}

impl Bollinger {
    pub fn new(period: usize, deviations: f64) -> Result<Self, IndicatorError> {
        let period = check_period("Bollinger", 2, period)?;
        if !(deviations.is_finite() && deviations > 0.0) {
            return Err(IndicatorError::Deviations(deviations));
        }
        Ok(Self { period, deviations, sum: RollingSum::new(period), squares: RollingSum::new(period) })
    }
}

impl Indicator for Bollinger {
    type Input = f64;
    type Output = Bands;

    #[inline]
    fn update(&mut self, close: f64) -> Option<Bands> {
        let total = self.sum.add(close);
        let total_squares = self.squares.add(close * close)?;
        let period = self.period as f64;
        let middle = total? / period;
        let variance = total_squares / period - middle * middle;
        // TA-Lib's TA_IS_ZERO_OR_NEG: a variance this small is rounding noise.
        let deviation = if variance < 1e-8 { 0.0 } else { variance.sqrt() };
        let width = deviation * self.deviations;
        Some(Bands { upper: middle + width, middle, lower: middle - width })
    }

    fn lookback(&self) -> usize {
        self.period - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::bollinger;

    #[test]
    fn bands_are_population_deviations_around_the_sma() {
        let [upper, middle, lower] = bollinger(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], 8, 2.0).unwrap();
        // Mean 5, population standard deviation 2.
        assert_eq!((upper[7], middle[7], lower[7]), (9.0, 5.0, 1.0));
        assert!(upper[6].is_nan());
    }

    #[test]
    fn rejects_bad_widths() {
        assert!(Bollinger::new(20, 0.0).is_err());
        assert!(Bollinger::new(20, f64::NAN).is_err());
    }
}
