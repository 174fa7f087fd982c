//! Decimals on the wire: accepted as JSON numbers or numeric strings (the API's convention),
//! written as JSON numbers. Floats are read through their shortest decimal text, so `0.1`
//! becomes exactly `0.1`; NaN and infinities cannot occur in JSON and are refused elsewhere.

use std::fmt;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};

struct DecimalVisitor;

impl Visitor<'_> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number or a numeric string")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(value))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Decimal, E> {
        if !value.is_finite() {
            return Err(E::custom("number must be finite"));
        }
        Decimal::from_str(&value.to_string())
            .or_else(|_| Decimal::from_scientific(&format!("{value:e}")))
            .map_err(|_| E::custom("number is out of range"))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Decimal, E> {
        let text = value.trim();
        Decimal::from_str(text)
            .or_else(|_| Decimal::from_scientific(text))
            .map_err(|_| E::custom(format!("`{value}` is not a number")))
    }
}

/// Whole values are written as JSON integers (`3`, not `3.0`).
pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    match value.fract().is_zero().then(|| value.to_i64()).flatten() {
        Some(whole) => serializer.serialize_i64(whole),
        None => serializer.serialize_f64(value.to_f64().unwrap_or(0.0)),
    }
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    deserializer.deserialize_any(DecimalVisitor)
}

/// The same for `Option<Decimal>`, with `null` or an absent field as `None`.
pub mod option {
    use super::*;
    use serde::Deserialize;

    pub fn serialize<S: Serializer>(value: &Option<Decimal>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => super::serialize(value, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Decimal>, D::Error> {
        #[derive(Deserialize)]
        struct Wrapped(#[serde(with = "super")] Decimal);
        Ok(Option::<Wrapped>::deserialize(deserializer)?.map(|Wrapped(value)| value))
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Amount {
        #[serde(with = "super")]
        value: rust_decimal::Decimal,
        #[serde(with = "super::option", default)]
        extra: Option<rust_decimal::Decimal>,
    }

    #[test]
    fn numbers_and_numeric_strings_are_accepted_exactly() {
        let from_float: Amount = serde_json::from_str(r#"{"value": 0.1}"#).unwrap();
        assert_eq!(from_float.value, dec!(0.1));
        let from_text: Amount = serde_json::from_str(r#"{"value": " 12.50 ", "extra": "3"}"#).unwrap();
        assert_eq!((from_text.value, from_text.extra), (dec!(12.50), Some(dec!(3))));
        let from_int: Amount = serde_json::from_str(r#"{"value": 7, "extra": null}"#).unwrap();
        assert_eq!((from_int.value, from_int.extra), (dec!(7), None));
        let tiny: Amount = serde_json::from_str(r#"{"value": 1e-7}"#).unwrap();
        assert_eq!(tiny.value, dec!(0.0000001));
    }

    #[test]
    fn non_numbers_are_refused() {
        for body in [r#"{"value": "abc"}"#, r#"{"value": true}"#, r#"{"value": [1]}"#, r#"{"value": 1e300}"#] {
            assert!(serde_json::from_str::<Amount>(body).is_err(), "{body}");
        }
    }

    #[test]
    fn written_as_json_numbers() {
        let json = serde_json::to_string(&Amount { value: dec!(0.07), extra: None }).unwrap();
        assert_eq!(json, r#"{"value":0.07,"extra":null}"#);
        let json = serde_json::to_string(&Amount { value: dec!(3.00), extra: Some(dec!(-2)) }).unwrap();
        assert_eq!(json, r#"{"value":3,"extra":-2}"#);
    }
}
