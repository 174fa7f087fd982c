//! MACD: fast EMA minus slow EMA, its EMA as the signal line, and their difference. As in
//! TA-Lib, both EMAs start on the same input: the fast one is seeded by the SMA of the `fast`
//! inputs ending where the slow seed ends, and nothing is emitted before the signal exists.
//! Both seeds are means of deviations from the first close, so a series starting flat has
//! two averages equal to its price and a MACD of exactly 0.

use serde::{Deserialize, Serialize};

use super::{anchored_mean, approach, check_period, warm_up, Ema, Indicator, IndicatorError};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MacdValue {
    pub macd: f64,
    pub signal: f64,
    pub histogram: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Macd {
    fast_period: usize,
    slow_period: usize,
    seen: usize,
    /// Sums of the closes' deviations from `anchor` during warm-up.
    fast_seed: f64,
    slow_seed: f64,
    /// The first close (states stored before it existed summed the closes themselves: 0).
    #[serde(default)]
    anchor: f64,
    fast: Option<Ema>,
    slow: Option<Ema>,
    signal: Ema,
}

impl Macd {
    pub fn new(fast: usize, slow: usize, signal: usize) -> Result<Self, IndicatorError> {
        let fast_period = check_period("MACD fast", 2, fast)?;
        let slow_period = check_period("MACD slow", 2, slow)?;
        if fast_period >= slow_period {
            return Err(IndicatorError::MacdOrder { fast, slow });
        }
        Ok(Self {
            fast_period,
            slow_period,
            seen: 0,
            fast_seed: 0.0,
            slow_seed: 0.0,
            anchor: 0.0,
            fast: None,
            slow: None,
            signal: Ema::new(check_period("MACD signal", 1, signal)?)?,
        })
    }

    /// Feeds one close to both averages; the MACD line once both exist.
    #[inline]
    fn line(&mut self, close: f64) -> Option<f64> {
        if let (Some(fast), Some(slow)) = (&mut self.fast, &mut self.slow) {
            let fast = fast.update(close)?;
            return Some(fast - slow.update(close)?);
        }
        if self.seen == 0 {
            self.anchor = close;
        }
        self.seen += 1;
        let deviation = close - self.anchor;
        self.slow_seed += deviation;
        if self.seen > self.slow_period - self.fast_period {
            self.fast_seed += deviation;
        }
        if self.seen < self.slow_period {
            return None;
        }
        let fast = anchored_mean(self.anchor, self.fast_seed, self.fast_period);
        let slow = anchored_mean(self.anchor, self.slow_seed, self.slow_period);
        self.fast = Some(Ema::seeded(self.fast_period, fast));
        self.slow = Some(Ema::seeded(self.slow_period, slow));
        Some(fast - slow)
    }

    /// The whole series (line, signal, histogram) from a fresh state, NaN during warm-up:
    /// value for value what [`Indicator::update`] gives, the three averages stepped together
    /// in one pass that writes straight into the columns' spare capacity (pushing onto three
    /// vectors kept the averages in memory rather than registers; going through a buffer cost
    /// about 8 %).
    #[inline(never)]
    pub(super) fn over(mut self, closes: &[f64]) -> [Vec<f64>; 3] {
        let (mut out, rest) = warm_up(&mut self, closes, |v| [v.macd, v.signal, v.histogram]);
        let (Some(fast), Some(slow)) = (&self.fast, &self.slow) else {
            return out;
        };
        let (mut fast, fast_k) = fast.smoothing();
        let (mut slow, slow_k) = slow.smoothing();
        let (mut signal, signal_k) = self.signal.smoothing();
        let [lines, signals, histograms] = &mut out;
        let written = {
            let slots = (lines.spare_capacity_mut().iter_mut())
                .zip(signals.spare_capacity_mut())
                .zip(histograms.spare_capacity_mut());
            let mut written = 0;
            for (&close, ((line_out, signal_out), histogram_out)) in rest.iter().zip(slots) {
                fast = approach(fast, close, fast_k);
                slow = approach(slow, close, slow_k);
                let line = fast - slow;
                signal = approach(signal, line, signal_k);
                line_out.write(line);
                signal_out.write(signal);
                histogram_out.write(line - signal);
                written += 1;
            }
            written
        };
        for column in &mut out {
            // SAFETY: the loop above initialised the first `written` slots past every
            // column's length.
            unsafe { column.set_len(column.len() + written) };
        }
        out
    }
}

impl Indicator for Macd {
    type Input = f64;
    type Output = MacdValue;

    #[inline]
    fn update(&mut self, close: f64) -> Option<MacdValue> {
        let macd = self.line(close)?;
        let signal = self.signal.update(macd)?;
        Some(MacdValue { macd, signal, histogram: macd - signal })
    }

    fn lookback(&self) -> usize {
        self.slow_period - 1 + self.signal.lookback()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::{ema, macd};

    #[test]
    fn starts_when_the_signal_exists_and_seeds_the_fast_average_late() {
        let closes: Vec<f64> = (0..40).map(|i| 100.0 + (i as f64 * 0.7).sin() * 5.0).collect();
        let [line, signal, hist] = macd(&closes, 3, 6, 4).unwrap();
        assert_eq!(Macd::new(3, 6, 4).unwrap().lookback(), 8);
        assert!(line[..8].iter().all(|v| v.is_nan()) && !line[8].is_nan());
        // The fast EMA restarts at input 3 (6 - 3), so it differs from a plain EMA(3).
        let fast_late = ema(&closes[3..], 3).unwrap();
        let slow = ema(&closes, 6).unwrap();
        assert_eq!(line[20], fast_late[17] - slow[20]);
        assert_eq!(hist[20], line[20] - signal[20]);
    }

    #[test]
    fn a_series_starting_flat_has_a_macd_of_exactly_zero() {
        for price in [0.1, 0.000_012_34, 512_345.67] {
            let [line, signal, hist] = macd(&[price; 60], 12, 26, 9).unwrap();
            assert!([line, signal, hist].iter().all(|column| column[33..].iter().all(|&v| v == 0.0)), "{price}");
        }
    }

    #[test]
    fn rejects_fast_not_below_slow() {
        assert_eq!(Macd::new(26, 12, 9), Err(IndicatorError::MacdOrder { fast: 26, slow: 12 }));
    }
}
