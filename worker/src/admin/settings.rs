//! Back-office settings: plan prices (USD for Stripe, BRL for PIX), starting paper balances
//! and default fees. Stored as one JSON document; absent means the defaults below. Amounts are
//! decimals, read from numbers or numeric strings and written as numbers.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use worker::D1Database;

use crate::http::{ApiError, ApiResult};

const KEY: &str = "app";

/// A decimal amount: accepts `29`, `29.9` or `"29.90"`; written as a JSON number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Amount(pub Decimal);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let text = match &value {
            serde_json::Value::Number(number) => number.to_string(),
            serde_json::Value::String(text) => text.trim().to_string(),
            _ => return Err(serde::de::Error::custom("expected a number or a numeric string")),
        };
        Decimal::from_str(&text)
            .or_else(|_| Decimal::from_scientific(&text))
            .map(Amount)
            .map_err(|_| serde::de::Error::custom("expected a number or a numeric string"))
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.0.to_f64().unwrap_or(0.0))
    }
}

fn amount(units: i64, scale: u32) -> Amount {
    Amount(Decimal::new(units, scale))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanPrice {
    pub usd: Amount,
    pub brl: Amount,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fees {
    /// Fractions: 0.001 is 0.1 %.
    pub maker_fee_rate: Amount,
    pub taker_fee_rate: Amount,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Keys `pro` and `premium`.
    pub plan_prices: BTreeMap<String, PlanPrice>,
    /// Currency code -> starting paper balance for new paper wallets.
    pub paper_starting_balances: BTreeMap<String, Amount>,
    pub default_fees: Fees,
}

/// `PUT` input: any subset of the sections; each given section replaces the stored one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    pub plan_prices: Option<BTreeMap<String, PlanPrice>>,
    pub paper_starting_balances: Option<BTreeMap<String, Amount>>,
    pub default_fees: Option<Fees>,
}

impl Default for Settings {
    /// Pro $29 and premium $59 a month (R$149 and R$299 by PIX); paper money of 5,000 BRL and
    /// 1,000 in each dollar-like currency (and EUR); 0.1 % maker and taker fees.
    fn default() -> Self {
        let prices = [("pro", (29, 149)), ("premium", (59, 299))]
            .map(|(plan, (usd, brl))| (plan.to_string(), PlanPrice { usd: amount(usd, 0), brl: amount(brl, 0) }));
        Settings {
            plan_prices: prices.into_iter().collect(),
            paper_starting_balances: [
                ("USDT", 1_000),
                ("USDC", 1_000),
                ("FDUSD", 1_000),
                ("USD", 1_000),
                ("EUR", 1_000),
                ("BRL", 5_000),
            ]
            .map(|(currency, units)| (currency.to_string(), amount(units, 0)))
            .into_iter()
            .collect(),
            default_fees: Fees { maker_fee_rate: amount(1, 3), taker_fee_rate: amount(1, 3) },
        }
    }
}

impl Settings {
    pub fn apply(&self, patch: SettingsPatch) -> Settings {
        Settings {
            plan_prices: patch.plan_prices.unwrap_or_else(|| self.plan_prices.clone()),
            paper_starting_balances: patch
                .paper_starting_balances
                .unwrap_or_else(|| self.paper_starting_balances.clone()),
            default_fees: patch.default_fees.unwrap_or_else(|| self.default_fees.clone()),
        }
    }

    pub fn validate(&self) -> ApiResult<()> {
        let mut plans: Vec<&str> = self.plan_prices.keys().map(String::as_str).collect();
        plans.sort_unstable();
        if plans != ["premium", "pro"] {
            return Err(ApiError::validation("plan_prices", "plan_prices must have exactly `pro` and `premium`"));
        }
        let price_ok =
            |price: Amount| price.0 >= Decimal::ONE && price.0 <= Decimal::from(100_000) && price.0.scale() <= 2;
        for (plan, price) in &self.plan_prices {
            if !price_ok(price.usd) || !price_ok(price.brl) {
                return Err(ApiError::validation(
                    format!("plan_prices.{plan}"),
                    "prices must be between 1 and 100000 with at most 2 decimals",
                ));
            }
        }
        if self.paper_starting_balances.is_empty() || self.paper_starting_balances.len() > 20 {
            return Err(ApiError::validation("paper_starting_balances", "give 1 to 20 currencies"));
        }
        for (currency, balance) in &self.paper_starting_balances {
            let code_ok = (2..=10).contains(&currency.len())
                && currency.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
            if !code_ok || balance.0 < Decimal::ZERO || balance.0 > Decimal::from(1_000_000_000) {
                return Err(ApiError::validation(
                    format!("paper_starting_balances.{currency}"),
                    "currency codes are 2-10 uppercase letters or digits; balances 0 to 1000000000",
                ));
            }
        }
        let fee_ok = |rate: Amount| rate.0 >= Decimal::ZERO && rate.0 < Decimal::new(1, 1);
        if !fee_ok(self.default_fees.maker_fee_rate) || !fee_ok(self.default_fees.taker_fee_rate) {
            return Err(ApiError::validation("default_fees", "fee rates are fractions from 0 to below 0.1 (10 %)"));
        }
        Ok(())
    }

    /// The price of `plan` in cents (USD) and in BRL, if it is a paid plan.
    pub fn price(&self, plan: &str) -> Option<&PlanPrice> {
        self.plan_prices.get(plan)
    }
}

/// Whole cents of an amount with at most two decimals.
pub fn cents(amount: Amount) -> i64 {
    (amount.0 * Decimal::from(100)).round().to_i64().unwrap_or(0)
}

#[derive(Deserialize)]
struct Row {
    value: String,
}

pub async fn load(db: &D1Database) -> worker::Result<Settings> {
    let row = db.prepare("SELECT value FROM settings WHERE key = ?1").bind(&[KEY.into()])?.first::<Row>(None).await?;
    // A stored document that no longer parses (a field renamed by a later version) falls back
    // to the defaults rather than breaking checkout; the admin sees the defaults and re-saves.
    Ok(row.and_then(|row| serde_json::from_str(&row.value).ok()).unwrap_or_default())
}

pub async fn store(db: &D1Database, settings: &Settings, by: &str, now: &str) -> worker::Result<()> {
    let value = serde_json::to_string(settings).map_err(|e| worker::Error::RustError(e.to_string()))?;
    db.prepare(
        "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, \
         updated_by = excluded.updated_by",
    )
    .bind(&[KEY.into(), value.into(), now.into(), by.into()])?
    .run()
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_priced_as_the_product_says() {
        let settings = Settings::default();
        settings.validate().unwrap();
        assert_eq!(cents(settings.price("pro").unwrap().usd), 2900);
        assert_eq!(cents(settings.price("premium").unwrap().usd), 5900);
        assert!(settings.price("free").is_none());
    }

    #[test]
    fn amounts_read_numbers_and_strings_and_write_numbers() {
        let patch: SettingsPatch = serde_json::from_str(
            r#"{"plan_prices":{"pro":{"usd":"19.90","brl":99},"premium":{"usd":49.5,"brl":"249"}}}"#,
        )
        .unwrap();
        let settings = Settings::default().apply(patch);
        settings.validate().unwrap();
        assert_eq!(cents(settings.price("pro").unwrap().usd), 1990);
        let json = serde_json::to_value(&settings).unwrap();
        assert_eq!(json["plan_prices"]["pro"]["usd"], 19.9);
        assert_eq!(json["default_fees"]["taker_fee_rate"], 0.001);
        let round_trip: Settings = serde_json::from_value(json).unwrap();
        assert_eq!(round_trip, settings);
    }

    #[test]
    fn bad_settings_name_their_field() {
        let base = Settings::default();
        let cases = [
            (r#"{"plan_prices":{"pro":{"usd":29,"brl":149}}}"#, "plan_prices"),
            (r#"{"plan_prices":{"pro":{"usd":0,"brl":149},"premium":{"usd":59,"brl":299}}}"#, "plan_prices.pro"),
            (r#"{"plan_prices":{"pro":{"usd":29.999,"brl":149},"premium":{"usd":59,"brl":299}}}"#, "plan_prices.pro"),
            (r#"{"paper_starting_balances":{"usdt":100}}"#, "paper_starting_balances.usdt"),
            (r#"{"paper_starting_balances":{"USDT":-1}}"#, "paper_starting_balances.USDT"),
            (r#"{"paper_starting_balances":{}}"#, "paper_starting_balances"),
            (r#"{"default_fees":{"maker_fee_rate":0.1,"taker_fee_rate":0.001}}"#, "default_fees"),
        ];
        for (patch, field) in cases {
            let error = base.apply(serde_json::from_str(patch).unwrap()).validate().unwrap_err();
            assert_eq!((error.status, error.field.as_deref()), (422, Some(field)), "{patch}");
        }
        assert!(serde_json::from_str::<SettingsPatch>(r#"{"plan_prices":{"pro":{"usd":true,"brl":1}}}"#).is_err());
        assert!(serde_json::from_str::<SettingsPatch>(r#"{"unknown":1}"#).is_err());
    }
}
