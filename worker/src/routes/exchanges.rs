//! `GET /api/exchanges` (the supported venues) and `GET /api/exchange/symbols?exchange=ID`
//! (that venue's tradable spot markets, as unified `BASE/QUOTE` names). Public data.

use auronex_exchanges::{venue, ExchangeId};
use serde_json::json;
use worker::Response;

use super::market_params::{number, Params};
use crate::app::{json, Ctx};
use crate::http::ApiResult;
use crate::market::MarketData;

pub async fn list(_ctx: Ctx) -> ApiResult<Response> {
    let exchanges: Vec<_> = ExchangeId::ALL
        .into_iter()
        .map(|exchange| {
            let quirks = venue(exchange).quirks();
            json!({
                "id": exchange.id(),
                "name": exchange.name(),
                "quote_currencies": quirks.quote_currencies,
                "taker_fee": number(quirks.taker_fee()),
            })
        })
        .collect();
    json(200, &exchanges)
}

pub async fn symbols(ctx: Ctx) -> ApiResult<Response> {
    crate::http::visitors::admit(&ctx).await?;
    let exchange = Params::of(&ctx)?.exchange()?;
    let data = MarketData::new(&ctx.env).map_err(|e| e.to_api_error())?;
    let markets = match data.markets(exchange).await {
        Ok(markets) => markets,
        Err(error) => return Ok(error.to_response()),
    };
    let mut symbols: Vec<String> = markets.value.iter().map(|m| m.symbol.to_string()).collect();
    symbols.sort();
    symbols.dedup();
    let mut body = json!({"exchange": exchange.id(), "symbols": symbols});
    if markets.stale {
        body["stale"] = json!(true);
    }
    json(200, &body)
}
