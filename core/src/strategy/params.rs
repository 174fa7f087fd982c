//! Strategy parameters as a person writes them: a JSON object (`{"take_profit_pct": 1.5}`) or
//! `key=value` pairs, read key by key with defaults, ranges and a check for unknown keys.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("unknown strategy `{0}` (known: scalping, rsi, macd, bollinger)")]
    UnknownStrategy(String),
    #[error("unknown parameter `{key}` for strategy {strategy}")]
    Unknown { key: String, strategy: &'static str },
    #[error("parameter `{key}`: `{value}` is not a number")]
    NotANumber { key: String, value: String },
    #[error("parameter `{key}` must be {expected}, got {value}")]
    OutOfRange { key: String, value: Decimal, expected: String },
    #[error("{0}")]
    Invalid(String),
    #[error("parameter `{0}` is given twice")]
    Repeated(String),
}

/// Numeric parameters by name, as given; nothing is validated until a strategy reads them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(BTreeMap<String, Decimal>);

impl Params {
    /// From `key=value` texts such as the CLI's `--param rsi_period=10`.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = &'a str>) -> Result<Self, ParamError> {
        let mut params = Self::default();
        for pair in pairs {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = key.trim();
            let number = parse_number(key, value.trim())?;
            if params.0.insert(key.to_string(), number).is_some() {
                return Err(ParamError::Repeated(key.to_string()));
            }
        }
        Ok(params)
    }

    pub fn insert(&mut self, key: &str, value: Decimal) {
        self.0.insert(key.to_string(), value);
    }
}

fn parse_number(key: &str, text: &str) -> Result<Decimal, ParamError> {
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .map_err(|_| ParamError::NotANumber { key: key.to_string(), value: text.to_string() })
}

impl<'de> Deserialize<'de> for Params {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ParamsVisitor)
    }
}

struct ParamsVisitor;

impl<'de> Visitor<'de> for ParamsVisitor {
    type Value = Params;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of numeric strategy parameters")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Params, A::Error> {
        let mut params = Params::default();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value::<NumberOrText>()?.0;
            let number = parse_number(&key, &value).map_err(de::Error::custom)?;
            params.0.insert(key, number);
        }
        Ok(params)
    }
}

/// A JSON number or numeric string, kept as the shortest text that round-trips, so `0.1`
/// becomes the decimal 0.1 rather than its binary neighbour.
struct NumberOrText(String);

impl<'de> Deserialize<'de> for NumberOrText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl Visitor<'_> for Text {
            type Value = NumberOrText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumberOrText, E> {
                Ok(NumberOrText(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumberOrText, E> {
                Ok(NumberOrText(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumberOrText, E> {
                Ok(NumberOrText(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NumberOrText, E> {
                Ok(NumberOrText(v.to_string()))
            }
        }
        deserializer.deserialize_any(Text)
    }
}

/// Reads parameters for one strategy, remembering which keys were used.
pub struct ParamReader<'a> {
    params: &'a Params,
    strategy: &'static str,
    used: BTreeSet<&'a str>,
}

impl<'a> ParamReader<'a> {
    pub fn new(params: &'a Params, strategy: &'static str) -> Self {
        Self { params, strategy, used: BTreeSet::new() }
    }

    /// The value of `key` (or `default`) if it lies in `min..=max`.
    pub fn decimal(
        &mut self,
        key: &'static str,
        default: Decimal,
        min: Decimal,
        max: Decimal,
    ) -> Result<Decimal, ParamError> {
        let value = self.take(key).unwrap_or(default);
        if value < min || value > max {
            return Err(out_of_range(key, value, format!("between {min} and {max}")));
        }
        Ok(value)
    }

    /// A whole number of candles in `min..=max`.
    pub fn period(&mut self, key: &'static str, default: usize, min: usize, max: usize) -> Result<usize, ParamError> {
        let value = self.take(key).unwrap_or(Decimal::from(default));
        let whole = value.fract().is_zero().then(|| value.to_usize()).flatten();
        match whole {
            Some(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(out_of_range(key, value, format!("a whole number from {min} to {max}"))),
        }
    }

    /// A percentage in `0..=max` where 0 (or absence, when `default` is `None`) means off.
    pub fn optional_percent(
        &mut self,
        key: &'static str,
        default: Option<Decimal>,
        max: Decimal,
    ) -> Result<Option<Decimal>, ParamError> {
        let value = self.decimal(key, default.unwrap_or_default(), Decimal::ZERO, max)?;
        Ok((!value.is_zero()).then_some(value))
    }

    /// Fails on the first key that no read asked for.
    pub fn finish(self) -> Result<(), ParamError> {
        match self.params.0.keys().find(|key| !self.used.contains(key.as_str())) {
            Some(key) => Err(ParamError::Unknown { key: key.clone(), strategy: self.strategy }),
            None => Ok(()),
        }
    }

    fn take(&mut self, key: &'static str) -> Option<Decimal> {
        let (name, value) = self.params.0.get_key_value(key)?;
        self.used.insert(name);
        Some(*value)
    }
}

fn out_of_range(key: &str, value: Decimal, expected: String) -> ParamError {
    ParamError::OutOfRange { key: key.to_string(), value, expected }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_json_numbers_and_numeric_strings_exactly() {
        let params: Params = serde_json::from_str(r#"{"a": 0.1, "b": "2.50", "c": 7}"#).unwrap();
        let mut reader = ParamReader::new(&params, "test");
        let any = (Decimal::ZERO, Decimal::from(10));
        assert_eq!(reader.decimal("a", Decimal::ONE, any.0, any.1), Ok(Decimal::new(1, 1)));
        assert_eq!(reader.decimal("b", Decimal::ONE, any.0, any.1), Ok(Decimal::new(250, 2)));
        assert_eq!(reader.period("c", 1, 1, 10), Ok(7));
        assert_eq!(reader.period("d", 3, 1, 10), Ok(3));
        assert_eq!(reader.finish(), Ok(()));
        assert!(serde_json::from_str::<Params>(r#"{"a": true}"#).is_err());
        assert!(serde_json::from_str::<Params>(r#"{"a": "x"}"#).is_err());
    }

    #[test]
    fn names_bad_and_unknown_keys() {
        let params = Params::from_pairs(["period=2.5", "typo=1"]).unwrap();
        let mut reader = ParamReader::new(&params, "rsi");
        let error = reader.period("period", 14, 2, 100).unwrap_err();
        assert_eq!(error.to_string(), "parameter `period` must be a whole number from 2 to 100, got 2.5");
        let unknown = reader.finish().unwrap_err().to_string();
        assert_eq!(unknown, "unknown parameter `typo` for strategy rsi");
        assert!(matches!(Params::from_pairs(["x=abc"]), Err(ParamError::NotANumber { .. })));
        assert!(matches!(Params::from_pairs(["x=1", "x=2"]), Err(ParamError::Repeated(_))));
    }

    #[test]
    fn zero_switches_an_optional_percent_off() {
        let params = Params::from_pairs(["tp=0", "sl=2"]).unwrap();
        let mut reader = ParamReader::new(&params, "t");
        let max = Decimal::ONE_HUNDRED;
        assert_eq!(reader.optional_percent("tp", Some(Decimal::ONE), max), Ok(None));
        assert_eq!(reader.optional_percent("sl", None, max), Ok(Some(Decimal::TWO)));
        assert_eq!(reader.optional_percent("ts", None, max), Ok(None));
    }
}
