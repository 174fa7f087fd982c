//! Unified market symbols written `BASE/QUOTE`, the one spelling every venue maps to.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A spot market in unified form, e.g. `BTC/USDT`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Symbol {
    base: String,
    quote: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SymbolError {
    #[error("symbol must be written BASE/QUOTE, e.g. BTC/USDT")]
    Format,
    #[error("symbol assets must be 1 to 16 ASCII letters or digits")]
    Asset,
}

impl Symbol {
    pub fn new(base: &str, quote: &str) -> Result<Self, SymbolError> {
        let valid = |asset: &str| (1..=16).contains(&asset.len()) && asset.chars().all(|c| c.is_ascii_alphanumeric());
        if !valid(base) || !valid(quote) {
            return Err(SymbolError::Asset);
        }
        Ok(Self { base: base.to_ascii_uppercase(), quote: quote.to_ascii_uppercase() })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn quote(&self) -> &str {
        &self.quote
    }
}

impl FromStr for Symbol {
    type Err = SymbolError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (base, quote) = text.trim().split_once('/').ok_or(SymbolError::Format)?;
        Self::new(base, quote)
    }
}

impl TryFrom<String> for Symbol {
    type Error = SymbolError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Symbol> for String {
    fn from(symbol: Symbol) -> Self {
        symbol.to_string()
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.base, self.quote)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises_case() {
        let symbol: Symbol = " btc/usdt ".parse().unwrap();
        assert_eq!(symbol.base(), "BTC");
        assert_eq!(symbol.quote(), "USDT");
        assert_eq!(symbol.to_string(), "BTC/USDT");
    }

    #[test]
    fn rejects_malformed_symbols() {
        assert_eq!("BTCUSDT".parse::<Symbol>(), Err(SymbolError::Format));
        assert_eq!("/USDT".parse::<Symbol>(), Err(SymbolError::Asset));
        assert_eq!("BTC/US-DT".parse::<Symbol>(), Err(SymbolError::Asset));
    }

    #[test]
    fn round_trips_through_json() {
        let symbol: Symbol = serde_json::from_str("\"eth/brl\"").unwrap();
        assert_eq!(serde_json::to_string(&symbol).unwrap(), "\"ETH/BRL\"");
        assert!(serde_json::from_str::<Symbol>("\"ETHBRL\"").is_err());
    }
}
