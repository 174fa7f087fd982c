//! Helpers shared by the core integration tests: fixture candles and a one-symbol bot config.

#![allow(dead_code)]

use std::path::PathBuf;
use std::str::FromStr;

use auronex_core::candles_csv::parse_candles;
use auronex_core::engine::{BotConfig, MarketConfig};
use auronex_core::fills::FillModel;
use auronex_core::market::Candle;
use auronex_core::rules::TradingRules;
use auronex_core::strategy::Params;
use rust_decimal::Decimal;

pub fn candles(name: &str) -> Vec<Candle> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name);
    parse_candles(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

pub fn config(strategy: &str, pairs: &[&str], capital: &str) -> BotConfig {
    let params = Params::from_pairs(pairs.iter().copied()).unwrap();
    let fills = FillModel::from_percents(dec("0.1"), dec("0.05")).unwrap();
    let market = MarketConfig { symbol: "BTC/USD".parse().unwrap(), rules: TradingRules::default() };
    BotConfig::from_params(strategy, &params, dec(capital), fills, vec![market]).unwrap()
}
