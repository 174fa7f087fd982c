//! The body of `POST /api/backtests`, checked field by field (pure): strategy and params as a
//! bot's, the market and range as `GET /api/market/history`'s, capital and the fill settings.

use auronex_core::strategy::Params;
use auronex_exchanges::{venue, ExchangeId, Symbol, Timeframe};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

use crate::bots::validate;
use crate::clock::parse_time_ms;
use crate::http::{ApiError, ApiResult};
use crate::market::HistoryRequest;

#[derive(Debug, Deserialize)]
pub struct BacktestInput {
    pub strategy: String,
    #[serde(default)]
    pub params: Option<Value>,
    pub exchange: String,
    pub symbol: String,
    #[serde(default)]
    pub timeframe: Option<String>,
    /// Epoch milliseconds (number or text), RFC 3339 or `YYYY-MM-DD`.
    pub from: Value,
    #[serde(default)]
    pub to: Option<Value>,
    #[serde(with = "auronex_core::num")]
    pub capital: Decimal,
    #[serde(default, with = "auronex_core::num::option")]
    pub fee_pct: Option<Decimal>,
    #[serde(default, with = "auronex_core::num::option")]
    pub spread_pct: Option<Decimal>,
    #[serde(default, with = "auronex_core::num::option")]
    pub slippage_pct: Option<Decimal>,
}

/// A checked backtest.
#[derive(Debug, Clone)]
pub struct Backtest {
    pub history: HistoryRequest,
    pub strategy: String,
    pub params: Params,
    pub params_json: Value,
    pub capital: Decimal,
    pub fee_pct: Decimal,
    pub spread_pct: Decimal,
    pub slippage_pct: Decimal,
}

/// A bot's paper fills: half a 0.1 % spread around each close, no extra slippage.
const DEFAULT_SPREAD_PCT: Decimal = Decimal::from_parts(1, 0, 0, false, 1);

pub fn check(input: BacktestInput, now_ms: i64) -> ApiResult<Backtest> {
    let (strategy, params, params_json) = validate::strategy(&input.strategy, input.params)?;
    let exchange: ExchangeId = input.exchange.trim().parse().map_err(|_| {
        ApiError::validation("exchange", format!("unknown exchange `{}`; see GET /api/exchanges", input.exchange))
    })?;
    let symbol: Symbol =
        input.symbol.parse().map_err(|e| ApiError::validation("symbol", format!("`{}`: {e}", input.symbol)))?;
    let timeframe = match input.timeframe.as_deref() {
        None => Timeframe::H1,
        Some(text) => text.parse().map_err(|e| ApiError::validation("timeframe", format!("{e}")))?,
    };
    let from_ms = time("from", &input.from)?;
    let to_ms = match &input.to {
        None | Some(Value::Null) => now_ms,
        Some(value) => time("to", value)?,
    };
    if to_ms <= from_ms {
        return Err(ApiError::validation("to", "to must be after from"));
    }
    if input.capital <= Decimal::ZERO || input.capital > Decimal::from(1_000_000_000) {
        return Err(ApiError::validation("capital", "capital must be above 0 and at most 1000000000"));
    }
    let percent = |field: &str, value: Option<Decimal>, default: Decimal| match value {
        None => Ok(default),
        Some(pct) if pct >= Decimal::ZERO && pct <= Decimal::from(50) => Ok(pct),
        Some(_) => Err(ApiError::validation(field, format!("{field} must be from 0 to 50 (percent)"))),
    };
    let venue_fee_pct = venue(exchange).quirks().taker_fee() * Decimal::ONE_HUNDRED;
    Ok(Backtest {
        history: HistoryRequest { exchange, symbol, timeframe, from_ms, to_ms },
        strategy,
        params,
        params_json,
        capital: input.capital,
        fee_pct: percent("fee_pct", input.fee_pct, venue_fee_pct.normalize())?,
        spread_pct: percent("spread_pct", input.spread_pct, DEFAULT_SPREAD_PCT)?,
        slippage_pct: percent("slippage_pct", input.slippage_pct, Decimal::ZERO)?,
    })
}

fn time(field: &str, value: &Value) -> ApiResult<i64> {
    let text = match value {
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.trim().to_string(),
        _ => String::new(),
    };
    parse_time_ms(&text).ok_or_else(|| {
        ApiError::validation(
            field,
            format!("{field} must be milliseconds since the epoch, an RFC 3339 time or a YYYY-MM-DD date"),
        )
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn input(patch: Value) -> BacktestInput {
        let mut body = json!({"strategy": "rsi", "params": {"period": 10}, "exchange": "binance",
            "symbol": "BTC/USDT", "timeframe": "1h", "from": "2024-01-01", "to": 1_706_745_600_000i64,
            "capital": "1000"});
        for (key, value) in patch.as_object().unwrap() {
            body[key] = value.clone();
        }
        serde_json::from_value(body).unwrap()
    }

    fn field(patch: Value) -> String {
        check(input(patch), 0).unwrap_err().field.unwrap_or_default()
    }

    #[test]
    fn a_good_body_gets_the_venue_fee_and_bot_fills() {
        let test = check(input(json!({})), 0).unwrap();
        assert_eq!((test.history.from_ms, test.history.to_ms), (1_704_067_200_000, 1_706_745_600_000));
        assert_eq!(test.fee_pct, Decimal::new(1, 1), "Binance's 10 bps");
        assert_eq!(test.spread_pct, Decimal::new(1, 1));
        assert_eq!(test.slippage_pct, Decimal::ZERO);
        let open = check(input(json!({"to": null})), 1_800_000_000_000).unwrap();
        assert_eq!(open.history.to_ms, 1_800_000_000_000, "to defaults to now");
    }

    #[test]
    fn each_bad_field_is_named() {
        assert_eq!(field(json!({"strategy": "magic"})), "strategy");
        assert_eq!(field(json!({"params": {"period": -3}})), "params");
        assert_eq!(field(json!({"exchange": "nope"})), "exchange");
        assert_eq!(field(json!({"symbol": "BTCUSDT"})), "symbol");
        assert_eq!(field(json!({"timeframe": "2h"})), "timeframe");
        assert_eq!(field(json!({"from": "soon"})), "from");
        assert_eq!(field(json!({"from": true})), "from");
        assert_eq!(field(json!({"to": "2023-01-01"})), "to");
        assert_eq!(field(json!({"capital": "0"})), "capital");
        assert_eq!(field(json!({"fee_pct": "-1"})), "fee_pct");
        assert_eq!(field(json!({"spread_pct": "51"})), "spread_pct");
    }
}
