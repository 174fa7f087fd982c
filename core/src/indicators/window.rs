//! The mean and variance of the latest `period` inputs, exact on flat windows and free of
//! catastrophic cancellation. Instead of running sums of the inputs and their squares (whose
//! difference loses every digit when the prices are large and the window calm, and keeps the
//! rounding of inputs long gone), it sums deviations from an anchor, one of the recent
//! inputs, and recomputes those sums from the window around its newest input every `period`
//! inputs and as soon as the window is one repeated price. A flat window thus has sums of
//! exactly 0: its mean is that price and its variance 0.0. O(1) per input, plus O(period)
//! once every `period` inputs (and once per flat stretch).

use serde::{Deserialize, Serialize};

/// Sums of deviations from `anchor` over a window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct Deviations {
    anchor: f64,
    sum: f64,
    squares: f64,
}

impl Deviations {
    /// Over the window `older` then `newer` (oldest input first), around its newest input.
    pub(crate) fn of(older: &[f64], newer: &[f64]) -> Self {
        let anchor = newer.last().or(older.last()).copied().unwrap_or_default();
        let (mut sum, mut squares) = (0.0, 0.0);
        for &input in older.iter().chain(newer) {
            let deviation = input - anchor;
            sum += deviation;
            squares += deviation * deviation;
        }
        Self { anchor, sum, squares }
    }

    /// The window moved on by one: `newest` came in and `oldest` left.
    #[inline(always)]
    pub(crate) fn roll(self, newest: f64, oldest: f64) -> Self {
        let (came, left) = (newest - self.anchor, oldest - self.anchor);
        Self { anchor: self.anchor, sum: self.sum + came - left, squares: self.squares + came * came - left * left }
    }

    /// The mean of a window of `period` inputs.
    #[inline(always)]
    pub(crate) fn mean(self, period: f64) -> f64 {
        self.anchor + self.sum / period
    }

    /// The population variance of a window of `period` inputs; rounding that would make it
    /// negative gives 0 (a NaN stays NaN).
    #[inline(always)]
    pub(crate) fn variance(self, period: f64) -> f64 {
        let offset = self.sum / period;
        let variance = self.squares / period - offset * offset;
        if variance < 0.0 {
            0.0
        } else {
            variance
        }
    }
}

/// When [`Deviations`] are recomputed rather than rolled: counts the inputs since the last
/// recomputation and the run of inputs equal to the newest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Schedule {
    since: usize,
    run: usize,
    last: f64,
}

impl Schedule {
    /// Counts `input`; true when the window's sums are to be recomputed around it: `period`
    /// inputs after the last time, or when the latest `period` inputs have just become equal.
    #[inline(always)]
    pub(crate) fn due(&mut self, input: f64, period: usize) -> bool {
        // From the default state the first input gets a run of 1 either way.
        self.run = if input == self.last { self.run + 1 } else { 1 };
        self.last = input;
        self.since += 1;
        let due = self.since >= period || self.run == period;
        if due {
            self.since = 0;
        }
        due
    }
}

/// The streaming window: a ring of the latest `period` inputs and its sums.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Window {
    /// The latest inputs, a ring whose slot `next` holds the oldest (written next).
    ring: Vec<f64>,
    next: usize,
    seen: usize,
    schedule: Schedule,
    sums: Deviations,
}

impl Window {
    pub(crate) fn new(period: usize) -> Self {
        let sums = Deviations { anchor: 0.0, sum: 0.0, squares: 0.0 };
        Self { ring: vec![0.0; period], next: 0, seen: 0, schedule: Schedule::default(), sums }
    }

    /// Adds `input`; the sums over the latest `period` inputs once there are that many.
    #[inline]
    pub(crate) fn push(&mut self, input: f64) -> Option<Deviations> {
        let period = self.ring.len();
        let oldest = std::mem::replace(&mut self.ring[self.next], input);
        self.next = if self.next + 1 == period { 0 } else { self.next + 1 };
        // Due at the `period`-th input at the latest, so the first full window is summed whole.
        let due = self.schedule.due(input, period);
        if self.seen < period {
            self.seen += 1;
            if self.seen < period {
                return None;
            }
        }
        self.sums = if due {
            let (newer, older) = self.ring.split_at(self.next);
            Deviations::of(older, newer)
        } else {
            self.sums.roll(input, oldest)
        };
        Some(self.sums)
    }

    /// Where the batch loops go on from: the schedule and the latest sums.
    pub(crate) fn state(&self) -> (Schedule, Deviations) {
        (self.schedule, self.sums)
    }

    /// A window holding `inputs` (oldest first; only the latest `period` count).
    pub(crate) fn replayed(period: usize, inputs: impl IntoIterator<Item = f64>) -> Self {
        let mut window = Self::new(period);
        inputs.into_iter().for_each(|input| _ = window.push(input));
        window
    }
}

/// One batch step, as [`Window::push`] steps a full window: `inputs[end]` comes in, and the
/// window is `inputs[end + 1 - period..=end]`.
#[inline(always)]
pub(crate) fn step(schedule: &mut Schedule, sums: Deviations, inputs: &[f64], end: usize, period: usize) -> Deviations {
    let newest = inputs[end];
    if schedule.due(newest, period) {
        Deviations::of(&inputs[end + 1 - period..=end], &[])
    } else {
        sums.roll(newest, inputs[end - period])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pushed(period: usize, inputs: &[f64]) -> Vec<Option<(f64, f64)>> {
        let mut window = Window::new(period);
        let n = period as f64;
        inputs.iter().map(|&input| window.push(input).map(|sums| (sums.mean(n), sums.variance(n)))).collect()
    }

    #[test]
    fn mean_and_variance_of_the_latest_period_inputs() {
        let out = pushed(3, &[1.0, 2.0, 3.0, 4.0, 10.0]);
        assert_eq!(out[..2], [None, None]);
        let expected = [(2.0, 2.0 / 3.0), (3.0, 2.0 / 3.0), (17.0 / 3.0, 86.0 / 9.0)];
        for (got, (mean, variance)) in out[2..].iter().zip(expected) {
            let (got_mean, got_variance) = got.unwrap();
            assert!((got_mean - mean).abs() < 1e-12 && (got_variance - variance).abs() < 1e-12, "{got:?}");
        }
    }

    #[test]
    fn a_flat_window_is_exact_however_rough_the_road_to_it() {
        // Prices whose squares and sums round, then one repeated price.
        let mut inputs: Vec<f64> = (0..500).map(|i| 512_345.67 + ((i * 7919) % 1000) as f64 * 13.37).collect();
        inputs.extend([0.1; 40]);
        inputs.extend([499_999.99; 40]);
        for period in [2, 3, 7, 20, 30] {
            let out = pushed(period, &inputs);
            for end in [539, 579] {
                assert_eq!(out[end], Some((inputs[end], 0.0)), "period {period}, input {end}");
            }
        }
    }

    #[test]
    fn calm_windows_at_large_prices_keep_their_digits() {
        // 500,000 and 500,000.01 in turn: a variance of 2.5e-5, 1e-16 of the squares summed.
        let high = 500_000.01f64;
        let inputs: Vec<f64> = (0..1000).map(|i| if i % 2 == 0 { high } else { 500_000.0 }).collect();
        let (_, variance) = pushed(20, &inputs)[999].unwrap();
        let exact = ((high - 500_000.0) / 2.0).powi(2);
        assert!((variance - exact).abs() < 1e-9 * exact, "{variance}");
    }
}
