//! The route table: every path the Worker answers, in one place (the OpenAPI test reads it).

mod health;
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
}
