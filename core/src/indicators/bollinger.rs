//! Bollinger Bands: SMA middle band, plus and minus `deviations` population standard
//! deviations, both from a [`Window`]: a flat window gives three bands equal to its price and a
//! width of exactly 0, and a calm window at 500,000 keeps the digits of its variance.

use serde::{Deserialize, Serialize};

use super::window::{step, Deviations, Window};
use super::{by_chunks, check_period, warm_up, Indicator, IndicatorError, CHUNK};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bands {
    pub upper: f64,
    pub middle: f64,
    pub lower: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "Stored")]
pub struct Bollinger {
    period: usize,
    deviations: f64,
    window: Window,
}

/// What a stored state may hold: the current shape, or the one before [`Window`] (running
/// sums of closes and of their squares, each with a ring of the latest closes).
#[derive(Deserialize)]
#[serde(untagged)]
enum Stored {
    Current { period: usize, deviations: f64, window: Window },
    RunningSums { period: usize, deviations: f64, sum: StoredRing },
}

/// The ring of a running sum: slot `next` is the oldest; `seen` stops at `period - 1`.
#[derive(Deserialize)]
struct StoredRing {
    seen: usize,
    window: Vec<f64>,
    next: usize,
}

impl From<Stored> for Bollinger {
    fn from(stored: Stored) -> Self {
        match stored {
            Stored::Current { period, deviations, window } => Self { period, deviations, window },
            Stored::RunningSums { period, deviations, sum } => {
                // The latest `seen` closes, oldest first; when the ring was full, that leaves out
                // its oldest close, so the window is full again from the next close on.
                let (newer, older) = sum.window.split_at(sum.next.min(sum.window.len()));
                let closes: Vec<f64> = older.iter().chain(newer).copied().collect();
                let latest = closes[closes.len() - sum.seen.min(closes.len())..].iter().copied();
                Self { period, deviations, window: Window::replayed(period, latest) }
            }
        }
    }
}

impl Bollinger {
    pub fn new(period: usize, deviations: f64) -> Result<Self, IndicatorError> {
        let period = check_period("Bollinger", 2, period)?;
        if !(deviations.is_finite() && deviations > 0.0) {
            return Err(IndicatorError::Deviations(deviations));
        }
        Ok(Self { period, deviations, window: Window::new(period) })
    }

    /// The bands from the window's sums.
    #[inline(always)]
    fn bands(&self, sums: Deviations) -> Bands {
        let period = self.period as f64;
        let middle = sums.mean(period);
        let width = sums.variance(period).sqrt() * self.deviations;
        Bands { upper: middle + width, middle, lower: middle - width }
    }

    /// The whole series (upper, middle, lower) from a fresh state, NaN during warm-up: value
    /// for value what [`Indicator::update`] gives, without its ring buffer (the window is read
    /// from `closes`). The sums are stepped a chunk at a time into a buffer, then the chunk's
    /// divisions and square roots run in a loop of their own, which the compiler vectorises,
    /// writing straight into the columns' spare capacity.
    #[inline(never)]
    pub(super) fn over(mut self, closes: &[f64]) -> [Vec<f64>; 3] {
        let (mut out, rest) = warm_up(&mut self, closes, |b| [b.upper, b.middle, b.lower]);
        let (mut schedule, mut sums) = self.window.state();
        let start = closes.len() - rest.len();
        let mut chunk_sums = [sums; CHUNK];
        let [uppers, middles, lowers] = &mut out;
        let (upper_slots, middle_slots, lower_slots) =
            (uppers.spare_capacity_mut(), middles.spare_capacity_mut(), lowers.spare_capacity_mut());
        let mut written = 0;
        by_chunks(
            rest.len(),
            #[inline(always)]
            |range| {
                let len = range.len();
                for (i, slot) in chunk_sums[..len].iter_mut().enumerate() {
                    sums = step(&mut schedule, sums, closes, start + range.start + i, self.period);
                    *slot = sums;
                }
                let upper = &mut upper_slots[range.clone()];
                let middle = &mut middle_slots[range.clone()];
                let lower = &mut lower_slots[range];
                for i in 0..len {
                    let b = self.bands(chunk_sums[i]);
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
        let sums = self.window.push(close)?;
        Some(self.bands(sums))
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
    fn a_state_stored_with_running_sums_goes_on_from_its_closes() {
        // Closes 1 to 5 into a period of 3, as stored before `Window`: ring [4, 5, 3], slot 2
        // the oldest.
        let ring = r#"{"seen": 2, "partial": 9.0, "window": [4.0, 5.0, 3.0], "next": 2}"#;
        let squares = r#"{"seen": 2, "partial": 41.0, "window": [16.0, 25.0, 9.0], "next": 2}"#;
        let stored = format!(r#"{{"period": 3, "deviations": 2.0, "sum": {ring}, "squares": {squares}}}"#);
        let mut upgraded: Bollinger = serde_json::from_str(&stored).unwrap();
        let mut fresh = Bollinger::new(3, 2.0).unwrap();
        (1..=5).for_each(|close| _ = fresh.update(close as f64));
        let (a, b) = (upgraded.update(6.0).unwrap(), fresh.update(6.0).unwrap());
        assert!((a.middle - b.middle).abs() < 1e-12 && (a.upper - b.upper).abs() < 1e-12, "{a:?} {b:?}");
        let again: Bollinger = serde_json::from_str(&serde_json::to_string(&upgraded).unwrap()).unwrap();
        assert_eq!(again, upgraded);
    }

    #[test]
    fn a_flat_window_gives_bands_on_the_price() {
        let mut closes = vec![512_345.67, 498_001.03, 530_000.5];
        closes.extend([0.1; 25]);
        let [upper, middle, lower] = bollinger(&closes, 20, 2.0).unwrap();
        assert_eq!((upper[27], middle[27], lower[27]), (0.1, 0.1, 0.1));
    }

    #[test]
    fn rejects_bad_widths() {
        assert!(Bollinger::new(20, 0.0).is_err());
        assert!(Bollinger::new(20, f64::NAN).is_err());
    }
}
