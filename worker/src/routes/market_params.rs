//! Query parameters of the market endpoints, validated into typed values with 422 errors
//! that name the offending field; plus the number and time formats those endpoints print.

use std::collections::HashMap;

use auronex_exchanges::{ExchangeId, Symbol, Timeframe};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::app::Ctx;
use crate::http::{ApiError, ApiResult};

pub struct Params(HashMap<String, String>);

impl Params {
    pub fn of(ctx: &Ctx) -> ApiResult<Self> {
        let url = ctx.req.url()?;
        Ok(Self(url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    pub fn exchange(&self) -> ApiResult<ExchangeId> {
        let text = self.get("exchange").ok_or_else(|| ApiError::validation("exchange", "exchange is required"))?;
        text.parse()
            .map_err(|_| ApiError::validation("exchange", format!("unknown exchange `{text}`; see GET /api/exchanges")))
    }

    /// The exchange, or `default` when the parameter is absent.
    pub fn exchange_or(&self, default: ExchangeId) -> ApiResult<ExchangeId> {
        match self.get("exchange") {
            None => Ok(default),
            Some(_) => self.exchange(),
        }
    }

    pub fn symbol(&self) -> ApiResult<Symbol> {
        let text =
            self.get("symbol").ok_or_else(|| ApiError::validation("symbol", "symbol is required, e.g. BTC/USDT"))?;
        text.parse().map_err(|e| ApiError::validation("symbol", format!("symbol `{text}`: {e}")))
    }

    pub fn timeframe(&self) -> ApiResult<Timeframe> {
        match self.get("timeframe") {
            None => Ok(Timeframe::H1),
            Some(text) => text.parse().map_err(|e| ApiError::validation("timeframe", format!("{e}"))),
        }
    }

    /// `limit` in 1..=max, `default` when absent.
    pub fn limit(&self, default: u16, max: u16) -> ApiResult<u16> {
        match self.get("limit") {
            None => Ok(default.min(max)),
            Some(text) => text
                .parse::<u16>()
                .ok()
                .filter(|limit| (1..=max).contains(limit))
                .ok_or_else(|| ApiError::validation("limit", format!("limit must be 1 to {max}"))),
        }
    }

    /// `pairs=exchange:BASE/QUOTE,...`, 1 to `max` of them.
    pub fn pairs(&self, max: usize) -> ApiResult<Vec<(ExchangeId, Symbol)>> {
        let text = self
            .get("pairs")
            .ok_or_else(|| ApiError::validation("pairs", "pairs is required, e.g. binance:BTC/USDT"))?;
        let pairs: Vec<&str> = text.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
        if pairs.is_empty() || pairs.len() > max {
            return Err(ApiError::validation("pairs", format!("give 1 to {max} pairs")));
        }
        pairs
            .into_iter()
            .map(|pair| {
                let (exchange, symbol) = pair
                    .split_once(':')
                    .ok_or_else(|| ApiError::validation("pairs", format!("`{pair}` is not exchange:BASE/QUOTE")))?;
                let exchange = exchange
                    .parse()
                    .map_err(|_| ApiError::validation("pairs", format!("unknown exchange `{exchange}`")))?;
                let symbol = symbol.parse().map_err(|e| ApiError::validation("pairs", format!("`{symbol}`: {e}")))?;
                Ok((exchange, symbol))
            })
            .collect()
    }

    /// An instant given as milliseconds since the epoch, an RFC 3339 time or a `YYYY-MM-DD`
    /// date (00:00 UTC); `None` when absent.
    pub fn time_ms(&self, name: &str) -> ApiResult<Option<i64>> {
        let Some(text) = self.get(name) else { return Ok(None) };
        crate::clock::parse_time_ms(text).map(Some).ok_or_else(|| {
            ApiError::validation(
                name,
                format!("{name} must be milliseconds since the epoch, an RFC 3339 time or a YYYY-MM-DD date"),
            )
        })
    }

    /// A plain text parameter with a default (upper-cased: currency codes, periods).
    pub fn text_or(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or(default).to_ascii_uppercase()
    }
}

/// A candle as the market endpoints print it.
pub fn candle_json(candle: &auronex_exchanges::Candle) -> serde_json::Value {
    serde_json::json!({
        "time": crate::clock::rfc3339_from_ms(candle.open_time_ms),
        "timestamp_ms": candle.open_time_ms,
        "open": number(candle.open),
        "high": number(candle.high),
        "low": number(candle.low),
        "close": number(candle.close),
        "volume": number(candle.volume),
    })
}

/// Amounts are JSON numbers on output.
pub fn number(value: Decimal) -> serde_json::Value {
    value
        .to_f64()
        .and_then(serde_json::Number::from_f64)
        .map(serde_json::Value::Number)
        .unwrap_or(serde_json::Value::Null)
}
