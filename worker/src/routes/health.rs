//! `GET /health`: liveness plus a real D1 round trip and the time of the last scheduled tick.

use serde::{Deserialize, Serialize};
use worker::Response;

use crate::app::{json, Ctx};
use crate::http::ApiResult;

#[derive(Serialize)]
struct Health {
    status: &'static str,
    version: &'static str,
    db: &'static str,
    last_tick_at: Option<String>,
}

#[derive(Deserialize)]
struct LastTick {
    finished_at: Option<String>,
}

pub async fn get(ctx: Ctx) -> ApiResult<Response> {
    let version = env!("CARGO_PKG_VERSION");
    match last_tick(&ctx).await {
        Ok(last_tick_at) => json(200, &Health { status: "ok", version, db: "ok", last_tick_at }),
        Err(error) => {
            worker::console_error!(
                "{}",
                serde_json::json!({"level": "error", "event": "health_db", "detail": error.to_string()})
            );
            json(503, &Health { status: "error", version, db: "error", last_tick_at: None })
        }
    }
}

async fn last_tick(ctx: &Ctx) -> worker::Result<Option<String>> {
    let db = ctx.env.d1("DB")?;
    let row = db.prepare("SELECT max(finished_at) AS finished_at FROM tick_runs").first::<LastTick>(None).await?;
    Ok(row.and_then(|row| row.finished_at))
}
