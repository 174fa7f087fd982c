//! Exchange rates and the one way amounts of different currencies become one total: a
//! [`Converter`] built from named rates, which reports every rate it used and every currency it
//! could not convert.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::cash::{Currency, Money, MoneyError};

/// Where a rate comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateSource {
    /// AwesomeAPI's quote (the mid of its bid and ask).
    Awesomeapi,
    /// A documented 1:1 peg (a dollar stablecoin counted as a dollar), not a market price.
    Peg,
}

/// One `base` is worth `rate` of `quote`, according to `source`, as of `as_of_ms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    pub base: Currency,
    pub quote: Currency,
    pub rate: Decimal,
    pub source: RateSource,
    /// When the source quoted it (`None` for a peg, which has no time).
    pub as_of_ms: Option<i64>,
}

/// The dollar stablecoins counted 1:1 as USD by a peg.
pub const USD_PEGGED: [&str; 3] = ["USDT", "USDC", "FDUSD"];

impl Rate {
    /// `base` counted 1:1 as `quote`.
    pub fn peg(base: Currency, quote: Currency) -> Self {
        Rate { base, quote, rate: Decimal::ONE, source: RateSource::Peg, as_of_ms: None }
    }

    /// `"USD/BRL"`.
    pub fn pair(&self) -> String {
        format!("{}/{}", self.base, self.quote)
    }

    /// `money` in the other currency of this rate; `None` when the rate does not touch it.
    fn apply(&self, money: &Money) -> Option<Result<Money, MoneyError>> {
        if self.rate <= Decimal::ZERO {
            return None;
        }
        let (to, amount) = if money.currency() == &self.base {
            (&self.quote, money.amount().checked_mul(self.rate))
        } else if money.currency() == &self.quote {
            (&self.base, money.amount().checked_div(self.rate))
        } else {
            return None;
        };
        Some(amount.map(|a| Money::new(a, to.clone())).ok_or(MoneyError::Overflow))
    }
}

/// A total in one currency and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    /// `None` when an amount in a `missing` currency could not be converted.
    pub total: Option<Money>,
    pub used: Vec<Rate>,
    pub missing: Vec<Currency>,
}

/// Converts amounts into `target` through `rates`: directly, or through one intermediate
/// currency (USDT -> USD -> BRL).
#[derive(Debug, Clone)]
pub struct Converter {
    pub target: Currency,
    pub rates: Vec<Rate>,
}

impl Converter {
    pub fn new(target: Currency, rates: Vec<Rate>) -> Self {
        Self { target, rates }
    }

    /// `money` in the target currency, rounded to the ledger's places, and the rates used.
    pub fn convert(&self, money: &Money) -> Result<(Money, Vec<Rate>), MoneyError> {
        if money.currency() == &self.target {
            return Ok((money.clone(), Vec::new()));
        }
        for first in &self.rates {
            let Some(step) = first.apply(money) else { continue };
            let step = step?;
            if step.currency() == &self.target {
                return Ok((step.to_ledger(), vec![first.clone()]));
            }
            for second in self.rates.iter().filter(|r| *r != first) {
                if let Some(Ok(last)) =
                    second.apply(&step).filter(|r| r.as_ref().is_ok_and(|m| m.currency() == &self.target))
                {
                    return Ok((last.to_ledger(), vec![first.clone(), second.clone()]));
                }
            }
        }
        Err(MoneyError::NoRate { from: money.currency().clone(), to: self.target.clone() })
    }

    /// The sum of `items` (any currencies) in the target currency. Zero amounts need no rate.
    pub fn total<'a>(&self, items: impl IntoIterator<Item = &'a Money>) -> Result<Converted, MoneyError> {
        let mut total = Money::zero(self.target.clone());
        let mut used: Vec<Rate> = Vec::new();
        let mut missing = BTreeSet::new();
        for item in items.into_iter().filter(|m| !m.is_zero()) {
            match self.convert(item) {
                Ok((converted, rates)) => {
                    total = total.checked_add(&converted)?;
                    for rate in rates {
                        if !used.contains(&rate) {
                            used.push(rate);
                        }
                    }
                }
                Err(MoneyError::NoRate { from, .. }) => {
                    missing.insert(from);
                }
                Err(other) => return Err(other),
            }
        }
        let missing: Vec<Currency> = missing.into_iter().collect();
        Ok(Converted { total: missing.is_empty().then_some(total), used, missing })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(code: &str) -> Currency {
        code.parse().unwrap()
    }

    fn money(text: &str, currency: &str) -> Money {
        Money::new(text.parse().unwrap(), c(currency))
    }

    fn rates() -> Vec<Rate> {
        let usd_brl = Rate {
            base: c("USD"),
            quote: c("BRL"),
            rate: "5".parse().unwrap(),
            source: RateSource::Awesomeapi,
            as_of_ms: Some(7),
        };
        vec![usd_brl, Rate::peg(c("USDT"), c("USD"))]
    }

    #[test]
    fn a_usdt_and_a_brl_profit_are_converted_not_summed() {
        // The reported bug: +0.027 USDT and +12.47 BRL showed as 12.50 "USD".
        let usd = Converter::new(c("USD"), rates());
        let converted = usd.total([&money("0.027", "USDT"), &money("12.47", "BRL")]).unwrap();
        assert_eq!(converted.total, Some(money("2.521", "USD")));
        let pairs: Vec<String> = converted.used.iter().map(Rate::pair).collect();
        assert_eq!(pairs, ["USDT/USD", "USD/BRL"]);
        assert!(converted.missing.is_empty());
    }

    #[test]
    fn conversions_go_through_one_intermediate_currency() {
        let brl = Converter::new(c("BRL"), rates());
        let (value, used) = brl.convert(&money("2", "USDT")).unwrap();
        assert_eq!(value, money("10", "BRL"));
        assert_eq!(used.len(), 2);
        assert_eq!(brl.convert(&money("3", "BRL")).unwrap(), (money("3", "BRL"), vec![]));
    }

    #[test]
    fn an_unconvertible_currency_is_named_and_the_total_withheld() {
        let usd = Converter::new(c("USD"), rates());
        let converted = usd.total([&money("1", "USDT"), &money("4", "EUR"), &money("0", "JPY")]).unwrap();
        assert_eq!(converted.total, None);
        assert_eq!(converted.missing, [c("EUR")], "a zero amount needs no rate");
        let no_rates = Converter::new(c("USD"), Vec::new());
        assert!(matches!(no_rates.convert(&money("1", "BRL")), Err(MoneyError::NoRate { .. })));
    }

    #[test]
    fn a_zero_rate_is_never_used() {
        let zero = Rate { rate: Decimal::ZERO, ..rates()[0].clone() };
        let usd = Converter::new(c("USD"), vec![zero]);
        assert!(usd.convert(&money("1", "BRL")).is_err());
    }
}
