//! Bot input checked field by field (pure): a 422 naming the field for anything wrong. Venue
//! checks (is each symbol listed?) and the balance check happen afterwards, in the route.

use auronex_core::strategy::{Params, StrategyConfig, STRATEGY_NAMES};
use auronex_exchanges::{ExchangeId, Symbol};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

use crate::http::{ApiError, ApiResult};

pub const INTERVALS: [u32; 4] = [1, 3, 5, 60];

/// The body of `POST /api/bots/` and `PUT /api/bots/{id}`.
#[derive(Debug, Deserialize)]
pub struct BotInput {
    pub name: String,
    pub exchange: String,
    pub symbols: Vec<String>,
    #[serde(with = "auronex_core::num")]
    pub capital: Decimal,
    pub strategy: String,
    #[serde(default)]
    pub analysis_interval: Option<u32>,
    #[serde(default)]
    pub params: Option<Value>,
    #[serde(default)]
    pub is_testnet: bool,
}

/// A checked bot, before its symbols are looked up on the exchange.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub name: String,
    pub exchange: ExchangeId,
    pub symbols: Vec<Symbol>,
    pub quote_currency: String,
    pub capital: Decimal,
    pub strategy: String,
    pub params: Params,
    pub params_json: Value,
    pub analysis_interval: u32,
    pub is_testnet: bool,
}

pub fn check(input: BotInput) -> ApiResult<Draft> {
    let name = input.name.trim().to_string();
    if !(3..=50).contains(&name.chars().count()) || name.chars().any(char::is_control) {
        return Err(ApiError::validation("name", "name must be 3 to 50 characters"));
    }
    let exchange: ExchangeId = input.exchange.trim().parse().map_err(|_| {
        ApiError::validation("exchange", format!("unknown exchange `{}`; see GET /api/exchanges", input.exchange))
    })?;
    let symbols = symbols(&input.symbols)?;
    let quote_currency = symbols[0].quote().to_string();
    if !(Decimal::TWO..=Decimal::from(10_000)).contains(&input.capital) {
        return Err(ApiError::validation("capital", "capital must be from 2 to 10000"));
    }
    let (strategy, params, params_json) = strategy(&input.strategy, input.params)?;
    let analysis_interval = input.analysis_interval.unwrap_or(60);
    if !INTERVALS.contains(&analysis_interval) {
        return Err(ApiError::validation("analysis_interval", "analysis_interval must be 1, 3, 5 or 60 (seconds)"));
    }
    Ok(Draft {
        name,
        exchange,
        symbols,
        quote_currency,
        capital: input.capital,
        strategy,
        params,
        params_json,
        analysis_interval,
        is_testnet: input.is_testnet,
    })
}

/// A strategy name and its `params` object, checked as a bot's are (also for backtests):
/// the lower-cased name, the parsed params and the params as given.
pub fn strategy(name: &str, params: Option<Value>) -> ApiResult<(String, Params, Value)> {
    let strategy = name.trim().to_ascii_lowercase();
    if !STRATEGY_NAMES.contains(&strategy.as_str()) {
        let known = STRATEGY_NAMES.join(", ");
        return Err(ApiError::validation("strategy", format!("strategy must be one of {known}")));
    }
    let params_json = match params {
        None | Some(Value::Null) => Value::Object(Default::default()),
        Some(value @ Value::Object(_)) => value,
        Some(_) => return Err(ApiError::validation("params", "params must be an object of numbers")),
    };
    let params: Params = serde_json::from_value(params_json.clone())
        .map_err(|error| ApiError::validation("params", error.to_string()))?;
    StrategyConfig::from_params(&strategy, &params)
        .map_err(|error| ApiError::validation("params", error.to_string()))?;
    Ok((strategy, params, params_json))
}

fn symbols(texts: &[String]) -> ApiResult<Vec<Symbol>> {
    if !(1..=5).contains(&texts.len()) {
        return Err(ApiError::validation("symbols", "a bot trades 1 to 5 symbols"));
    }
    let mut symbols: Vec<Symbol> = Vec::new();
    for text in texts {
        let symbol: Symbol =
            text.parse().map_err(|error| ApiError::validation("symbols", format!("`{text}`: {error}")))?;
        if symbols.contains(&symbol) {
            return Err(ApiError::validation("symbols", format!("{symbol} is listed twice")));
        }
        if symbols.first().is_some_and(|first| first.quote() != symbol.quote()) {
            return Err(ApiError::validation("symbols", "all symbols must share one quote currency"));
        }
        symbols.push(symbol);
    }
    Ok(symbols)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn input(patch: Value) -> BotInput {
        let mut body = json!({"name": "My bot", "exchange": "binance", "symbols": ["BTC/USDT"],
            "capital": 100, "strategy": "rsi"});
        for (key, value) in patch.as_object().unwrap() {
            body[key] = value.clone();
        }
        serde_json::from_value(body).unwrap()
    }

    fn field(patch: Value) -> Option<String> {
        check(input(patch)).err().and_then(|error| error.field)
    }

    #[test]
    fn a_valid_bot_gets_defaults() {
        let draft = check(input(json!({"capital": "250.5"}))).unwrap();
        assert_eq!(draft.analysis_interval, 60);
        assert_eq!(draft.quote_currency, "USDT");
        assert_eq!(draft.capital, Decimal::new(2505, 1));
        assert_eq!(draft.params_json, json!({}));
    }

    #[test]
    fn each_bad_field_is_named() {
        assert_eq!(field(json!({"name": "ab"})).as_deref(), Some("name"));
        assert_eq!(field(json!({"name": "x".repeat(51)})).as_deref(), Some("name"));
        assert_eq!(field(json!({"exchange": "nasdaq"})).as_deref(), Some("exchange"));
        assert_eq!(field(json!({"symbols": []})).as_deref(), Some("symbols"));
        assert_eq!(
            field(json!({"symbols": ["A/USDT", "B/USDT", "C/USDT", "D/USDT", "E/USDT", "F/USDT"]})).as_deref(),
            Some("symbols")
        );
        assert_eq!(field(json!({"symbols": ["BTC/USDT", "ETH/BRL"]})).as_deref(), Some("symbols"));
        assert_eq!(field(json!({"symbols": ["BTC/USDT", "btc/usdt"]})).as_deref(), Some("symbols"));
        assert_eq!(field(json!({"symbols": ["BTCUSDT"]})).as_deref(), Some("symbols"));
        assert_eq!(field(json!({"capital": 1.99})).as_deref(), Some("capital"));
        assert_eq!(field(json!({"capital": 10000.01})).as_deref(), Some("capital"));
        assert_eq!(field(json!({"strategy": "martingale"})).as_deref(), Some("strategy"));
        assert_eq!(field(json!({"analysis_interval": 2})).as_deref(), Some("analysis_interval"));
        assert_eq!(field(json!({"params": {"period": 1}})).as_deref(), Some("params"));
        assert_eq!(field(json!({"params": {"no_such_key": 1}})).as_deref(), Some("params"));
        assert_eq!(field(json!({"params": [1]})).as_deref(), Some("params"));
        assert_eq!(field(json!({"capital": 10000, "analysis_interval": 5, "params": {"period": 2}})), None);
    }
}
