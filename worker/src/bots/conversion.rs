//! How combined totals are converted: the target currency a caller asks for (`?currency=USD|BRL`),
//! the rates (AwesomeAPI's USD/BRL, dollar stablecoins pegged 1:1 to USD), and the `conversion`
//! object every answer with a combined total carries (the rates used, when each was quoted, and
//! the currencies that could not be converted).

use auronex_core::money::{Converted, Converter, Currency, Money, MoneyError, Rate, RateSource, USD_PEGGED};
use rust_decimal::Decimal;
use serde::Serialize;
use worker::Env;

use crate::clock::rfc3339_from_ms;
use crate::http::{ApiError, ApiResult};
use crate::market::MarketData;

/// Currencies a combined total may be shown in.
pub const TARGETS: [&str; 2] = ["USD", "BRL"];

/// The `currency` query parameter: USD unless the caller names BRL.
pub fn target(requested: Option<&str>) -> ApiResult<Currency> {
    match requested {
        None => Ok(code("USD")),
        Some(text) if TARGETS.contains(&text) => Ok(code(text)),
        Some(_) => Err(ApiError::validation("currency", "currency must be USD or BRL")),
    }
}

fn code(text: &str) -> Currency {
    text.parse().expect("a constant currency code")
}

/// Whether converting `currencies` into `target` needs a market rate (not only pegs).
fn needs_market_rate(target: &Currency, currencies: &[Currency]) -> bool {
    let dollar = |c: &Currency| c.as_str() == "USD" || USD_PEGGED.contains(&c.as_str());
    let mut all = currencies.iter().chain(std::iter::once(target));
    let any_dollar = all.clone().any(dollar);
    any_dollar && all.any(|c| c.as_str() == "BRL")
}

/// A converter into `target` for amounts in `currencies`; AwesomeAPI is asked only when a
/// BRL amount meets a dollar one (its answer is cached for five minutes).
pub async fn converter(env: &Env, target: Currency, currencies: &[Currency]) -> Converter {
    let mut rates: Vec<Rate> = USD_PEGGED.iter().map(|peg| Rate::peg(code(peg), code("USD"))).collect();
    if needs_market_rate(&target, currencies) {
        if let Some(rate) = usd_brl(env).await {
            rates.push(rate);
        }
    }
    Converter::new(target, rates)
}

/// AwesomeAPI's USD/BRL as a named rate, or `None` when it cannot be had.
pub async fn usd_brl(env: &Env) -> Option<Rate> {
    let md = MarketData::new(env).ok()?;
    let quote = md.usd_brl().await.ok()?;
    let rate = quote.value.rate();
    (rate > Decimal::ZERO).then(|| Rate {
        base: code("USD"),
        quote: code("BRL"),
        rate,
        source: RateSource::Awesomeapi,
        as_of_ms: Some(quote.value.timestamp.saturating_mul(1000)),
    })
}

#[derive(Debug, Serialize, PartialEq)]
pub struct RateView {
    pub pair: String,
    #[serde(with = "auronex_core::num")]
    pub rate: Decimal,
    pub source: RateSource,
    pub as_of: Option<String>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct ConversionView {
    pub currency: String,
    pub rates: Vec<RateView>,
    pub missing: Vec<String>,
}

/// Converts several figures into the converter's target; `conversion` gathers what they used.
pub struct Conversions<'a> {
    converter: &'a Converter,
    used: Vec<Rate>,
    missing: Vec<Currency>,
}

impl<'a> Conversions<'a> {
    pub fn new(converter: &'a Converter) -> Self {
        Self { converter, used: Vec::new(), missing: Vec::new() }
    }

    /// The sum of `amounts` in the target currency; `None` when one could not be converted.
    pub fn total<'m>(&mut self, amounts: impl IntoIterator<Item = &'m Money>) -> Result<Option<Money>, MoneyError> {
        let Converted { total, used, missing } = self.converter.total(amounts)?;
        for rate in used {
            if !self.used.contains(&rate) {
                self.used.push(rate);
            }
        }
        for currency in missing {
            if !self.missing.contains(&currency) {
                self.missing.push(currency);
            }
        }
        Ok(total)
    }

    /// [`Conversions::total`] as a plain amount.
    pub fn amount<'m>(&mut self, amounts: impl IntoIterator<Item = &'m Money>) -> Result<Option<Decimal>, MoneyError> {
        Ok(self.total(amounts)?.map(|money| money.amount()))
    }

    pub fn target(&self) -> &Currency {
        &self.converter.target
    }

    pub fn view(mut self) -> ConversionView {
        self.missing.sort();
        ConversionView {
            currency: self.converter.target.to_string(),
            rates: self
                .used
                .iter()
                .map(|rate| RateView {
                    pair: rate.pair(),
                    rate: rate.rate,
                    source: rate.source.clone(),
                    as_of: rate.as_of_ms.map(rfc3339_from_ms),
                })
                .collect(),
            missing: self.missing.iter().map(ToString::to_string).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_brl_amount_meeting_a_dollar_one_needs_awesomeapi() {
        let c = |codes: &[&str]| codes.iter().map(|t| code(t)).collect::<Vec<_>>();
        assert!(needs_market_rate(&code("USD"), &c(&["BRL"])));
        assert!(needs_market_rate(&code("BRL"), &c(&["USDT"])));
        assert!(!needs_market_rate(&code("USD"), &c(&["USDT", "USDC"])));
        assert!(!needs_market_rate(&code("BRL"), &c(&["BRL"])));
    }

    #[test]
    fn the_target_is_usd_or_brl() {
        assert_eq!(target(None).unwrap(), code("USD"));
        assert_eq!(target(Some("BRL")).unwrap(), code("BRL"));
        assert!(target(Some("usd")).is_err());
        assert!(target(Some("EUR")).is_err());
    }

    #[test]
    fn the_view_names_each_rate_once_and_what_is_missing() {
        let usd_brl = Rate {
            base: code("USD"),
            quote: code("BRL"),
            rate: Decimal::from(5),
            source: RateSource::Awesomeapi,
            as_of_ms: Some(0),
        };
        let converter = Converter::new(code("USD"), vec![Rate::peg(code("USDT"), code("USD")), usd_brl]);
        let mut conversions = Conversions::new(&converter);
        let brl = Money::new(Decimal::from(10), code("BRL"));
        let usdt = Money::new(Decimal::ONE, code("USDT"));
        let eur = Money::new(Decimal::ONE, code("EUR"));
        assert_eq!(conversions.amount([&brl, &usdt]).unwrap(), Some(Decimal::from(3)));
        assert_eq!(conversions.amount([&brl]).unwrap(), Some(Decimal::from(2)));
        assert_eq!(conversions.amount([&eur, &usdt]).unwrap(), None);
        let view = conversions.view();
        let pairs: Vec<&str> = view.rates.iter().map(|r| r.pair.as_str()).collect();
        assert_eq!(pairs, ["USD/BRL", "USDT/USD"]);
        assert_eq!(view.rates[0].as_of.as_deref(), Some("1970-01-01T00:00:00.000Z"));
        assert_eq!(view.missing, ["EUR"]);
    }
}
