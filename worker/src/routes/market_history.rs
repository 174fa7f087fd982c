//! `GET /api/market/history?exchange&symbol&timeframe&from&to`: public candle history over a
//! range, paged from the venue and cached for good (`market::history`). `from` is inclusive,
//! `to` exclusive (default: now); only complete candles, oldest first, at most
//! [`MAX_HISTORY_CANDLES`] of them.

use worker::Response;

use super::market_params::{candle_json, Params};
use crate::app::{json, Ctx};
use crate::http::{ApiError, ApiResult};
use crate::market::{HistoryRequest, MarketData};

/// Most candles one history request answers: about 7 MB of JSON and well within a
/// Worker's CPU time; 50 pages of Binance's or Bybit's 1000.
pub const MAX_HISTORY_CANDLES: i64 = 50_000;

pub async fn history(ctx: Ctx) -> ApiResult<Response> {
    crate::http::visitors::admit(&ctx).await?;
    let params = Params::of(&ctx)?;
    let request = history_request(&params, crate::clock::now_ms())?;
    let data = MarketData::new(&ctx.env).map_err(|e| e.to_api_error())?;
    match data.history(&request, MAX_HISTORY_CANDLES).await {
        Ok(candles) => json(200, &candles.iter().map(candle_json).collect::<Vec<_>>()),
        Err(error) => Ok(error.to_response()),
    }
}

/// The validated range of a history query; `to` defaults to `now_ms`.
pub fn history_request(params: &Params, now_ms: i64) -> ApiResult<HistoryRequest> {
    let exchange = params.exchange()?;
    let symbol = params.symbol()?;
    let timeframe = params.timeframe()?;
    let from_ms = params.time_ms("from")?.ok_or_else(|| ApiError::validation("from", "from is required"))?;
    let to_ms = params.time_ms("to")?.unwrap_or(now_ms);
    if to_ms <= from_ms {
        return Err(ApiError::validation("to", "to must be after from"));
    }
    Ok(HistoryRequest { exchange, symbol, timeframe, from_ms, to_ms })
}
