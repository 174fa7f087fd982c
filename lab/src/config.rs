//! A lab run's settings as the page sends them (a bot's exchange, symbol, strategy, params and
//! capital, plus the fill model) turned into the core `BotConfig` a live bot of the same
//! settings runs: the venue's taker fee, a 0.1 % spread and no slippage (worker/src/bots/setup.rs).

use std::str::FromStr;

use auronex_core::engine::{BotConfig, MarketConfig};
use auronex_core::fills::FillModel;
use auronex_core::rules::TradingRules;
use auronex_core::strategy::Params;
use auronex_core::symbol::Symbol;
use auronex_exchanges::catalog::ExchangeId;
use auronex_exchanges::venue::venue;
use rust_decimal::Decimal;
use serde::de::{self, Deserializer};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct LabConfig {
    /// Exchange id (`binance`, ...): gives the taker fee unless `fee_pct` is set.
    pub exchange: String,
    pub symbol: String,
    pub strategy: String,
    #[serde(default)]
    pub params: Params,
    #[serde(deserialize_with = "number")]
    pub capital: Decimal,
    /// How many markets the bot trades: a live bot stakes capital / markets per entry, so a
    /// backtest of one of them does too (1 when absent).
    #[serde(default = "one")]
    pub markets: u32,
    /// Taker fee in percent; the venue's default tier when absent.
    #[serde(default, deserialize_with = "optional_number")]
    pub fee_pct: Option<Decimal>,
    #[serde(default = "default_spread_pct", deserialize_with = "number")]
    pub spread_pct: Decimal,
    #[serde(default, deserialize_with = "number")]
    pub slippage_pct: Decimal,
    /// Order quantity increment; the CLI's default when absent (the page knows no venue lot).
    #[serde(default = "default_lot_step", deserialize_with = "number")]
    pub lot_step: Decimal,
    #[serde(default = "default_min_notional", deserialize_with = "number")]
    pub min_notional: Decimal,
}

/// A JSON number or numeric string as the decimal its text says (`1000`, `"0.1"`).
fn number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    let text = match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Number(number) => number.to_string(),
        serde_json::Value::String(text) => text,
        other => return Err(de::Error::custom(format!("expected a number, got {other}"))),
    };
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .map_err(|_| de::Error::custom(format!("`{text}` is not a number")))
}

fn optional_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Decimal>, D::Error> {
    number(deserializer).map(Some)
}

fn one() -> u32 {
    1
}

fn default_spread_pct() -> Decimal {
    Decimal::new(1, 1)
}

fn default_lot_step() -> Decimal {
    Decimal::new(1, 8)
}

fn default_min_notional() -> Decimal {
    Decimal::ONE
}

impl LabConfig {
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("settings: {e}"))
    }

    /// The fee as a fraction: `fee_pct`, else the venue's.
    pub fn fee_rate(&self) -> Result<Decimal, String> {
        match self.fee_pct {
            Some(pct) => Ok(pct / Decimal::ONE_HUNDRED),
            None => {
                let exchange = ExchangeId::from_str(&self.exchange).map_err(|e| e.to_string())?;
                Ok(venue(exchange).quirks().taker_fee())
            }
        }
    }

    /// The config with `params` in place of the settings' own (a sweep's parameter set).
    pub fn bot_config_with(&self, params: &Params) -> Result<BotConfig, String> {
        let fee = self.fee_rate()?;
        let rules = TradingRules {
            maker_fee_rate: fee,
            taker_fee_rate: fee,
            lot_step: self.lot_step,
            min_notional: self.min_notional,
        };
        let symbol = Symbol::from_str(&self.symbol).map_err(|e| format!("symbol: {e}"))?;
        let fills = FillModel::from_percents(self.spread_pct, self.slippage_pct).map_err(|e| e.to_string())?;
        let markets = vec![MarketConfig { symbol, rules }];
        let mut config =
            BotConfig::from_params(&self.strategy, params, self.capital, fills, markets).map_err(|e| e.to_string())?;
        if self.markets > 1 {
            config.stake_per_trade = Some(self.capital / Decimal::from(self.markets));
        }
        config.validate().map_err(|e| e.to_string())?;
        Ok(config)
    }

    pub fn bot_config(&self) -> Result<BotConfig, String> {
        self.bot_config_with(&self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_venue_fee_applies_unless_one_is_given() {
        let json =
            r#"{"exchange":"binance","symbol":"BTC/USDT","strategy":"rsi","params":{"period":10},"capital":1000}"#;
        let config = LabConfig::from_json(json).unwrap();
        let binance = venue(ExchangeId::Binance).quirks().taker_fee();
        assert_eq!(config.bot_config().unwrap().markets[0].rules.taker_fee_rate, binance);
        let given = LabConfig { fee_pct: Some(Decimal::new(25, 2)), ..config };
        assert_eq!(given.bot_config().unwrap().markets[0].rules.taker_fee_rate, Decimal::new(25, 4));
    }

    #[test]
    fn one_market_of_several_stakes_its_share_of_the_capital() {
        let json = r#"{"exchange":"binance","symbol":"BTC/USDT","strategy":"rsi","capital":900,"markets":3}"#;
        let config = LabConfig::from_json(json).unwrap().bot_config().unwrap();
        assert_eq!((config.capital, config.stake()), (Decimal::from(900), Decimal::from(300)));
        let json = r#"{"exchange":"binance","symbol":"BTC/USDT","strategy":"rsi","capital":900}"#;
        assert_eq!(LabConfig::from_json(json).unwrap().bot_config().unwrap().stake(), Decimal::from(900));
    }

    #[test]
    fn bad_settings_are_errors_not_panics() {
        let json = r#"{"exchange":"nowhere","symbol":"BTC/USDT","strategy":"rsi","capital":1000}"#;
        assert!(LabConfig::from_json(json).unwrap().bot_config().unwrap_err().contains("nowhere"));
        let json =
            r#"{"exchange":"binance","symbol":"BTC/USDT","strategy":"rsi","params":{"period":"x"},"capital":1000}"#;
        assert!(LabConfig::from_json(json).and_then(|c| c.bot_config()).is_err());
        let json = r#"{"exchange":"binance","symbol":"BTC/USDT","strategy":"rsi","capital":0}"#;
        assert!(LabConfig::from_json(json).unwrap().bot_config().is_err());
    }
}
