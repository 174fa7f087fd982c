//! Technical indicators as streaming state with an O(1) update per input, and over whole
//! series. Formulas, warm-up (lookback) and the EMA step follow TA-Lib 0.8; Wilder's smoothing
//! multiplies by precomputed factors instead of dividing (a shorter dependency chain). Where
//! TA-Lib's arithmetic leaves rounding on a flat market, ours is exact: window means and
//! variances come from [`window`] (sums of deviations from a recent input, not of inputs and
//! squares), and seeds are mean deviations from the first input. So a window of one repeated
//! price has that price as its SMA and as all three Bollinger bands (width exactly 0); a series
//! that starts flat has that price as its EMA, a MACD of exactly 0 and an RSI of 0 (TA-Lib's
//! convention when gains and losses are both zero); after a move, the EMA approaches the
//! flat price without overshooting it, and RSI and ATR decay as in TA-Lib. Every value is
//! within 1e-9 of TA-Lib's relative to max(1, |value|): `tests/talib_fixtures.rs`, on real
//! candles and on flat, 500,000-priced and 0.00001-priced series.
//!
//! The whole-series functions (`sma`, `ema`, `rsi`, `macd`, `bollinger`) run the warm-up
//! through the streaming `update`, then a batch loop of their own: no per-value `Option` or
//! warm-up test, windows read from the series instead of a ring, and divisions and square
//! roots finished a chunk at a time in loops the compiler vectorises. Both paths step with
//! the same functions (`smooth`, `approach`, `window::step`, ...), so a series equals the
//! streaming outputs bit for bit (tested below). The batch loops are `#[inline(never)]`:
//! inlined into a large caller they were given fewer registers and kept their running values
//! in memory.

mod atr;
mod bollinger;
mod ema;
mod macd;
mod rsi;
mod sma;
mod window;

pub use atr::{Atr, Bar};
pub use bollinger::{Bands, Bollinger};
pub use ema::Ema;
pub use macd::{Macd, MacdValue};
pub use rsi::Rsi;
pub use sma::Sma;

use std::ops::Range;

/// TA-Lib's upper bound for a period; also keeps window buffers to a sane size.
pub const MAX_PERIOD: usize = 100_000;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IndicatorError {
    #[error("{name} period must be between {min} and {MAX_PERIOD}, got {got}")]
    Period { name: &'static str, min: usize, got: usize },
    #[error("MACD fast period ({fast}) must be below its slow period ({slow})")]
    MacdOrder { fast: usize, slow: usize },
    #[error("band width must be a finite number of standard deviations above 0, got {0}")]
    Deviations(f64),
}

pub(crate) fn check_period(name: &'static str, min: usize, got: usize) -> Result<usize, IndicatorError> {
    if (min..=MAX_PERIOD).contains(&got) {
        Ok(got)
    } else {
        Err(IndicatorError::Period { name, min, got })
    }
}

/// An indicator fed one input at a time.
pub trait Indicator {
    type Input: Copy;
    type Output: Copy;

    /// Feeds one input; `None` until the warm-up is over.
    fn update(&mut self, input: Self::Input) -> Option<Self::Output>;

    /// How many inputs produce no output (TA-Lib's lookback): the first output comes with
    /// input number `lookback() + 1`.
    fn lookback(&self) -> usize;
}

/// Runs `indicator` over `inputs` and splits each output into `K` columns, NaN during warm-up
/// (TA-Lib's convention for whole-series results).
pub fn series<I: Indicator, const K: usize>(
    mut indicator: I,
    inputs: &[I::Input],
    columns: impl Fn(I::Output) -> [f64; K],
) -> [Vec<f64>; K] {
    let mut out = columns_for(inputs.len());
    feed(&mut indicator, inputs, &mut out, columns);
    out
}

/// `K` empty columns with room for `len` values each.
fn columns_for<const K: usize>(len: usize) -> [Vec<f64>; K] {
    std::array::from_fn(|_| Vec::with_capacity(len))
}

/// Feeds `inputs` to `indicator` one at a time, pushing each output's columns (NaN while it
/// warms up) onto `out`.
fn feed<I: Indicator, const K: usize>(
    indicator: &mut I,
    inputs: &[I::Input],
    out: &mut [Vec<f64>; K],
    columns: impl Fn(I::Output) -> [f64; K],
) {
    for &input in inputs {
        let values = indicator.update(input).map_or([f64::NAN; K], &columns);
        for (column, value) in out.iter_mut().zip(values) {
            column.push(value);
        }
    }
}

/// The whole-series functions' common start: feeds the warm-up and the first output through
/// the streaming `update` (so both paths start from the same state), and returns the output
/// columns with the inputs still to do, which the caller runs through its own batch loop.
fn warm_up<'a, I: Indicator, const K: usize>(
    indicator: &mut I,
    inputs: &'a [I::Input],
    columns: impl Fn(I::Output) -> [f64; K],
) -> ([Vec<f64>; K], &'a [I::Input]) {
    let mut out = columns_for(inputs.len());
    let (head, rest) = inputs.split_at((indicator.lookback() + 1).min(inputs.len()));
    feed(indicator, head, &mut out, columns);
    (out, rest)
}

