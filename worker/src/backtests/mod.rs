//! `POST /api/backtests`: a strategy replayed by the live engine (`auronex_core::backtest`)
//! over a market's candle history, read through the same cached history as
//! `GET /api/market/history`, within the Worker's CPU limits (at most
//! [`MAX_BACKTEST_CANDLES`] candles).

mod input;

use auronex_core::backtest::backtest;
use auronex_core::engine::{BotConfig, MarketConfig};
use auronex_core::fills::FillModel;
use auronex_core::rules::TradingRules;
use auronex_exchanges::Candle;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use worker::Env;

pub use input::{check, Backtest, BacktestInput};

use crate::http::{ApiError, ApiResult};
use crate::market::{HistoryError, MarketData};

/// Most candles one backtest runs over (over two years of hourly candles). The engine is not
/// the cost: the release CLI runs each strategy over 20,016 hourly candles in about 10 ms on
/// the project's 2-core machine. Reading them (20 cached chunks or upstream pages), the engine
/// in wasm and the report's JSON stay well inside a paid Worker's 30 s CPU limit.
pub const MAX_BACKTEST_CANDLES: i64 = 20_000;

/// Runs a checked backtest: its candles (cached history), the market's trading rules, the
/// engine; the report as JSON, with the settings used so anyone can repeat it elsewhere.
pub async fn run(env: &Env, test: &Backtest) -> Result<Value, HistoryError> {
    let data = MarketData::new(env)?;
    let candles = data.history(&test.history, MAX_BACKTEST_CANDLES).await?;
    let market = data.market(test.history.exchange, &test.history.symbol).await?;
    let rules = TradingRules {
        maker_fee_rate: test.fee_pct / Decimal::ONE_HUNDRED,
        taker_fee_rate: test.fee_pct / Decimal::ONE_HUNDRED,
        lot_step: market.lot_step.unwrap_or(Decimal::ZERO),
        min_notional: market.min_notional.unwrap_or(Decimal::ZERO),
    };
    let settings = json!({
        "capital": test.capital, "fee_pct": test.fee_pct, "spread_pct": test.spread_pct,
        "slippage_pct": test.slippage_pct, "lot_step": rules.lot_step, "min_notional": rules.min_notional,
    });
    let config = engine_config(test, rules).map_err(HistoryError::Refused)?;
    let core: Vec<_> = candles.iter().map(Candle::to_core).collect();
    let report = match core.is_empty() {
        true => None,
        false => Some(
            backtest(config, &core)
                .map_err(|e| HistoryError::Refused(ApiError::validation("params", e.to_string())))?,
        ),
    };
    Ok(json!({
        "exchange": test.history.exchange.id(),
        "symbol": test.history.symbol.to_string(),
        "timeframe": test.history.timeframe.as_str(),
        "from": crate::clock::rfc3339_from_ms(test.history.from_ms),
        "to": crate::clock::rfc3339_from_ms(test.history.to_ms),
        "strategy": test.strategy,
        "params": test.params_json,
        "settings": settings,
        "candles": core.len(),
        "trades": report.as_ref().map(|r| json!(r.trades)).unwrap_or_else(|| json!([])),
        "metrics": report.as_ref().map(|r| json!(r.metrics)),
        "refused_entries": report.as_ref().map_or(0, |r| r.refused_entries),
    }))
}

fn engine_config(test: &Backtest, rules: TradingRules) -> ApiResult<BotConfig> {
    let fills = FillModel::from_percents(test.spread_pct, test.slippage_pct)
        .map_err(|e| ApiError::validation("spread_pct", e.to_string()))?;
    let markets = vec![MarketConfig { symbol: test.history.symbol.clone(), rules }];
    let config = BotConfig::from_params(&test.strategy, &test.params, test.capital, fills, markets)
        .map_err(|e| ApiError::validation("params", e.to_string()))?;
    config.validate().map_err(|e| ApiError::validation("symbol", e.to_string()))?;
    Ok(config)
}
