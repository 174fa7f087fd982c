//! Reading venue JSON: decimals that arrive as strings or numbers, and small helpers to pull
//! typed fields out of loosely shaped payloads with a clear error when one is missing.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;

use crate::error::VenueError;
use crate::model::Candle;

/// Parses a JSON document, naming the endpoint in the error.
pub fn parse(what: &str, body: &str) -> Result<Value, VenueError> {
    serde_json::from_str(body).map_err(|error| VenueError::malformed(what, error))
}

/// A decimal from a JSON string ("0.01", "1e-8") or number; `None` for null, "" or junk.
pub fn decimal(value: &Value) -> Option<Decimal> {
    match value {
        Value::String(text) => parse_decimal(text),
        Value::Number(number) => parse_decimal(&number.to_string()),
        _ => None,
    }
}

pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    Decimal::from_str(text).or_else(|_| Decimal::from_scientific(text)).ok().map(|d| d.normalize())
}

/// A required decimal field.
pub fn req_decimal(what: &str, item: &Value, field: &str) -> Result<Decimal, VenueError> {
    decimal(&item[field]).ok_or_else(|| VenueError::malformed(what, format!("`{field}` missing")))
}

/// A positive decimal, or `None` (venues use 0 or "" for "no rule").
pub fn positive(value: &Value) -> Option<Decimal> {
    decimal(value).filter(|d| d.is_sign_positive() && !d.is_zero())
}

/// A required string field.
pub fn req_str<'a>(what: &str, item: &'a Value, field: &str) -> Result<&'a str, VenueError> {
    item[field].as_str().ok_or_else(|| VenueError::malformed(what, format!("`{field}` missing")))
}

/// An integer from a JSON number or numeric string (timestamps arrive both ways).
pub fn int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64().or_else(|| number.as_f64().map(|f| f as i64)),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// The array at `value`, or a malformed-payload error.
pub fn array<'a>(what: &str, value: &'a Value) -> Result<&'a Vec<Value>, VenueError> {
    value.as_array().ok_or_else(|| VenueError::malformed(what, "expected an array"))
}

/// `10^-places` as a decimal step (venues that publish precisions instead of steps).
pub fn step_from_places(places: i64) -> Option<Decimal> {
    u32::try_from(places).ok().filter(|p| *p <= 28).map(|p| Decimal::new(1, p))
}

/// Where a candle's fields sit in a venue's positional row: time, open, high, low, close,
/// volume (base asset), and the unit of the time value in milliseconds (1 or 1000).
pub struct RowLayout {
    pub columns: [usize; 6],
    pub time_unit_ms: i64,
}

/// One candle from a positional row such as `[1499040000000, "0.016", ...]`.
pub fn candle_row(what: &str, row: &Value, layout: &RowLayout) -> Result<Candle, VenueError> {
    let [t, o, h, l, c, v] = layout.columns;
    let field =
        |index: usize| decimal(&row[index]).ok_or_else(|| VenueError::malformed(what, format!("column {index}")));
    let time = int(&row[t]).ok_or_else(|| VenueError::malformed(what, "candle time"))?;
    Ok(Candle {
        open_time_ms: time * layout.time_unit_ms,
        open: field(o)?,
        high: field(h)?,
        low: field(l)?,
        close: field(c)?,
        volume: field(v)?,
    })
}

/// The candles of a payload made of positional rows, oldest first, grouped when asked.
pub fn candle_rows(
    what: &str,
    rows: &Value,
    layout: &RowLayout,
    group_ms: Option<i64>,
) -> Result<Vec<Candle>, VenueError> {
    let candles = array(what, rows)?.iter().map(|row| candle_row(what, row, layout)).collect::<Result<Vec<_>, _>>()?;
    Ok(finish_candles(candles, group_ms))
}

/// Candles oldest first, whatever order the venue sent them in.
pub fn oldest_first(mut candles: Vec<Candle>) -> Vec<Candle> {
    candles.sort_by_key(|candle| candle.open_time_ms);
    candles.dedup_by_key(|candle| candle.open_time_ms);
    candles
}

/// Groups candles (oldest first) into buckets of `group_ms`, e.g. 1h into 4h; a first bucket
/// that starts part-way through is dropped, the last (still forming) one is kept.
pub fn group(candles: Vec<Candle>, group_ms: i64) -> Vec<Candle> {
    let mut grouped: Vec<(i64, Candle)> = Vec::new();
    for candle in candles {
        let bucket = candle.open_time_ms.div_euclid(group_ms) * group_ms;
        match grouped.last_mut() {
            Some((start, acc)) if *start == bucket => {
                acc.high = acc.high.max(candle.high);
                acc.low = acc.low.min(candle.low);
                acc.close = candle.close;
                acc.volume += candle.volume;
            }
            _ => grouped.push((bucket, Candle { open_time_ms: bucket, ..candle })),
        }
    }
    let mut out: Vec<Candle> = grouped.into_iter().map(|(_, c)| c).collect();
    if out.len() > 1 {
        // The first bucket only holds what the window caught of it.
        out.remove(0);
    }
    out
}

/// The oldest-first candles of a payload, grouped when the request asked for it.
pub fn finish_candles(candles: Vec<Candle>, group_ms: Option<i64>) -> Vec<Candle> {
    let candles = oldest_first(candles);
    match group_ms {
        Some(group_ms) => group(candles, group_ms),
        None => candles,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decimals_from_strings_and_numbers() {
        assert_eq!(decimal(&json!("0.01000000")), Some(Decimal::new(1, 2)));
        assert_eq!(decimal(&json!(0.5)), Some(Decimal::new(5, 1)));
        assert_eq!(decimal(&json!("1e-8")), Some(Decimal::new(1, 8)));
        assert_eq!(decimal(&json!("")), None);
        assert_eq!(decimal(&json!(null)), None);
        assert_eq!(positive(&json!("0.00000000")), None);
    }

    #[test]
    fn groups_hours_into_four_hour_candles() {
        let hour = 3_600_000;
        let candle = |i: i64, price: i64| Candle {
            open_time_ms: i * hour,
            open: Decimal::from(price),
            high: Decimal::from(price + 1),
            low: Decimal::from(price - 1),
            close: Decimal::from(price),
            volume: Decimal::ONE,
        };
        let hours: Vec<Candle> = (2..10).map(|i| candle(i, 100 + i)).collect();
        let four = group(hours, 4 * hour);
        assert_eq!(four.len(), 2, "the partial 0h bucket is dropped");
        assert_eq!(four[0].open_time_ms, 4 * hour);
        assert_eq!((four[0].open, four[0].close), (Decimal::from(104), Decimal::from(107)));
        assert_eq!((four[0].high, four[0].low), (Decimal::from(108), Decimal::from(103)));
        assert_eq!(four[0].volume, Decimal::from(4));
        assert_eq!(four[1].volume, Decimal::from(2), "the forming bucket is kept");
    }

    #[test]
    fn steps_from_places() {
        assert_eq!(step_from_places(2), Some(Decimal::new(1, 2)));
        assert_eq!(step_from_places(0), Some(Decimal::ONE));
        assert_eq!(step_from_places(-1), None);
    }
}