/// One step of Wilder's smoothing, `average * keep + input * take` with keep = (n - 1) / n
/// and take = 1 / n (RSI's averages). The streaming and the batch loops both call it, so they
/// round alike.
#[inline(always)]
pub(crate) fn smooth(average: f64, input: f64, keep: f64, take: f64) -> f64 {
    average * keep + input * take
}

/// One step of an exponential moving average, `average + (input - average) * k`, in TA-Lib's
/// order: it moves towards the input without overshooting it, and an average equal to the
/// input stays exactly there (`average * (1 - k) + input * k` can round away from it).
#[inline(always)]
pub(crate) fn approach(average: f64, input: f64, k: f64) -> f64 {
    (input - average) * k + average
}

/// The mean of inputs as sums of their deviations from the first of them: `anchor +
/// deviations / count`, which is the input itself, exactly, when all are equal (a plain sum
/// divided by the count need not be: three 0.1s give 0.10000000000000002).
#[inline(always)]
pub(crate) fn anchored_mean(anchor: f64, deviations: f64, count: usize) -> f64 {
    anchor + deviations / count as f64
}

/// How many values the batch loops keep in fixed buffers before finishing them (divisions,
/// square roots) in a pass the compiler vectorises and storing them. Short enough that the
/// processor overlaps one chunk's finishing and stores with the next one's recurrence: on the
/// benchmark machine 32 did better than 16 and 64, and much better than 256.
const CHUNK: usize = 32;

/// Calls `step` with consecutive ranges covering `0..len`, each `CHUNK` long but the last.
/// The full ones have a constant length, so their copies into the output compile to moves.
#[inline(always)]
fn by_chunks(len: usize, mut step: impl FnMut(Range<usize>)) {
    let mut start = 0;
    while start + CHUNK <= len {
        step(start..start + CHUNK);
        start += CHUNK;
    }
    if start < len {
        step(start..len);
    }
}

/// The simple moving average of `inputs` over `period`, NaN during warm-up.
pub fn sma(inputs: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    Ok(Sma::new(period)?.over(inputs))
}

/// The exponential moving average of `inputs` over `period`, NaN during warm-up.
pub fn ema(inputs: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    Ok(Ema::new(period)?.over(inputs))
}

/// Wilder's relative strength index of `closes` over `period`, NaN during warm-up.
pub fn rsi(closes: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    Ok(Rsi::new(period)?.over(closes))
}

/// MACD line, signal line and histogram of `closes`, NaN during warm-up.
pub fn macd(closes: &[f64], fast: usize, slow: usize, signal: usize) -> Result<[Vec<f64>; 3], IndicatorError> {
    Ok(Macd::new(fast, slow, signal)?.over(closes))
}

/// Bollinger upper, middle and lower bands of `closes`, NaN during warm-up.
pub fn bollinger(closes: &[f64], period: usize, deviations: f64) -> Result<[Vec<f64>; 3], IndicatorError> {
    Ok(Bollinger::new(period, deviations)?.over(closes))
}

