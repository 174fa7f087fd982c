//! Technical indicators as streaming state with an O(1) update per input, and over whole
//! series. Formulas and warm-up (lookback) follow TA-Lib; sums follow its arithmetic order,
//! while the smoothing recurrences multiply by precomputed factors instead of dividing (a
//! shorter dependency chain), which keeps them within about 1e-13 of TA-Lib.

mod atr;
mod bollinger;
mod ema;
mod macd;
mod rolling_sum;
mod rsi;
mod sma;

pub use atr::{Atr, Bar};
pub use bollinger::{Bands, Bollinger};
pub use ema::Ema;
pub use macd::{Macd, MacdValue};
pub use rsi::Rsi;
pub use sma::Sma;

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
    let mut out: [Vec<f64>; K] = std::array::from_fn(|_| Vec::with_capacity(inputs.len()));
    for &input in inputs {
        let values = indicator.update(input).map_or([f64::NAN; K], &columns);
        for (column, value) in out.iter_mut().zip(values) {
            column.push(value);
        }
    }
    out
}

/// TA-Lib's `TA_IS_ZERO`: values this close to zero count as zero.
pub(crate) fn is_zero(value: f64) -> bool {
    -1e-8 < value && value < 1e-8
}

/// The simple moving average of `inputs` over `period`, NaN during warm-up.
pub fn sma(inputs: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    let [out] = series(Sma::new(period)?, inputs, |value| [value]);
    Ok(out)
}

/// The exponential moving average of `inputs` over `period`, NaN during warm-up.
pub fn ema(inputs: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    let [out] = series(Ema::new(period)?, inputs, |value| [value]);
    Ok(out)
}

/// Wilder's relative strength index of `closes` over `period`, NaN during warm-up.
pub fn rsi(closes: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    let [out] = series(Rsi::new(period)?, closes, |value| [value]);
    Ok(out)
}

/// MACD line, signal line and histogram of `closes`, NaN during warm-up.
pub fn macd(closes: &[f64], fast: usize, slow: usize, signal: usize) -> Result<[Vec<f64>; 3], IndicatorError> {
    let indicator = Macd::new(fast, slow, signal)?;
    Ok(series(indicator, closes, |v| [v.macd, v.signal, v.histogram]))
}

/// Bollinger upper, middle and lower bands of `closes`, NaN during warm-up.
pub fn bollinger(closes: &[f64], period: usize, deviations: f64) -> Result<[Vec<f64>; 3], IndicatorError> {
    let indicator = Bollinger::new(period, deviations)?;
    Ok(series(indicator, closes, |b| [b.upper, b.middle, b.lower]))
}

/// Wilder's average true range of `bars` over `period`, NaN during warm-up.
pub fn atr(bars: &[Bar], period: usize) -> Result<Vec<f64>, IndicatorError> {
    let [out] = series(Atr::new(period)?, bars, |value| [value]);
    Ok(out)
}
