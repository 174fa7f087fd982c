//! Bots: the stored record, its JSON view, plan limits, and the paper ledger built on trades.

pub mod conversion;
pub mod export;
pub mod ledger;
pub mod repo;
pub mod setup;
pub mod starts;
pub mod stats;
pub mod totals;
pub mod validate;
pub mod wallet;
pub mod writes;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::users::Plan;

/// How many bots a plan may own.
pub fn plan_limit(plan: Plan) -> usize {
    match plan {
        Plan::Free => 1,
        Plan::Pro => 3,
        Plan::Premium => 5,
    }
}

/// A bot row as stored (decimals and JSON as text).
#[derive(Debug, Clone, Deserialize)]
pub struct BotRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub exchange: String,
    pub symbols: String,
    pub quote_currency: String,
    pub capital: String,
    pub strategy: String,
    pub params: String,
    pub analysis_interval: i64,
    pub is_testnet: i64,
    pub is_active: i64,
    pub config: String,
    pub state: Option<String>,
    pub version: i64,
    pub last_run_ms: i64,
    /// The highest trade number the bot has used: a new run state continues after it.
    pub last_trade_no: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// What the API shows of a bot.
#[derive(Debug, Serialize)]
pub struct BotView {
    pub id: String,
    pub name: String,
    pub exchange: String,
    pub symbols: Vec<String>,
    pub quote_currency: String,
    #[serde(with = "auronex_core::num")]
    pub capital: Decimal,
    pub strategy: String,
    pub params: serde_json::Value,
    pub analysis_interval: i64,
    pub is_testnet: bool,
    pub is_active: bool,
    /// When a tick last evaluated the bot (null until it has run since it was started).
    pub last_run_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl BotRow {
    pub fn is_active(&self) -> bool {
        self.is_active != 0
    }

    pub fn capital(&self) -> Decimal {
        self.capital.parse().unwrap_or(Decimal::ZERO)
    }

    pub fn view(&self) -> BotView {
        BotView {
            id: self.id.clone(),
            name: self.name.clone(),
            exchange: self.exchange.clone(),
            symbols: serde_json::from_str(&self.symbols).unwrap_or_default(),
            quote_currency: self.quote_currency.clone(),
            capital: self.capital(),
            strategy: self.strategy.clone(),
            params: serde_json::from_str(&self.params).unwrap_or_else(|_| serde_json::json!({})),
            analysis_interval: self.analysis_interval,
            is_testnet: self.is_testnet != 0,
            is_active: self.is_active(),
            last_run_at: (self.last_run_ms > 0).then(|| crate::clock::rfc3339_from_ms(self.last_run_ms)),
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_allow_one_three_and_five_bots() {
        assert_eq!([Plan::Free, Plan::Pro, Plan::Premium].map(plan_limit), [1, 3, 5]);
    }
}
