//! `GET /api/cotacao/usd-brl`: the dollar-real rate (AwesomeAPI, cached five minutes), for
//! showing balances in BRL. Marked `stale` when AwesomeAPI is down and an older rate is used.

use serde_json::json;
use worker::Response;

use super::market_params::number;
use crate::app::{json, Ctx};
use crate::clock::rfc3339_from_ms;
use crate::http::ApiResult;
use crate::market::MarketData;

pub async fn usd_brl(ctx: Ctx) -> ApiResult<Response> {
    crate::http::visitors::admit(&ctx).await?;
    let data = MarketData::new(&ctx.env).map_err(|e| e.to_api_error())?;
    let quote = match data.usd_brl().await {
        Ok(quote) => quote,
        Err(error) => return Ok(error.to_response()),
    };
    let mut body = json!({
        "rate": number(quote.value.rate()),
        "bid": number(quote.value.bid),
        "ask": number(quote.value.ask),
        "source": "awesomeapi",
        "updated_at": rfc3339_from_ms(quote.value.timestamp * 1000),
        "fetched_at": rfc3339_from_ms(quote.fetched_at_ms),
    });
    if quote.stale {
        body["stale"] = json!(true);
    }
    json(200, &body)
}