/// Wilder's average true range of `bars` over `period`, NaN during warm-up.
pub fn atr(bars: &[Bar], period: usize) -> Result<Vec<f64>, IndicatorError> {
    let [out] = series(Atr::new(period)?, bars, |value| [value]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Bit for bit, NaN for NaN: the batch loops must round exactly as the streaming update.
    fn assert_identical(name: &str, batch: &[f64], streamed: &[f64]) {
        assert_eq!(batch.len(), streamed.len(), "{name}: lengths");
        for (index, (b, s)) in batch.iter().zip(streamed).enumerate() {
            assert!(b.to_bits() == s.to_bits(), "{name} index {index}: series {b}, streaming {s}");
        }
    }

    /// Every whole-series function against its streaming indicator fed one input at a time.
    fn check_all(closes: &[f64], period: usize, fast: usize, slow: usize, signal: usize) {
        let one = |value| [value];
        let [streamed] = series(Sma::new(period).unwrap(), closes, one);
        assert_identical("sma", &sma(closes, period).unwrap(), &streamed);
        let [streamed] = series(Ema::new(period).unwrap(), closes, one);
        assert_identical("ema", &ema(closes, period).unwrap(), &streamed);
        let [streamed] = series(Rsi::new(period).unwrap(), closes, one);
        assert_identical("rsi", &rsi(closes, period).unwrap(), &streamed);
        let streamed = series(Macd::new(fast, slow, signal).unwrap(), closes, |v| [v.macd, v.signal, v.histogram]);
        for (batch, streamed) in macd(closes, fast, slow, signal).unwrap().iter().zip(&streamed) {
            assert_identical("macd", batch, streamed);
        }
        let streamed = series(Bollinger::new(period, 2.0).unwrap(), closes, |b| [b.upper, b.middle, b.lower]);
        for (batch, streamed) in bollinger(closes, period, 2.0).unwrap().iter().zip(&streamed) {
            assert_identical("bollinger", batch, streamed);
        }
        assert_flat_windows_exact(closes, period);
    }

    /// Wherever the latest `period` closes are equal, SMA and all three bands are that close;
    /// elsewhere the mean and deviation agree with a two-pass computation over the window.
    fn assert_flat_windows_exact(closes: &[f64], period: usize) {
        let sma = sma(closes, period).unwrap();
        let [upper, middle, lower] = bollinger(closes, period, 2.0).unwrap();
        let n = period as f64;
        for (start, window) in closes.windows(period).enumerate() {
            let (end, close) = (start + period - 1, window[0]);
            if window.iter().all(|&c| c == close) {
                assert_eq!([sma[end], upper[end], middle[end], lower[end]], [close; 4], "index {end}");
                continue;
            }
            let mean = window.iter().sum::<f64>() / n;
            let deviation = (window.iter().map(|c| (c - mean) * (c - mean)).sum::<f64>() / n).sqrt();
            let near = |ours: f64, exact: f64| (ours - exact).abs() <= 1e-9 * exact.abs().max(1.0);
            assert!(near(middle[end], mean) && near(upper[end] - middle[end], 2.0 * deviation), "index {end}");
        }
    }

    /// A random walk in cents with flat stretches, where the windows' sums are recomputed and
    /// RSI may meet gains and losses of zero.
    fn walk() -> impl Strategy<Value = Vec<f64>> {
        (1i64..10_000_000, prop::collection::vec((-500i64..=500, 0usize..4), 0..700)).prop_map(|(start, steps)| {
            let mut cents = start;
            let mut closes = Vec::new();
            for (step, repeat) in steps {
                cents = (cents + step).max(1);
                closes.extend(std::iter::repeat_n(cents as f64 / 100.0, if repeat == 3 { 30 } else { 1 }));
            }
            closes
        })
    }

    proptest! {
        #[test]
        fn series_equal_streaming_at_every_index(
            closes in walk(),
            period in 2usize..40,
            (fast, slow, signal) in (2usize..20, 1usize..30, 1usize..15).prop_map(|(f, d, g)| (f, f + d, g)),
        ) {
            check_all(&closes, period, fast, slow, signal);
        }
    }

    #[test]
    fn series_equal_streaming_for_periods_beyond_a_chunk() {
        let closes: Vec<f64> = (0..2_000).map(|i| 100.0 + (i as f64 * 0.05).sin() * 10.0 + (i % 7) as f64).collect();
        for period in [2, CHUNK - 1, CHUNK, CHUNK + 1, 600] {
            check_all(&closes, period, period / 2 + 1, period + 1, period / 3 + 1);
        }
        for len in [0, 1, 2, 3, 20, 21, 22] {
            check_all(&closes[..len], 20, 12, 26, 9);
        }
    }
}
