//! `GET /api/market/candles?exchange&symbol&timeframe&limit` and
//! `GET /api/market/top-gainers?period=24h[&exchange][&quote]`. Public data.

use auronex_exchanges::{venue, ExchangeId};
use serde_json::json;
use worker::Response;

use super::market_params::{candle_json, number, Params};
use crate::app::{json, Ctx};
use crate::clock::rfc3339_from_ms;
use crate::http::{ApiError, ApiResult};
use crate::market::{CandleRequest, MarketData};

pub async fn candles(ctx: Ctx) -> ApiResult<Response> {
    crate::http::visitors::admit(&ctx).await?;
    let params = Params::of(&ctx)?;
    let exchange = params.exchange()?;
    let request = CandleRequest {
        exchange,
        symbol: params.symbol()?,
        timeframe: params.timeframe()?,
        limit: params.limit(100, venue(exchange).quirks().max_candles)?,
    };
    let data = MarketData::new(&ctx.env).map_err(|e| e.to_api_error())?;
    let candles = match data.candles(&request).await {
        Ok(candles) => candles,
        Err(error) => return Ok(error.to_response()),
    };
    let body: Vec<_> = candles.iter().map(candle_json).collect();
    json(200, &body)
}

pub async fn top_gainers(ctx: Ctx) -> ApiResult<Response> {
    crate::http::visitors::admit(&ctx).await?;
    let params = Params::of(&ctx)?;
    if params.text_or("period", "24h") != "24H" {
        return Err(ApiError::validation("period", "period must be 24h"));
    }
    let exchange = params.exchange_or(ExchangeId::Binance)?;
    let quote = params.text_or("quote", venue(exchange).quirks().quote_currencies.first().copied().unwrap_or("USDT"));
    let data = MarketData::new(&ctx.env).map_err(|e| e.to_api_error())?;
    let gainers = match data.top_gainers(exchange, &quote).await {
        Ok(Some(gainers)) => gainers,
        Ok(None) => {
            return Err(ApiError::validation(
                "exchange",
                format!("{} publishes no all-markets 24h ticker; choose another exchange", exchange.name()),
            ))
        }
        Err(error) => return Ok(error.to_response()),
    };
    let body: Vec<_> = gainers
        .iter()
        .map(|g| json!({"symbol": g.symbol, "price": number(g.price), "change_pct": number(g.change_pct)}))
        .collect();
    json(200, &body)
}

/// `GET /api/market/quotes?pairs=binance:BTC/USDT,kraken:ETH/USD`: best bid/ask per pair
/// through the same layer the tick uses (one upstream request per distinct market at most,
/// batched where the venue allows). A pair that cannot be quoted carries its own error.
pub async fn quotes(ctx: Ctx) -> ApiResult<Response> {
    crate::http::visitors::admit(&ctx).await?;
    let params = Params::of(&ctx)?;
    let pairs = params.pairs(MAX_PAIRS)?;
    let data = MarketData::new(&ctx.env).map_err(|e| e.to_api_error())?;
    let mut results = data.quotes(&pairs).await;
    let mut seen = std::collections::HashSet::new();
    let body: Vec<_> = pairs
        .into_iter()
        .filter(|pair| seen.insert(pair.clone()))
        .filter_map(|pair| {
            let (exchange, symbol) = &pair;
            let item = match results.remove(&pair)? {
                Ok(quote) => json!({
                    "exchange": exchange.id(), "symbol": symbol,
                    "bid": number(quote.bid), "ask": number(quote.ask),
                    "taker_fee": number(quote.taker_fee),
                    "fetched_at": rfc3339_from_ms(quote.fetched_at_ms),
                }),
                Err(error) => {
                    let api = error.to_api_error();
                    json!({"exchange": exchange.id(), "symbol": symbol,
                           "error": {"code": api.code, "message": api.message}})
                }
            };
            Some(item)
        })
        .collect();
    json(200, &body)
}

/// Most pairs one quotes request may name.
const MAX_PAIRS: usize = 50;
