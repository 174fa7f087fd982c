//! The route table: every path the Worker answers, in one place (the OpenAPI test reads it).

mod health;
mod ws;

use crate::app::Handler;
use crate::http::router::Router;

pub fn table() -> Router<Handler> {
    Router::default()
        .route("GET", "/health", |ctx| Box::pin(health::get(ctx)))
        .route("GET", "/ws", |ctx| Box::pin(ws::connect(ctx)))
}
