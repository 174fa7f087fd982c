//! Candles as the page passes them: one Float64Array holding n open times (ms), then n opens,
//! highs, lows, closes and volumes. Each number becomes the decimal its shortest text is (the
//! same decimal the CLI reads from a CSV that wrote the number), without formatting text in the
//! common case.

use std::str::FromStr;

use auronex_core::market::Candle;
use rust_decimal::Decimal;

const FIELDS: usize = 6;
/// Below 2^53 every integer is exact in an f64.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// The candles of `columns`; an error when its length is not 6·n, a number is not finite or
/// negative, or open times do not increase.
pub fn candles_from_columns(columns: &[f64]) -> Result<Vec<Candle>, String> {
    if columns.len() % FIELDS != 0 {
        return Err(format!("candles: {} numbers is not 6 columns of equal length", columns.len()));
    }
    let n = columns.len() / FIELDS;
    let column = |i: usize| &columns[i * n..(i + 1) * n];
    let (times, opens, highs, lows, closes, volumes) =
        (column(0), column(1), column(2), column(3), column(4), column(5));
    let mut candles = Vec::with_capacity(n);
    for i in 0..n {
        let time = times[i];
        if !(time.is_finite() && time.fract() == 0.0 && time.abs() < EXACT) {
            return Err(format!("candle {i}: open time {time} is not a whole number of ms"));
        }
        let time = time as i64;
        if i > 0 && time <= candles.last().map_or(i64::MIN, |c: &Candle| c.open_time_ms) {
            return Err(format!("candle {i}: open times must increase"));
        }
        let price = |value: f64| decimal(value).ok_or_else(|| format!("candle {i}: {value} is not a price"));
        candles.push(Candle {
            open_time_ms: time,
            open: price(opens[i])?,
            high: price(highs[i])?,
            low: price(lows[i])?,
            close: price(closes[i])?,
            volume: price(volumes[i])?,
        });
    }
    Ok(candles)
}

/// The decimal with the fewest fraction digits that reads back as `value` (what its shortest
/// text says); `None` for a negative or non-finite number.
pub fn decimal(value: f64) -> Option<Decimal> {
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    let mut scale = 1.0f64;
    for digits in 0..=12u32 {
        let scaled = (value * scale).round();
        if scaled >= EXACT {
            break;
        }
        if scaled / scale == value {
            return Some(Decimal::new(scaled as i64, digits));
        }
        scale *= 10.0;
    }
    Decimal::from_str(&value.to_string()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_become_the_decimal_their_text_says() {
        for text in ["0", "1", "43251.37", "0.1", "0.00012345", "97000.5", "1e-10", "123456789.12345678", "3.3"] {
            let value: f64 = text.parse().unwrap();
            let expected = Decimal::from_str(&value.to_string()).unwrap();
            assert_eq!(decimal(value), Some(expected), "{text}");
        }
        // A sweep of prices with up to 8 decimals, as venues quote them.
        let mut x: u64 = 7;
        for _ in 0..20_000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let digits = (x >> 60) as u32 % 9;
            let mantissa = (x >> 20) % 10_000_000_000;
            let exact = Decimal::new(mantissa as i64, digits);
            let value: f64 = exact.to_string().parse().unwrap();
            assert_eq!(decimal(value).map(|d| d.normalize()), Some(exact.normalize()), "{exact}");
        }
        assert_eq!(decimal(-1.0), None);
        assert_eq!(decimal(f64::NAN), None);
    }

    #[test]
    fn columns_are_checked() {
        let columns = [1.0, 2.0, 10.0, 11.0, 12.0, 13.0, 9.0, 10.0, 11.5, 12.5, 5.0, 6.0];
        let candles = candles_from_columns(&columns).unwrap();
        assert_eq!(candles.len(), 2);
        assert_eq!(candles[1].open_time_ms, 2);
        assert_eq!(candles[1].close, Decimal::new(125, 1));
        assert!(candles_from_columns(&columns[..11]).is_err());
        let mut backwards = columns;
        backwards.swap(0, 1);
        assert!(candles_from_columns(&backwards).is_err());
        let mut negative = columns;
        negative[4] = -3.0;
        assert!(candles_from_columns(&negative).is_err());
    }
}
