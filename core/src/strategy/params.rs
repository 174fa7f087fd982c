//! Strategy parameters as a person writes them: a JSON object (`{"take_profit_pct": 1.5}`) or
//! `key=value` pairs, read key by key with defaults, ranges and a check for unknown keys.
//! Values are numbers (or numeric strings), or words for the keys that name a choice
//! (`"entry": "below"`).

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
    #[error("parameter `{key}` must be one of {expected}, got `{value}`")]
    NotAChoice { key: String, value: String, expected: String },
    #[error("{0}")]
    Invalid(String),
    #[error("parameter `{0}` is given twice")]
    Repeated(String),
}

/// One parameter as given: a number, or a word (letters, digits and `_`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Number(Decimal),
    Word(String),
}

/// Parameters by name, as given; nothing is validated until a strategy reads them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(BTreeMap<String, Value>);

impl Params {
    /// From `key=value` texts such as the CLI's `--param rsi_period=10` or `--param entry=below`.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = &'a str>) -> Result<Self, ParamError> {
        let mut params = Self::default();
        for pair in pairs {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = key.trim();
            let value = parse_value(key, value.trim())?;
            if params.0.insert(key.to_string(), value).is_some() {
                return Err(ParamError::Repeated(key.to_string()));
            }
        }
        Ok(params)
    }

    pub fn insert(&mut self, key: &str, value: Decimal) {
        self.0.insert(key.to_string(), Value::Number(value));
    }
}

/// A number when `text` reads as one, else a word; anything else is refused as not a number.
fn parse_value(key: &str, text: &str) -> Result<Value, ParamError> {
    if let Ok(number) = Decimal::from_str(text).or_else(|_| Decimal::from_scientific(text)) {
        return Ok(Value::Number(number));
    }
    let word = !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if word {
        Ok(Value::Word(text.to_string()))
    } else {
        Err(not_a_number(key, text))
    }
}

fn not_a_number(key: &str, text: &str) -> ParamError {
    ParamError::NotANumber { key: key.to_string(), value: text.to_string() }
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
        f.write_str("an object of strategy parameters (numbers, or words for choices)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Params, A::Error> {
        let mut params = Params::default();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value::<NumberOrText>()?.0;
            let value = parse_value(&key, &value).map_err(de::Error::custom)?;
            params.0.insert(key, value);
        }
        Ok(params)
    }
}

/// A JSON number or string, kept as the shortest text that round-trips, so `0.1` becomes the
/// decimal 0.1 rather than its binary neighbour.
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
        let value = self.number(key)?.unwrap_or(default);
        if value < min || value > max {
            return Err(out_of_range(key, value, format!("between {min} and {max}")));
        }
        Ok(value)
    }

    /// A whole number of candles in `min..=max`.
    pub fn period(&mut self, key: &'static str, default: usize, min: usize, max: usize) -> Result<usize, ParamError> {
        let value = self.number(key)?.unwrap_or(Decimal::from(default));
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

    /// One of `choices` (word, value) by its word, or `default` when `key` is absent.
    pub fn choice<T: Copy>(&mut self, key: &'static str, default: T, choices: &[(&str, T)]) -> Result<T, ParamError> {
        let given = match self.take(key) {
            None => return Ok(default),
            Some(Value::Word(word)) => word.clone(),
            Some(Value::Number(number)) => number.to_string(),
        };
        let found = choices.iter().find(|(word, _)| *word == given);
        found.map(|(_, value)| *value).ok_or_else(|| {
            let expected = choices.iter().map(|(word, _)| format!("`{word}`")).collect::<Vec<_>>().join(", ");
            ParamError::NotAChoice { key: key.to_string(), value: given, expected }
        })
    }

    /// Fails on the first key that no read asked for.
    pub fn finish(self) -> Result<(), ParamError> {
        match self.params.0.keys().find(|key| !self.used.contains(key.as_str())) {
            Some(key) => Err(ParamError::Unknown { key: key.clone(), strategy: self.strategy }),
            None => Ok(()),
        }
    }

    fn take(&mut self, key: &'static str) -> Option<&'a Value> {
        let (name, value) = self.params.0.get_key_value(key)?;
        self.used.insert(name);
        Some(value)
    }

    /// The number given for `key`, if any; a word there is not a number.
    fn number(&mut self, key: &'static str) -> Result<Option<Decimal>, ParamError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Number(number)) => Ok(Some(*number)),
            Some(Value::Word(word)) => Err(not_a_number(key, word)),
        }
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
        assert!(serde_json::from_str::<Params>(r#"{"a": "x y"}"#).is_err());
        // A word is kept for a choice, and is not a number.
        let params: Params = serde_json::from_str(r#"{"a": "x"}"#).unwrap();
        let error = ParamReader::new(&params, "test").decimal("a", Decimal::ONE, any.0, any.1).unwrap_err();
        assert_eq!(error.to_string(), "parameter `a`: `x` is not a number");
    }

    #[test]
    fn reads_a_choice_by_its_word() {
        let choices = [("below", 1), ("cross_up", 2)];
        let params = Params::from_pairs(["entry=cross_up", "other=3", "bad=sideways"]).unwrap();
        let mut reader = ParamReader::new(&params, "rsi");
        assert_eq!(reader.choice("entry", 1, &choices), Ok(2));
        assert_eq!(reader.choice("absent", 1, &choices), Ok(1));
        let error = reader.choice("other", 1, &choices).unwrap_err();
        assert_eq!(error.to_string(), "parameter `other` must be one of `below`, `cross_up`, got `3`");
        let error = reader.choice("bad", 1, &choices).unwrap_err();
        assert_eq!(error.to_string(), "parameter `bad` must be one of `below`, `cross_up`, got `sideways`");
    }

    #[test]
    fn names_bad_and_unknown_keys() {
        let params = Params::from_pairs(["period=2.5", "typo=1"]).unwrap();
        let mut reader = ParamReader::new(&params, "rsi");
        let error = reader.period("period", 14, 2, 100).unwrap_err();
        assert_eq!(error.to_string(), "parameter `period` must be a whole number from 2 to 100, got 2.5");
        let unknown = reader.finish().unwrap_err().to_string();
        assert_eq!(unknown, "unknown parameter `typo` for strategy rsi");
        assert!(matches!(Params::from_pairs(["x=a.b"]), Err(ParamError::NotANumber { .. })));
        assert!(matches!(Params::from_pairs(["x="]), Err(ParamError::NotANumber { .. })));
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
