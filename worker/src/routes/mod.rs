//! The route table: every path the Worker answers, in one place (the OpenAPI test reads it).

mod cotacao;
mod exchanges;
mod health;
mod market;
mod market_params;
mod ws;

use crate::app::{Handler, HandlerFuture};
use crate::http::router::Router;

/// Turns an `async fn(Ctx) -> ApiResult<Response>` into a table entry.
macro_rules! handler {
    ($path:path) => {
        |ctx| -> HandlerFuture { Box::pin($path(ctx)) }
    };
}

pub fn table() -> Router<Handler> {
    Router::<Handler>::default()
        .route("GET", "/health", handler!(health::get))
        .route("GET", "/ws", handler!(ws::connect))
        .route("GET", "/api/exchanges", handler!(exchanges::list))
        .route("GET", "/api/exchange/symbols", handler!(exchanges::symbols))
        .route("GET", "/api/market/candles", handler!(market::candles))
        .route(
            "GET",
            "/api/market/top-gainers",
            handler!(market::top_gainers),
        )
        .route("GET", "/api/market/quotes", handler!(market::quotes))
        .route("GET", "/api/cotacao/usd-brl", handler!(cotacao::usd_brl))
}
