//! Relative strength index with Wilder smoothing, seeded by the plain mean of the first
//! `period` gains and losses (TA-Lib's default, not Metastock's). When average gain and loss
//! are both exactly zero (a market flat from the start) it is 0, as TA-Lib 0.8 gives; through
//! a flat stretch after a move both averages shrink alike and the RSI keeps its last value, as
//! in TA-Lib 0.8 (TA-Lib 0.4 zeroed sums below 1e-8, which a cheap coin's averages always are).

use serde::{Deserialize, Serialize};

use super::{by_chunks, check_period, smooth, warm_up, Indicator, IndicatorError, CHUNK};

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

    /// Whether the averages hold any gain or loss: false for a market that has not moved in
    /// their memory, whose RSI of 0 is TA-Lib's convention rather than a reading.
    pub fn has_moved(&self) -> bool {
        self.gain + self.loss != 0.0
    }

    /// The whole series from a fresh state, NaN during warm-up: value for value what
    /// [`Indicator::update`] gives. The averages are smoothed a chunk at a time into buffers,
    /// then the chunk's divisions run in a loop of their own, which the compiler vectorises.
    #[inline(never)]
    pub(super) fn over(mut self, closes: &[f64]) -> Vec<f64> {
        let ([mut out], rest) = warm_up(&mut self, closes, |value| [value]);
        let Some(mut previous) = self.previous else {
            return out;
        };
        let (keep, take) = (self.keep, self.take);
        let (mut gain, mut loss) = (self.gain, self.loss);
        let mut gains = [0.0; CHUNK];
        let mut losses = [0.0; CHUNK];
        by_chunks(
            rest.len(),
            #[inline(always)]
            |range| {
                let (gains, losses) = (&mut gains[..range.len()], &mut losses[..range.len()]);
                for ((&close, gain_out), loss_out) in rest[range].iter().zip(&mut *gains).zip(&mut *losses) {
                    let (up, down) = split(close - previous);
                    previous = close;
                    gain = smooth(gain, up, keep, take);
                    loss = smooth(loss, down, keep, take);
                    (*gain_out, *loss_out) = (gain, loss);
                }
                out.extend(gains.iter().zip(&*losses).map(|(&gain, &loss)| value(gain, loss)));
            },
        );
        out
    }
}

/// A close-to-close change as its (gain, loss) parts: `(0, -change)` when it is negative,
/// `(change, 0)` otherwise. The loss is taken as `gain - change`, exactly those values for
/// any number (a NaN change makes both NaN; the RSI is NaN from there on either way), so
/// there is a single select, which compiles to a mask: the sign of a price change is close to
/// a coin flip, and a branch on it would mispredict about half the time.
#[inline(always)]
fn split(change: f64) -> (f64, f64) {
    let gain = if change < 0.0 { 0.0 } else { change };
    (gain, gain - change)
}

/// The RSI of average gain and loss; 0 when both are zero, as in TA-Lib.
#[inline(always)]
fn value(gain: f64, loss: f64) -> f64 {
    let total = gain + loss;
    if total == 0.0 {
        0.0
    } else {
        100.0 * (gain / total)
    }
}

impl Indicator for Rsi {
    type Input = f64;
    type Output = f64;

    #[inline]
    fn update(&mut self, close: f64) -> Option<f64> {
        let previous = self.previous.replace(close)?;
        let change = close - previous;
        let (gain, loss) = split(change);
        if self.changes >= self.period {
            self.gain = smooth(self.gain, gain, self.keep, self.take);
            self.loss = smooth(self.loss, loss, self.keep, self.take);
            return Some(value(self.gain, self.loss));
        }
        self.gain += gain;
        self.loss += loss;
        self.changes += 1;
        if self.changes < self.period {
            return None;
        }
        self.gain /= self.period as f64;
        self.loss /= self.period as f64;
        Some(value(self.gain, self.loss))
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

    #[test]
    fn a_flat_stretch_after_a_move_keeps_the_last_value_like_ta_lib() {
        // TA-Lib 0.8.2: RSI(2) of 100, 101, 100.5 then flat is 66.666... for 1,000 candles (its
        // averages reach zero only by underflow, after about 1,070).
        let mut closes = vec![100.0, 101.0, 100.5];
        closes.extend([100.5; 1000]);
        let out = rsi(&closes, 2).unwrap();
        assert!(out[3..].iter().all(|v| (v - 200.0 / 3.0).abs() < 1e-9), "{:?}", &out[990..]);
        // A coin at 0.00001 moving by 0.00000001 has averages far below 1e-8: still an RSI.
        let cheap: Vec<f64> = (0..40).map(|i| 0.000_01 + (i % 3) as f64 * 1e-8).collect();
        assert!(rsi(&cheap, 14).unwrap()[14..].iter().all(|v| *v > 30.0 && *v < 70.0));
    }
}
