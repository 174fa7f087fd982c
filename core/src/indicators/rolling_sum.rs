//! The sum of the latest `period` inputs, kept as TA-Lib keeps it: add the newest, read the
//! total, then drop the oldest, so the rounding matches its SMA and BBANDS.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct RollingSum {
    seen: usize,
    /// Sum of the latest `period - 1` inputs.
    partial: f64,
    /// The latest `period` inputs, a ring whose slot `next` is written next.
    window: Vec<f64>,
    next: usize,
}

impl RollingSum {
    pub(crate) fn new(period: usize) -> Self {
        Self { seen: 0, partial: 0.0, window: vec![0.0; period], next: 0 }
    }

    /// Adds `value`; the total of the latest `period` inputs once there are that many.
    #[inline]
    pub(crate) fn add(&mut self, value: f64) -> Option<f64> {
        self.window[self.next] = value;
        self.next += 1;
        if self.next == self.window.len() {
            self.next = 0;
        }
        if self.seen + 1 < self.window.len() {
            self.seen += 1;
            self.partial += value;
            return None;
        }
        let total;
        (total, self.partial) = roll(self.partial, value, self.window[self.next]);
        Some(total)
    }

    /// The sum of the latest `period - 1` inputs, where the next total starts from.
    pub(crate) fn partial(&self) -> f64 {
        self.partial
    }
}

/// One step of a full window: the total with `value` added, and the partial sum for the next
/// step (that total less `oldest`, the input leaving the window). [`RollingSum::add`] and the
/// batch loops, which read the oldest input from the series itself, both step with this.
#[inline(always)]
pub(crate) fn roll(partial: f64, value: f64, oldest: f64) -> (f64, f64) {
    let total = partial + value;
    (total, total - oldest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_the_latest_period_inputs() {
        let mut sum = RollingSum::new(3);
        let totals: Vec<Option<f64>> = [1.0, 2.0, 3.0, 4.0, 10.0].map(|v| sum.add(v)).to_vec();
        assert_eq!(totals, [None, None, Some(6.0), Some(9.0), Some(17.0)]);
    }
}
