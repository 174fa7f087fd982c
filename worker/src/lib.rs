//! Worker entry points: thin `#[event]` handlers that hand over to the app and the tick.

mod admin;
mod api_keys;
mod app;
mod auth;
mod backtests;
mod bots;
mod clock;
mod config;
mod copier;
mod crypto;
mod db;
mod http;
mod log;
pub mod market;
mod notify;
mod payments;
mod routes;
mod tick;
mod users;
mod vault;
mod venues;

use worker::{event, Context, Env, Request, Response, ScheduleContext, ScheduledEvent};

pub use auronex_durable_objects::{SignalRoom, SignalShard, UserStream};
pub use tick::runner::BotRunner;

#[event(start)]
fn start() {
    console_error_panic_hook_lite();
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    Ok(app::serve(req, env).await)
}

#[event(scheduled)]
async fn scheduled(event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    tick::run(&env, &event.cron()).await;
}

/// Panics reset the wasm instance; at least leave the message in the log first.
fn console_error_panic_hook_lite() {
    std::panic::set_hook(Box::new(|info| {
        worker::console_error!("{{\"level\":\"error\",\"event\":\"panic\",\"message\":{:?}}}", info.to_string());
    }));
}
