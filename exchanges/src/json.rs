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
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .ok()
        .map(|d| d.normalize())
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
    item[field]
        .as_str()
        .ok_or_else(|| VenueError::malformed(what, format!("`{field}` missing")))
}

/// An integer from a JSON number or numeric string (timestamps arrive both ways).
pub fn int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number
            .as_i64()
            .or_else(|| number.as_f64().map(|f| f as i64)),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// The array at `value`, or a malformed-payload error.
pub fn array<'a>(what: &str, value: &'a Value) -> Result<&'a Vec<Value>, VenueError> {
    value
        .as_array()
        .ok_or_else(|| VenueError::malformed(what, "expected an array"))
}

/// `10^-places` as a decimal step (venues that publish precisions instead of steps).
pub fn step_from_places(places: i64) -> Option<Decimal> {
    u32::try_from(places)
        .ok()
        .filter(|p| *p <= 28)
        .map(|p| Decimal::new(1, p))
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
    let field = |index: usize| {
        decimal(&row[index]).ok_or_else(|| VenueError::malformed(what, format!("column {index}")))
    };
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

/// Candles oldest first, whatever order the venue sent them in.
pub fn oldest_first(mut candles: Vec<Candle>) -> Vec<Candle> {
    candles.sort_by_key(|candle| candle.open_time_ms);
    candles.dedup_by_key(|candle| candle.open_time_ms);
    candles
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
    fn steps_from_places() {
        assert_eq!(step_from_places(2), Some(Decimal::new(1, 2)));
        assert_eq!(step_from_places(0), Some(Decimal::ONE));
        assert_eq!(step_from_places(-1), None);
    }
}
