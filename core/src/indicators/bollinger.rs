//! Bollinger Bands: SMA middle band, plus and minus `deviations` population standard
//! deviations, from running sums of values and squares as TA-Lib computes them.

use serde::{Deserialize, Serialize};

use super::rolling_sum::{roll, RollingSum};
use super::{by_chunks, check_period, warm_up, Indicator, IndicatorError, CHUNK};

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

    /// The bands from the window's sum and sum of squares.
    #[inline(always)]
    fn bands(&self, total: f64, total_squares: f64) -> Bands {
        let period = self.period as f64;
        let middle = total / period;
        let variance = total_squares / period - middle * middle;
        // TA-Lib's TA_IS_ZERO_OR_NEG: a variance this small is rounding noise.
        let deviation = if variance < 1e-8 { 0.0 } else { variance.sqrt() };
        let width = deviation * self.deviations;
        Bands { upper: middle + width, middle, lower: middle - width }
    }

    /// The whole series (upper, middle, lower) from a fresh state, NaN during warm-up: value
    /// for value what [`Indicator::update`] gives, without its ring buffers (the close
    /// leaving the window is read from `closes`). The running sums are stepped a chunk at a
    /// time into buffers, then the chunk's divisions and square roots run in a loop of their
    /// own, which the compiler vectorises, writing straight into the columns' spare capacity.
    #[inline(never)]
    pub(super) fn over(mut self, closes: &[f64]) -> [Vec<f64>; 3] {
        let (mut out, rest) = warm_up(&mut self, closes, |b| [b.upper, b.middle, b.lower]);
        let (mut sum, mut squares) = (self.sum.partial(), self.squares.partial());
        // `rest[i]` is `closes[period + i]`; the close leaving the window is `closes[1 + i]`.
        let leaving = closes.get(1..).unwrap_or_default();
        let mut totals = [0.0; CHUNK];
        let mut total_squares = [0.0; CHUNK];
        let [uppers, middles, lowers] = &mut out;
        let (upper_slots, middle_slots, lower_slots) =
            (uppers.spare_capacity_mut(), middles.spare_capacity_mut(), lowers.spare_capacity_mut());
        let mut written = 0;
        by_chunks(
            rest.len(),
            #[inline(always)]
            |range| {
                let len = range.len();
                let (chunk, leaving) = (&rest[range.clone()], &leaving[range.clone()]);
                let (totals, total_squares) = (&mut totals[..len], &mut total_squares[..len]);
                let outs = totals.iter_mut().zip(total_squares.iter_mut());
                for ((&close, &old), (total, total_square)) in chunk.iter().zip(leaving).zip(outs) {
                    (*total, sum) = roll(sum, close, old);
                    (*total_square, squares) = roll(squares, close * close, old * old);
                }
                let upper = &mut upper_slots[range.clone()];
                let middle = &mut middle_slots[range.clone()];
                let lower = &mut lower_slots[range];
                for i in 0..len {
                    let b = self.bands(totals[i], total_squares[i]);
                    upper[i].write(b.upper);
                    middle[i].write(b.middle);
                    lower[i].write(b.lower);
                }
                written += len;
            },
        );
        for column in &mut out {
            // SAFETY: the chunks are consecutive from 0, and each wrote all its slots, so
            // the first `written` slots past every column's length are initialised.
            unsafe { column.set_len(column.len() + written) };
        }
        out
    }
}

impl Indicator for Bollinger {
    type Input = f64;
    type Output = Bands;

    #[inline]
    fn update(&mut self, close: f64) -> Option<Bands> {
        let total = self.sum.add(close);
        let total_squares = self.squares.add(close * close)?;
        Some(self.bands(total?, total_squares))
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
