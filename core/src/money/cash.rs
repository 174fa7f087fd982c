//! [`Money`]: an amount that knows its currency (nautilus_trader's shape). Two currencies never
//! add: every arithmetic operation is checked and a mismatch is an `Err`, as is an overflow.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// Decimal places the trade ledger keeps (10^-8 of the quote currency, a satoshi): amounts are
/// rounded half-even to it when a trade is recorded, so stored sums are exact integers.
pub const LEDGER_DP: u32 = 8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("cannot combine {left} with {right}")]
    CurrencyMismatch { left: Currency, right: Currency },
    #[error("amount out of range")]
    Overflow,
    #[error("currency codes are 2 to 10 letters or digits, upper case")]
    BadCurrency,
    #[error("no rate to convert {from} to {to}")]
    NoRate { from: Currency, to: Currency },
}

/// A currency or asset code: `USDT`, `BRL`, `USD`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

impl Currency {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Currency {
    type Err = MoneyError;

    fn from_str(code: &str) -> Result<Self, MoneyError> {
        let valid =
            (2..=10).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        valid.then(|| Self(code.to_string())).ok_or(MoneyError::BadCurrency)
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;

    fn try_from(code: String) -> Result<Self, MoneyError> {
        code.parse()
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> String {
        currency.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An amount of one currency. Fields are private: the only ways to combine two are checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Self::new(Decimal::ZERO, currency)
    }

    /// An amount stored as ledger units (`amount * 10^LEDGER_DP`).
    pub fn from_units(units: i64, currency: Currency) -> Self {
        Self::new(Decimal::new(units, LEDGER_DP), currency)
    }

    pub fn amount(&self) -> Decimal {
        self.amount
    }

    pub fn currency(&self) -> &Currency {
        &self.currency
    }

    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            return Ok(());
        }
        Err(MoneyError::CurrencyMismatch { left: self.currency.clone(), right: other.currency.clone() })
    }

    pub fn checked_add(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let amount = self.amount.checked_add(other.amount).ok_or(MoneyError::Overflow)?;
        Ok(Self::new(amount, self.currency.clone()))
    }

    pub fn checked_sub(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let amount = self.amount.checked_sub(other.amount).ok_or(MoneyError::Overflow)?;
        Ok(Self::new(amount, self.currency.clone()))
    }

    /// Orders two amounts of the same currency.
    pub fn checked_cmp(&self, other: &Money) -> Result<std::cmp::Ordering, MoneyError> {
        self.same_currency(other)?;
        Ok(self.amount.cmp(&other.amount))
    }

    /// The amount times a plain number (a rate, a count), in the same currency.
    pub fn checked_scale(&self, factor: Decimal) -> Result<Money, MoneyError> {
        let amount = self.amount.checked_mul(factor).ok_or(MoneyError::Overflow)?;
        Ok(Self::new(amount, self.currency.clone()))
    }

    /// The amount divided by a plain number; `None` for a zero divisor.
    pub fn checked_div(&self, divisor: Decimal) -> Option<Money> {
        let amount = self.amount.checked_div(divisor)?;
        Some(Self::new(amount, self.currency.clone()))
    }

    /// Rounded half-even to the ledger's [`LEDGER_DP`] places.
    pub fn to_ledger(&self) -> Money {
        let amount = self.amount.round_dp_with_strategy(LEDGER_DP, RoundingStrategy::MidpointNearestEven);
        Self::new(amount.normalize(), self.currency.clone())
    }

    /// The ledger units the amount is stored as (rounded to [`LEDGER_DP`] places first).
    pub fn to_units(&self) -> Result<i64, MoneyError> {
        let rounded = self.to_ledger().amount;
        let units = rounded.checked_mul(Decimal::from(10i64.pow(LEDGER_DP))).ok_or(MoneyError::Overflow)?;
        i64::try_from(units).map_err(|_| MoneyError::Overflow)
    }

    /// Sums `items`, all of which must be in `currency`.
    pub fn sum<'a>(currency: &Currency, items: impl IntoIterator<Item = &'a Money>) -> Result<Money, MoneyError> {
        items.into_iter().try_fold(Money::zero(currency.clone()), |total, item| total.checked_add(item))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount.normalize(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn money(text: &str, currency: &str) -> Money {
        Money::new(text.parse().unwrap(), currency.parse().unwrap())
    }

    #[test]
    fn two_currencies_never_add() {
        let usdt = money("0.027", "USDT");
        let brl = money("12.47", "BRL");
        assert!(matches!(usdt.checked_add(&brl), Err(MoneyError::CurrencyMismatch { .. })));
        assert!(usdt.checked_sub(&brl).is_err());
        assert!(usdt.checked_cmp(&brl).is_err());
        assert!(Money::sum(&"USDT".parse().unwrap(), [&usdt, &brl]).is_err());
        assert_eq!(usdt.checked_add(&money("1", "USDT")).unwrap(), money("1.027", "USDT"));
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        let huge = Money::new(Decimal::MAX, "USDT".parse().unwrap());
        assert_eq!(huge.checked_add(&huge), Err(MoneyError::Overflow));
        assert_eq!(huge.checked_scale(Decimal::TWO), Err(MoneyError::Overflow));
        assert_eq!(huge.to_units(), Err(MoneyError::Overflow));
        assert_eq!(money("1", "BRL").checked_div(Decimal::ZERO), None);
    }

    #[test]
    fn ledger_units_round_half_even_to_eight_places() {
        assert_eq!(money("1.000000005", "USDT").to_units(), Ok(100_000_000));
        assert_eq!(money("1.000000015", "USDT").to_units(), Ok(100_000_002));
        assert_eq!(money("-0.123456789", "BRL").to_units(), Ok(-12_345_679));
        assert_eq!(Money::from_units(-12_345_679, "BRL".parse().unwrap()), money("-0.12345679", "BRL"));
    }

    #[test]
    fn currency_codes_are_checked() {
        for bad in ["", "u", "usdt", "US DT", "ABCDEFGHIJK"] {
            assert_eq!(bad.parse::<Currency>(), Err(MoneyError::BadCurrency), "{bad:?}");
        }
        assert_eq!(serde_json::to_string(&"BRL".parse::<Currency>().unwrap()).unwrap(), "\"BRL\"");
        assert!(serde_json::from_str::<Currency>("\"brl\"").is_err());
    }

    proptest! {
        /// Units round-trip exactly, and summing units equals summing the rounded amounts.
        #[test]
        fn units_sum_like_the_rounded_amounts(raw in prop::collection::vec(-1_000_000_000i64..1_000_000_000, 0..50), scale in 0u32..12) {
            let usdt: Currency = "USDT".parse().unwrap();
            let items: Vec<Money> = raw.iter().map(|m| Money::new(Decimal::new(*m, scale), usdt.clone()).to_ledger()).collect();
            let units: i64 = items.iter().map(|m| m.to_units().unwrap()).sum();
            prop_assert_eq!(Money::from_units(units, usdt.clone()), Money::sum(&usdt, &items).unwrap());
        }
    }
}
