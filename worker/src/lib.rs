//! Worker entry points: thin `#[event]` handlers that hand over to the app and the tick.

mod app;
mod auth;
mod bots;
mod clock;
mod config;
mod copier;
mod crypto;
mod http;
pub mod market;
mod routes;
mod tick;
mod users;

use worker::{event, Context, Env, Request, Response, ScheduleContext, ScheduledEvent};

pub use auronex_durable_objects::{SignalRoom, SignalShard};

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
